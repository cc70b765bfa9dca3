"""Funding figures kept by the services (funding.figures): they always equal a recomputation
from the source rows, they move with the calendar without a write, they are read in three
queries, and a failed write leaves them as they were."""

import contextlib
import dataclasses
import datetime
from decimal import Decimal as D

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.prepared import PreparedRead
from funding import figures, selectors, services
from funding.admin import BandResource
from funding.models import FiguresHorizon, FundingRateChange, FundingYearFigures
from provision.tests.factories import ta_support
from pupils import services as pupil_services
from pupils import upn
from pupils.services import RegisterChangeError
from trusts.tests.factories import SchoolFactory, head_of_send, senco

from . import oracle
from .factories import add_table, band, d, ehcp_pupil

pytestmark = pytest.mark.django_db


def award_claim(pupil, band_, start, end=None):
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band_,
        evidence_summary="EHC plan",
        provision_to_fund="TA support",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=start - datetime.timedelta(days=30))
    services.claim_record_award(actor=None, claim=claim, band=band_, start_date=start, end_date=end)
    return claim


def totals(school, year, today):
    return figures.summary([school.pk], year, today).total


# --- the two fixes ------------------------------------------------------------------------------


def test_the_shortfall_in_december_compares_income_expected_to_date_with_what_was_received(
    las, thurrock_school
):
    # A 20-hour Thurrock award for the whole of 2025-26, paid termly: by 3 December one third
    # has arrived. Compared with the whole year's 8,240.00 that looked like 5,493.33 owed.
    claim = award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "20 hours"), d(2025, 4, 1))
    services.payment_record(actor=None, claim=claim, amount=D("2746.67"), received_on=d(2025, 5, 1))
    services.payment_record(actor=None, claim=claim, amount=D("2746.67"), received_on=d(2025, 9, 1))
    t = totals(thurrock_school, 2025, d(2025, 12, 3))
    # 1 April to 3 December: 247 days; 8,240 x 247 / 365 = 5,576.1096 -> 5,576.11
    assert t.expected == D("8240.00")
    assert t.expected_to_date == D("5576.11")
    assert t.received == D("5493.34")
    assert t.shortfall == D("82.77")
    # The year is over: everything expected is owed.
    t = totals(thurrock_school, 2025, d(2026, 6, 1))
    assert (t.expected_to_date, t.shortfall) == (D("8240.00"), D("2746.66"))


def test_expected_to_date_is_right_for_each_readers_schools_whoever_read_first(
    las, thurrock_school, other_trust, monkeypatch
):
    # The summary's SQL is written once per process (core.prepared): nothing of the first
    # reader's tenant scope may stay in it.
    monkeypatch.setattr(figures, "_YEAR_ROWS", PreparedRead(figures._year_rows))
    other = SchoolFactory(local_authority=las["thurrock"], trust=other_trust)
    for school in (thurrock_school, other):
        award_claim(ehcp_pupil(school), band(las["thurrock"], "20 hours"), d(2025, 4, 1))

    with scope(school=[thurrock_school.pk]):
        first = totals(thurrock_school, 2025, d(2025, 12, 3))
    with scope(school=[other.pk]):
        second = totals(other, 2025, d(2025, 12, 3))

    assert first.expected_to_date == second.expected_to_date == D("5576.11")


def test_the_sentences_give_income_expected_to_date_beside_the_years_total(las, thurrock_school):
    claim = award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "20 hours"), d(2025, 4, 1))
    services.payment_record(actor=None, claim=claim, amount=D("5000.00"), received_on=d(2025, 9, 1))
    [money, *_] = figures.funding_sentences(figures.summary([thurrock_school.pk], 2025, d(2025, 12, 3)))
    assert (
        "£5,576.11 by 3 December 2025 (£8,240.00 in the whole year); £5,000.00 has been "
        "received, a shortfall of £576.11"
    ) in money


