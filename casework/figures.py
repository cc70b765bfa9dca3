"""The casework app's figures: kept in summary rows, read in at most two queries.

Design (DESIGN §5, "Figures are kept, not recomputed"). Every service of casework.services that
writes cases, EHC needs assessment requests, plans, reviews or activity ends by calling
`school_refresh` (or `trust_activity_refresh`) inside its own transaction, so the summary rows
and the rows they count commit or roll back together. A refresh works the school's rows out
again from its source rows (a handful of queries over one school) and writes only the rows
that differ, under a transaction-scoped advisory lock per school so that two writers never
interleave. The pages,
dashboards and board packs read only the summary rows below, so their cost does not grow with
the number of cases, requests, plans or activity entries.

The summary rows (casework.models):

* CaseTermCount: cases opened and closed per (school, kind, academic year, term); CaseOpenCount:
  cases open now per (school, kind).
* Deadline: one row per pending dated item of a school's due list (an open case's next due date,
  or none; a request's next statutory step; a plan's next annual review, an LA decision awaited
  after a review, a phase transfer). Only the due date is stored. "Overdue", "due within 7 days"
  and "the next 8 items" are worked out in the query from the reader's `today`, so they move
  with the calendar with no write on any day. The one date that depends on the day (a tribunal
  hearing is due next only until it is held) is stored as two rows with the days each is shown.
* FinalPlanCount: final plans issued per (school, LA, financial year of the plan, days from the
  request): the 20-week rate, the median and the 90th percentile (nearest rank) of any set of
  schools come from these counts exactly, never from averages of averages. OpenRequestCount:
  requests still open per (school, LA, final plan due date = request + 20 weeks): "open past 20
  weeks" on any day is a sum of the rows due before it.
* TrainingCount: training sessions, hours and staff trained per (set of trusts, school, month);
  ActivityHours: hours per (person, trust, month) for the Head of SEND's time split.

Periods are read at the grain they are kept: cases by term, final plans by financial year,
activity by month. Dates cannot be in the future (the services refuse them), so a period that
ends today, or at the end of a term, year or month, is exact.

`rebuild()` brings every summary row in line with the source rows (after bulk loads: the
demo, the bench set) and `verify()` recomputes them in memory and lists each difference in plain
English: the `rebuild_figures` and `verify_figures` commands are the way to run them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import DecimalField, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Collate
from django_scopes import scopes_disabled

from core import bulk, years
from core.numbers import ONE_PLACE, Count, counted, pct, pct_text
from core.prepared import PreparedRead
from trusts.models import LocalAuthority, Membership, Role, School, Trust, User
from trusts.scoping import scoped_ids

from . import deadlines as dl
from .models import (
    ActivityEntry,
    ActivityHours,
    ActivityShare,
    AnnualReview,
    Case,
    CaseOpenCount,
    CaseTermCount,
    Deadline,
    EHCPlan,
    EHCRequest,
    FinalPlanCount,
    LAReviewRules,
    NamingConsultation,
    OpenRequestCount,
    PublishedTimeliness,
    TrainingCount,
)
from .selectors import (
    ANNUAL_REVIEW,
    DUE_KINDS,
    EHC_REQUEST,
    NAMING_CONSULTATION,
    NOT_ASSIGNED,
    DueItem,
    agreed_shares,
    url_maker,
    weeks,
)

# --- Terms, financial years and periods --------------------------------------------------------

IMPACT_KINDS = (
    Case.Kind.TRIBUNAL_APPEAL,
    Case.Kind.CHANGE_OF_PLACEMENT,
    Case.Kind.SUSPENSION,
    Case.Kind.COMPLAINT,
)
_TERM_ORDER = {dl.Term.AUTUMN: 0, dl.Term.SPRING: 1, dl.Term.SUMMER: 2}


def term_key(day: dt.date) -> tuple[int, int]:
    """(academic year start, 0 autumn / 1 spring / 2 summer) of a day."""
    return dl.academic_year_start(day), _TERM_ORDER[dl.term_of(day)]


def term_ranges(start: dt.date, end: dt.date) -> list[tuple[tuple[int, int], dt.date, dt.date]]:
    """Each term from start's to end's (term_key), with its first and last day between start
    and end: autumn 1 September to 31 December, spring to Easter Sunday, summer to 31 August
    (casework.deadlines.term_of)."""
    out = []
    key, last = term_key(start), term_key(end)
    while key <= last:
        year, index = key
        easter = dl.easter_sunday(year + 1)
        first_day, last_day = (
            (dt.date(year, 9, 1), dt.date(year, 12, 31)),
            (dt.date(year + 1, 1, 1), easter),
            (easter + dt.timedelta(days=1), dt.date(year + 1, 8, 31)),
        )[index]
        out.append((key, max(first_day, start), min(last_day, end)))
        key = (year, index + 1) if index < 2 else (year + 1, 0)
    return out


def term_label(key: tuple[int, int]) -> str:
    year, index = key
    name = ("Autumn", "Spring", "Summer")[index]
    return f"{name} {year if index == 0 else year + 1}"


def casework_period(end: dt.date) -> tuple[dt.date, dt.date]:
    """The previous and the current academic year up to `end`: six terms at most."""
    return dt.date(dl.academic_year_start(end) - 1, 9, 1), end


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- Writes --------------------------------------------------------------------------------------

_SCHOOL_LOCK = 0x43570001  # advisory lock namespaces: (namespace, school id), (namespace, trust id)
_TRUST_LOCK = 0x43570002
SCHOOL_MODELS = (CaseTermCount, CaseOpenCount, Deadline, FinalPlanCount, OpenRequestCount)


def _lock(namespace: int, ids: Iterable[int] | None) -> None:
    """Serialise refreshes of the same school (trust) until the transaction ends: the second
    writer waits, then reads the first one's committed source rows. A rebuild of everything
    (ids None) takes the namespace's key 0 alone; a refresh shares key 0, then takes its ids in
    order, so no two writers wait for each other."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [namespace])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [namespace])
        for pk in sorted(set(ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, pk])


def school_refresh(*, school_id: int) -> None:
    """Write one school's casework figures again from its cases, requests, plans and reviews.
    Called by every casework service that changes them, inside the service's transaction."""
    _refresh_schools([school_id])


def schools_refresh(*, school_ids: Iterable[int]) -> None:
    """school_refresh for several schools at once (the plan records a census import makes),
    in the same number of statements as for one."""
    ids = sorted(set(school_ids))
    if ids:
        _refresh_schools(ids)


def trust_activity_refresh(*, trust_ids: Iterable[int]) -> None:
    """Write the training and hours figures of these trusts again from the activity entries.
    Called by casework.services.activity_log inside its transaction."""
    _refresh_activity(sorted(set(trust_ids)))


