"""Funding pages through the access policy: who sees which figures and names, the forms, the
exports (formula-safe, audited) and bounded query counts."""

import csv
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from funding import selectors, services
from funding.models import Claim, ClaimStatus
from provision.tests.factories import ta_support
from trusts.tests.factories import SchoolFactory, executive, head_of_send, headteacher, senco

from .factories import band, d, ehcp_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(las, thurrock_school):
    """A Thurrock pupil awarded 10 hours for the whole of 2025-26, 1,000.00 received."""
    pupil = ehcp_pupil(thurrock_school, forename="Amelia", surname="Zephyrine")
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band(las["thurrock"], "10 hours"),
        evidence_summary="EHC plan",
        provision_to_fund="TA",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 3, 1))
    services.claim_record_award(
        actor=None,
        claim=claim,
        band=band(las["thurrock"], "10 hours"),
        start_date=d(2025, 4, 1),
        end_date=d(2026, 3, 31),
    )
    services.payment_record(actor=None, claim=claim, amount=Decimal("1000.00"), received_on=d(2025, 6, 1))
    return claim


def school_url(school, year=2025):
    return f"/funding/schools/{school.laestab}/?year={year}"


def trust_url(trust, year=2025):
    return f"/funding/trusts/{trust.slug}/?year={year}"


# --- access -----------------------------------------------------------------------------------


def test_logged_out_users_are_sent_to_login(client, awarded, thurrock_school):
    for url in [
        "/funding/",
        school_url(thurrock_school),
        trust_url(thurrock_school.trust),
        f"/funding/claims/{awarded.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_executive_sees_trust_totals_but_no_pupil_names(client, awarded, thurrock_school):
    client.force_login(executive(thurrock_school.trust))
    page = client.get(trust_url(thurrock_school.trust)).content.decode()
    assert "£4,120.00" in page  # 4,120 x 365 / 365 expected in 2025-26
    assert "£3,120.00" in page  # shortfall: 4,120.00 - 1,000.00
    assert "Zephyrine" not in page
    school_page = client.get(school_url(thurrock_school))
    assert school_page.status_code == 200
    assert "Zephyrine" not in school_page.content.decode()
    assert client.get(f"/funding/claims/{awarded.pk}/").status_code == 404


def test_an_executive_of_one_trust_sees_no_figure_of_the_other(
    client, awarded, thurrock_school, essex_school_other_trust
):
    user = executive(essex_school_other_trust.trust)
    client.force_login(user)
    assert client.get(trust_url(thurrock_school.trust)).status_code == 404
    assert client.get(school_url(thurrock_school)).status_code == 404
    assert client.get(f"/funding/trusts/{thurrock_school.trust.slug}/export.csv").status_code == 404
    assert client.get(f"/funding/schools/{thurrock_school.laestab}/export.csv").status_code == 404
    own = client.get(trust_url(essex_school_other_trust.trust)).content.decode()
    assert "£4,120.00" not in own and thurrock_school.name not in own


def test_a_senco_sees_pupils_of_their_school_only(client, awarded, thurrock_school, southend_school):
    client.force_login(senco(thurrock_school))
    page = client.get(school_url(thurrock_school)).content.decode()
    assert "Amelia Zephyrine" in page
    assert client.get(school_url(southend_school)).status_code == 404
    assert client.get(trust_url(thurrock_school.trust)).status_code == 404
    response = client.get(f"/funding/claims/{awarded.pk}/")
    assert response.status_code == 200
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(awarded.pk)).exists()