def test_the_hourly_rate_sentence_is_worked_out_from_the_table_it_sits_beside(client, las, thurrock_school):
    client.force_login(senco(thurrock_school))
    page = client.get(f"/funding/schools/{thurrock_school.laestab}/?year=2025").content.decode()
    assert "£11.30" not in page
    # 8,240 / (20 hours x 38 weeks) = 10.842 -> £10.84; 2.5 hours: 975 / 95 = £10.26;
    # 17.5 hours: 7,450 / 665 = £11.20
    assert (
        "Thurrock funds £10.26 to £11.20 an hour of support in its 2025-26 table, over 38 "
        "weeks (20 hours a week: £8,240.00 a year, £10.84 an hour)."
    ) in page


def test_the_funding_page_shows_expected_to_date_and_the_years_total(client, las, thurrock_school):
    award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "10 hours"), d(2025, 4, 1))
    client.force_login(senco(thurrock_school))
    page = client.get(f"/funding/schools/{thurrock_school.laestab}/?year=2025").content.decode()
    # A past year: expected to date is the year's total.
    assert 'data-figure="expected">£4,120.00' in page
    year = selectors.current_financial_year()
    add_table(las["thurrock"], year, {"10 hours": "4120"})
    page = client.get(f"/funding/schools/{thurrock_school.laestab}/?year={year}").content.decode()
    assert "in the whole of" in page and "expected to date − received" in page


# --- the calendar -------------------------------------------------------------------------------


def test_expected_to_date_moves_day_by_day_with_no_write(las, thurrock_school):
    thurrock = las["thurrock"]
    # 10 hours (4,120 a year) from 1 April to 30 September; 5 hours (1,955) from 1 January.
    award_claim(ehcp_pupil(thurrock_school), band(thurrock, "10 hours"), d(2025, 4, 1), d(2025, 9, 30))
    award_claim(ehcp_pupil(thurrock_school), band(thurrock, "5 hours"), d(2026, 1, 1))
    rows_before = list(FundingRateChange.objects.values_list("pk", "annual_value_change"))
    # Worked exactly: the first award gives 4,120 x n / 365 for its n days to 30 September;
    # the second 1,955 x n / 365 from 1 January; summed, rounded once.
    cases = {
        d(2025, 4, 1): D("11.29"),  # 4,120 / 365 = 11.2877
        d(2025, 4, 30): D("338.63"),  # 4,120 x 30 / 365 = 338.6301
        d(2025, 9, 30): D("2065.64"),  # 4,120 x 183 / 365 = 2,065.6438
        d(2025, 12, 31): D("2065.64"),  # nothing in force from October to December
        d(2026, 1, 1): D("2071.00"),  # + 1,955 / 365 = 5.3562: 2,071.0000
        d(2026, 3, 30): D("2542.34"),  # + 1,955 x 89 / 365 = 476.6986: 2,542.3424
    }
    for day, expected in cases.items():
        assert totals(thurrock_school, 2025, day).expected_to_date == expected, day
    # Every day gave its own figure, and nothing was written to give it.
    assert list(FundingRateChange.objects.values_list("pk", "annual_value_change")) == rows_before
    # The year's last day: the year's total, rounded per claim (2,065.64 + 1,955 x 90/365 = 482.05).
    assert totals(thurrock_school, 2025, d(2026, 3, 31)).expected_to_date == D("2547.69")


def test_unclaimed_pupils_move_with_awards_ending_and_starting_with_no_write(las, thurrock_school):
    thurrock = las["thurrock"]
    ended = ehcp_pupil(thurrock_school, surname="Ended")
    award_claim(ended, band(thurrock, "5 hours"), d(2025, 4, 1), d(2025, 8, 31))
    later = ehcp_pupil(thurrock_school, surname="Later")
    award_claim(later, band(thurrock, "5 hours"), d(2025, 11, 1))
    waiting = ehcp_pupil(thurrock_school, surname="Waiting")
    claim = services.claim_create(
        actor=None,
        pupil=waiting,
        requested_band=band(thurrock, "5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    # Waiting (a draft) throughout; Later until its award starts; Ended after its award ends.
    days = {
        d(2025, 4, 1): 2,
        d(2025, 8, 31): 2,
        d(2025, 9, 1): 3,
        d(2025, 10, 31): 3,
        d(2025, 11, 1): 2,
        d(2026, 3, 31): 2,
    }
    for day, unclaimed in days.items():
        t = totals(thurrock_school, 2025, day)
        assert (t.unclaimed_ehcp, t.unclaimed_sen_support) == (unclaimed, 0), day
        assert (t.unclaimed_ehcp, t.unclaimed_sen_support) == oracle_unclaimed(thurrock_school, day), day
    # A claim submitted is live from then on: one fewer on every day.
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 9, 15))
    for day, unclaimed in days.items():
        assert totals(thurrock_school, 2025, day).unclaimed_ehcp == unclaimed - 1, day


