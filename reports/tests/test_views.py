"""Dashboards through the access policy: who sees what, 404 for the rest, query counts that do
not grow with the number of schools, and exports safe to open in Excel."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pupils.tests.factories import CensusSnapshotFactory
from trusts.tests.factories import (
    SchoolFactory,
    data_admin,
    executive,
    head_of_send,
    headteacher,
    senco,
)

from .conftest import AUTUMN_2025

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reference):
    return {
        "hos": head_of_send(reference.assisi, reference.christus),
        "exec_assisi": executive(reference.assisi),
        "exec_christus": executive(reference.christus),
        "senco_holy_cross": senco(reference.schools["8833001"]),
        "head_holy_cross": headteacher(reference.schools["8833001"]),
        "admin_assisi": data_admin(reference.assisi),
    }


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("senco_holy_cross", "/reports/schools/8833001/", 200),
        ("head_holy_cross", "/reports/schools/8833001/", 200),
        ("senco_holy_cross", "/reports/schools/8824001/", 404),
        ("exec_assisi", "/reports/schools/8824001/", 200),
        ("exec_assisi", "/reports/schools/8833001/", 404),
        ("hos", "/reports/schools/8833001/", 200),
        ("exec_assisi", "/reports/trusts/assisi-catholic-trust/", 200),
        ("exec_assisi", "/reports/trusts/christus-catholic-trust/", 404),
        ("exec_christus", "/reports/trusts/assisi-catholic-trust/", 404),
        ("hos", "/reports/trusts/christus-catholic-trust/", 200),
        ("senco_holy_cross", "/reports/trusts/christus-catholic-trust/", 404),
        ("admin_assisi", "/reports/trusts/assisi-catholic-trust/", 404),
        ("hos", "/reports/cross-trust/", 200),
        ("exec_assisi", "/reports/cross-trust/", 404),
        ("senco_holy_cross", "/reports/cross-trust/", 404),
        ("exec_assisi", "/reports/trusts/assisi-catholic-trust/export.csv", 200),
        ("exec_christus", "/reports/trusts/assisi-catholic-trust/export.csv", 404),
        ("senco_holy_cross", "/reports/schools/8833001/export.xlsx", 200),
        ("senco_holy_cross", "/reports/schools/8824001/export.csv", 404),
        ("exec_assisi", "/reports/cross-trust/export.csv", 404),
        ("exec_assisi", "/reports/trusts/assisi-catholic-trust/export.pdf", 404),
        ("exec_assisi", "/reports/schools/9999999/", 404),
    ],
)
def test_dashboards_answer_only_within_the_users_roles(client, people, who, url, status):
    assert get(client, people[who], url).status_code == status


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/schools/8833001/",
        "/reports/trusts/assisi-catholic-trust/",
        "/reports/cross-trust/",
        "/reports/board-packs/",
    ],
)
def test_logged_out_visitors_are_sent_to_login(client, reference, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("hos", "/reports/cross-trust/"),
        ("exec_assisi", "/reports/trusts/assisi-catholic-trust/"),
        ("senco_holy_cross", "/reports/schools/8833001/"),
    ],
)
def test_the_dashboards_menu_entry_leads_to_the_right_dashboard(client, people, who, target):
    response = get(client, people[who], "/reports/")
    assert response.status_code == 302 and response["Location"] == target


def test_the_menu_and_the_school_page_link_to_the_dashboards(client, people):
    body = get(client, people["senco_holy_cross"], "/schools/8833001/").content.decode()
    assert 'href="/reports/schools/8833001/"' in body
    assert 'href="/reports/"' in body  # Dashboards menu entry
    assert "/reports/board-packs/" not in body  # a SENCO cannot request packs
    body = get(client, people["exec_assisi"], "/").content.decode()
    assert 'href="/reports/board-packs/"' in body


# --- What the pages show -------------------------------------------------------------------------


def test_the_trust_dashboard_shows_the_table_totals_and_national_figures(client, people):
    body = get(client, people["exec_assisi"], "/reports/trusts/assisi-catholic-trust/").content.decode()
    assert "Holy Cross Primary" not in body
    assert body.count('data-school="') == 9
    assert "3,742" in body and "3.3%" in body and "12.3%" in body and "15.6%" in body
    assert "National average (primary)" in body and "3.5%" in body
    assert "124 pupils (3.3%) have an EHC plan" in body
    assert "<svg" in body and '<title id="chart-ehcp-1-title">' in body
    assert "Primary needs" in body  # the trust-wide needs table


def test_the_trust_dashboards_charts_show_the_furthest_schools_and_say_how_many_are_left_out(
    client, people, monkeypatch
):
    from reports import pages

    monkeypatch.setattr(pages, "WEB_CHART_SCHOOLS", 3)
    body = get(client, people["exec_assisi"], "/reports/trusts/assisi-catholic-trust/").content.decode()
    assert "EHCP % by school against the national average (the 3 furthest from it; 6 not shown)" in body
    assert "Total SEND % by school against the national average (the 3 furthest from it; 6 not shown)" in body
    assert body.count('data-school="') == 9  # the table still lists every school
    assert "chart-ehcp-2" not in body


def test_the_school_dashboard_hides_small_counts_from_roles_without_pupil_access(client, people, reference):
    # The Christus executive may see Holy Cross's figures but not its pupils.
    exec_body = get(client, people["exec_christus"], "/reports/schools/8833001/").content.decode()
    senco_body = get(client, people["senco_holy_cross"], "/reports/schools/8833001/").content.decode()
    assert "10.6%" in exec_body and "10.6%" in senco_body
    assert "fewer than 5" in exec_body
    assert "fewer than 5" not in senco_body


def test_an_earlier_census_can_be_chosen_and_a_bad_date_is_explained(client, people):
    body = get(client, people["exec_assisi"], "/reports/schools/8824001/?census=2025-01-16").content.decode()
    assert "3.0%" in body  # 36 of 1,200
    response = get(client, people["exec_assisi"], "/reports/schools/8824001/?census=yesterday")
    assert response.status_code == 200
    assert "The census date was not understood" in response.content.decode()


def test_the_cross_trust_table_filters_and_sorts_by_get_parameters(client, people):
    body = get(client, people["hos"], "/reports/cross-trust/?la=Thurrock&sort=-ehcp_pct").content.decode()
    import re

    schools = re.findall(r'data-school="(\d{7})"', body)
    assert schools == ["8833001", "8833002", "8833003", "8833004"]
    assert "Assisi Catholic Trust" in body and "Christus Catholic Trust" in body
    body = get(
        client, people["hos"], "/reports/cross-trust/?trust=assisi-catholic-trust&phase=secondary"
    ).content.decode()
    assert re.findall(r'data-school="(\d{7})"', body) == ["8824001"]
    response = get(client, people["hos"], "/reports/cross-trust/?sort=%27;drop&la=Nowhere")
    assert response.status_code == 200 and 'data-school="' not in response.content.decode()


# --- Query counts ----------------------------------------------------------------------------


def _add_schools(trust, n, owner):
    la = trust.schools.first().local_authority
    schools = SchoolFactory.create_batch(n, trust=trust, local_authority=la)
    for school in schools:
        CensusSnapshotFactory(
            school=school,
            census_date=AUTUMN_2025,
            by_need={"ASD": {"E": 2, "K": 6}},
            by_year_group={"5": {"E": 5, "K": 20, "N": 175}},
        )
    _add_casework_and_funding(schools, owner)


def _add_casework_and_funding(schools, owner):
    """Per school: an awarded claim with a payment and costed provision, a submitted claim, a
    pupil unclaimed, an open and a closed case, an issued and an open EHC needs assessment, and
    a training session of the Head of SEND (`owner`) for the school's trust."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from casework import services as casework_services
    from casework.models import Case, EHCRequest
    from funding.models import Award, Band, Claim, ClaimStatus, Payment
    from funding.selectors import default_financial_year
    from provision.tests.factories import ta_support
    from pupils.models import Provision
    from pupils.tests.factories import PupilFactory

    today = timezone.localdate()
    year = default_financial_year(today)
    for school in schools:
        la = school.local_authority
        band = Band.objects.filter(scheme__local_authority=la, scheme__financial_year=year).first()
        pupils = [
            PupilFactory(school=school, home_local_authority=la, provision=Provision.EHC_PLAN)
            for _ in range(3)
        ]
        awarded = Claim.objects.create(
            school=school,
            pupil=pupils[0],
            local_authority=la,
            financial_year=year,
            requested_band=band,
            evidence_summary="x",
            provision_to_fund="x",
            status=ClaimStatus.AWARDED,
        )
        Award.objects.create(claim=awarded, band=band, start_date=dt.date(year, 4, 1))
        Payment.objects.create(claim=awarded, amount=Decimal("100.00"), received_on=dt.date(year, 5, 1))
        ta_support(pupils[0], 5)
        Claim.objects.create(
            school=school,
            pupil=pupils[1],
            local_authority=la,
            financial_year=year,
            requested_band=band,
            evidence_summary="x",
            provision_to_fund="x",
            status=ClaimStatus.SUBMITTED,
        )
        Case.objects.create(
            school=school,
            kind="complaint",
            title="x",
            owner=owner,
            opened_on=today - dt.timedelta(days=30),
            next_action_due=today + dt.timedelta(days=3),
        )
        Case.objects.create(
            school=school,
            kind="suspension",
            title="x",
            owner=owner,
            opened_on=today - dt.timedelta(days=60),
            status="closed",
            closed_on=today - dt.timedelta(days=10),
            outcome="x",
        )
        for outcome in ("issued", ""):
            EHCRequest.objects.create(
                pupil=pupils[2],
                school=school,
                local_authority=la,
                requested_by="school",
                request_date=today - dt.timedelta(weeks=30),
                owner=owner,
                decision="assess",
                decision_date=today - dt.timedelta(weeks=25),
                outcome=outcome,
                outcome_date=today - dt.timedelta(days=5) if outcome else None,
            )
        casework_services.activity_log(
            actor=owner,
            kind="training",
            date=today,
            hours=Decimal(2),
            trusts=[school.trust],
            school=school,
            topic="x",
            staff_trained=4,
        )
    # Made directly, past the services: their figures once, as `rebuild_figures` does.
    from reports.figures_check import figures_rebuild

    figures_rebuild()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("exec_assisi", "/reports/trusts/assisi-catholic-trust/"),
        ("hos", "/reports/cross-trust/"),
        ("exec_assisi", "/reports/schools/8813001/"),
        ("exec_assisi", "/reports/trusts/assisi-catholic-trust/export.xlsx"),
        ("hos", "/reports/cross-trust/export.csv"),
    ],
)
def test_dashboard_query_count_is_the_same_with_2_and_50_schools(client, people, reference, who, url):
    """With claims, payments, costed provision, cases, EHC needs assessments and training rows
    in every school, so that the funding, casework and activity panels are measured too."""
    from trusts.models import School

    # Start from 2 schools in the Assisi trust (plus the Christus ones for the cross-trust page).
    keep = ["8813001", "8824001"]
    for school in School.objects.filter(trust=reference.assisi).exclude(laestab__in=keep):
        school.census_snapshots.all().delete()
        school.delete()
    from funding import reference as funding_reference

    funding_reference.load_banding_tables()
    _add_casework_and_funding(list(School.objects.filter(trust=reference.assisi)), people["hos"])
    client.force_login(people[who])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    _add_schools(reference.assisi, 48, people["hos"])
    assert School.objects.filter(trust=reference.assisi).count() == 50
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url)
    assert response.status_code == 200
    if url == "/reports/trusts/assisi-catholic-trust/":  # the new panels read every school
        body = response.content.decode()
        assert body.count("£100.00") >= 50 and 'id="casework-table"' in body
    assert len(fifty.captured_queries) == len(two.captured_queries), [
        q["sql"][:120] for q in fifty.captured_queries
    ]
    if "export" not in url:  # a dashboard reads at most 15 queries, sign-in included
        assert len(fifty.captured_queries) <= 15, [q["sql"][:120] for q in fifty.captured_queries]


