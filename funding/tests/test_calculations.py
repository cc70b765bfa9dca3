"""Hand-worked figures from data/reference/la_banding_2025.csv. Each expected figure is written
out with its arithmetic; the day basis is the number of days in the financial year the day falls
in (365 for 2025-26 and 2026-27, 366 for 2027-28), and rounding is half-up to the penny once at
the end of a calculation."""

from decimal import Decimal

import pytest

from funding import calculations as calc
from funding import selectors, services
from funding.models import ClaimStatus
from provision.tests.factories import ta_support
from pupils.tests.factories import PupilFactory

from .factories import add_table, band, d, ehcp_pupil

D = Decimal


# --- pure functions ---------------------------------------------------------------------------


def test_financial_years_have_365_or_366_days():
    assert calc.days_in_financial_year(2025) == 365  # 1 Apr 2025 - 31 Mar 2026
    assert calc.days_in_financial_year(2027) == 366  # contains 29 Feb 2028
    assert calc.financial_year_of(d(2026, 3, 31)) == 2025
    assert calc.financial_year_of(d(2026, 4, 1)) == 2026
    assert calc.financial_year_label(2025) == "2025-26"


def test_pence_are_rounded_half_up_not_to_even():
    assert calc.round_pence(D("0.005")) == D("0.01")  # banker's rounding would give 0.00
    assert calc.round_pence(D("2.675")) == D("2.68")
    assert calc.round_pence(D("2.674999")) == D("2.67")
    # 1.825 a year for one day of 2025-26: 1.825 / 365 = 0.005 exactly -> 0.01
    award = calc.AwardTerms(d(2025, 4, 1), d(2025, 4, 1), {2025: D("1.825")})
    assert calc.expected_income([award], d(2025, 4, 1), d(2026, 3, 31)) == D("0.01")
    # 1 hour x 1 week x 0.125 x (1 + 0%) = 0.125 -> 0.13
    assert calc.provision_annual_cost(
        hours_per_week=D(1), weeks_per_year=D(1), hourly_rate=D("0.125"), on_cost_percent=D(0)
    ) == D("0.13")


def test_rounding_happens_once_at_the_end_not_per_year():
    # 1.825/365 = 0.005 per day in each of two years: 0.005 + 0.005 = 0.01 (rounding each part
    # first would give 0.01 + 0.01 = 0.02).
    award = calc.AwardTerms(d(2026, 3, 31), d(2026, 4, 1), {2025: D("1.825"), 2026: D("1.825")})
    assert calc.expected_income([award], d(2026, 1, 1), d(2026, 12, 31)) == D("0.01")


def test_a_leap_financial_year_divides_by_366():
    # 2027-28 has 366 days: 3660 x 1 / 366 = 10.00
    award = calc.AwardTerms(d(2027, 4, 1), None, {2027: D("3660")})
    assert calc.expected_income([award], d(2027, 4, 1), d(2027, 4, 1)) == D("10.00")


def test_a_year_with_no_table_is_an_error_not_a_zero():
    award = calc.AwardTerms(d(2026, 3, 1), d(2026, 4, 30), {2025: D("8000")})
    with pytest.raises(calc.MissingBandingTable):
        calc.expected_income([award], d(2026, 3, 1), d(2026, 4, 30))


def test_the_cost_of_15_hours_at_the_school_default_rate():
    # 15 h x 38 weeks = 570 h; 570 x 12.21 = 6,959.70; x 1.30 on-costs = 9,047.61
    assert calc.provision_annual_cost(
        hours_per_week=D(15), weeks_per_year=D(38), hourly_rate=D("12.21"), on_cost_percent=D(30)
    ) == D("9047.61")
    # One hour with on-costs: 12.21 x 1.30 = 15.873 -> 15.87, against Thurrock's 11.30
    assert calc.hourly_cost(D("12.21"), D(30)) == D("15.87")


# --- the scenarios of the issue, through the services and selectors ---------------------------

APRIL_2025 = d(2025, 4, 1)


def award_claim(pupil, requested, awarded=None, start=APRIL_2025, end=None):
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=requested,
        evidence_summary="EHC plan",
        provision_to_fund="TA support",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 3, 1))
    services.claim_record_award(
        actor=None, claim=claim, band=awarded or requested, start_date=start, end_date=end
    )
    return claim


def test_thurrock_10_hours_from_1_january_to_31_march(las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school)
    claim = award_claim(pupil, band(las["thurrock"], "10 hours"), start=d(2026, 1, 1), end=d(2026, 3, 31))
    # 31 (Jan) + 28 (Feb) + 31 (Mar) = 90 days; 4,120 x 90 / 365 = 1,015.8904... -> 1,015.89
    expected, received = selectors.claim_money(claim, 2025)
    assert expected == D("1015.89")
    assert received == D("0.00")


def test_essex_band_4_plus_across_31_march_uses_each_years_table(las, thurrock_school):
    add_table(las["essex"], 2026, {"4+": "8400.00", "4": "7800.00"})
    pupil = ehcp_pupil(thurrock_school, home_local_authority=las["essex"])
    claim = award_claim(pupil, band(las["essex"], "4+"), start=d(2026, 3, 1), end=d(2026, 4, 30))
    # March 2026 in 2025-26: 8,000 x 31 / 365 = 679.4521
    # April 2026 in 2026-27: 8,400 x 30 / 365 = 690.4110
    # 679.4521 + 690.4110 = 1,369.8630 -> 1,369.86 (rounded once, at the end)
    assert selectors.claim_expected_total(claim) == D("1369.86")
    # Each year on its own: 679.45 in 2025-26 and 690.41 in 2026-27.
    assert selectors.claim_money(claim, 2025)[0] == D("679.45")
    assert selectors.claim_money(claim, 2026)[0] == D("690.41")