def oracle_unclaimed(school, day):
    t = oracle.old_summary([school.pk], 2025, day).total
    return t.unclaimed_ehcp, t.unclaimed_sen_support


def test_a_change_of_band_mid_year_changes_the_rate_from_that_day(las, southend_school):
    southend = las["southend"]
    claim = award_claim(ehcp_pupil(southend_school), band(southend, "2"), d(2025, 4, 1))
    services.claim_record_award(actor=None, claim=claim, band=band(southend, "4"), start_date=d(2025, 10, 1))
    # 3,602 x 183 / 365 + 7,889 x 182 / 365 = 1,805.9342 + 3,933.6986 = 5,739.6328, rounded once
    assert totals(southend_school, 2025, d(2026, 3, 31)).expected == D("5739.63")
    assert totals(southend_school, 2025, d(2025, 9, 30)).expected_to_date == D("1805.93")
    # 1 October: one day at band 4 (7,889 / 365 = 21.6137): 1,827.5479
    assert totals(southend_school, 2025, d(2025, 10, 1)).expected_to_date == D("1827.55")


# --- reads --------------------------------------------------------------------------------------


def make_schools(las, trust, n):
    schools = []
    for i in range(n):
        la = [las["thurrock"], las["essex"], las["southend"]][i % 3]
        school = SchoolFactory(trust=trust, local_authority=la)
        pupil = ehcp_pupil(school)
        claim = award_claim(pupil, band(la, "10 hours" if la == las["thurrock"] else "3"), d(2025, 4, 1))
        services.payment_record(actor=None, claim=claim, amount=D("100.00"), received_on=d(2025, 5, 1))
        ta_support(pupil, D(12))
        ehcp_pupil(school)  # unclaimed
        schools.append(school)
    return schools


@pytest.mark.parametrize("n", [2, 50])
def test_the_summary_takes_three_queries_for_any_number_of_schools(las, trust, n):
    ids = [s.pk for s in make_schools(las, trust, n)]
    with CaptureQueriesContext(connection) as ctx:
        summary = figures.summary(ids, 2025, d(2025, 12, 1))
    assert len(ctx.captured_queries) <= 3
    assert len(summary.schools) == n
    assert summary.total.received == D(100 * n)
    assert summary.total.unclaimed_ehcp == n
    with CaptureQueriesContext(connection) as ctx:
        by_trust = figures.by_trust(summary)
    assert not ctx.captured_queries
    assert by_trust[trust.pk] == summary.total
    assert summary == oracle.old_summary(ids, 2025, d(2025, 12, 1))


def test_funding_summary_in_the_selectors_reads_the_kept_figures(las, thurrock_school):
    award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "10 hours"), d(2025, 4, 1))
    FundingYearFigures.objects.update(expected=D("1.00"))
    assert selectors.funding_summary([thurrock_school.pk], 2025, d(2025, 12, 1)).total.expected == D("1.00")


# --- writes -------------------------------------------------------------------------------------


def test_a_failing_service_leaves_the_figures_as_they_were(las, thurrock_school, monkeypatch):
    pupil = ehcp_pupil(thurrock_school)
    claim = award_claim(pupil, band(las["thurrock"], "10 hours"), d(2025, 4, 1))
    before = figures._stored([thurrock_school.pk])
    real_refresh = figures.school_refresh

    def refresh_then_fail(*, school_id):
        real_refresh(school_id=school_id)
        assert figures._stored([school_id]) != before  # written, in the transaction
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.figures, "school_refresh", refresh_then_fail)
    with pytest.raises(RuntimeError):
        services.payment_record(actor=None, claim=claim, amount=D("500.00"), received_on=d(2025, 6, 1))
    with pytest.raises(RuntimeError):
        services.claim_end(actor=None, claim=claim, ended_on=d(2025, 9, 30))
    assert figures._stored([thurrock_school.pk]) == before
    assert figures.verify() == []