# --- Exports ----------------------------------------------------------------------------------


def test_exports_neutralise_formulae_and_are_audited(client, people, reference):
    evil = reference.schools["8813001"]
    evil.name = '=HYPERLINK("http://x")'
    evil.save()
    response = get(client, people["exec_assisi"], "/reports/trusts/assisi-catholic-trust/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["School", "LAESTAB", "Trust"]
    names = [r[0] for r in rows]
    assert '\'=HYPERLINK("http://x")' in names
    total = next(r for r in rows if r[0] == "Total (9 schools)")
    assert total[6:13] == ["3742", "124", "3.3", "461", "12.3", "585", "15.6"]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp")
    assert entry.additional_data == {
        "trust_id": reference.assisi.pk,
        "export": "SEND school table (csv)",
        "rows": 9,
    }
    assert (entry.object_pk, entry.actor_id) == (str(reference.assisi.pk), people["exec_assisi"].pk)
    response = get(client, people["exec_assisi"], "/reports/trusts/assisi-catholic-trust/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(v[0] == '\'=HYPERLINK("http://x")' for v in values)
    total = next(v for v in values if v[0] == "Total (9 schools)")
    assert total[6:13] == [3742, 124, 3.3, 461, 12.3, 585, 15.6]


def test_the_cross_trust_page_puts_each_trusts_phases_against_national(client, people):
    body = get(client, people["hos"], "/reports/cross-trust/").content.decode()
    # Assisi primary 2.7% EHCP / 17.0% total; Christus (all primary) 4.3% / 17.8%.
    assert "Primary schools: EHCP % / total SEND %" in body
    assert "2.7% / 17.0%" in body and "4.3% / 17.8%" in body
    assert "national 3.5% / 18.3%" in body
    assert "Secondary schools: EHCP % / total SEND %" in body and "4.6% / 12.8%" in body
