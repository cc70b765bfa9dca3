"""Selectors: LA timeliness worked by hand, the due list order, suspension totals, the split
of hours, and query counts that do not grow with rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import selectors, services
from casework.models import ActivityArrangement, ArrangementShare, Case, EHCRequest
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from trusts.models import LocalAuthority
from trusts.tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db
D = dt.date


def _raw_request(world, la, requested, issued=None, pupil=None, refused=False):
    """A request with its dates set directly (history loaded from before the portal)."""
    pupil = pupil or PupilFactory(school=world.school_a, home_local_authority=la)
    kw = {}
    if refused:
        kw = {"decision": "refuse", "decision_date": requested + dt.timedelta(weeks=5)}
    elif issued:
        kw = {
            "decision": "assess",
            "decision_date": requested + dt.timedelta(weeks=5),
            "outcome": "issued",
            "outcome_date": issued,
        }
    return EHCRequest.objects.create(
        pupil=pupil,
        school=pupil.school,
        local_authority=la,
        requested_by="school",
        request_date=requested,
        owner=world.senco_a,
        **kw,
    )


def test_la_timeliness_on_a_hand_built_set(world):
    essex = LocalAuthorityFactory(code=991, name="Essex")
    thurrock = LocalAuthorityFactory(code=993, name="Thurrock")
    start = D(2025, 1, 6)  # a Monday; every request below is made on it
    # Essex: 5 final plans issued in 2025 after 14, 20, 26, 40 and 50 weeks (98, 140, 182,
    # 280, 350 days; the last on 22 December). Within 20 weeks: 14 and 20 (day 140 is the
    # deadline itself) = 2 of 5, 40.0%. Median = the 3rd of 5 sorted = 26 weeks.
    # 90th percentile, nearest rank: rank = ceil(0.9 x 5) = ceil(4.5) = 5 -> 50 weeks.
    for w in (14, 20, 26, 40, 50):
        _raw_request(world, essex, start, start + dt.timedelta(weeks=w))
    # Thurrock: 4 plans after 10, 15, 19 and 21 weeks (70, 105, 133, 147 days). Median of an
    # even count = mean of the 2nd and 3rd = (105 + 133) / 2 = 119 days = 17.0 weeks.
    # 90th percentile: rank = ceil(0.9 x 4) = ceil(3.6) = 4 -> 21 weeks. Within 20: 3 of 4.
    for w in (10, 15, 19, 21):
        _raw_request(world, thurrock, start, start + dt.timedelta(weeks=w))
    # Outside the period (issued 2024) and a refusal: not counted as plans.
    _raw_request(world, thurrock, D(2024, 1, 8), D(2024, 5, 1))
    _raw_request(world, essex, D(2025, 2, 3), refused=True)
    # Open: Essex requested 1 May 2025, still open on 1 Dec 2025 (30 weeks): past 20 weeks.
    # Thurrock requested 1 Oct 2025: 8 weeks, not yet past 20.
    _raw_request(world, essex, D(2025, 5, 1))
    _raw_request(world, thurrock, D(2025, 10, 1))
    # A request from a school outside the ids passed is never counted.
    _raw_request(
        world,
        essex,
        start,
        start + dt.timedelta(weeks=5),
        pupil=PupilFactory(school=world.school_b, home_local_authority=essex),
    )

    rows = selectors.la_timeliness(
        school_ids=[world.school_a.pk], start=D(2025, 1, 1), end=D(2025, 12, 31), today=D(2025, 12, 1)
    )
    by_la = {r.local_authority_id: r for r in rows}
    e, t = by_la[essex.pk], by_la[thurrock.pk]
    assert (e.plans_issued, e.within_20_weeks, e.within_pct) == (5, 2, Decimal("40.0"))
    assert (e.median_weeks, e.p90_weeks, e.open_past_20_weeks) == (Decimal("26.0"), Decimal("50.0"), 1)
    assert (t.plans_issued, t.within_20_weeks, t.within_pct) == (4, 3, Decimal("75.0"))
    assert (t.median_weeks, t.p90_weeks, t.open_past_20_weeks) == (Decimal("17.0"), Decimal("21.0"), 0)


def test_percentile_and_median_helpers():
    assert selectors.median([3, 1, 2]) == 2
    assert selectors.median([1, 2, 3, 4]) == Decimal("2.5")
    assert selectors.median([]) is None
    values = list(range(1, 21))  # 1..20: rank ceil(18) = 18
    assert selectors.percentile_nearest_rank(values, 90) == 18
    assert selectors.percentile_nearest_rank([7], 90) == 7


def test_the_due_list_puts_the_soonest_first_and_filters(world):
    today = D(2025, 10, 1)
    late = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="Late",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
        next_action_due=D(2025, 9, 25),
    )
    later = services.case_open(
        actor=world.senco_b,
        school=world.school_b,
        kind="other",
        title="Later",
        owner=world.senco_b,
        opened_on=D(2025, 9, 1),
        next_action_due=D(2025, 11, 1),
    )
    undated = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="other",
        title="No date",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
    )
    req = EHCRequest.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        local_authority=world.school_a.local_authority,
        requested_by="parent",
        request_date=D(2025, 9, 1),
        owner=world.senco_a,
    )
    ids = [world.school_a.pk, world.school_b.pk]
    items = selectors.due_list(school_ids=ids, today=today)
    assert [i.ref for i in items] == [
        f"Case {late.pk}",
        f"Request {req.pk}",
        f"Case {later.pk}",
        f"Case {undated.pk}",
    ]
    assert items[0].status.state == "late" and items[0].status.days_late == 6
    assert items[1].due == D(2025, 10, 13) and items[1].status.state == "not_yet_due"
    only_b = selectors.due_list(school_ids=ids, today=today, school_id=world.school_b.pk)
    assert [i.ref for i in only_b] == [f"Case {later.pk}"]
    by_kind = selectors.due_list(school_ids=ids, today=today, kind="ehc_request")
    assert [i.ref for i in by_kind] == [f"Request {req.pk}"]
    by_owner = selectors.due_list(school_ids=ids, today=today, owner_id=world.senco_b.pk)
    assert [i.ref for i in by_owner] == [f"Case {later.pk}"]
    # A school outside the ids is never listed, whatever the filter says.
    assert selectors.due_list(school_ids=[world.school_a.pk], today=today, school_id=world.school_b.pk) == []


def test_annual_reviews_roll_forward_and_flag_the_la_decision(world):
    # In year 6 at the autumn 2025 census: the move to secondary school is in September 2026.
    CensusSnapshotFactory(school=world.school_a, census_date=D(2025, 10, 2))
    world.pupil_a.year_group = "6"
    world.pupil_a.save()
    plan = services.ehc_plan_create(actor=world.senco_a, pupil=world.pupil_a, issue_date=D(2024, 3, 15))
    [row] = selectors.annual_reviews(school_ids=[world.school_a.pk], today=D(2025, 3, 10))
    assert row.next_review.due == D(2025, 3, 15) and row.next_review.state == "due"
    services.annual_review_record(
        actor=world.senco_a, plan=plan, meeting_date=D(2025, 3, 5), today=D(2025, 3, 10)
    )
    [row] = selectors.annual_reviews(school_ids=[world.school_a.pk], today=D(2025, 4, 10))
    assert row.next_review.due == D(2026, 3, 5)
    assert row.decision.due == D(2025, 4, 2) and row.decision.days_late == 8
    assert row.phase_transfer.due == D(2026, 2, 15)


def test_suspension_totals_flag_over_15_days_in_a_term_and_near_45_in_a_year(world):
    p = world.pupil_a
    for start, days in [
        (D(2025, 9, 10), 10),
        (D(2025, 11, 3), 6),
        (D(2026, 1, 12), 15),
        (D(2026, 5, 4), 10),
        (D(2024, 10, 1), 2),
    ]:
        services.case_open(
            actor=world.senco_a,
            school=world.school_a,
            kind="suspension",
            title="Suspension",
            owner=world.senco_a,
            opened_on=min(start, D(2025, 11, 1)),
            pupil=p,
            suspension_start=start,
            suspension_days=days,
        )
    this_year, last_year = selectors.suspension_totals(pupil_ids=[p.pk])[p.pk]
    assert this_year.year_label == "2025/26" and this_year.year_days == 41
    assert this_year.terms == {"autumn": 16, "spring": 15, "summer": 10}
    assert this_year.terms_over_15 == ["autumn"]
    assert this_year.near_year_limit and not this_year.over_year_limit
    assert last_year.year_days == 2 and last_year.flags == []


def test_activity_split_per_month_and_year_to_date_against_the_agreed_split(world):
    a, b = world.trust_a, world.trust_b
    for day, hours, trusts in [
        (D(2025, 9, 3), "6", [a]),
        (D(2025, 9, 10), "2", [b]),
        (D(2025, 10, 1), "3", [a, b]),
        (D(2025, 10, 8), "4", [b]),
    ]:
        services.activity_log(
            actor=world.hos, kind="school_visit", date=day, hours=Decimal(hours), trusts=trusts
        )
    split = selectors.activity_split(
        trust_ids=[a.pk, b.pk], person=world.hos, year_start=2025, today=D(2025, 10, 20)
    )
    assert [m.label for m in split.months] == ["September 2025", "October 2025"]
    sep, octo = split.months
    assert sep.hours == {a.pk: Decimal("6"), b.pk: Decimal("2")} and sep.total == 8
    assert sep.pct == {a.pk: Decimal("75.0"), b.pk: Decimal("25.0")}
    assert octo.hours == {a.pk: Decimal("1.50"), b.pk: Decimal("5.50")}
    ytd = split.year_to_date
    assert ytd.hours == {a.pk: Decimal("7.50"), b.pk: Decimal("7.50")}
    assert ytd.pct == {a.pk: Decimal("50.0"), b.pk: Decimal("50.0")}
    assert split.agreed == {a.pk: Decimal("50.00"), b.pk: Decimal("50.00")}
    # A recorded arrangement replaces the default equal split.
    arrangement = ActivityArrangement.objects.create(person=world.hos, name="60/40")
    ArrangementShare.objects.create(arrangement=arrangement, trust=a, percent=60)
    ArrangementShare.objects.create(arrangement=arrangement, trust=b, percent=40)
    split = selectors.activity_split(
        trust_ids=[a.pk, b.pk], person=world.hos, year_start=2025, today=D(2025, 10, 20)
    )
    assert split.arrangement == "60/40" and split.agreed == {a.pk: 60, b.pk: 40}


def test_activity_is_read_only_within_the_trusts_passed(world):
    services.activity_log(
        actor=world.hos, kind="la_forum", date=D(2025, 9, 3), hours=Decimal(2), trusts=[world.trust_b]
    )
    entries = selectors.activity_entries(
        trust_ids=[world.trust_a.pk], start=D(2025, 9, 1), end=D(2026, 8, 31)
    )
    assert entries == []
    both = selectors.activity_entries(
        trust_ids=[world.trust_a.pk, world.trust_b.pk], start=D(2025, 9, 1), end=D(2026, 8, 31)
    )
    assert len(both) == 1 and both[0]["trusts"] == ["Trust B"]


def test_activity_outside_a_trust_scope_raises(world):
    from django_scopes import ScopeError, scope

    from casework.models import ActivityEntry

    with scope(school=[world.school_a.pk]), pytest.raises(ScopeError):
        list(ActivityEntry.objects.all())


def _many(world, n):
    la = LocalAuthority.objects.first()
    for i in range(n):
        pupil = PupilFactory(school=world.school_a)
        services.case_open(
            actor=world.senco_a,
            school=world.school_a,
            kind="complaint",
            title=f"Case {i}",
            owner=world.senco_a,
            opened_on=D(2025, 9, 1),
            next_action_due=D(2025, 10, 1) + dt.timedelta(days=i),
        )
        req = EHCRequest.objects.create(
            pupil=pupil,
            school=world.school_a,
            local_authority=la,
            requested_by="school",
            request_date=D(2025, 1, 6),
            owner=world.senco_a,
            decision="assess",
            decision_date=D(2025, 2, 1),
            outcome="issued" if i % 2 else "",
            outcome_date=D(2025, 6, 1) if i % 2 else None,
        )
        plan = services.ehc_plan_create(
            actor=world.senco_a, pupil=pupil, issue_date=D(2024, 1, 1) + dt.timedelta(days=i)
        )
        services.annual_review_record(
            actor=world.senco_a, plan=plan, meeting_date=D(2025, 1, 10) + dt.timedelta(days=i)
        )
        services.activity_log(
            actor=world.hos,
            kind="training",
            date=D(2025, 9, 2),
            hours=Decimal(1),
            trusts=[world.trust_a, world.trust_b],
            school=world.school_a,
            topic="Training",
            staff_trained=5,
        )
        assert req.pk


@pytest.mark.parametrize("reader", ["due", "timeliness", "reviews", "split", "training", "entries"])
def test_selector_query_counts_do_not_grow_with_rows(world, reader):
    ids = [world.school_a.pk, world.school_b.pk]
    trusts = [world.trust_a.pk, world.trust_b.pk]
    readers = {
        "due": lambda: selectors.due_list(school_ids=ids, today=D(2025, 10, 1)),
        "timeliness": lambda: selectors.la_timeliness(
            school_ids=ids, start=D(2025, 1, 1), end=D(2025, 12, 31), today=D(2025, 10, 1)
        ),
        "reviews": lambda: selectors.annual_reviews(school_ids=ids, today=D(2025, 10, 1)),
        "split": lambda: selectors.activity_split(
            trust_ids=trusts, person=world.hos, year_start=2025, today=D(2025, 10, 1)
        ),
        "training": lambda: selectors.training_by_school(
            trust_ids=trusts, start=D(2025, 9, 1), end=D(2026, 8, 31)
        ),
        "entries": lambda: selectors.activity_entries(
            trust_ids=trusts, start=D(2025, 9, 1), end=D(2026, 8, 31)
        ),
    }
    _many(world, 2)
    with CaptureQueriesContext(connection) as few:
        small = readers[reader]()
    _many(world, 18)
    with CaptureQueriesContext(connection) as many:
        big = readers[reader]()
    assert len(many.captured_queries) == len(few.captured_queries)
    if reader in ("due", "reviews", "entries"):
        assert len(big) >= 10 * len(small) > 0
    assert Case.objects.count() == 20
