"""The board pack PDF: its text holds every school's name and figures, no pupil names, and the
renderer fetches nothing outside the static folder."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from reports import pdf

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pack_holds_every_school_with_its_figures_and_the_summary(reference):
    content = pdf.render_pdf(reference.assisi)
    out = settings.BASE_DIR / "media-test" / "board-pack-assisi.pdf"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(content)
    text = pdf_text(content)
    assert "124 pupils (3.3%) have an EHC plan" in text
    assert "EHCP 2.7% against 3.5% nationally for primary" in text
    for row in reference.rows:
        if row["trust"] == "Assisi Catholic Trust":
            assert row["school"].replace("'", "’") in text.replace("'", "’")
    assert "3,742" in text and "15.6%" in text
    assert "Holy Cross Primary" not in text  # another trust's school
    assert "Page 1 of" in text.replace("\n", " ") or "Page 2 of" in text


def test_the_command_writes_the_same_pack(reference, tmp_path):
    target = tmp_path / "pack.pdf"
    stdout = io.StringIO()
    call_command("board_pack", "christus-catholic-trust", "--output", str(target), stdout=stdout)
    text = pdf_text(target.read_bytes())
    assert "Holy Cross Primary" in text and "10.6%" in text
    assert "Wrote" in stdout.getvalue()


def test_the_pack_is_drawn_without_the_urlconf(reference, settings):
    # A board pack's process never serves a page: loading the URLconf (and with it the admin,
    # send_portal.apps) would cost it about half a second.
    settings.ROOT_URLCONF = "no_such_urlconf"
    text = pdf_text(pdf.render_pdf(reference.assisi))
    assert "124 pupils (3.3%) have an EHC plan" in text


def test_the_command_names_the_known_trusts_for_an_unknown_slug(reference):
    with pytest.raises(CommandError, match="assisi-catholic-trust"):
        call_command("board_pack", "no-such-trust")


def test_the_fetcher_refuses_the_network_and_files_outside_static():
    fetcher = pdf.StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/x.css")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch((pdf.STATIC_DIR / ".." / "manage.py").as_uri())
    ok = fetcher.fetch((pdf.STATIC_DIR / "css" / "board_pack.css").as_uri())
    assert b"@page" in ok.read()


def test_the_packs_funding_table_by_school_lists_those_with_the_largest_shortfall():
    import datetime
    from decimal import Decimal

    from django.template.loader import render_to_string

    from funding.selectors import FundingSummary, FundingTotals, SchoolName, SchoolRow
    from reports import sections

    rows = [
        SchoolRow(
            SchoolName(n, f"School {n}", f"88{n:05d}", 1, "Essex"),
            FundingTotals(expected_to_date=Decimal(n * 100)),
        )
        for n in range(1, 5)
    ]
    report = sections.TrustReport(
        title="Trust",
        table=None,
        trend=[],
        census_dates=[],
        funding_school_limit=2,
        funding=FundingSummary(2025, datetime.date(2025, 11, 1), rows, [], FundingTotals()),
    )

    section = sections.funding_section(report)

    assert [r.school.name for r in section.context["schools"]] == ["School 3", "School 4"]
    html = render_to_string(section.template, {"section": section})
    assert "the 2 with the largest shortfall (2 more in the totals above" in html
    assert "School 1" not in html


def test_a_worker_process_warms_up_the_pdf_renderer_from_static_files_only(monkeypatch):
    from celery.signals import worker_process_init

    from reports import tasks

    fetched: list[str] = []
    fetch = pdf.StaticOnlyFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", recording_fetch)
    assert tasks._load_the_pdf_renderer in [r() for _, r in worker_process_init.receivers]
    tasks._load_the_pdf_renderer()
    assert fetched and all(url.endswith("css/board_pack.css") for url in fetched)


def between(text: str, start: str, end: str) -> str:
    """The text from the last `start` before `end` to `end`."""
    stop = text.index(end)
    return text[text.rindex(start, 0, stop) : stop]


def test_every_school_is_in_both_tables_of_schools_of_the_pack(reference, monkeypatch):
    from reports import sections

    limits = []
    trust_sections = sections.trust_sections

    def recording(report):
        limits.append(report.funding_school_limit)
        return trust_sections(report)

    monkeypatch.setattr(sections, "trust_sections", recording)
    text = " ".join(pdf_text(pdf.render_pdf(reference.assisi)).split()).replace("'", "’")
    assert limits == [None]  # however many schools the trust has
    schools = [
        row["school"].replace("'", "’") for row in reference.rows if row["trust"] == "Assisi Catholic Trust"
    ]
    against_national = between(text, "Schools against the national averages", "Notable:")
    funding_by_school = between(text, "By school", "EHC needs assessments: timeliness")
    assert "largest shortfall" not in funding_by_school
    for name in schools:
        assert name in against_national and name in funding_by_school, name


def test_the_charts_say_how_many_schools_they_leave_out(reference, monkeypatch):
    schools = sum(row["trust"] == "Assisi Catholic Trust" for row in reference.rows)
    monkeypatch.setattr(pdf, "PACK_CHART_SCHOOLS", 2)
    text = " ".join(pdf_text(pdf.render_pdf(reference.assisi)).split())
    assert (
        f"EHCP % by school against the national average (the 2 furthest from it; "
        f"{schools - 2} not shown)" in text
    )
    assert (
        f"Total SEND % by school against the national average (the 2 furthest from it; "
        f"{schools - 2} not shown)" in text
    )


def test_the_pack_is_drawn_with_its_own_user_agent_stylesheet(reference, monkeypatch):
    # PackHTML replaces WeasyPrint's user agent stylesheet through WeasyPrint's own hook: were
    # a new WeasyPrint to stop calling it, the pack would silently be drawn the slow way.
    asked = []
    hook = pdf.PackHTML._ua_stylesheets

    def recording(self, forms=False):
        asked.append(forms)
        return hook(self, forms)

    monkeypatch.setattr(pdf.PackHTML, "_ua_stylesheets", recording)
    pdf.render_pdf(reference.christus)
    assert asked
    assert pdf.pack_ua_stylesheet() in hook(None)


def test_the_cycle_collector_is_paused_while_a_pack_is_drawn_and_back_after():
    import gc

    assert gc.isenabled()
    with pdf.no_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), pdf.no_cycle_collection():
        raise RuntimeError("drawing failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf.no_cycle_collection():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_loading_weasyprint_leaves_the_library_search_as_it_was():
    import ctypes.util

    assert ctypes.util.find_library.__module__ == "ctypes.util"
    assert ctypes.util.find_library.__name__ == "find_library"


@pytest.mark.django_db(transaction=True)
def test_the_command_run_as_its_own_process_writes_the_pack(tmp_path):
    # The path a user takes: its own process (run_from_argv, which closes the connection and
    # hands the objects to the system at exit), against the committed test database.
    import os
    import subprocess
    import sys

    from django.db import connection

    from reports.tests.conftest import make_reference

    make_reference()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    target = tmp_path / "pack.pdf"
    done = subprocess.run(
        [sys.executable, "manage.py", "board_pack", "christus-catholic-trust", "--output", str(target)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout
    text = pdf_text(target.read_bytes())
    assert "Holy Cross Primary" in text and "10.6%" in text
    missing = subprocess.run(
        [sys.executable, "manage.py", "board_pack", "no-such-trust"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1 and "christus-catholic-trust" in missing.stderr


def test_the_pack_is_a_tagged_pdf_with_its_title_language_and_charts_described(reference):
    from tests.pdf_checks import assert_accessible_pdf

    content = pdf.render_pdf(reference.assisi)
    tags = assert_accessible_pdf(content, title="Assisi Catholic Trust: SEND report for trustees")
    # Headings, tables with header cells, and the bar and trend charts as described figures.
    assert tags["/H1"] == 1 and tags["/H2"] >= 5
    assert tags["/Table"] >= 5 and tags["/TH"] > 20
    assert tags["/Figure"] >= 3


def test_every_pdf_is_written_in_one_place_as_pdf_ua(monkeypatch, reference):
    from core import pdf as core_pdf

    variants = []
    write = core_pdf.write_pdf

    def recording(document):
        variants.append(core_pdf.PDF_VARIANT)
        return write(document)

    monkeypatch.setattr(core_pdf, "write_pdf", recording)
    pdf.render_pdf(reference.christus)
    pdf.warm_up()
    assert variants == ["pdf/ua-1", "pdf/ua-1"]