def test_a_write_that_changes_nothing_rewrites_no_row(las, thurrock_school):
    award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "10 hours"), d(2025, 4, 1))
    with CaptureQueriesContext(connection) as ctx:
        figures.school_refresh(school_id=thurrock_school.pk)
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_register_changes_through_the_pupils_services_refresh_the_figures(las, thurrock_school):
    hos = head_of_send(thurrock_school.trust)
    pupil = pupil_services.pupil_add_to_register(
        actor=hos,
        school=thurrock_school,
        upn=upn.make(883, 3901, 25, 1),
        surname="New",
        forename="Pupil",
        date_of_birth=d(2016, 1, 1),
        gender="F",
        year_group="4",
        primary_need="SLCN",
    )
    assert totals(thurrock_school, 2025, d(2025, 12, 1)).unclaimed == 0  # SEN Support, not costed
    pupil_services.pupil_record_ehc_plan_issued(actor=hos, pupil=pupil, on=d(2025, 12, 1))
    assert totals(thurrock_school, 2025, d(2025, 12, 1)).unclaimed_ehcp == 1
    pupil.refresh_from_db()
    pupil_services.pupil_remove_from_register(actor=hos, pupil=pupil, on=d(2025, 12, 2))
    assert totals(thurrock_school, 2025, d(2025, 12, 1)).unclaimed == 0
    assert figures.verify() == []


def test_a_banding_table_imported_for_next_year_changes_its_expected_income(las, essex_school_other_trust):
    pupil = ehcp_pupil(essex_school_other_trust)
    award_claim(pupil, band(las["essex"], "5"), d(2025, 4, 1))
    # No 2026-27 table yet: the 2025-26 value carries on.
    assert totals(essex_school_other_trust, 2026, d(2027, 3, 31)).expected == D("10000.00")
    result = BandResource().import_data(
        tablib.Dataset(
            ["881", "2026", "5", "", "10500.50"],
            headers=["la_code", "financial_year", "band", "hours_per_week", "annual_value_gbp"],
        ),
        dry_run=False,
    )
    assert not result.has_errors()
    assert totals(essex_school_other_trust, 2026, d(2027, 3, 31)).expected == D("10500.50")
    assert figures.verify() == []


def test_the_horizon_moves_on_when_the_year_turns(las, thurrock_school):
    award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "10 hours"), d(2025, 4, 1))
    horizon = figures.horizon_year()
    assert FundingYearFigures.objects.filter(financial_year=horizon).exists()
    assert not FundingYearFigures.objects.filter(financial_year=horizon + 1).exists()
    # 1 April of the horizon year: the next year is the new horizon, and has its rows.
    assert figures.horizon_advance(d(horizon, 4, 1)) is True
    assert FiguresHorizon.objects.get().financial_year == horizon + 1
    assert totals(thurrock_school, horizon + 1, d(horizon + 2, 3, 31)).expected == D("4120.00")
    assert figures.horizon_advance(d(horizon, 4, 2)) is False


def test_verify_names_the_school_la_year_and_figure_that_differ(las, thurrock_school):
    award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "10 hours"), d(2025, 4, 1))
    assert figures.verify() == []
    FundingYearFigures.objects.filter(financial_year=2025).update(received=D("12.00"))
    assert figures.verify() == ["Holy Cross Test, Thurrock, 2025-26: received is 12.00, should be 0.00."]
    assert figures.rebuild() >= 1
    assert figures.verify() == []


# --- property: the kept figures always equal the figures computed from the source rows ----------

DAY0 = d(2025, 4, 1)
TODAYS = [d(2025, 4, 1), d(2025, 9, 14), d(2025, 12, 3), d(2026, 3, 31), d(2026, 7, 1), d(2027, 1, 15)]