def test_an_award_changed_mid_year_is_a_new_award_from_the_date(las, southend_school):
    pupil = ehcp_pupil(southend_school, home_local_authority=las["essex"])
    claim = award_claim(pupil, band(las["essex"], "5"), awarded=band(las["essex"], "3"))
    services.claim_record_award(
        actor=None,
        claim=claim,
        band=band(las["essex"], "5"),
        start_date=d(2025, 10, 1),
        end_date=d(2026, 3, 31),
    )
    first, second = claim.awards.order_by("start_date")
    assert first.end_date == d(2025, 9, 30)  # the old award ends the day before
    # Band 3: 4,800 x 183 (1 Apr - 30 Sep) / 365 = 2,406.5753
    # Band 5: 10,000 x 182 (1 Oct - 31 Mar) / 365 = 4,986.3014
    # 2,406.5753 + 4,986.3014 = 7,392.8767 -> 7,392.88
    assert selectors.claim_money(claim, 2025)[0] == D("7392.88")
    assert claim.events.filter(kind="award_changed").count() == 1


def test_a_refusal_then_an_appeal_awarded_from_february(las, southend_school):
    pupil = ehcp_pupil(southend_school)
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band(las["southend"], "4"),
        evidence_summary="EHC plan",
        provision_to_fund="TA support",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 9, 1))
    services.claim_record_refusal(
        actor=None, claim=claim, reason="Needs met from notional budget", decided_on=d(2025, 11, 1)
    )
    assert selectors.claim_money(claim, 2025)[0] == D("0.00")
    services.claim_appeal(actor=None, claim=claim, lodged_on=d(2025, 11, 20))
    services.claim_record_award(
        actor=None, claim=claim, band=band(las["southend"], "4"), start_date=d(2026, 2, 1)
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWARDED
    # 28 (Feb) + 31 (Mar) = 59 days; 7,889 x 59 / 365 = 1,275.2082 -> 1,275.21
    assert selectors.claim_money(claim, 2025)[0] == D("1275.21")
    assert [e.kind for e in claim.events.order_by("pk")] == [
        "created",
        "submitted",
        "refused",
        "appealed",
        "awarded",
    ]


def test_a_southend_schools_pupil_living_in_essex_is_claimed_at_essex_rates(las, southend_school):
    pupil = ehcp_pupil(southend_school, home_local_authority=las["essex"])
    with pytest.raises(services.ValidationError, match="Essex"):
        services.claim_create(
            actor=None,
            pupil=pupil,
            requested_band=band(las["southend"], "2"),
            evidence_summary="EHC plan",
            provision_to_fund="TA support",
        )
    claim = award_claim(pupil, band(las["essex"], "2"))
    assert claim.local_authority == las["essex"]
    # Essex band 2 for the whole of 2025-26: 2,700 x 365 / 365 = 2,700.00
    # (Southend's band 2 would have been 3,602.)
    summary = selectors.funding_summary([southend_school.pk], 2025, today=d(2025, 12, 1))
    [essex] = summary.local_authorities
    assert essex.local_authority == las["essex"]
    assert essex.totals.expected == D("2700.00")


def test_shortfall_after_a_partial_payment(las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school)
    claim = award_claim(pupil, band(las["thurrock"], "10 hours"), start=d(2026, 1, 1), end=d(2026, 3, 31))
    services.payment_record(
        actor=None, claim=claim, amount=D("500.00"), received_on=d(2026, 2, 15), reference="THU-0001"
    )
    summary = selectors.funding_summary([thurrock_school.pk], 2025, today=d(2026, 3, 1))
    # expected in the year 1,015.89 (4,120 x 90 / 365); by 1 March, 4,120 x 60 / 365 = 677.26
    # (31 days of January, 28 of February, 1 March), of which 500.00 received: 177.26 short.
    assert summary.total.expected == D("1015.89")
    assert summary.total.expected_to_date == D("677.26")
    assert summary.total.received == D("500.00")
    assert summary.total.shortfall == D("177.26")
    # At the end of the year the whole year's income is owed.
    summary = selectors.funding_summary([thurrock_school.pk], 2025, today=d(2026, 4, 2))
    assert summary.total.expected_to_date == D("1015.89")
    assert summary.total.shortfall == D("515.89")


def test_the_funding_gap_for_a_thurrock_pupil_at_15_hours(las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school)
    award_claim(pupil, band(las["thurrock"], "15 hours"))
    ta_support(pupil, D(15))
    [line] = selectors.school_pupil_lines(thurrock_school, 2025, today=d(2025, 12, 1))
    # cost: 15 x 38 x 12.21 x 1.30 = 9,047.61; funding: 6,075 x 365/365 = 6,075.00
    # gap: 9,047.61 - 6,075.00 = 2,972.61
    assert line.annual_cost == D("9047.61")
    assert line.expected == D("6075.00")
    assert line.gap == D("2972.61")
    summary = selectors.funding_summary([thurrock_school.pk], 2025, today=d(2025, 12, 1))
    assert summary.total.gap == D("2972.61")


def test_a_school_can_set_its_own_rates(las, thurrock_school):
    pupil = PupilFactory(school=thurrock_school)
    services.funding_settings_update(
        actor=None,
        school=thurrock_school,
        hourly_rate=D("13.00"),
        on_cost_percent=D(25),
        weeks_per_year=D(39),
        notional_threshold=D("5000"),
    )
    ta_support(pupil, D(10))
    # 10 x 39 x 13.00 x 1.25 = 6,337.50: above the school's 5,000 threshold, so unclaimed
    [line] = selectors.school_pupil_lines(thurrock_school, 2025, today=d(2025, 12, 1))
    assert line.annual_cost == D("6337.50")
    assert "threshold" in line.unclaimed_reason