# What identifies each summary row, and the figures it holds (compared by verify; a refresh
# writes only the rows that changed, so rows and their ids stay put when nothing did).
KEYS = {
    CaseTermCount: ("school_id", "kind", "academic_year", "term"),
    CaseOpenCount: ("school_id", "kind"),
    Deadline: ("school_id", "ref", "position", "shown_from", "shown_until"),
    FinalPlanCount: ("school_id", "local_authority_id", "financial_year", "days_taken"),
    OpenRequestCount: ("school_id", "local_authority_id", "final_plan_due"),
    TrainingCount: ("trust_key", "school_id", "month"),
    ActivityHours: ("person_id", "trust_id", "month"),
}
VALUES = {
    CaseTermCount: ("opened", "closed"),
    CaseOpenCount: ("open_now",),
    Deadline: ("kind", "what", "due", "owner_id", "case_status", "target", "target_id"),
    FinalPlanCount: ("plans",),
    OpenRequestCount: ("requests",),
    TrainingCount: ("sessions", "hours", "staff"),
    ActivityHours: ("hours",),
}


def _normal(held: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(tuple(sorted(v)) if isinstance(v, list) else v for v in held)


def _key(model: type[models.Model], row: models.Model) -> tuple[Any, ...]:
    return _normal(getattr(row, f) for f in KEYS[model])


def _values(model: type[models.Model], row: models.Model) -> tuple[Any, ...]:
    return tuple(getattr(row, f) for f in VALUES[model])


def _write(model: type[models.Model], existing: models.QuerySet[Any], wanted: Sequence[models.Model]) -> int:
    """Make `existing` (one scope's rows) equal `wanted`: delete the rows no longer wanted,
    update the changed ones, create the new ones. Returns the rows changed or created."""
    want = {_key(model, row): row for row in wanted}
    keys, values = KEYS[model], VALUES[model]
    stale, changed = [], []
    # The rows held are read as plain values: a census import compares thousands of deadlines,
    # and only a changed row needs to become an object.
    for pk, *held in existing.values_list("pk", *keys, *values).order_by():
        new = want.pop(_normal(held[: len(keys)]), None)  # a duplicate key finds None: it goes
        if new is None:
            stale.append(pk)
        elif _values(model, new) != tuple(held[len(keys) :]):
            new.pk = pk
            changed.append(new)
    # _default_manager: each summary model's only manager, its objects.
    if stale:
        model._default_manager.filter(pk__in=stale).delete()
    if changed:
        model._default_manager.bulk_update(
            changed, [model._meta.get_field(f).name for f in values], batch_size=1000
        )
    bulk.insert(model, want.values())
    return len(changed) + len(want)


@transaction.atomic
def _refresh_schools(school_ids: list[int] | None) -> int:
    with scopes_disabled():
        _lock(_SCHOOL_LOCK, school_ids)
        computed = _school_rows(school_ids)
        written = 0
        for model in SCHOOL_MODELS:
            qs: models.QuerySet[Any] = model.objects.all()
            if school_ids is not None:
                qs = qs.filter(school_id__any_of=school_ids)
            written += _write(model, qs, computed[model])
    return written


@transaction.atomic
def _refresh_activity(trust_ids: list[int] | None) -> int:
    with scopes_disabled():
        _lock(_TRUST_LOCK, trust_ids)
        training, hours = _activity_rows(trust_ids)
        old_training, old_hours = TrainingCount.objects.all(), ActivityHours.objects.all()
        if trust_ids is not None:
            old_training = old_training.filter(TrainingCount.any_of(trust_ids))
            old_hours = old_hours.filter(trust_id__in=trust_ids)
        return _write(TrainingCount, old_training, training) + _write(ActivityHours, old_hours, hours)


def rebuild(school_ids: Iterable[int] | None = None) -> int:
    """Write the summary rows again from the source rows: of these schools, or of everything
    (every school and all activity) when None. Returns the number of rows changed or created
    (none when the summary rows already agree with the source rows)."""
    if school_ids is None:
        with transaction.atomic():
            return _refresh_schools(None) + _refresh_activity(None)
    return _refresh_schools(sorted(set(school_ids)))


# --- From source rows to summary rows --------------------------------------------------------------

_Row = TypeVar("_Row", bound=models.Model)


def _source(qs: models.QuerySet[_Row], school_ids: list[int] | None) -> models.QuerySet[_Row]:
    return qs if school_ids is None else qs.filter(school_id__any_of=school_ids)


def _case_row(case: Case, due_next: tuple[str, dt.date] | None, **window: dt.date) -> Deadline:
    what, due = due_next if due_next else ("No date set", None)
    return Deadline(
        school_id=case.school_id,
        kind=case.kind,
        what=what,
        ref=f"Case {case.pk}",
        target=Deadline.Target.CASE,
        target_id=case.pk,
        owner_id=case.owner_id,
        due=due,
        case_status=case.status,
        **window,
    )


def _case_deadlines(case: Case) -> list[Deadline]:
    """An open case's item of the due list. Its date depends on the day only through a
    tribunal hearing, which is due next until it is held: two rows, each with its days."""
    if not case.is_open:
        return []
    if case.hearing_date is None:
        return [_case_row(case, case.due_next(case.opened_on))]
    day_after = case.hearing_date + dt.timedelta(days=1)
    before, after = case.due_next(case.hearing_date), case.due_next(day_after)
    if before == after:
        return [_case_row(case, before)]
    return [
        _case_row(case, before, shown_until=case.hearing_date),
        _case_row(case, after, shown_from=day_after),
    ]


CASE_FIELDS = (
    "pk",
    "school_id",
    "kind",
    "status",
    "opened_on",
    "closed_on",
    "owner_id",
    "next_action_due",
    "decision_letter_date",
    "mediation_certificate_date",
    "appeal_lodged_on",
    "hearing_date",
)
REQUEST_FIELDS = (
    "pk",
    "school_id",
    "local_authority_id",
    "owner_id",
    "request_date",
    "decision",
    "decision_date",
    "draft_plan_date",
    "parents_comments_date",
    "outcome",
    "outcome_date",
)
PLAN_FIELDS = (
    "pk",
    "school_id",
    "owner_id",
    "issue_date",
    "phase_transfer_year",
    "phase_transfer_post_16",
    "amended_plan_issued_on",
    "local_authority_id",
    "next_meeting_on",
    "reports_requested_on",
    "reports_circulated_on",
)
CONSULTATION_FIELDS = (
    "pk",
    "school_id",
    "owner_id",
    "received_on",
    "can_meet_needs",
    "responded_on",
    "outcome",
)


def _school_rows(school_ids: list[int] | None) -> dict[type[models.Model], Sequence[models.Model]]:
    """Every summary row of these schools (None: all), worked out from the source rows in six
    queries whatever the number of schools."""
    terms: dict[tuple[int, str, int, int], list[int]] = defaultdict(lambda: [0, 0])
    open_now: dict[tuple[int, str], int] = defaultdict(int)
    deadlines: list[Deadline] = []
    for values in _source(Case.objects.all(), school_ids).values(*CASE_FIELDS).order_by():
        case = Case(**{("id" if k == "pk" else k): v for k, v in values.items()})
        terms[(case.school_id, case.kind, *term_key(case.opened_on))][0] += 1
        if case.status == Case.Status.CLOSED and case.closed_on:
            terms[(case.school_id, case.kind, *term_key(case.closed_on))][1] += 1
        # A row for every kind the school has cases of (0 when none is open), so readers see
        # the schools and trusts with any case, as a count over the cases would.
        open_now[(case.school_id, case.kind)] += case.is_open
        deadlines += _case_deadlines(case)

    plans: dict[tuple[int, int, int, int], int] = defaultdict(int)
    waiting: dict[tuple[int, int, dt.date], int] = defaultdict(int)
    for values in _source(EHCRequest.objects.all(), school_ids).values(*REQUEST_FIELDS).order_by():
        request = EHCRequest(**{("id" if k == "pk" else k): v for k, v in values.items()})
        # An outcome always has its date (the ehc_outcome_has_date constraint).
        if request.outcome == EHCRequest.Outcome.ISSUED and request.outcome_date is not None:
            days = (request.outcome_date - request.request_date).days
            plans[
                (
                    request.school_id,
                    request.local_authority_id,
                    years.financial_year_start(request.outcome_date),
                    days,
                )
            ] += 1
        if request.outcome or request.decision == EHCRequest.Decision.REFUSE:
            continue
        waiting[(request.school_id, request.local_authority_id, dl.final_plan_due(request.request_date))] += 1
        step = request.next_step(request.request_date)  # pending steps do not depend on today
        if step is not None:
            deadlines.append(
                Deadline(
                    school_id=request.school_id,
                    kind=EHC_REQUEST,
                    what=step.label,
                    ref=f"Request {request.pk}",
                    target=Deadline.Target.REQUEST,
                    target_id=request.pk,
                    owner_id=request.owner_id,
                    due=step.status.due,
                )
            )

    live = _source(EHCPlan.objects.filter(ceased_on__isnull=True), school_ids)
    awaiting: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    for plan_id, held_on, sent in (
        AnnualReview.objects.filter(plan__in=live.values("pk"), la_decision="")
        .order_by("plan_id", "meeting_date")
        .values_list("plan_id", "meeting_date", "report_sent_on")
    ):
        awaiting[plan_id] = (held_on, sent)  # the latest review awaiting a decision
    rules = {r.local_authority_id: r.rules for r in LAReviewRules.objects.all()}
    for p in (
        live.annotate(last_review=Max("reviews__meeting_date")).values(*PLAN_FIELDS, "last_review").order_by()
    ):
        meeting, sent = awaiting.get(p["pk"], (None, None))
        items = dl.plan_due_items(
            issue_date=p["issue_date"],
            last_review=p["last_review"],
            awaiting_decision_since=meeting,
            transfer_year=p["phase_transfer_year"],
            post_16=p["phase_transfer_post_16"],
            amended_on=p["amended_plan_issued_on"],
            rules=rules.get(p["local_authority_id"], dl.DEFAULT_REVIEW_RULES),
            planned_meeting=p["next_meeting_on"],
            requested_on=p["reports_requested_on"],
            circulated_on=p["reports_circulated_on"],
            report_awaited_since=meeting
            if meeting and meeting == p["last_review"] and sent is None
            else None,
        )
        for position, (what, due) in enumerate(items):
            deadlines.append(
                Deadline(
                    school_id=p["school_id"],
                    kind=ANNUAL_REVIEW,
                    what=what,
                    ref=f"Plan {p['pk']}",
                    target=Deadline.Target.PLAN,
                    target_id=p["pk"],
                    owner_id=p["owner_id"],
                    due=due,
                    position=position,
                )
            )

    for c in _source(NamingConsultation.objects.all(), school_ids).values(*CONSULTATION_FIELDS).order_by():
        consultation = NamingConsultation(**{("id" if k == "pk" else k): v for k, v in c.items()})
        if consultation.awaiting_response:
            deadlines.append(
                Deadline(
                    school_id=c["school_id"],
                    kind=NAMING_CONSULTATION,
                    what=consultation.due_what,
                    ref=f"Consultation {c['pk']}",
                    target=Deadline.Target.NAMING,
                    target_id=c["pk"],
                    owner_id=c["owner_id"],
                    due=consultation.response_due,
                )
            )

    return {
        CaseTermCount: [
            CaseTermCount(school_id=s, kind=k, academic_year=y, term=t, opened=o, closed=c)
            for (s, k, y, t), (o, c) in terms.items()
        ],
        CaseOpenCount: [CaseOpenCount(school_id=s, kind=k, open_now=n) for (s, k), n in open_now.items()],
        Deadline: deadlines,
        FinalPlanCount: [
            FinalPlanCount(school_id=s, local_authority_id=la, financial_year=y, days_taken=d, plans=n)
            for (s, la, y, d), n in plans.items()
        ],
        OpenRequestCount: [
            OpenRequestCount(school_id=s, local_authority_id=la, final_plan_due=due, requests=n)
            for (s, la, due), n in waiting.items()
        ],
    }


def _activity_rows(trust_ids: list[int] | None) -> tuple[list[TrainingCount], list[ActivityHours]]:
    """Training and hours rows of these trusts (None: all) from the activity entries with a
    share for any of them: one query."""
    shares = ActivityShare.objects.with_scopes_disabled().all()
    if trust_ids is not None:
        shares = shares.filter(
            entry__in=ActivityShare.objects.with_scopes_disabled()
            .filter(trust_id__in=trust_ids)
            .values("entry_id")
        )
    entries: dict[int, dict[str, Any]] = {}
    hours: dict[tuple[int, int, dt.date], Decimal] = defaultdict(Decimal)
    for entry_id, trust_id, share, person_id, date, kind, school_id, entry_hours, staff in shares.values_list(
        "entry_id",
        "trust_id",
        "hours",
        "entry__person_id",
        "entry__date",
        "entry__kind",
        "entry__school_id",
        "entry__hours",
        "entry__staff_trained",
    ).order_by():
        if trust_ids is None or trust_id in trust_ids:
            hours[(person_id, trust_id, _month(date))] += share
        if kind == ActivityEntry.Kind.TRAINING and school_id is not None:
            entry = entries.setdefault(
                entry_id,
                {
                    "trusts": set(),
                    "school_id": school_id,
                    "month": _month(date),
                    "hours": entry_hours,
                    "staff": staff or 0,
                },
            )
            entry["trusts"].add(trust_id)
    training: dict[tuple[tuple[int, ...], int, dt.date], list[Any]] = defaultdict(lambda: [0, Decimal(0), 0])
    for e in entries.values():
        row = training[(tuple(sorted(e["trusts"])), e["school_id"], e["month"])]
        row[0] += 1
        row[1] += e["hours"]
        row[2] += e["staff"]
    return (
        [
            TrainingCount(
                trust_key=TrainingCount.key_of(t), school_id=s, month=m, sessions=n, hours=h, staff=st
            )
            for (t, s, m), (n, h, st) in training.items()
        ],
        [ActivityHours(person_id=p, trust_id=t, month=m, hours=h) for (p, t, m), h in hours.items()],
    )


# --- Verify ----------------------------------------------------------------------------------------


def _keyed(model: type[models.Model], rows: Iterable[models.Model]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Rows as {what identifies the row: its figures} for comparison."""
    return {_key(model, r): _values(model, r) for r in rows}


def _describe(model: type[models.Model], key: tuple[Any, ...], names: dict[str, dict[int, str]]) -> str:
    school = (
        names["school"].get(key[0], f"school {key[0]}")
        if model not in (TrainingCount, ActivityHours)
        else None
    )
    if model is CaseTermCount:
        return (
            f"{school}: {Case.Kind(key[1]).label.lower()} cases opened and closed in "
            f"{term_label((key[2], key[3]))}"
        )
    if model is CaseOpenCount:
        return f"{school}: {Case.Kind(key[1]).label.lower()} cases open now"
    if model is Deadline:
        window = (
            f" (shown to {key[4]:%-d %B %Y})"
            if key[4]
            else f" (shown from {key[3]:%-d %B %Y})"
            if key[3]
            else ""
        )
        return f"{school}: due list item {key[1]}{window} (kind, what, due date, owner, status, link)"
    if model is FinalPlanCount:
        return (
            f"{school}: final plans issued by {names['la'].get(key[1], key[1])} in the "
            f"financial year {key[2]}-{(key[2] + 1) % 100:02d} after {key[3]} days"
        )
    if model is OpenRequestCount:
        return (
            f"{school}: requests to {names['la'].get(key[1], key[1])} still open with the "
            f"final plan due {key[2]:%-d %B %Y}"
        )
    trusts = ", ".join(
        names["trust"].get(t, str(t))
        for t in ([int(t) for t in key[0].strip(",").split(",")] if model is TrainingCount else (key[1],))
    )
    if model is TrainingCount:
        return (
            f"{trusts}: training at {names['school'].get(key[1], key[1])} in "
            f"{key[2]:%B %Y} (sessions, hours, staff trained)"
        )
    return f"{trusts}: hours of {names['person'].get(key[0], key[0])} in {key[2]:%B %Y}"


def _show(values: tuple[Any, ...] | None) -> str:
    if values is None:
        return "no row"
    return ", ".join("none" if v is None else str(v) for v in values)


def verify() -> list[str]:
    """Recompute every summary row in memory from the source rows and compare it with the
    stored one: one plain-English line per difference (empty when all agree)."""
    with scopes_disabled():
        computed = _school_rows(None)
        computed[TrainingCount], computed[ActivityHours] = _activity_rows(None)
        names = {
            "school": {
                pk: f"{name} ({laestab})"
                for pk, name, laestab in School.objects.values_list("pk", "name", "laestab")
            },
            "la": dict(LocalAuthority.objects.values_list("pk", "name")),
            "trust": dict(Trust.objects.values_list("pk", "name")),
            "person": {
                pk: full_name or email
                for pk, full_name, email in User.objects.values_list("pk", "full_name", "email")
            },
        }
        out = []
        for model, rows in computed.items():
            want, have = _keyed(model, rows), _keyed(model, model._default_manager.all())
            for key in sorted(set(want) | set(have), key=repr):
                if want.get(key) != have.get(key):
                    out.append(
                        f"{_describe(model, key, names)}: stored {_show(have.get(key))}, "
                        f"from the source rows {_show(want.get(key))}."
                    )
    return out


# --- Reads: cases opened and closed ---------------------------------------------------------------


@dataclass
class CaseKindRow:
    kind: str
    label: str
    impact: bool
    opened: list[int]  # per term, in the order of CaseworkByKind.terms
    closed: list[int]
    open_now: int = 0

    @property
    def total_opened(self) -> int:
        return sum(self.opened)

    @property
    def total_closed(self) -> int:
        return sum(self.closed)


@dataclass
class CaseworkByKind:
    start: dt.date
    end: dt.date
    terms: list[str]
    rows: list[CaseKindRow]

    @property
    def opened_by_term(self) -> list[int]:
        return [sum(r.opened[i] for r in self.rows) for i in range(len(self.terms))]

    @property
    def closed_by_term(self) -> list[int]:
        return [sum(r.closed[i] for r in self.rows) for i in range(len(self.terms))]

    @property
    def total_opened(self) -> int:
        return sum(r.total_opened for r in self.rows)

    @property
    def total_closed(self) -> int:
        return sum(r.total_closed for r in self.rows)

    @property
    def open_now(self) -> int:
        return sum(r.open_now for r in self.rows)

    def row(self, kind: str) -> CaseKindRow:
        return next(r for r in self.rows if r.kind == kind)


_NO_TERM = Value(-1, IntegerField())  # marks rows of another kind in one UNION


def _terms_between(first_year: int, first_term: int, last_year: int, last_term: int) -> Q:
    return (Q(academic_year__gt=first_year) | Q(academic_year=first_year, term__gte=first_term)) & (
        Q(academic_year__lt=last_year) | Q(academic_year=last_year, term__lte=last_term)
    )


def _term_bounds(start: dt.date, end: dt.date) -> dict[str, Any]:
    """_terms_between's arguments for the terms from start's to end's."""
    (first_year, first_term), (last_year, last_term) = term_key(start), term_key(end)
    return {
        "first_year": first_year,
        "first_term": first_term,
        "last_year": last_year,
        "last_term": last_term,
    }


def _by_kind_rows(school_ids: list[int], **terms: int) -> models.QuerySet[Any, Any]:
    """by_kind's one query: the counts per term, then the cases open now as rows with no term
    (-1)."""
    per_term = (
        CaseTermCount.objects.with_scope(school=school_ids)
        .filter(_terms_between(**terms))
        .values("kind", "academic_year", "term")
        .annotate(opened_n=Sum("opened"), closed_n=Sum("closed"))
        .order_by()
        .values_list("kind", "academic_year", "term", "opened_n", "closed_n")
    )
    open_now = (
        CaseOpenCount.objects.with_scope(school=school_ids)
        .values("kind")
        .annotate(year=_NO_TERM, term=_NO_TERM, opened_n=Sum("open_now"), closed_n=Value(0, IntegerField()))
        .order_by()
        .values_list("kind", "year", "term", "opened_n", "closed_n")
    )
    return per_term.union(open_now, all=True)


_BY_KIND_ROWS = PreparedRead(_by_kind_rows)


def by_kind(school_ids: Iterable[int], start: dt.date, end: dt.date) -> CaseworkByKind:
    """Cases opened and closed per academic term from start's term to end's, by kind, with the
    impact measures (tribunals, changes of placement, suspensions, complaints) first, and the
    cases open now. One query whatever the number of schools or cases."""
    terms = term_ranges(start, end)
    index = {key: i for i, (key, _, _) in enumerate(terms)}
    kinds = sorted(
        Case.Kind.choices,
        key=lambda c: (c[0] not in IMPACT_KINDS, IMPACT_KINDS.index(c[0]) if c[0] in IMPACT_KINDS else 0),
    )
    rows = {
        value: CaseKindRow(value, label, value in IMPACT_KINDS, [0] * len(terms), [0] * len(terms))
        for value, label in kinds
    }
    found = _BY_KIND_ROWS.rows(school_ids=scoped_ids(school_ids), **_term_bounds(start, end))
    for kind, year, term, opened, closed in found:
        if kind not in rows:
            continue
        if term == -1:
            rows[kind].open_now = opened
        elif (i := index.get((year, term))) is not None:
            rows[kind].opened[i] += opened
            rows[kind].closed[i] += closed
    return CaseworkByKind(start, end, [term_label(key) for key, _, _ in terms], list(rows.values()))


def _by_trust_rows(with_terms: bool, school_ids: list[int], **terms: int) -> models.QuerySet[Any, Any]:
    """by_trust's one query: cases open now per trust, then (`with_terms`) the cases opened
    and closed in the terms."""
    open_now = (
        CaseOpenCount.objects.with_scope(school=school_ids)
        .values("school__trust_id")
        .annotate(
            n=Sum("open_now"),
            o=Value(0, IntegerField()),
            c=Value(0, IntegerField()),
            is_open=Value(1, IntegerField()),
        )
        .order_by()
        .values_list("school__trust_id", "n", "o", "c", "is_open")
    )
    if not with_terms:
        return open_now
    per_term = (
        CaseTermCount.objects.with_scope(school=school_ids)
        .filter(_terms_between(**terms))
        .values("school__trust_id")
        .annotate(
            n=Value(0, IntegerField()), o=Sum("opened"), c=Sum("closed"), is_open=Value(0, IntegerField())
        )
        .order_by()
        .values_list("school__trust_id", "n", "o", "c", "is_open")
    )
    return open_now.union(per_term, all=True)


_BY_TRUST_ROWS = PreparedRead(_by_trust_rows)


def by_trust(school_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """Per trust with any case: cases opened and closed in the terms from start's to end's, and
    open now. One query."""
    out: dict[int, dict[str, int]] = {}
    with_terms = term_key(start) <= term_key(end)
    found = _BY_TRUST_ROWS.rows(
        shape=(with_terms,),
        school_ids=scoped_ids(school_ids),
        **(_term_bounds(start, end) if with_terms else {}),
    )
    for trust_id, n, opened, closed, is_open in found:
        row = out.setdefault(trust_id, {"opened": 0, "closed": 0, "open_now": 0})
        if is_open:
            row["open_now"] = n or 0
        else:
            row["opened"], row["closed"] = opened, closed
    return out


# --- Reads: what is due in a school -----------------------------------------------------------------


@dataclass
class DueKind:
    label: str
    count: Count
    overdue: Count
    due_soon: Count


@dataclass
class SchoolCasework:
    kinds: list[DueKind]
    next_items: list[DueItem]  # no pupil names in them
    total: Count
    overdue: Count


NEXT_DUE_ITEMS = 8
KIND_LABELS = dict(DUE_KINDS)
CASE_STATUS_LABELS = dict(Case.Status.choices)
# What a due-list row is, without names or dates (the summary rows keep neither).
_TARGET_ABOUT: dict[str, Callable[[str], str]] = {
    Deadline.Target.CASE: lambda kind: f"{kind} case",
    Deadline.Target.REQUEST: lambda kind: "EHC needs assessment request",
    Deadline.Target.PLAN: lambda kind: "EHC plan",
    Deadline.Target.NAMING: lambda kind: "Consultation on naming the school",
}
_TARGET_URLS: dict[str, str] = {
    Deadline.Target.CASE: "casework:case_detail",
    Deadline.Target.REQUEST: "casework:ehc_request_detail",
    Deadline.Target.PLAN: "casework:plan_detail",
    Deadline.Target.NAMING: "casework:consultation_detail",
}


def _byte_order(name: str) -> Collate | F:
    """Order text by bytes, as Python sorts the due list: PostgreSQL's "C" collation; SQLite
    (the embedded demo) has no "C" and compares bytes by default."""
    return Collate(name, "C") if connection.vendor == "postgresql" else F(name)


def shown_on(today: dt.date) -> Q:
    """The due-list rows that apply on `today` (see Deadline: a hearing's two rows)."""
    return (Q(shown_from__isnull=True) | Q(shown_from__lte=today)) & (
        Q(shown_until__isnull=True) | Q(shown_until__gte=today)
    )


def school_due(school_id: int, today: dt.date, *, suppress: bool) -> SchoolCasework:
    """Open cases and pending statutory steps of one school counted by kind (overdue: the due
    date has passed; due soon: today or within 7 days), and the next dated items. Two queries,
    both worked out from `today`: nothing is written as the days pass."""
    rows = Deadline.objects.filter(shown_on(today), school_id=school_id)
    soon = today + dt.timedelta(days=dl.DUE_SOON_DAYS)
    counts = {
        KIND_LABELS.get(kind, kind): (n, late, due_soon)
        for kind, n, late, due_soon in rows.values("kind")
        .annotate(
            n=models.Count("pk"),
            late=models.Count("pk", filter=Q(due__lt=today)),
            due_soon=models.Count("pk", filter=Q(due__gte=today, due__lte=soon)),
        )
        .order_by()
        .values_list("kind", "n", "late", "due_soon")
    }
    urls = {target: url_maker(name) for target, name in _TARGET_URLS.items()}
    items = []
    for r in (
        rows.filter(due__isnull=False)
        .order_by("due", _byte_order("ref"), "position")  # the due list's order
        .values(
            "due",
            "what",
            "kind",
            "ref",
            "target",
            "target_id",
            "school_id",
            "school__name",
            "owner_id",
            "owner__full_name",
            "owner__email",
            "case_status",
        )[:NEXT_DUE_ITEMS]
    ):
        due = r["due"]
        assert due is not None  # due__isnull=False above
        items.append(
            DueItem(
                due=due,
                what=r["what"],
                kind=r["kind"],
                kind_label=KIND_LABELS.get(r["kind"], r["kind"]),
                ref=r["ref"],
                url=urls[r["target"]](r["target_id"]),
                school_id=r["school_id"],
                school_name=r["school__name"],
                owner_id=r["owner_id"],
                owner_name=r["owner__full_name"] or r["owner__email"] or NOT_ASSIGNED,
                status=dl.step_status(due, None, today),
                case_status=CASE_STATUS_LABELS.get(r["case_status"], ""),
                about=_TARGET_ABOUT[r["target"]](KIND_LABELS.get(r["kind"], r["kind"])),
            )
        )
    return SchoolCasework(
        kinds=[
            DueKind(label, Count.of(n, suppress), Count.of(late, suppress), Count.of(due_soon, suppress))
            for label, (n, late, due_soon) in sorted(counts.items())
        ],
        next_items=items,
        total=Count.of(sum(c[0] for c in counts.values()), suppress),
        overdue=Count.of(sum(c[1] for c in counts.values()), suppress),
    )


@dataclass
class DueCount:
    """Records (cases, requests or plans) with a pending step overdue or due within 7 days."""

    due: int = 0  # overdue or due within 7 days
    overdue: int = 0


@dataclass
class DueCounts:
    plans: DueCount = field(default_factory=DueCount)
    cases: DueCount = field(default_factory=DueCount)
    requests: DueCount = field(default_factory=DueCount)
    consultations: DueCount = field(default_factory=DueCount)


def due_counts(school_ids: Iterable[int], today: dt.date) -> DueCounts:
    """For the SENCO's home page: how many plans, open cases, assessment requests and naming
    consultations of these
    schools have a step overdue or due within 7 days (each record counted once, whatever the
    number of its steps). One query over the due-list rows."""
    soon = today + dt.timedelta(days=dl.DUE_SOON_DAYS)
    counts = {}
    for target in Deadline.Target.values:
        mine = Q(target=target)
        counts[f"{target}_due"] = models.Count("target_id", distinct=True, filter=mine & Q(due__lte=soon))
        counts[f"{target}_late"] = models.Count("target_id", distinct=True, filter=mine & Q(due__lt=today))
    got = Deadline.objects.filter(shown_on(today), school_id__in=list(school_ids), due__lte=soon).aggregate(
        **counts
    )
    return DueCounts(
        **{
            name: DueCount(got[f"{target}_due"], got[f"{target}_late"])
            for name, target in (
                ("plans", Deadline.Target.PLAN),
                ("cases", Deadline.Target.CASE),
                ("requests", Deadline.Target.REQUEST),
                ("consultations", Deadline.Target.NAMING),
            )
        }
    )


# --- Reads: EHC needs assessment timeliness -------------------------------------------------------


def _value_at_rank(pairs: list[tuple[int, int]], rank: int) -> int:
    """The rank-th smallest value (1-based) of values given as sorted (value, how many)."""
    seen = 0
    for value, n in pairs:
        seen += n
        if seen >= rank:
            return value
    raise ValueError("rank beyond the counts")


def median_of_counts(counts: dict[int, int]) -> Decimal | None:
    """The exact median of values given as {value: how many} (casework.selectors.median)."""
    n = sum(counts.values())
    if not n:
        return None
    pairs = sorted(counts.items())
    if n % 2:
        return Decimal(_value_at_rank(pairs, n // 2 + 1))
    return (Decimal(_value_at_rank(pairs, n // 2)) + Decimal(_value_at_rank(pairs, n // 2 + 1))) / 2


def percentile_of_counts(counts: dict[int, int], p: int) -> Decimal | None:
    """Nearest rank: the value at rank ceil(p/100 x n) in ascending order
    (casework.selectors.percentile_nearest_rank)."""
    n = sum(counts.values())
    if not n:
        return None
    return Decimal(_value_at_rank(sorted(counts.items()), max(1, math.ceil(p * n / 100))))


WITHIN_DAYS = dl.FINAL_PLAN_WEEKS * 7  # a plan issued on the deadline day is within 20 weeks


@dataclass
class LATimeliness:
    local_authority_id: int
    local_authority: str
    plans_issued: int = 0
    within_20_weeks: int = 0
    median_weeks: Decimal | None = None
    p90_weeks: Decimal | None = None
    open_past_20_weeks: int = 0
    days_taken: dict[int, int] = field(default_factory=dict, repr=False)  # days: plans
    # The LA's own published rate (new plans within 20 weeks, every plan counted) for its
    # latest published calendar year, from PublishedTimeliness; None where none is kept.
    published_pct: Decimal | None = None
    published_year: int | None = None

    @property
    def within_pct(self) -> Decimal | None:
        return pct(self.within_20_weeks, self.plans_issued)

    def add(self, days: int, plans: int) -> None:
        self.plans_issued += plans
        self.within_20_weeks += plans if days <= WITHIN_DAYS else 0
        self.days_taken[days] = self.days_taken.get(days, 0) + plans

    def finish(self) -> None:
        self.median_weeks = weeks(median_of_counts(self.days_taken))
        self.p90_weeks = weeks(percentile_of_counts(self.days_taken, 90))


def timeliness_label(start: dt.date, end: dt.date) -> str:
    """The one label of the 20-week rate, with its period, wherever it is shown."""
    return f"Final plans issued within 20 weeks, {start:%-d %B %Y} to {end:%-d %B %Y}"


@dataclass
class Timeliness:
    rows: list[LATimeliness]  # one per LA, by name
    total: LATimeliness  # every LA together
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def label(self) -> str:
        return timeliness_label(self.start, self.end) if self.start and self.end else ""


_PUBLISHED = -2  # marks the rows of an LA's published rate in timeliness's UNION
# Typed, so that PostgreSQL can match the UNION's columns.
_NO_PCT = Cast(Value(None), DecimalField(max_digits=4, decimal_places=1))
_NO_YEAR = Cast(Value(None), IntegerField())


def _timeliness_rows(
    school_ids: list[int], first_year: int, last_year: int, today: dt.date
) -> models.QuerySet[Any, Any]:
    """timeliness's one query, rows of (LA, LA name, days, how many, published %, its year):
    final plans issued per LA and days taken; requests open past 20 weeks, as rows with no
    days taken (-1); and each LA's latest published rate (_PUBLISHED), which rides along in
    the same round trip because the dashboards have a fixed query budget. The rate is looked
    up once per LA, not once per row of the counts."""
    columns = ("local_authority_id", "local_authority__name")
    issued = (
        FinalPlanCount.objects.with_scope(school=school_ids)
        .filter(financial_year__gte=first_year, financial_year__lte=last_year)
        .values(*columns, "days_taken")
        .annotate(n=Sum("plans"), pub_pct=_NO_PCT, pub_year=_NO_YEAR)
        .order_by()
        .values_list(*columns, "days_taken", "n", "pub_pct", "pub_year")
    )
    still_open = (
        OpenRequestCount.objects.with_scope(school=school_ids)
        .filter(final_plan_due__lt=today)
        .values(*columns)
        .annotate(days=_NO_TERM, n=Sum("requests"), pub_pct=_NO_PCT, pub_year=_NO_YEAR)
        .order_by()
        .values_list(*columns, "days", "n", "pub_pct", "pub_year")
    )
    latest = PublishedTimeliness.objects.filter(la_code=OuterRef("code")).order_by("-year")
    published = (
        LocalAuthority.objects.annotate(
            pub_pct=Subquery(latest.values("within_20_weeks_pct")[:1]),
            pub_year=Subquery(latest.values("year")[:1]),
        )
        .filter(pub_year__isnull=False)
        .annotate(days=Value(_PUBLISHED, IntegerField()), n=Value(0, IntegerField()))
        .order_by()
        .values_list("pk", "name", "days", "n", "pub_pct", "pub_year")
    )
    all_rows: models.QuerySet[Any, Any] = issued.union(still_open, published, all=True)
    return all_rows


_TIMELINESS_ROWS = PreparedRead(_timeliness_rows)


def timeliness(school_ids: Iterable[int], start: dt.date, end: dt.date, today: dt.date) -> Timeliness:
    """Per LA and for all LAs together: final plans issued in the financial years from start's
    to end's (the dashboards pass the financial year to date) for requests from these schools,
    how many within 20 weeks of the request, the median and 90th percentile (nearest rank) of
    weeks taken, and requests still open past 20 weeks on `today`. One query."""
    rows: dict[int, LATimeliness] = {}
    total = LATimeliness(0, "All local authorities")
    found = _TIMELINESS_ROWS.rows(
        school_ids=scoped_ids(school_ids),
        first_year=years.financial_year_start(start),
        last_year=years.financial_year_start(end),
        today=today,
    )
    published = {}
    for la_id, la_name, days, n, pub_pct, pub_year in found:
        if days == _PUBLISHED:
            published[la_id] = (pub_pct, pub_year)
            continue
        row = rows.setdefault(la_id, LATimeliness(la_id, la_name))
        if days == -1:
            row.open_past_20_weeks += n
            total.open_past_20_weeks += n
        else:
            row.add(days, n)
            total.add(days, n)
    for la_id, row in rows.items():
        row.published_pct, row.published_year = published.get(la_id, (None, None))
    for row in [*rows.values(), total]:
        row.finish()
    return Timeliness(sorted(rows.values(), key=lambda r: r.local_authority), total, start, end)


# --- Reads: training and the Head of SEND's time ----------------------------------------------------


@dataclass
class Training:
    rows: list[dict[str, Any]]  # school_id, school__name, school__laestab, sessions, hours, staff
    sessions: int
    hours: Decimal
    staff: int


def _training_rows(trust_pattern: str, first_month: dt.date, end: dt.date) -> models.QuerySet[Any, Any]:
    # The pattern of TrainingCount.any_of, as one parameter.
    return (
        TrainingCount.objects.filter(trust_key__regex=trust_pattern, month__gte=first_month, month__lte=end)
        .values("school_id", "school__name", "school__laestab")
        .annotate(hours=Sum("hours"), staff=Sum("staff"), sessions=Sum("sessions"))
        .order_by("school__name", "school__laestab")
    )


_TRAINING_ROWS = PreparedRead(_training_rows)


def training(trust_ids: Iterable[int], start: dt.date, end: dt.date) -> Training:
    """Training delivered per school in the months from start's to end's, logged for any of
    these trusts (an entry for several of them counted once). One query."""
    wanted = set(trust_ids)
    rows = (
        _TRAINING_ROWS.rows(
            trust_pattern=TrainingCount.pattern_of(wanted), first_month=_month(start), end=end
        )
        if wanted
        else []
    )
    return Training(
        rows,
        sum(r["sessions"] for r in rows),
        sum((r["hours"] or Decimal(0) for r in rows), Decimal(0)),
        sum(r["staff"] or 0 for r in rows),
    )


@dataclass
class SplitColumn:
    label: str
    trust_id: int | None  # None: the other trusts together (not visible to the reader)


@dataclass
class SplitLine:
    label: str
    hours: list[Decimal]
    total: Decimal
    pct: list[Decimal | None]


@dataclass
class TimeSplit:
    person: str
    arrangement: str
    columns: list[SplitColumn]
    agreed: list[Decimal | None]
    months: list[SplitLine]
    year_to_date: SplitLine
    academic_year: str


def _line(
    label: str, hours: dict[int, Decimal], columns: list[SplitColumn], hidden: list[int], trusts: list[int]
) -> SplitLine:
    total = sum((hours.get(t, Decimal(0)) for t in trusts), Decimal(0))
    values = [
        hours.get(c.trust_id, Decimal(0))
        if c.trust_id is not None
        else sum((hours.get(t, Decimal(0)) for t in hidden), Decimal(0))
        for c in columns
    ]
    return SplitLine(label, values, total, [pct(h, total) for h in values])


def _heads_of_send(trust_ids: list[int]) -> models.QuerySet[Any, Any]:
    """Each Head of SEND of any of these trusts, with every trust they work for and their
    agreed shares (a row per trust and share)."""
    return (
        Membership.objects.filter(role=Role.HEAD_OF_SEND, trust__isnull=False)
        .filter(user__memberships__role=Role.HEAD_OF_SEND, user__memberships__trust_id__any_of=trust_ids)
        # People by name and their trusts by name, in the database's collation as before.
        .order_by("user__full_name", "user__email", "user_id", "trust__name", "trust_id")
        .distinct()
        .values_list(
            "user_id",
            "user__full_name",
            "user__email",
            "trust_id",
            "trust__name",
            "user__activity_arrangement__name",
            "user__activity_arrangement__shares__trust_id",
            "user__activity_arrangement__shares__percent",
        )
    )


def _activity_hours(person_ids: list[int], start: dt.date, end: dt.date) -> models.QuerySet[Any, Any]:
    return ActivityHours.objects.filter(
        person_id__any_of=person_ids, month__gte=start, month__lte=end
    ).values_list("person_id", "trust_id", "month", "hours")


_HEADS_OF_SEND = PreparedRead(_heads_of_send)
_ACTIVITY_HOURS = PreparedRead(_activity_hours)


def time_splits(
    trust_ids: Iterable[int], visible_trust_ids: Iterable[int], today: dt.date
) -> list[TimeSplit]:
    """How the time of each Head of SEND of these trusts is split between the trusts they work
    for this academic year, month by month and to date, against the agreed split. Trusts the
    reader may not see are added together as "Other trusts" and never named. Two queries: the
    people with their trusts and agreed shares, then their hours per trust and month."""
    wanted, visible = set(trust_ids), set(visible_trust_ids)
    people: dict[int, dict[str, Any]] = {}
    for row in _HEADS_OF_SEND.rows(trust_ids=sorted(wanted)):
        user_id, full_name, email, trust_id, trust_name, arrangement, share_trust, share = row
        p = people.setdefault(
            user_id, {"name": full_name or email, "trusts": {}, "arrangement": arrangement, "shares": {}}
        )
        p["trusts"][trust_id] = trust_name
        if share_trust is not None:
            p["shares"][share_trust] = share
    if not people:
        return []
    year = dl.academic_year_start(today)
    start, end = years.academic_year_bounds(year)
    end = min(end, today)
    hours: dict[int, dict[dt.date, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for person_id, trust_id, month, h in _ACTIVITY_HOURS.rows(person_ids=list(people), start=start, end=end):
        if trust_id in people[person_id]["trusts"]:
            hours[person_id][month][trust_id] = h
    out = []
    for person_id, p in people.items():
        trusts = list(p["trusts"])
        shares = {t: v for t, v in p["shares"].items() if t in p["trusts"]}
        arrangement, agreed = agreed_shares(p["arrangement"], shares, trusts)
        shown = [t for t in trusts if t in visible]
        hidden = [t for t in trusts if t not in visible]
        columns = [SplitColumn(p["trusts"][t], t) for t in shown]
        if hidden:
            columns.append(SplitColumn("Other trusts", None))
        months: list[SplitLine] = []
        ytd: dict[int, Decimal] = defaultdict(Decimal)
        m = start
        while m <= end:
            row = hours[person_id].get(m, {})
            months.append(_line(f"{m:%B %Y}", row, columns, hidden, trusts))
            for t, h in row.items():
                ytd[t] += h
            m = dl.add_months(m, 1)
        out.append(
            TimeSplit(
                person=p["name"],
                arrangement=arrangement,
                columns=columns,
                agreed=[
                    (
                        agreed.get(c.trust_id, Decimal(0))
                        if c.trust_id is not None
                        else sum((agreed.get(t, Decimal(0)) for t in hidden), Decimal(0))
                    ).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
                    for c in columns
                ],
                months=months,
                year_to_date=_line("Year to date", ytd, columns, hidden, trusts),
                academic_year=dl.academic_year_label(year),
            )
        )
    return out


# --- Sentences -------------------------------------------------------------------------------------


def timeliness_sentences(timeliness: Timeliness, start: dt.date, end: dt.date) -> list[str]:
    t = timeliness.total
    period = f"between {start:%-d %B %Y} and {end:%-d %B %Y}"
    if not t.plans_issued:
        out = [f"No final EHC plan was issued {period} for a request from these schools."]
    else:
        per_la = "; ".join(
            f"{r.local_authority} {r.within_20_weeks} of {r.plans_issued} ({pct_text(r.within_pct)}"
            f", median {r.median_weeks} weeks)"
            for r in timeliness.rows
            if r.plans_issued
        )
        out = [
            f"{counted(t.plans_issued, 'final EHC plan')} {'was' if t.plans_issued == 1 else 'were'} "
            f"issued {period}; {t.within_20_weeks:,} ({pct_text(t.within_pct)}) within the "
            f"20-week limit, median {t.median_weeks} weeks: {per_la}."
        ]
    if t.open_past_20_weeks:
        out.append(
            f"{counted(t.open_past_20_weeks, 'request')} for an assessment "
            f"{'is' if t.open_past_20_weeks == 1 else 'are'} still open after 20 weeks."
        )
    return out


def casework_sentences(casework: CaseworkByKind) -> list[str]:
    if not casework.total_opened and not casework.total_closed and not casework.open_now:
        return ["No cases were recorded for these schools."]
    impact = "; ".join(
        f"{r.label.lower()}s {r.total_opened:,} opened, {r.total_closed:,} closed"
        for r in casework.rows
        if r.impact
    )
    out = [
        f"Since {casework.start:%-d %B %Y}, {counted(casework.total_opened, 'case')} "
        f"{'was' if casework.total_opened == 1 else 'were'} opened and "
        f"{casework.total_closed:,} closed ({impact}); {casework.open_now:,} "
        f"{'is' if casework.open_now == 1 else 'are'} open now."
    ]
    opened = casework.opened_by_term
    if len(opened) >= 2:
        a, b = opened[-2], opened[-1]
        trend = "more than" if b > a else ("fewer than" if b < a else "the same as")
        out.append(
            f"{casework.terms[-1]} so far: {counted(b, 'case')} opened, {trend} the "
            f"{a:,} of {casework.terms[-2]}."
        )
    return out


def activity_sentences(training: Training, splits: list[TimeSplit]) -> list[str]:
    out = []
    if training.sessions:
        out.append(
            f"{counted(training.sessions, 'training session')} ({training.hours.normalize():f} "
            f"hours) reached {counted(training.staff, 'member', 'members')} of staff in "
            f"{counted(len(training.rows), 'school')}."
        )
    else:
        out.append("No training was recorded in the period.")
    for split in splits:
        ytd = split.year_to_date
        parts = ", ".join(
            f"{c.label} {h.normalize():f} hours ({pct_text(p)}; agreed {pct_text(a)})"
            for c, h, p, a in zip(split.columns, ytd.hours, ytd.pct, split.agreed, strict=True)
        )
        out.append(
            f"{split.person} logged {ytd.total.normalize():f} hours in "
            f"{split.academic_year} so far: {parts}; the agreed split is "
            f'"{split.arrangement}".'
            if ytd.total
            else f"{split.person} has logged no hours in {split.academic_year} yet."
        )
    return out
