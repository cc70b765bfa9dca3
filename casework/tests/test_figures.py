"""The kept casework figures: the hand-checked figures of the dashboards and board packs read
from the summary rows, the calendar moving them with no write, two queries whatever the number
of schools, a rollback taking the summary back with the source rows, and a property test
driving random writes through the services against the computation the pages used before
(kept below as the oracle)."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casework import deadlines as dl
from casework import figures, selectors, services
from casework.models import (
    ActivityArrangement,
    ArrangementShare,
    Case,
    CaseOpenCount,
    CaseTermCount,
    Deadline,
    EHCPlan,
    EHCRequest,
    FinalPlanCount,
)
from core import years
from core.numbers import ONE_PLACE, Count, pct
from pupils import services as pupils_services
from pupils.models import Pupil
from pupils.tests.factories import PupilFactory
from trusts.models import Membership, Role, School, User
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, senco

from .factories import CaseFactory, EHCPlanFactory, EHCRequestFactory

pytestmark = pytest.mark.django_db
D = dt.date
K = Case.Kind


# --- The oracle: the computation the dashboards used before (reports.metrics) ------------------


def oracle_by_kind(school_ids, start, end):
    terms = figures.term_ranges(start, end)
    kinds = sorted(
        Case.Kind.choices,
        key=lambda c: (
            c[0] not in figures.IMPACT_KINDS,
            figures.IMPACT_KINDS.index(c[0]) if c[0] in figures.IMPACT_KINDS else 0,
        ),
    )
    rows = {
        value: figures.CaseKindRow(
            value, label, value in figures.IMPACT_KINDS, [0] * len(terms), [0] * len(terms)
        )
        for value, label in kinds
    }
    closed = Case.Status.CLOSED
    counts = {"open_now": models.Count("pk", filter=~models.Q(status=closed))}
    for i, (_key, first, last) in enumerate(terms):
        counts[f"opened_{i}"] = models.Count("pk", filter=models.Q(opened_on__range=(first, last)))
        counts[f"closed_{i}"] = models.Count(
            "pk", filter=models.Q(status=closed, closed_on__range=(first, last))
        )
    for found in (
        Case.objects.filter(school_id__in=list(school_ids)).order_by().values("kind").annotate(**counts)
    ):
        row = rows[found["kind"]]
        row.opened = [found[f"opened_{i}"] for i in range(len(terms))]
        row.closed = [found[f"closed_{i}"] for i in range(len(terms))]
        row.open_now = found["open_now"]
    return figures.CaseworkByKind(
        start, end, [figures.term_label(k) for k, _, _ in terms], list(rows.values())
    )


def oracle_by_trust(school_ids, start, end):
    closed = Case.Status.CLOSED
    rows = (
        Case.objects.filter(school_id__in=list(school_ids))
        .order_by()
        .values("school__trust_id")
        .annotate(
            opened=models.Count("pk", filter=models.Q(opened_on__range=(start, end))),
            closed=models.Count("pk", filter=models.Q(status=closed, closed_on__range=(start, end))),
            open_now=models.Count("pk", filter=~models.Q(status=closed)),
        )
    )
    return {
        r["school__trust_id"]: {"opened": r["opened"], "closed": r["closed"], "open_now": r["open_now"]}
        for r in rows
    }


def oracle_school_due(school_id, today, *, suppress):
    items = selectors.due_list(school_ids=[school_id], today=today)
    counts = {}
    for item in items:
        c = counts.setdefault(item.kind_label, [0, 0, 0])
        c[0] += 1
        state = item.status.state if item.status else None
        c[1] += state == dl.State.LATE
        c[2] += state == dl.State.DUE
    return figures.SchoolCasework(
        kinds=[
            figures.DueKind(label, Count.of(n, suppress), Count.of(late, suppress), Count.of(soon, suppress))
            for label, (n, late, soon) in sorted(counts.items())
        ],
        next_items=[i for i in items if i.due is not None][: figures.NEXT_DUE_ITEMS],
        total=Count.of(len(items), suppress),
        overdue=Count.of(sum(c[1] for c in counts.values()), suppress),
    )


def oracle_timeliness(school_ids, start, end, today):
    rows = selectors.la_timeliness(school_ids=school_ids, start=start, end=end, today=today)
    total = selectors.LATimeliness(0, "All local authorities")
    for row in rows:
        total.plans_issued += row.plans_issued
        total.within_20_weeks += row.within_20_weeks
        total.open_past_20_weeks += row.open_past_20_weeks
        total.days_taken += row.days_taken
    total.median_weeks = selectors.weeks(selectors.median(total.days_taken))
    total.p90_weeks = selectors.weeks(selectors.percentile_nearest_rank(total.days_taken, 90))
    return rows, total


def oracle_training(trust_ids, start, end):
    rows = selectors.training_by_school(trust_ids=trust_ids, start=start, end=end)
    return figures.Training(
        rows,
        sum(r["sessions"] for r in rows),
        sum((r["hours"] or Decimal(0) for r in rows), Decimal(0)),
        sum(r["staff"] or 0 for r in rows),
    )


def oracle_time_splits(trust_ids, visible_trust_ids, today):
    wanted, visible = set(trust_ids), set(visible_trust_ids)
    person_trusts = {}
    for user_id, trust_id in (
        Membership.objects.filter(role=Role.HEAD_OF_SEND, trust__isnull=False)
        .filter(user__memberships__role=Role.HEAD_OF_SEND, user__memberships__trust_id__in=wanted)
        .order_by()
        .distinct()
        .values_list("user_id", "trust_id")
    ):
        person_trusts.setdefault(user_id, set()).add(trust_id)
    if not person_trusts:
        return []
    year = dl.academic_year_start(today)
    out = []
    for person in User.objects.filter(pk__in=list(person_trusts)).order_by("full_name", "email"):
        split = selectors.activity_split(
            trust_ids=person_trusts[person.pk], person=person, year_start=year, today=today
        )
        shown = [t for t in split.trusts if t.pk in visible]
        hidden = [t.pk for t in split.trusts if t.pk not in visible]
        columns = [figures.SplitColumn(t.name, t.pk) for t in shown]
        if hidden:
            columns.append(figures.SplitColumn("Other trusts", None))

        def fold(row, columns=columns, hidden=hidden):
            hours = [
                row.hours.get(c.trust_id, Decimal(0))
                if c.trust_id is not None
                else sum((row.hours.get(t, Decimal(0)) for t in hidden), Decimal(0))
                for c in columns
            ]
            return figures.SplitLine(row.label, hours, row.total, [pct(h, row.total) for h in hours])

        agreed = [
            (
                split.agreed.get(c.trust_id, Decimal(0))
                if c.trust_id is not None
                else sum((split.agreed.get(t, Decimal(0)) for t in hidden), Decimal(0))
            ).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
            for c in columns
        ]
        out.append(
            figures.TimeSplit(
                person=person.full_name or person.email,
                arrangement=split.arrangement,
                columns=columns,
                agreed=agreed,
                months=[fold(m) for m in split.months],
                year_to_date=fold(split.year_to_date),
                academic_year=dl.academic_year_label(year),
            )
        )
    return out


def _la_rows(rows):
    return [
        (
            r.local_authority_id,
            r.local_authority,
            r.plans_issued,
            r.within_20_weeks,
            r.median_weeks,
            r.p90_weeks,
            r.open_past_20_weeks,
        )
        for r in rows
    ]


def _kind_rows(cw):
    return (cw.terms, [(r.kind, r.opened, r.closed, r.open_now) for r in cw.rows])


def _due(sc):
    return (
        [(k.label, k.count, k.overdue, k.due_soon) for k in sc.kinds],
        sc.next_items,
        sc.total,
        sc.overdue,
    )


# --- Hand-checked figures, read from the summary rows -------------------------------------------


@pytest.fixture
def cases_world(world):
    """Trust A: Alpha (Essex-like LA) and Gamma; Trust B: Beta. Hand-built cases as in the
    board pack's worked example: terms from 1 Sep 2024 are Autumn 2024, Spring 2025, Summer
    2025, Autumn 2025."""
    world.school_c = SchoolFactory(trust=world.trust_a, name="Gamma High")
    world.senco_c = senco(world.school_c)
    a, c = world.school_a, world.school_c

    def case(school, kind, opened, closed=None):
        return CaseFactory(
            school=school,
            kind=kind,
            owner=world.senco_a,
            opened_on=opened,
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            closed_on=closed,
            outcome="Resolved" if closed else "",
        )

    world.case = case
    case(a, K.TRIBUNAL_APPEAL, D(2024, 10, 10), D(2025, 3, 1))  # autumn 24 -> spring 25
    case(c, K.SUSPENSION, D(2025, 5, 6))  # summer 25, open
    case(a, K.COMPLAINT, D(2025, 9, 15))  # autumn 25, open
    case(a, K.COMPLAINT, D(2025, 9, 20), D(2025, 10, 1))  # autumn 25, closed
    case(a, K.CHANGE_OF_PLACEMENT, D(2024, 6, 1))  # before the period, open
    case(world.school_b, K.COMPLAINT, D(2025, 9, 15))  # another trust
    world.trust_a_ids = [a.pk, c.pk]
    return world


def test_cases_are_counted_by_kind_and_term(cases_world):
    cw = figures.by_kind(cases_world.trust_a_ids, *figures.casework_period(D(2025, 12, 1)))
    assert cw.terms == ["Autumn 2024", "Spring 2025", "Summer 2025", "Autumn 2025"]
    assert [r.kind for r in cw.rows[:4]] == [
        "tribunal_appeal",
        "change_of_placement",
        "suspension",
        "complaint",
    ]
    tribunal, suspension = cw.row("tribunal_appeal"), cw.row("suspension")
    complaint, placement = cw.row("complaint"), cw.row("change_of_placement")
    assert (tribunal.opened, tribunal.closed, tribunal.open_now) == ([1, 0, 0, 0], [0, 1, 0, 0], 0)
    assert (suspension.opened, suspension.open_now) == ([0, 0, 1, 0], 1)
    assert (complaint.opened, complaint.closed, complaint.open_now) == ([0, 0, 0, 2], [0, 0, 0, 1], 1)
    assert (placement.total_opened, placement.open_now) == (0, 1)
    assert (cw.total_opened, cw.total_closed, cw.open_now) == (4, 2, 3)  # not Trust B's case
    assert cw.opened_by_term == [1, 0, 1, 2]
    text = " ".join(figures.casework_sentences(cw))
    assert "4 cases were opened and 2 closed" in text and "3 are open now" in text


def test_cases_per_trust_for_the_cross_trust_page(cases_world):
    w = cases_world
    ids = [*w.trust_a_ids, w.school_b.pk]
    assert figures.by_trust(ids, *figures.casework_period(D(2025, 12, 1))) == {
        w.trust_a.pk: {"opened": 4, "closed": 2, "open_now": 3},
        w.trust_b.pk: {"opened": 1, "closed": 0, "open_now": 1},
    }


def test_a_case_opened_on_easter_sunday_is_spring_and_on_easter_monday_summer(cases_world):
    for opened in (D(2025, 4, 20), D(2025, 4, 21)):  # Easter Sunday 2025 was 20 April
        cases_world.case(cases_world.school_a, K.SUSPENSION, opened)
    cw = figures.by_kind(cases_world.trust_a_ids, *figures.casework_period(D(2025, 12, 1)))
    assert cw.row("suspension").opened == [0, 1, 2, 0]
    assert cw.opened_by_term == [1, 1, 2, 2]


def test_term_ranges_put_every_day_in_the_term_of_term_key():
    start, end = D(2023, 9, 1), D(2027, 8, 31)
    ranges = figures.term_ranges(start, end)
    assert len(ranges) == 12
    day = start
    for key, first, last in ranges:
        assert first == day  # no gap and no overlap between one term and the next
        while day <= last:
            assert figures.term_key(day) == key, day
            day += dt.timedelta(days=1)
    assert day == end + dt.timedelta(days=1)
    assert figures.term_ranges(D(2025, 10, 2), D(2026, 2, 1)) == [
        ((2025, 0), D(2025, 10, 2), D(2025, 12, 31)),
        ((2025, 1), D(2026, 1, 1), D(2026, 2, 1)),
    ]


def _request(world, la, requested, issued=None, pupil=None, refused=False):
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
    return EHCRequestFactory(
        pupil=pupil, local_authority=la, request_date=requested, owner=world.senco_a, **kw
    )


def test_timeliness_by_la_is_worked_by_hand_from_the_kept_counts(world):
    """The hand-built set of the LA timeliness selector, 13 weeks later so that it falls in
    one financial year (the grain the figure is kept at): the same hand-checked values."""
    essex = LocalAuthorityFactory(code=991, name="Essex")
    thurrock = LocalAuthorityFactory(code=993, name="Thurrock")
    start = D(2025, 4, 7)  # a Monday; every request below is made on it
    # Essex: 14, 20, 26, 40, 50 weeks (98 .. 350 days; the last on 23 March 2026). Within 20
    # weeks: 2 of 5 (day 140 is the deadline itself), 40.0%. Median: the 3rd = 26 weeks.
    # 90th percentile, nearest rank: ceil(0.9 x 5) = 5th -> 50 weeks.
    for w in (14, 20, 26, 40, 50):
        _request(world, essex, start, start + dt.timedelta(weeks=w))
    # Thurrock: 10, 15, 19, 21 weeks (70, 105, 133, 147 days). Median of an even count = mean
    # of the 2nd and 3rd = 119 days = 17.0 weeks; 90th: ceil(3.6) = 4th -> 21. Within: 3 of 4.
    for w in (10, 15, 19, 21):
        _request(world, thurrock, start, start + dt.timedelta(weeks=w))
    _request(world, thurrock, D(2024, 1, 8), D(2024, 5, 1))  # an earlier financial year
    _request(world, essex, D(2025, 5, 5), refused=True)
    # Open: Essex requested 31 July 2025, open on 2 March 2026 (30 weeks): past 20 weeks.
    # Thurrock requested 31 December 2025: 9 weeks, not yet past 20.
    _request(world, essex, D(2025, 7, 31))
    _request(world, thurrock, D(2025, 12, 31))
    _request(
        world,
        essex,
        start,
        start + dt.timedelta(weeks=5),
        pupil=PupilFactory(school=world.school_b, home_local_authority=essex),
    )

    tl = figures.timeliness([world.school_a.pk], D(2025, 4, 1), D(2026, 3, 31), today=D(2026, 3, 2))
    by_la = {r.local_authority_id: r for r in tl.rows}
    e, t = by_la[essex.pk], by_la[thurrock.pk]
    assert (e.plans_issued, e.within_20_weeks, e.within_pct) == (5, 2, Decimal("40.0"))
    assert (e.median_weeks, e.p90_weeks, e.open_past_20_weeks) == (Decimal("26.0"), Decimal("50.0"), 1)
    assert (t.plans_issued, t.within_20_weeks, t.within_pct) == (4, 3, Decimal("75.0"))
    assert (t.median_weeks, t.p90_weeks, t.open_past_20_weeks) == (Decimal("17.0"), Decimal("21.0"), 0)
    # All LAs together from the counts: 9 plans, 5 within; the 5th of 9 sorted days is 140
    # (70 98 105 133 140 147 182 280 350) = 20.0 weeks; 90th: ceil(8.1) = 9th = 50.0 weeks.
    assert (
        tl.total.plans_issued,
        tl.total.within_20_weeks,
        tl.total.median_weeks,
        tl.total.p90_weeks,
        tl.total.open_past_20_weeks,
    ) == (9, 5, Decimal("20.0"), Decimal("50.0"), 1)
    assert tl.label == "Final plans issued within 20 weeks, 1 April 2025 to 31 March 2026"


def test_timeliness_of_the_board_pack_example(world):
    # Requests 6 Jan 2025; final plans after 18, 20 and 30 weeks; one still open.
    essex = LocalAuthorityFactory(code=991, name="Essex")
    for weeks in (18, 20, 30):
        _request(world, essex, D(2025, 1, 6), D(2025, 1, 6) + dt.timedelta(weeks=weeks))
    _request(world, essex, D(2025, 1, 6))
    tl = figures.timeliness([world.school_a.pk], D(2025, 4, 1), D(2025, 12, 1), D(2025, 12, 1))
    [row] = tl.rows
    assert (row.plans_issued, row.within_20_weeks, row.within_pct) == (3, 2, Decimal("66.7"))
    assert (row.median_weeks, row.p90_weeks, row.open_past_20_weeks) == (Decimal("20.0"), Decimal("30.0"), 1)
    text = " ".join(figures.timeliness_sentences(tl, D(2025, 4, 1), D(2025, 12, 1)))
    assert "3 final EHC plans were issued" in text and "2 (66.7%) within the 20-week limit" in text
    assert "Essex 2 of 3 (66.7%, median 20.0 weeks)" in text
    assert "1 request for an assessment is still open after 20 weeks" in text


@pytest.mark.parametrize(
    "values", [[3, 1, 2], [1, 2, 3, 4], [], [7], list(range(1, 21)), [140, 140, 98, 350, 350, 350, 1]]
)
def test_median_and_percentile_from_counts_equal_those_of_the_list(values):
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    assert figures.median_of_counts(counts) == selectors.median(values)
    for p in (10, 50, 90, 100):
        assert figures.percentile_of_counts(counts, p) == selectors.percentile_nearest_rank(values, p)


def test_training_and_the_time_split_hide_other_trusts_from_their_readers(world):
    a, b = world.trust_a, world.trust_b
    gamma = SchoolFactory(trust=a, name="Gamma High", laestab="9999002")
    world.school_a.laestab = "9999001"
    world.school_a.save()
    log = services.activity_log
    log(
        actor=world.hos,
        kind="training",
        date=D(2025, 9, 10),
        hours=Decimal(3),
        trusts=[a],
        school=world.school_a,
        topic="Autism",
        staff_trained=12,
    )
    log(
        actor=world.hos,
        kind="training",
        date=D(2025, 10, 1),
        hours=Decimal(2),
        trusts=[a, b],
        school=gamma,
        topic="SEMH",
        staff_trained=8,
    )
    log(actor=world.hos, kind="school_visit", date=D(2025, 10, 15), hours=Decimal(4), trusts=[b])
    tr = figures.training([a.pk], D(2025, 4, 1), D(2025, 12, 1))
    assert (tr.sessions, tr.hours, tr.staff) == (2, Decimal("5.00"), 20)
    assert [r["school__laestab"] for r in tr.rows] == ["9999001", "9999002"]
    # Both trusts: the shared session is counted once.
    assert figures.training([a.pk, b.pk], D(2025, 4, 1), D(2025, 12, 1)).sessions == 2
    [split] = figures.time_splits([a.pk], [a.pk], D(2025, 12, 1))
    assert [c.label for c in split.columns] == ["Trust A", "Other trusts"]
    # Trust A 3 + 1 = 4 of 9 hours = 44.4%; the others 5 = 55.6%; agreed 50/50 by default.
    assert split.year_to_date.hours == [Decimal("4.00"), Decimal("5.00")]
    assert split.year_to_date.pct == [Decimal("44.4"), Decimal("55.6")]
    assert split.agreed == [Decimal("50.0"), Decimal("50.0")]
    [both] = figures.time_splits([a.pk], [a.pk, b.pk], D(2025, 12, 1))
    assert [c.label for c in both.columns] == ["Trust A", "Trust B"]
    text = " ".join(figures.activity_sentences(tr, [split]))
    assert "2 training sessions (5 hours) reached 20 members of staff in 2 schools" in text
    assert "Trust A 4 hours (44.4%; agreed 50.0%)" in text and "Trust B" not in text


def test_time_split_per_month_and_year_to_date_against_the_agreed_split(world):
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
    [split] = figures.time_splits([a.pk, b.pk], [a.pk, b.pk], D(2025, 10, 20))
    assert [m.label for m in split.months] == ["September 2025", "October 2025"]
    sep, octo = split.months
    assert sep.hours == [Decimal("6"), Decimal("2")] and sep.total == 8
    assert sep.pct == [Decimal("75.0"), Decimal("25.0")]
    assert octo.hours == [Decimal("1.50"), Decimal("5.50")]
    assert split.year_to_date.hours == [Decimal("7.50"), Decimal("7.50")]
    assert split.year_to_date.pct == [Decimal("50.0"), Decimal("50.0")]
    assert split.arrangement == "Equal split (default)"
    arrangement = ActivityArrangement.objects.create(person=world.hos, name="60/40")
    ArrangementShare.objects.create(arrangement=arrangement, trust=a, percent=60)
    ArrangementShare.objects.create(arrangement=arrangement, trust=b, percent=40)
    [split] = figures.time_splits([a.pk, b.pk], [a.pk, b.pk], D(2025, 10, 20))
    assert split.arrangement == "60/40" and split.agreed == [Decimal("60.0"), Decimal("40.0")]


def test_the_school_due_list_puts_the_soonest_first(world):
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
    services.case_open(
        actor=world.senco_b,
        school=world.school_b,
        kind="other",
        title="Elsewhere",
        owner=world.senco_b,
        opened_on=D(2025, 9, 1),
        next_action_due=D(2025, 9, 2),
    )
    undated = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="other",
        title="No date",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
    )
    req = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="parent", request_date=D(2025, 9, 1)
    )
    due = figures.school_due(world.school_a.pk, today, suppress=False)
    assert [i.ref for i in due.next_items] == [f"Case {late.pk}", f"Request {req.pk}"]
    assert due.next_items[0].status.days_late == 6
    assert due.next_items[1].due == D(2025, 10, 13)
    assert due.next_items[0].url == f"/casework/cases/{late.pk}/"
    assert [(k.label, k.count.value, k.overdue.value) for k in due.kinds] == [
        ("Complaint", 1, 1),
        ("EHC needs assessment", 1, 0),
        ("Other", 1, 0),
    ]
    assert (due.total.value, due.overdue.value) == (3, 1)  # the undated case counts too
    assert (
        undated.pk
        and str(figures.school_due(world.school_a.pk, today, suppress=True).total) == "fewer than 5"
    )


# --- The calendar moves the figures with no write -----------------------------------------------


def _no_writes(captured) -> bool:
    return all(q["sql"].lstrip("( ").upper().startswith("SELECT") for q in captured)


def test_overdue_and_due_within_7_days_move_day_by_day_with_no_write(world):
    case = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="Dated",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
        next_action_due=D(2025, 10, 20),
    )
    expected = {
        D(2025, 10, 12): (0, 0),
        D(2025, 10, 13): (0, 1),
        D(2025, 10, 20): (0, 1),
        D(2025, 10, 21): (1, 0),
        D(2025, 11, 30): (1, 0),
    }
    for today, (late, soon) in expected.items():
        with CaptureQueriesContext(connection) as queries:
            due = figures.school_due(world.school_a.pk, today, suppress=False)
        assert _no_writes(queries.captured_queries) and len(queries.captured_queries) == 2
        [kind] = due.kinds
        assert (kind.overdue.value, kind.due_soon.value) == (late, soon), today
        assert due.next_items[0].status == dl.step_status(D(2025, 10, 20), None, today)
    assert case.pk


def test_a_hearing_is_due_next_until_it_is_held(world):
    case = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="tribunal_appeal",
        title="Appeal",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
        decision_letter_date=D(2025, 9, 1),
        hearing_date=D(2025, 10, 6),
        next_action_due=D(2025, 12, 1),
    )
    services.case_update(
        actor=world.senco_a, case=case, next_action_due=D(2025, 12, 1), appeal_lodged_on=D(2025, 9, 20)
    )
    for today, what, due in [
        (D(2025, 10, 5), "Tribunal hearing", D(2025, 10, 6)),
        (D(2025, 10, 6), "Tribunal hearing", D(2025, 10, 6)),
        (D(2025, 10, 7), "Next action", D(2025, 12, 1)),
    ]:
        [item] = figures.school_due(world.school_a.pk, today, suppress=False).next_items
        assert (item.what, item.due) == (what, due), today
        assert figures.school_due(world.school_a.pk, today, suppress=False).total.value == 1
        assert item == oracle_school_due(world.school_a.pk, today, suppress=False).next_items[0]


def test_open_past_20_weeks_moves_day_by_day_with_no_write(world):
    services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=D(2025, 1, 6)
    )
    deadline = dl.final_plan_due(D(2025, 1, 6))  # 26 May 2025
    for today, past in [(deadline, 0), (deadline + dt.timedelta(days=1), 1), (D(2025, 12, 1), 1)]:
        with CaptureQueriesContext(connection) as queries:
            tl = figures.timeliness([world.school_a.pk], *years.financial_year_to_date(today), today)
        assert _no_writes(queries.captured_queries)
        assert tl.total.open_past_20_weeks == past, today


# --- Two queries whatever the number of schools ---------------------------------------------------


def _schools_with_casework(world, n):
    """n schools over both trusts, each with cases, requests, a plan with a review and
    training, made directly and then rebuilt (as the bench set is)."""
    la = world.school_a.local_authority
    schools = [world.school_a, world.school_b] + [
        SchoolFactory(trust=world.trust_a if i % 2 else world.trust_b, local_authority=la)
        for i in range(n - 2)
    ]
    for i, school in enumerate(schools):
        Case.objects.create(
            school=school,
            kind=K.COMPLAINT,
            title="Bulk",
            owner=world.hos,
            opened_on=D(2025, 9, 1),
            next_action_due=D(2025, 10, 1 + i % 20),
        )
        Case.objects.create(
            school=school,
            kind=K.OTHER,
            title="Bulk",
            owner=world.hos,
            opened_on=D(2024, 9, 1),
            status="closed",
            closed_on=D(2025, 1, 2),
            outcome="Done",
        )
        for issued in (D(2025, 6, 1), None):
            pupil = PupilFactory(school=school)
            EHCRequest.objects.create(
                pupil=pupil,
                school=school,
                local_authority=la,
                requested_by="school",
                request_date=D(2025, 1, 6),
                owner=world.hos,
                decision="assess",
                decision_date=D(2025, 2, 1),
                outcome="issued" if issued else "",
                outcome_date=issued,
            )
    figures.rebuild()
    for school in schools[:5]:
        services.activity_log(
            actor=world.hos,
            kind="training",
            date=D(2025, 9, 2),
            hours=Decimal(1),
            trusts=[world.trust_a, world.trust_b],
            school=school,
            topic="Training",
            staff_trained=5,
        )
    return [s.pk for s in schools]


READS = {
    "by_kind": lambda ids, w: figures.by_kind(ids, D(2024, 9, 1), D(2025, 12, 1)),
    "by_trust": lambda ids, w: figures.by_trust(ids, D(2024, 9, 1), D(2025, 12, 1)),
    "school_due": lambda ids, w: figures.school_due(ids[0], D(2025, 10, 5), suppress=True),
    "timeliness": lambda ids, w: figures.timeliness(ids, D(2025, 4, 1), D(2025, 12, 1), D(2025, 12, 1)),
    "training": lambda ids, w: figures.training([w.trust_a.pk, w.trust_b.pk], D(2025, 4, 1), D(2025, 12, 1)),
    "time_splits": lambda ids, w: figures.time_splits(
        [w.trust_a.pk, w.trust_b.pk], [w.trust_a.pk], D(2025, 12, 1)
    ),
}


@pytest.mark.parametrize("schools", [2, 50])
@pytest.mark.parametrize("read", sorted(READS))
def test_each_read_takes_at_most_two_queries(world, django_assert_max_num_queries, read, schools):
    ids = _schools_with_casework(world, schools)
    with django_assert_max_num_queries(2):
        result = READS[read](ids, world)
    if read == "by_kind":
        assert result.total_opened == 2 * schools and result.total_closed == schools
    if read == "timeliness":
        assert (result.total.plans_issued, result.total.open_past_20_weeks) == (schools, schools)


def test_a_plan_made_directly_is_on_the_due_list_with_its_review(world):
    plan = EHCPlanFactory(
        pupil=world.pupil_a, owner=world.senco_a, issue_date=D(2024, 10, 1), phase_transfer_year=2026
    )
    due = figures.school_due(world.school_a.pk, D(2025, 10, 1), suppress=False)
    # The review's steps under the LA's rules (none recorded: 6 and 2 weeks before) come first.
    assert [(i.ref, i.what, i.due) for i in due.next_items] == [
        (f"Plan {plan.pk}", "Request reports for the annual review", D(2025, 8, 20)),
        (f"Plan {plan.pk}", "Circulate reports for the annual review", D(2025, 9, 17)),
        (f"Plan {plan.pk}", "Annual review meeting (12 months)", D(2025, 10, 1)),
        (f"Plan {plan.pk}", "Amended plan for phase transfer", D(2026, 2, 15)),
    ]
    assert [(k.label, k.due_soon.value, k.overdue.value) for k in due.kinds] == [("Annual review", 1, 2)]


def test_the_demo_keeps_its_figures(demo):
    from casework import demo as casework_demo
    from pupils.models import Provision

    for school in School.objects.all():
        if not school.pupils.exists():
            for i in range(8):
                PupilFactory(
                    school=school,
                    year_group="6",
                    provision=Provision.EHC_PLAN if i < 6 else Provision.SEN_SUPPORT,
                )
    casework_demo.seed()
    assert Deadline.objects.exists() and FinalPlanCount.objects.exists()
    assert figures.verify() == []


# --- Rollback -------------------------------------------------------------------------------------


def _summary_state():
    return (
        list(CaseOpenCount.objects.values_list("school_id", "kind", "open_now")),
        list(Deadline.objects.values_list("ref", "due")),
        list(CaseTermCount.objects.values_list("kind", "opened", "closed")),
    )


def test_a_failing_service_rolls_back_its_summary_change_too(world, monkeypatch):
    before, cases = _summary_state(), Case.objects.count()
    real = figures.school_refresh

    def refresh_then_fail(**kwargs):
        real(**kwargs)
        assert Deadline.objects.exists()  # the summary was written inside the service ...
        raise ValidationError("Something after the figures failed.")

    monkeypatch.setattr(figures, "school_refresh", refresh_then_fail)
    with pytest.raises(ValidationError):
        services.case_open(
            actor=world.senco_a,
            school=world.school_a,
            kind="complaint",
            title="Rolled back",
            owner=world.senco_a,
            opened_on=D(2025, 9, 1),
            next_action_due=D(2025, 10, 1),
        )
    assert _summary_state() == before and Case.objects.count() == cases  # ... and undone


@pytest.mark.django_db(transaction=True)
def test_writers_of_the_same_school_at_the_same_time_keep_the_figures_right(world):
    """Each refresh waits for the other's transaction (an advisory lock per school), then
    counts the committed rows: no lost count, no duplicate row."""
    import threading

    from django.db import connections
    from django_scopes import scopes_disabled

    start, errors = threading.Barrier(4), []

    def writer(n):
        try:
            with scopes_disabled():
                start.wait()
                for i in range(3):
                    services.case_open(
                        actor=world.senco_a,
                        school=world.school_a,
                        kind="complaint",
                        title=f"Writer {n}.{i}",
                        owner=world.senco_a,
                        opened_on=D(2025, 9, 1),
                        next_action_due=D(2025, 10, 1 + n),
                    )
        except Exception as e:  # reported below, with the thread's own connection closed
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert CaseOpenCount.objects.get(school=world.school_a).open_now == 12
    assert Deadline.objects.filter(school=world.school_a).count() == 12
    assert figures.verify() == []


def test_verify_names_the_school_the_figure_and_both_values(world):
    services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="Counted",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
    )
    assert figures.verify() == []
    CaseOpenCount.objects.filter(school=world.school_a).update(open_now=5)
    [line] = figures.verify()
    assert line == (
        f"Alpha Primary ({world.school_a.laestab}): complaint cases open now: "
        "stored 5, from the source rows 1."
    )
    assert figures.rebuild([world.school_a.pk]) > 0 and figures.verify() == []


def test_the_kept_due_date_for_comments_is_the_fifteenth_day_counting_the_day_served(world):
    request = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=D(2025, 1, 6)
    )
    for step, day, result in [("decision", D(2025, 2, 3), "assess"), ("draft_plan", D(2025, 3, 1), "")]:
        request = services.ehc_request_record_step(
            actor=world.senco_a, request=request, step=step, date=day, result=result
        )
    rows = Deadline.objects.filter(target_id=request.pk)
    assert D(2025, 3, 15) in set(rows.values_list("due", flat=True))
    # A row kept under the earlier count (served + 15) is found by verify, and rebuilt.
    rows.filter(due=D(2025, 3, 15)).update(due=D(2025, 3, 16))
    [line] = figures.verify()
    assert "16 March 2025" in line or "2025-03-16" in line
    figures.rebuild()
    assert figures.verify() == []
    assert D(2025, 3, 15) in set(rows.values_list("due", flat=True))


def test_rows_made_directly_are_counted_once_rebuilt(world):
    EHCRequest.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        local_authority=world.school_a.local_authority,
        requested_by="school",
        request_date=D(2025, 1, 6),
        owner=world.senco_a,
        decision="assess",
        decision_date=D(2025, 2, 1),
        outcome="issued",
        outcome_date=D(2025, 5, 1),
    )
    [line] = figures.verify()  # the final plan is not counted yet
    assert "final plans issued" in line and "stored no row, from the source rows 1." in line
    assert figures.rebuild() == 1
    assert figures.verify() == []
    assert FinalPlanCount.objects.get().days_taken == 115
    assert figures.rebuild() == 0  # nothing changed: no row is written again


# --- The property test ----------------------------------------------------------------------------

START = D(2024, 9, 1)
LAST = D(2026, 6, 30)  # every date written is between these (never in the future)
CASE_KINDS = [K.COMPLAINT, K.TRIBUNAL_APPEAL, K.SUSPENSION, K.OTHER, K.CHANGE_OF_PLACEMENT]
day = st.integers(0, (LAST - START).days).map(lambda n: START + dt.timedelta(days=n))
# Later dates are drawn as days after the one they follow, so most writes are ones a user
# could make (a refused one is still a write the services must leave without a trace).
offset = st.integers(0, 200)
maybe_offset = st.none() | st.integers(-30, 200)
ops = st.one_of(
    st.tuples(
        st.just("case_open"),
        st.integers(0, 1),
        st.sampled_from(CASE_KINDS),
        day,
        maybe_offset,
        maybe_offset,
        st.integers(1, 20),
    ),
    st.tuples(
        st.just("case_update"),
        st.integers(0, 50),
        st.sampled_from(["open", "waiting"]),
        maybe_offset,
        maybe_offset,
        maybe_offset,
    ),
    st.tuples(st.just("case_close"), st.integers(0, 50), offset),
    st.tuples(
        st.just("request"),
        st.integers(0, 1),
        day,
        st.lists(st.tuples(st.integers(0, 7).map(bool), st.integers(0, 120)), max_size=5),
    ),
    st.tuples(st.just("step"), st.integers(0, 50), st.booleans(), offset, st.booleans()),
    st.tuples(st.just("plan"), st.integers(0, 1), day, st.sampled_from(["R", "5", "6", "11", "13"])),
    # A pupil recorded as E through the register gets a plan record without an issue date;
    # entering it later dates the reviews; moving the pupil off E ceases an untouched record.
    st.tuples(st.just("register_e"), st.integers(0, 1), st.sampled_from(["5", "6", "10", "11"])),
    st.tuples(st.just("complete"), st.integers(0, 50), day),
    st.tuples(st.just("register_k"), st.integers(0, 50)),
    st.tuples(st.just("review"), st.integers(0, 50), st.integers(250, 420)),
    st.tuples(
        st.just("decision"), st.integers(0, 50), st.sampled_from(["maintain", "amend"]), st.integers(0, 60)
    ),
    st.tuples(
        st.just("activity"),
        st.sampled_from(["training", "school_visit", "la_forum"]),
        day,
        st.integers(1, 16),
        st.sampled_from(["a", "b", "ab"]),
        st.integers(0, 1),
    ),
)


def _after(date, days):
    return None if days is None else min(date + dt.timedelta(days=days), LAST)


@dataclass
class Done:
    cases: list
    requests: list
    plans: list
    reviews: list


def _next_step(request, good: bool):
    """The step a user would record next (or, when not `good`, the final outcome at once)."""
    if not request.decision:
        return "decision", "assess" if good else "refuse", request.request_date
    if not good:
        return "outcome", "not_issued", request.decision_date
    if not request.draft_plan_date:
        return "draft_plan", "", request.decision_date
    if not request.parents_comments_date:
        return "parents_comments", "", request.draft_plan_date
    return "outcome", "issued", request.parents_comments_date


def _apply(world, done, op):
    kind, *args = op
    schools = [world.school_a, world.school_b]
    sencos = [world.senco_a, world.senco_b]
    if kind == "case_open":
        i, case_kind, opened, nxt, hearing, days = args
        school, owner = schools[i], sencos[i]
        kw = {"next_action_due": _after(opened, nxt)}
        if case_kind == K.TRIBUNAL_APPEAL:
            kw.update(decision_letter_date=opened, hearing_date=_after(opened, hearing))
        if case_kind == K.SUSPENSION:
            kw.update(pupil=PupilFactory(school=school), suspension_start=opened, suspension_days=days)
        done.cases.append(
            services.case_open(
                actor=owner,
                school=school,
                kind=case_kind,
                title="Property",
                owner=owner,
                opened_on=opened,
                **kw,
            )
        )
    elif kind == "case_update" and done.cases:
        i, status, nxt, lodged, hearing = args
        case = Case.objects.get(pk=done.cases[i % len(done.cases)].pk)
        tribunal = case.kind == K.TRIBUNAL_APPEAL
        services.case_update(
            actor=world.hos,
            case=case,
            status=status,
            next_action_due=_after(case.opened_on, nxt),
            appeal_lodged_on=_after(case.opened_on, lodged) if tribunal else None,
            hearing_date=_after(case.opened_on, hearing) if tribunal else None,
        )
    elif kind == "case_close" and done.cases:
        i, days = args
        case = Case.objects.get(pk=done.cases[i % len(done.cases)].pk)
        services.case_close(
            actor=world.hos, case=case, outcome="Done", closed_on=_after(case.opened_on, days)
        )
    elif kind == "request":  # a request and the steps recorded after it
        i, requested, steps = args
        request = services.ehc_request_create(
            actor=sencos[i],
            pupil=PupilFactory(school=schools[i]),
            requested_by="school",
            request_date=requested,
        )
        done.requests.append(request)
        for good, days in steps:
            request = EHCRequest.objects.get(pk=request.pk)
            if request.closed:
                break
            step, result, last = _next_step(request, good)
            services.ehc_request_record_step(
                actor=world.hos, request=request, step=step, date=_after(last, days), result=result
            )
    elif kind == "step" and done.requests:
        i, good, days, natural = args
        request = EHCRequest.objects.get(pk=done.requests[i % len(done.requests)].pk)
        step, result, last = _next_step(request, good or not natural)
        services.ehc_request_record_step(
            actor=world.hos, request=request, step=step, date=_after(last, days), result=result
        )
    elif kind == "plan":
        i, issued, year_group = args
        done.plans.append(
            services.ehc_plan_create(
                actor=sencos[i],
                pupil=PupilFactory(school=schools[i], year_group=year_group),
                issue_date=issued,
            )
        )
    elif kind == "register_e":
        i, year_group = args
        pupil = PupilFactory(school=schools[i], year_group=year_group)
        pupils_services.pupil_change_register(
            actor=sencos[i], pupil=pupil, provision="E", primary_need="ASD", on=LAST
        )
        done.plans.append(EHCPlan.objects.get(pupil=pupil))
    elif kind == "complete" and done.plans:
        i, issued = args
        plan = EHCPlan.objects.get(pk=done.plans[i % len(done.plans)].pk)
        services.ehc_plan_complete(actor=world.hos, plan=plan, issue_date=issued, today=LAST)
    elif kind == "register_k" and done.plans:
        (i,) = args
        pupil = Pupil.objects.get(pk=done.plans[i % len(done.plans)].pupil_id)
        if pupil.provision == "E":
            pupils_services.pupil_change_register(
                actor=world.hos, pupil=pupil, provision="K", primary_need="ASD", on=LAST
            )
    elif kind == "review" and done.plans:
        i, days = args
        plan = EHCPlan.objects.get(pk=done.plans[i % len(done.plans)].pk)
        last = max(
            [d for d in [plan.issue_date, *plan.reviews.values_list("meeting_date", flat=True)] if d]
            or [START]
        )
        done.reviews.append(
            services.annual_review_record(actor=world.hos, plan=plan, meeting_date=_after(last, days))
        )
    elif kind == "decision" and done.reviews:
        i, decision, days = args
        review = done.reviews[i % len(done.reviews)]
        review.refresh_from_db()
        services.annual_review_record_decision(
            actor=world.hos, review=review, decision=decision, date=_after(review.meeting_date, days)
        )
    elif kind == "activity":
        activity_kind, date, quarters, which, school_index = args
        trusts = {"a": [world.trust_a], "b": [world.trust_b], "ab": [world.trust_a, world.trust_b]}[which]
        school = schools[school_index]
        if activity_kind == "training":  # at a school of the first trust chosen
            school = schools[[world.trust_a.pk, world.trust_b.pk].index(trusts[0].pk)]
        elif activity_kind == "la_forum" or school.trust_id not in {t.pk for t in trusts}:
            school = None
        services.activity_log(
            actor=world.hos,
            kind=activity_kind,
            date=date,
            hours=Decimal(quarters) / 4,
            trusts=trusts,
            school=school,
            topic="Topic",
            staff_trained=quarters if activity_kind == "training" else None,
        )


# Figures that move with the calendar (the due list, open past 20 weeks) are compared on any
# day. Figures kept per term, financial year or month are compared on days that end one (and
# after every write), where the old computation over dates gives the same.
ANY_DAYS = st.lists(day, min_size=2, max_size=4)
AFTER = D(2026, 11, 30)
TERM_ENDS = [D(2025, 4, 20), D(2025, 8, 31), D(2025, 12, 31), D(2026, 4, 5), AFTER]
YEAR_ENDS = [D(2025, 3, 31), D(2026, 3, 31), AFTER]
MONTH_ENDS = [D(2025, 3, 31), D(2025, 8, 31), D(2025, 12, 31), D(2026, 4, 30), AFTER]


def _open_past(rows):
    return {r.local_authority_id: r.open_past_20_weeks for r in rows if r.open_past_20_weeks}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(ops, min_size=10, max_size=35), days=ANY_DAYS)
def test_kept_figures_equal_the_old_computation_after_any_writes(world, steps, days):
    with transaction.atomic():
        done = Done([], [], [], [])
        for op in steps:
            # A write the service refuses changes nothing, figures included.
            # A write the service refuses must change nothing, figures included.
            try:
                _apply(world, done, op)
            except ValidationError:
                event(f"{op[0]} refused")
        assert figures.verify() == []
        event(f"{min(Deadline.objects.count() // 5 * 5, 20)}+ due-list rows kept")
        event(f"{min(FinalPlanCount.objects.count(), 3)}+ final plan counts kept")
        event(f"{min(Case.objects.count() // 5 * 5, 10)}+ cases")
        ids = [world.school_a.pk, world.school_b.pk]
        trusts = [world.trust_a.pk, world.trust_b.pk]
        for today in sorted({*days, *YEAR_ENDS}):
            for school_id in ids:
                for suppress in (True, False):
                    assert _due(figures.school_due(school_id, today, suppress=suppress)) == _due(
                        oracle_school_due(school_id, today, suppress=suppress)
                    ), today
            start = years.financial_year_to_date(today)[0]
            tl = figures.timeliness(ids, start, today, today)
            rows, total = oracle_timeliness(ids, start, today, today)
            assert _open_past(tl.rows) == _open_past(rows), today
            assert tl.total.open_past_20_weeks == total.open_past_20_weeks, today
            if today in YEAR_ENDS:
                assert _la_rows([*tl.rows, tl.total]) == _la_rows([*rows, total]), today
        for end in TERM_ENDS:
            period = figures.casework_period(end)
            assert _kind_rows(figures.by_kind(ids, *period)) == _kind_rows(oracle_by_kind(ids, *period)), end
            assert figures.by_trust(ids, *period) == oracle_by_trust(ids, *period), end
        for end in MONTH_ENDS:
            year = (D(dl.academic_year_start(end), 9, 1), end)
            for trust_ids in ([trusts[0]], trusts):
                mine, old = figures.training(trust_ids, *year), oracle_training(trust_ids, *year)
                assert (mine.rows, mine.sessions, mine.hours, mine.staff) == (
                    old.rows,
                    old.sessions,
                    old.hours,
                    old.staff,
                ), end
                assert figures.time_splits(trust_ids, [trusts[0]], end) == oracle_time_splits(
                    trust_ids, [trusts[0]], end
                ), end
        transaction.set_rollback(True)