operation = st.one_of(
    st.tuples(st.just("add_pupil"), st.integers(0, 1), st.integers(0, 2)),
    st.tuples(st.just("ehcp"), st.integers(0, 20)),
    st.tuples(st.just("remove"), st.integers(0, 20)),
    st.tuples(st.just("cost"), st.integers(0, 20), st.sampled_from([0, 5, 9, 12, 20])),
    st.tuples(st.just("settings"), st.integers(0, 1), st.sampled_from([3000, 6000, 9000])),
    st.tuples(st.just("claim"), st.integers(0, 20), st.integers(0, 9), st.sampled_from([2025, 2026])),
    st.tuples(st.just("submit"), st.integers(0, 20), st.integers(0, 700)),
    st.tuples(
        st.just("award"),
        st.integers(0, 20),
        st.integers(0, 9),
        st.integers(0, 700),
        st.one_of(st.none(), st.integers(0, 400)),
    ),
    st.tuples(st.just("refuse"), st.integers(0, 20), st.integers(0, 700)),
    st.tuples(st.just("appeal"), st.integers(0, 20), st.integers(0, 700)),
    st.tuples(st.just("end"), st.integers(0, 20), st.integers(0, 800)),
    st.tuples(st.just("pay"), st.integers(0, 20), st.integers(1, 300000), st.integers(0, 800)),
)


class Rollback(Exception):
    pass


@pytest.fixture
def world(las, thurrock_school, southend_school):
    add_table(
        las["thurrock"],
        2026,
        {
            label: str(band(las["thurrock"], label).annual_value + 100)
            for label in ("5 hours", "10 hours", "20 hours")
        },
    )
    add_table(las["essex"], 2026, {"2": "2800", "3": "4900", "5": "10400"})
    return {
        "las": [las["thurrock"], las["essex"], las["southend"]],
        "schools": [thurrock_school, southend_school],
        "actor": head_of_send(thurrock_school.trust),
    }


def _bands(la, year):
    return list(selectors.bands_for(la, year).order_by("annual_value"))


def _apply(world, op, pupils, claims, serial) -> None:
    kind, *args = op
    day = lambda n: DAY0 + datetime.timedelta(days=n)  # noqa: E731
    pick = lambda items, i: items[i % len(items)] if items else None  # noqa: E731
    if kind == "add_pupil":
        school, la = world["schools"][args[0]], world["las"][args[1]]
        pupils.append(
            pupil_services.pupil_add_to_register(
                actor=world["actor"],
                school=school,
                upn=upn.make(881, 9100 + args[0], 25, serial),
                surname=f"P{serial}",
                forename="Test",
                date_of_birth=d(2016, 1, 1),
                gender="F",
                year_group="4",
                primary_need="SLCN",
                home_local_authority=la,
                on=DAY0,
            )
        )
        return
    if kind in ("ehcp", "remove", "cost", "claim"):
        pupil = pick(pupils, args[0])
        if pupil is None:
            return
        pupil.refresh_from_db()
        if kind == "ehcp":
            pupil_services.pupil_record_ehc_plan_issued(actor=None, pupil=pupil, on=DAY0)
        elif kind == "remove":
            pupil_services.pupil_remove_from_register(actor=world["actor"], pupil=pupil, on=DAY0)
        elif kind == "cost":
            ta_support(pupil, D(args[1]))
        else:
            bands = _bands(pupil.home_local_authority, args[2]) or _bands(pupil.home_local_authority, 2025)
            claims.append(
                services.claim_create(
                    actor=None,
                    pupil=pupil,
                    requested_band=pick(bands, args[1]),
                    evidence_summary="x",
                    provision_to_fund="y",
                )
            )
        return
    if kind == "settings":
        services.funding_settings_update(
            actor=None,
            school=world["schools"][args[0]],
            hourly_rate=D("12.21"),
            on_cost_percent=D(30),
            weeks_per_year=D(38),
            notional_threshold=D(args[1]),
        )
        return
    claim = pick(claims, args[0])
    if claim is None:
        return
    claim.refresh_from_db()
    if kind == "submit":
        services.claim_submit(actor=None, claim=claim, submitted_on=day(args[1]))
    elif kind == "award":
        start = day(args[2])
        year = min(calc_year(start), 2026)
        bands = _bands(claim.local_authority, year) or _bands(claim.local_authority, 2025)
        end = start + datetime.timedelta(days=args[3]) if args[3] is not None else None
        services.claim_record_award(
            actor=None, claim=claim, band=pick(bands, args[1]), start_date=start, end_date=end
        )
    elif kind == "refuse":
        services.claim_record_refusal(actor=None, claim=claim, reason="No", decided_on=day(args[1]))
    elif kind == "appeal":
        services.claim_appeal(actor=None, claim=claim, lodged_on=day(args[1]))
    elif kind == "end":
        services.claim_end(actor=None, claim=claim, ended_on=day(args[1]))
    elif kind == "pay":
        services.payment_record(actor=None, claim=claim, amount=D(args[1]) / 100, received_on=day(args[2]))


