import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from casework.models import PublishedTimeliness
from casework.tests import published_files as ehc
from pupils.models import NationalAverage
from pupils.tests import published_files as sen
from trusts.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("import_published", *[str(a) for a in args], stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def typed_in():
    for phase, e, k, t in (("primary", "3.5", "14.8", "18.3"), ("secondary", "3.1", "13.4", "16.5")):
        NationalAverage.objects.create(
            phase=phase, ehcp_pct=e, sen_support_pct=k, total_send_pct=t, source="seed presentation"
        )


def averages():
    return {
        n.phase: (n.ehcp_pct, n.sen_support_pct, n.total_send_pct, n.source, n.year)
        for n in NationalAverage.objects.all()
    }


def test_sen_in_england_replaces_the_national_averages_with_source_and_year(tmp_path, typed_in):
    out = run(sen.sen_file(tmp_path / "sen_phase_type_.csv"))
    assert "Special educational needs in England:" in out
    assert (
        "National primary, 2024/25: EHC plans 3.0%, SEN support 14.1%, total 17.1% "
        "(was 3.5% / 14.8% / 18.3%)" in out
    )
    source = "Special educational needs in England (DfE, explore education statistics)"
    # Worked by hand from the national total rows of the latest year (see published_files).
    assert averages() == {
        "primary": (Decimal("3.0"), Decimal("14.1"), Decimal("17.1"), source, "2024/25"),
        "secondary": (Decimal("2.6"), Decimal("12.4"), Decimal("15.0"), source, "2024/25"),
    }
    assert "0 row(s) written" in run(tmp_path / "sen_phase_type_.csv")  # the same file again


def test_the_national_figures_are_summed_from_counts_when_the_file_has_no_total_rows(tmp_path):
    rows = [
        sen.sen_row("202425", "National", "State-funded primary", kind, n, k, e, hospital="No")
        for kind, n, k, e in (("Academy converter", 3000, 400, 100), ("Community school", 1000, 90, 20))
    ]
    rows.append(
        sen.sen_row(
            "202425", "National", "State-funded secondary", "Academy converter", 2000, 250, 51, hospital="No"
        )
    )
    run(sen.sen_file(tmp_path / "f.csv", rows))
    # Primary: 120 / 4,000 = 3.0%, 490 / 4,000 = 12.25% -> 12.3%, 610 / 4,000 = 15.25% -> 15.3%.
    assert averages()["primary"][:3] == (Decimal("3.0"), Decimal("12.3"), Decimal("15.3"))
    assert averages()["secondary"][:3] == (Decimal("2.6"), Decimal("12.5"), Decimal("15.1"))


def test_the_dry_run_shows_the_figures_and_writes_nothing(tmp_path, typed_in):
    before = averages()
    out = run(sen.sen_file(tmp_path / "f.csv"), "--dry-run")
    assert "EHC plans 3.0%" in out and "Dry run: nothing was written." in out
    assert averages() == before
    out = run(ehc.ehc_file(tmp_path / "t.csv"), "--dry-run")
    assert "Dry run: nothing was written." in out and not PublishedTimeliness.objects.exists()


def test_ehc_plans_keeps_each_las_20_week_rate_by_year(tmp_path):
    LocalAuthorityFactory(code=881, name="Essex")
    out = run(ehc.ehc_file(tmp_path / "ehcp_timeliness.csv"))
    assert "Education, health and care plans:" in out
    assert "4 local authorities, 2023 to 2024" in out
    assert "Essex (881) 2024: new plans within 20 weeks 1.0%" in out
    kept = {
        (p.la_code, p.year): (
            p.within_20_weeks_pct,
            p.excluding_exceptions_pct,
            p.plans_issued,
            p.within_20_weeks,
        )
        for p in PublishedTimeliness.objects.all()
    }
    assert kept == {
        (881, 2023): (Decimal("5.0"), Decimal("5.2"), 2100, 105),
        (881, 2024): (Decimal("1.0"), Decimal("1.1"), 2300, 23),  # not the "Age under 5" row
        (882, 2024): (Decimal("2.9"), Decimal("3.0"), 310, 9),
        (883, 2024): (None, None, 280, None),  # the publication's "x"
        (886, 2024): (Decimal("37.0"), Decimal("38.1"), 3900, 1443),  # an LA not in the portal
    }
    assert "0 row(s) written" in run(tmp_path / "ehcp_timeliness.csv")


def test_a_file_of_another_publication_is_refused_and_nothing_written(tmp_path, typed_in):
    other = tmp_path / "ks4.csv"
    other.write_text(
        "time_period,time_identifier,geographic_level,la_name,attainment8\n"
        "202425,Academic year,National,,45.9\n"
    )
    with pytest.raises(
        CommandError,
        match="not one the portal reads: it is neither the 'Special educational needs in England'",
    ):
        run(other)
    with pytest.raises(CommandError, match="not a CSV text file"):
        bad = tmp_path / "f.xlsx"
        bad.write_bytes(b"PK\x03\x04\x00\x00")
        run(bad)
    assert averages()["primary"][4] == "" and not PublishedTimeliness.objects.exists()


def test_a_file_of_the_right_publication_that_cannot_be_used_changes_nothing(tmp_path, typed_in):
    before = averages()
    only_primary = [sen.sen_row("202425", "National", "State-funded primary", "Total", 100, 10, 3)]
    with pytest.raises(
        CommandError,
        match="no national figures for state-funded secondary schools in 2024/25. Nothing was imported",
    ):
        run(sen.sen_file(tmp_path / "f.csv", only_primary))
    suppressed = [
        r[:]
        for r in [
            sen.sen_row("202425", "National", phase, "Total", 100, 10, 3)
            for phase in ("State-funded primary", "State-funded secondary")
        ]
    ]
    suppressed[1][15] = "c"  # ehc_plan withheld
    with pytest.raises(CommandError, match='ehc_plan is "c", not a number'):
        run(sen.sen_file(tmp_path / "g.csv", suppressed))
    assert averages() == before
    rows = [
        ehc.ehc_row(2024, "Local authority", ehc.ESSEX, 10, 1, "10", "10"),
        ehc.ehc_row(2024, "Local authority", ehc.SOUTHEND, 10, 1, "ten", "10"),
    ]
    with pytest.raises(CommandError, match='pc_plans_issued_within_20_weeks is "ten", not a number'):
        run(ehc.ehc_file(tmp_path / "t.csv", rows))
    assert not PublishedTimeliness.objects.exists()