def test_a_senco_may_not_submit_or_record_a_decision(client, las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school)
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band(las["thurrock"], "5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    client.force_login(senco(thurrock_school))
    response = client.post(f"/funding/claims/{claim.pk}/submit/", {"submit-submitted_on": "2025-05-01"})
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT


def test_an_executive_may_not_draft_a_claim(client, las, thurrock_school):
    client.force_login(executive(thurrock_school.trust))
    assert client.get(f"/funding/schools/{thurrock_school.laestab}/claims/new/").status_code == 404


def test_an_unknown_action_or_format_is_404_not_500(client, awarded, thurrock_school):
    client.force_login(head_of_send(thurrock_school.trust))
    assert client.post(f"/funding/claims/{awarded.pk}/delete/").status_code == 404
    assert client.get(f"/funding/schools/{thurrock_school.laestab}/export.pdf").status_code == 404
    assert client.get(school_url(thurrock_school) + "x").status_code == 200  # bad year: current year


# --- forms --------------------------------------------------------------------------------------


def test_the_claim_journey_through_the_forms(client, las, southend_school):
    pupil = ehcp_pupil(southend_school, home_local_authority=las["essex"])
    client.force_login(senco(southend_school))
    url = f"/funding/schools/{southend_school.laestab}/claims/new/?year=2025"
    # A Southend band for an Essex resident: a clear message and nothing written.
    response = client.post(
        url,
        {
            "pupil": pupil.pk,
            "requested_band": band(las["southend"], "3").pk,
            "evidence_summary": "Plan",
            "provision_to_fund": "TA",
        },
    )
    assert response.status_code == 400
    assert "where the pupil lives (Essex)" in response.content.decode()
    assert not Claim.objects.exists()
    response = client.post(
        url,
        {
            "pupil": pupil.pk,
            "requested_band": band(las["essex"], "3").pk,
            "evidence_summary": "Plan",
            "provision_to_fund": "TA",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/funding/claims/{claim.pk}/"

    client.force_login(headteacher(southend_school))
    client.post(f"/funding/claims/{claim.pk}/submit/", {"submit-submitted_on": "2025-05-01"})
    # An award before any decision is refused with a message; a bad date is a form error.
    response = client.post(
        f"/funding/claims/{claim.pk}/award/",
        {
            "award-band": band(las["essex"], "2").pk,
            "award-start_date": "2025-06-01",
            "award-end_date": "2025-05-01",
        },
    )
    assert response.status_code == 400 and "cannot end before it starts" in response.content.decode()
    client.post(
        f"/funding/claims/{claim.pk}/award/",
        {"award-band": band(las["essex"], "2").pk, "award-start_date": "2025-06-01", "award-end_date": ""},
    )
    response = client.post(
        f"/funding/claims/{claim.pk}/payment/",
        {
            "payment-amount": "500.00",
            "payment-received_on": "2025-07-01",
            "payment-reference": "=HYPERLINK()",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWARDED
    assert claim.payments.get().amount == Decimal("500.00")


def test_a_pupil_line_links_to_the_pupils_provision_map(client, las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school)
    ta_support(pupil, Decimal(15))
    client.force_login(senco(thurrock_school))
    body = client.get(f"/funding/schools/{thurrock_school.laestab}/?year=2025").content.decode()
    assert f"/provision/pupils/{pupil.pk}/" in body
    assert "£9,047.61" in body  # 15 hours x 38 weeks x £15.873 an hour


# --- exports ------------------------------------------------------------------------------------


def test_the_csv_export_is_formula_safe_and_audited(client, las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school, forename="=cmd|' /C calc'!A0", surname="@Evil")
    ta_support(pupil, Decimal(10))
    client.force_login(senco(thurrock_school))
    response = client.get(f"/funding/schools/{thurrock_school.laestab}/export.csv?year=2025")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [r[0] for r in rows[1:]]
    assert names == ["'=cmd|' /C calc'!A0 @Evil"]
    assert all(
        not cell.startswith(("=", "+", "@", "\t", "\r")) or cell.startswith("'")
        for row in rows
        for cell in row
    )
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__has_key="export").latest(
        "timestamp"
    )
    assert entry.additional_data["rows"] == 1


def test_the_xlsx_trust_export_has_no_pupil_names(client, awarded, thurrock_school):
    client.force_login(executive(thurrock_school.trust))
    response = client.get(f"/funding/trusts/{thurrock_school.trust.slug}/export.xlsx?year=2025")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = " ".join(str(v) for row in values for v in row)
    assert "Zephyrine" not in flat
    assert values[0][0] == "Name"
    total = next(row for row in values if row[0] == "Total")
    assert Decimal(str(total[4])) == Decimal("4120.00")


# --- query counts -------------------------------------------------------------------------------


def make_schools(las, trust, n):
    schools = []
    for i in range(n):
        la = [las["thurrock"], las["essex"], las["southend"]][i % 3]
        school = SchoolFactory(trust=trust, local_authority=la)
        pupil = ehcp_pupil(school)
        label = "10 hours" if la == las["thurrock"] else "3"
        claim = services.claim_create(
            actor=None,
            pupil=pupil,
            requested_band=band(la, label),
            evidence_summary="x",
            provision_to_fund="y",
        )
        services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 3, 1))
        services.claim_record_award(actor=None, claim=claim, band=band(la, label), start_date=d(2025, 4, 1))
        services.payment_record(actor=None, claim=claim, amount=Decimal("100.00"), received_on=d(2025, 5, 1))
        ta_support(pupil, Decimal(12))
        ehcp_pupil(school)  # unclaimed
        schools.append(school)
    return schools


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_funding_summary_runs_the_same_queries_for_2_or_20_schools(las, trust, other_trust):
    few = [s.pk for s in make_schools(las, trust, 2)]
    many = [s.pk for s in make_schools(las, other_trust, 20)]
    n_few = count_queries(lambda: selectors.funding_summary(few, 2025, today=d(2025, 12, 1)))
    n_many = count_queries(lambda: selectors.funding_summary(many, 2025, today=d(2025, 12, 1)))
    assert n_few == n_many
    summary = selectors.funding_summary(many, 2025, today=d(2025, 12, 1))
    assert len(summary.schools) == 20
    assert summary.total.received == Decimal("2000.00")
    assert summary.total.unclaimed_ehcp == 20


def test_the_trust_page_runs_the_same_queries_for_2_or_20_schools(client, las, trust, other_trust):
    make_schools(las, trust, 2)
    make_schools(las, other_trust, 20)
    user = head_of_send(trust, other_trust)
    client.force_login(user)
    client.get(trust_url(trust))  # warm the session
    n_few = count_queries(lambda: client.get(trust_url(trust)))
    n_many = count_queries(lambda: client.get(trust_url(other_trust)))
    assert n_few == n_many


def test_the_school_page_runs_the_same_queries_for_2_or_20_pupils(client, las, thurrock_school, trust):
    other = SchoolFactory(trust=trust, local_authority=las["thurrock"])
    for school, n in [(thurrock_school, 2), (other, 20)]:
        for _ in range(n):
            pupil = ehcp_pupil(school)
            claim = services.claim_create(
                actor=None,
                pupil=pupil,
                requested_band=band(las["thurrock"], "5 hours"),
                evidence_summary="x",
                provision_to_fund="y",
            )
            ta_support(pupil, Decimal(5))
            del claim
    user = head_of_send(trust)
    client.force_login(user)
    client.get(school_url(thurrock_school))
    n_few = count_queries(lambda: client.get(school_url(thurrock_school)))
    n_many = count_queries(lambda: client.get(school_url(other)))
    assert n_few == n_many


def test_a_headteacher_sets_the_schools_costing_figures_and_a_senco_may_not(client, las, thurrock_school):
    url = f"/funding/schools/{thurrock_school.laestab}/settings/"
    client.force_login(senco(thurrock_school))
    assert client.get(url).status_code == 404
    client.force_login(headteacher(thurrock_school))
    assert client.get(url).status_code == 200
    data = {
        "hourly_rate": "12.60",
        "on_cost_percent": "28",
        "weeks_per_year": "39",
        "notional_threshold": "6000",
    }
    assert client.post(url, {**data, "weeks_per_year": "60"}).status_code == 400
    assert client.post(url, data).status_code == 302
    rates = selectors.rates_for_school(thurrock_school)
    assert (rates.hourly_rate, rates.weeks_per_year) == (Decimal("12.60"), Decimal("39"))


def test_the_school_page_shows_an_under_award_beside_the_request(client, las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school)
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band(las["thurrock"], "12.5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 3, 1))
    services.claim_record_award(
        actor=None, claim=claim, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 4, 1)
    )
    client.force_login(senco(thurrock_school))
    page = client.get(school_url(thurrock_school)).content.decode()
    assert "12.5 hours (Thurrock)" in page and "awarded 10 hours" in page


def test_the_default_year_is_the_latest_with_tables_and_a_year_without_one_is_flagged(
    client, awarded, thurrock_school
):
    assert selectors.default_financial_year(d(2026, 11, 1)) == 2025  # no 2026-27 tables yet
    assert selectors.default_financial_year(d(2025, 11, 1)) == 2025
    client.force_login(head_of_send(thurrock_school.trust))
    response = client.get(f"/funding/trusts/{thurrock_school.trust.slug}/?year=2026")
    assert "No 2026-27 banding table yet for Thurrock" in response.content.decode()
    response = client.get(trust_url(thurrock_school.trust, 2025))
    assert "banding table yet" not in response.content.decode()


def test_a_year_with_rates_carried_forward_says_so_in_words(client, awarded, thurrock_school):
    services.banding_carry_forward(actor=None, up_to_year=2026)
    client.force_login(head_of_send(thurrock_school.trust))
    for url in (
        school_url(thurrock_school, 2026),
        trust_url(thurrock_school.trust, 2026),
        f"/funding/schools/{thurrock_school.laestab}/claims/new/?year=2026",
    ):
        page = client.get(url).content.decode()
        assert (
            "No banding table has been published for 2026-27 by Essex, Southend-on-Sea and "
            "Thurrock; the 2025-26 rates are carried forward"
        ) in page, url
    page = client.get(school_url(thurrock_school, 2026)).content.decode()
    assert "Not yet published for 2026-27: the 2025-26 rates, carried forward." in page
    # The year of the published tables says nothing of the kind.
    assert "carried forward" not in client.get(school_url(thurrock_school, 2025)).content.decode()


def test_a_year_with_no_table_at_all_says_so_rather_than_showing_an_empty_list(
    client, awarded, thurrock_school
):
    client.force_login(head_of_send(thurrock_school.trust))
    for url in (
        school_url(thurrock_school, 2024),
        trust_url(thurrock_school.trust, 2024),
        f"/funding/schools/{thurrock_school.laestab}/claims/new/?year=2024",
    ):
        page = client.get(url).content.decode()
        assert (
            "No banding table has been published for 2024-25, and none for an earlier year: "
            "there are no top-up rates for 2024-25"
        ) in page, url
    assert (
        "No banding table has been published"
        not in client.get(school_url(thurrock_school, 2025)).content.decode()
    )


def test_a_year_after_the_last_table_says_there_is_none_yet(client, awarded, thurrock_school):
    client.force_login(head_of_send(thurrock_school.trust))
    page = client.get(school_url(thurrock_school, 2026)).content.decode()
    assert (
        "No banding table has been published for 2026-27 yet (the latest is for 2025-26): "
        "there is no band to claim at for 2026-27 until one is loaded."
    ) in page
    assert "No 2026-27 banding table yet for Thurrock" in page  # expected income: last values
    # A year before any table: no rates at all, and no talk of earlier values.
    page = client.get(school_url(thurrock_school, 2024)).content.decode()
    assert "latest earlier value" not in page