def calc_year(day):
    return day.year if day.month >= 4 else day.year - 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_kept_figures_always_equal_the_figures_computed_from_the_source_rows(world, ops):
    try:
        with transaction.atomic():
            pupils, claims = [], []
            for serial, op in enumerate(ops):
                # A transition the service refuses changes nothing.
                with contextlib.suppress(ValidationError, RegisterChangeError):
                    _apply(world, op, pupils, claims, serial)
            assert figures.verify() == []
            ids = [s.pk for s in world["schools"]]
            for year in (2025, 2026):
                for today in TODAYS:
                    assert figures.summary(ids, year, today) == oracle.old_summary(ids, year, today), (
                        year,
                        today,
                    )
            raise Rollback
    except Rollback:
        pass


def test_the_oracle_and_the_summary_agree_on_a_claim_through_every_state(las, southend_school):
    southend = las["southend"]
    pupil = ehcp_pupil(southend_school)
    ta_support(pupil, D(20))
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band(southend, "5"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 5, 1))
    services.claim_record_award(actor=None, claim=claim, band=band(southend, "3"), start_date=d(2025, 6, 1))
    services.claim_appeal(actor=None, claim=claim, lodged_on=d(2025, 7, 1))
    services.claim_record_award(actor=None, claim=claim, band=band(southend, "5"), start_date=d(2025, 9, 1))
    services.payment_record(actor=None, claim=claim, amount=D("3000.00"), received_on=d(2025, 10, 1))
    services.claim_end(actor=None, claim=claim, ended_on=d(2026, 2, 28))
    for today in TODAYS:
        for year in (2025, 2026):
            assert figures.summary([southend_school.pk], year, today) == oracle.old_summary(
                [southend_school.pk], year, today
            ), (year, today)
    assert figures.verify() == []


def test_a_band_changed_in_the_admin_changes_the_expected_income_of_every_school(
    client, las, thurrock_school
):
    from trusts.models import Membership, Role
    from trusts.tests.factories import UserFactory, with_totp

    award_claim(ehcp_pupil(thurrock_school), band(las["thurrock"], "10 hours"), d(2025, 4, 1))
    admin = UserFactory(is_staff=True, is_superuser=True)
    Membership.objects.create(user=admin, role=Role.PLATFORM_ADMIN)
    with_totp(admin)
    client.force_login(admin)
    ten = band(las["thurrock"], "10 hours")
    response = client.post(
        f"/admin/funding/band/{ten.pk}/change/",
        {
            "scheme": ten.scheme_id,
            "label": ten.label,
            "hours_per_week": "10",
            "annual_value": "4380.00",
            "order": ten.order,
        },
    )
    assert response.status_code == 302
    assert totals(thurrock_school, 2025, d(2026, 3, 31)).expected == D("4380.00")
    assert figures.verify() == []


def test_the_horizon_step_is_on_the_daily_beat(settings):
    from funding.tasks import advance_figures_horizon

    entry = settings.CELERY_BEAT_SCHEDULE["funding-advance-figures-horizon"]
    assert entry["task"] == advance_figures_horizon.name


def test_adding_totals_adds_every_figure_a_summary_holds():
    fields = dataclasses.fields(figures.FundingTotals)
    one = figures.FundingTotals(
        **{f.name: (D(n + 1) if isinstance(f.default, D) else n + 1) for n, f in enumerate(fields)}
    )
    total = figures.FundingTotals()
    total.add(one)
    total.add(one)
    for f in fields:
        assert getattr(total, f.name) == 2 * getattr(one, f.name), f.name
