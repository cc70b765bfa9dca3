"""Reads of the casework app. Each takes school ids or trust ids already authorised by the
caller (a view asks trusts.access; a task acts on every school) and returns plain data, with a
fixed number of queries whatever the number of rows. Dashboards and board packs read these."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django_scopes import scope

from core.numbers import ONE_PLACE, pct
from core.years import academic_year_bounds, academic_year_first_day
from support import selectors as support_selectors
from trusts import audit
from trusts.models import School, Trust, User

from . import deadlines as dl
from .models import (
    ActivityArrangement,
    ActivityCorrection,
    ActivityEntry,
    ActivityShare,
    AnnualReview,
    ArrangementShare,
    Case,
    EHCPlan,
    EHCRequest,
    LAReviewRules,
    NamingConsultation,
)

if TYPE_CHECKING:
    from trusts.handover import WorkItem

ONE_DP = ONE_PLACE


# --- Due list --------------------------------------------------------------------------------

EHC_REQUEST = "ehc_request"
ANNUAL_REVIEW = "annual_review"
SUPPORT_PLAN_REVIEW = "support_plan_review"
NAMING_CONSULTATION = "naming_consultation"
DUE_KINDS = [
    *Case.Kind.choices,
    (EHC_REQUEST, "EHC needs assessment"),
    (ANNUAL_REVIEW, "Annual review"),
    (SUPPORT_PLAN_REVIEW, "SEN support plan review"),
    (NAMING_CONSULTATION, "Consultation on naming the school"),
]


@dataclass
class DueItem:
    due: dt.date | None
    what: str
    kind: str
    kind_label: str
    ref: str  # a stable key for ordering and tests ("Case 12"), never shown
    url: str
    school_id: int
    school_name: str
    owner_id: int | None
    owner_name: str
    status: dl.StepStatus | None = None
    case_status: str = ""
    # Display text, not part of what an item is (the kept figures' rows and the source rows
    # give the same items; only the source rows know dates and names).
    # What the record is, in words and without names: "Complaint opened 3 Mar 2026".
    about: str = field(default="", compare=False)
    # The pupil's name (or, for a case without a pupil, its title): for readers who may see
    # pupils' names only; views blank it for the others (see without_names).
    name: str = field(default="", compare=False)
    # The school's trust, filled in by the lists that show it (with_trusts).
    trust_id: int | None = field(default=None, compare=False)
    trust_name: str = field(default="", compare=False)

    @property
    def sort_key(self) -> tuple[bool, dt.date, str]:
        return (self.due is None, self.due or dt.date.max, self.ref)

    @property
    def urgent(self) -> bool:
        return self.status is not None and self.status.state in (dl.State.DUE, dl.State.LATE)


NOT_ASSIGNED = "Not assigned"


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def _name(forename: str | None, surname: str | None) -> str:
    return f"{forename} {surname}" if forename or surname else ""


def case_about(kind_label: str, opened_on: dt.date | None) -> str:
    return f"{kind_label} opened {_day(opened_on)}" if opened_on else f"{kind_label} case"


def request_about(request_date: dt.date | None) -> str:
    return (
        f"EHC needs assessment requested {_day(request_date)}"
        if request_date
        else "EHC needs assessment request"
    )


def plan_about(issue_date: dt.date | None) -> str:
    return f"EHC plan issued {_day(issue_date)}" if issue_date else "EHC plan (issue date not recorded)"


def consultation_about(la_name: str, received_on: dt.date | None) -> str:
    return f"{la_name} consultation received {_day(received_on)}"


def support_plan_about(starts_on: dt.date | None) -> str:
    return f"SEN support plan from {_day(starts_on)}" if starts_on else "SEN support plan"


def with_trusts(items: list[DueItem], schools: Iterable[School]) -> list[DueItem]:
    """Put each item's trust on it from the reader's schools (their trusts already joined):
    no query."""
    trusts = {s.pk: (s.trust_id, s.trust.name) for s in schools}
    for item in items:
        item.trust_id, item.trust_name = trusts.get(item.school_id, (None, ""))
    return items


def without_names(items: list[DueItem], named_school_ids: Iterable[int]) -> list[DueItem]:
    """Blank the pupil names (and case titles) of items in schools where the reader may not
    see pupils' names."""
    named = set(named_school_ids)
    for item in items:
        if item.school_id not in named:
            item.name = ""
    return items


# The fields a row of a case list needs (loading whole users and schools costs more).
CASE_ROW_FIELDS = (
    "pk",
    "kind",
    "status",
    "title",
    "opened_on",
    "school__name",
    "owner__full_name",
    "owner__email",
    "pupil__forename",
    "pupil__surname",
    "next_action_due",
    "decision_letter_date",
    "mediation_certificate_date",
    "appeal_lodged_on",
    "hearing_date",
)


def url_maker(name: str) -> Callable[[int], str]:
    """reverse() once per list, not once per row: url_maker("casework:case_detail")(12)."""
    base = reverse(name, args=[0])
    head, tail = base.rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


def _case_item(case: Case, today: dt.date, url: Callable[[int], str] | None = None) -> DueItem:
    nxt = case.due_next(today)
    due = nxt[1] if nxt else None
    status = dl.step_status(due, None, today) if due else None
    pupil = case.pupil if case.pupil_id else None
    return DueItem(
        due=due,
        what=nxt[0] if nxt else "No date set",
        kind=case.kind,
        kind_label=case.get_kind_display(),
        ref=f"Case {case.pk}",
        url=(url or url_maker("casework:case_detail"))(case.pk),
        school_id=case.school_id,
        school_name=case.school.name,
        owner_id=case.owner_id,
        owner_name=str(case.owner),
        status=status,
        case_status=case.get_status_display(),
        about=case_about(case.get_kind_display(), case.opened_on),
        name=pupil.full_name if pupil else case.title,
    )


# Due within this many days, or overdue: "due" in the filters and on the home page.
SOON = "soon"
OVERDUE = "overdue"
WEEK = "week"
UNDATED = "undated"
DUE_FILTERS = [
    ("", "Any date"),
    (OVERDUE, "Overdue"),
    (WEEK, f"Due within {dl.DUE_SOON_DAYS} days (not overdue)"),
    (SOON, f"Overdue or due within {dl.DUE_SOON_DAYS} days"),
    (UNDATED, "No date set"),
]


class _Dated(Protocol):
    @property
    def due(self) -> dt.date | None: ...


_D = TypeVar("_D", bound=_Dated)


def is_overdue(item: _Dated, today: dt.date) -> bool:
    return item.due is not None and item.due < today


def is_due_this_week(item: _Dated, today: dt.date) -> bool:
    """Due from today to DUE_SOON_DAYS ahead (not overdue)."""
    return item.due is not None and today <= item.due <= today + dt.timedelta(days=dl.DUE_SOON_DAYS)


def due_filter(items: list[_D], due: str, today: dt.date) -> list[_D]:
    """The items overdue (OVERDUE), due within 7 days and not overdue (WEEK), either (SOON),
    or without a date (UNDATED)."""
    if due == OVERDUE:
        return [i for i in items if is_overdue(i, today)]
    if due == WEEK:
        return [i for i in items if is_due_this_week(i, today)]
    if due == SOON:
        return [i for i in items if is_overdue(i, today) or is_due_this_week(i, today)]
    if due == UNDATED:
        return [i for i in items if i.due is None]
    return items


def due_list(
    *,
    school_ids: Iterable[int],
    today: dt.date,
    school_id: int | None = None,
    kind: str = "",
    owner_id: int | None = None,
    within_days: int | None = None,
    due: str = "",
) -> list[DueItem]:
    """Every open case and every pending statutory step (EHC assessment steps, next annual
    review, LA decision after a review, phase transfer) and the review of every current SEN
    support plan in these schools, earliest due first (open cases and plan records without a
    date last). Five queries."""
    ids = set(school_ids)
    if school_id is not None:
        ids &= {school_id}
    items: list[DueItem] = []
    owner_q = Q(owner_id=owner_id) if owner_id else Q()
    if kind in ("", *Case.Kind.values):
        cases = (
            Case.objects.filter(owner_q, school_id__in=ids)
            .exclude(status=Case.Status.CLOSED)
            .select_related("school", "owner", "pupil")
            .only(*CASE_ROW_FIELDS)
        )
        if kind:
            cases = cases.filter(kind=kind)
        case_url = url_maker("casework:case_detail")
        items += [_case_item(c, today, case_url) for c in cases]
    if kind in ("", EHC_REQUEST):
        requests = (
            EHCRequest.objects.filter(owner_q, school_id__in=ids, outcome="")
            .exclude(decision=EHCRequest.Decision.REFUSE)
            .select_related("school", "owner", "pupil")
            .only(
                "pk",
                "school__name",
                "owner__full_name",
                "owner__email",
                "pupil__forename",
                "pupil__surname",
                "request_date",
                "decision",
                "decision_date",
                "draft_plan_date",
                "parents_comments_date",
                "outcome",
                "outcome_date",
            )
        )
        request_url = url_maker("casework:ehc_request_detail")
        for r in requests:
            step = r.next_step(today)
            if step is None:
                continue
            items.append(
                DueItem(
                    due=step.status.due,
                    what=step.label,
                    kind=EHC_REQUEST,
                    kind_label="EHC needs assessment",
                    ref=f"Request {r.pk}",
                    url=request_url(r.pk),
                    school_id=r.school_id,
                    school_name=r.school.name,
                    owner_id=r.owner_id,
                    owner_name=str(r.owner),
                    status=step.status,
                    about=request_about(r.request_date),
                    name=r.pupil.full_name,
                )
            )
    if kind in ("", ANNUAL_REVIEW):
        for row in annual_reviews(school_ids=ids, today=today, owner_id=owner_id):
            for what, status in row.pending:
                items.append(
                    DueItem(
                        due=status.due if status else None,
                        what=what,
                        kind=ANNUAL_REVIEW,
                        kind_label="Annual review",
                        ref=f"Plan {row.plan_id}",
                        url=row.url,
                        school_id=row.school_id,
                        school_name=row.school_name,
                        owner_id=row.owner_id,
                        owner_name=row.owner_name,
                        status=status,
                        about=plan_about(row.issue_date),
                        name=row.pupil_name,
                    )
                )
    if kind in ("", NAMING_CONSULTATION):
        consultation_url = url_maker("casework:consultation_detail")
        for c in (
            NamingConsultation.objects.filter(owner_q, school_id__in=ids, responded_on__isnull=True)
            .exclude(outcome=NamingConsultation.Outcome.WITHDRAWN)
            .select_related("school", "owner", "pupil", "local_authority")
        ):
            items.append(
                DueItem(
                    due=c.response_due,
                    what=c.due_what,
                    kind=NAMING_CONSULTATION,
                    kind_label="Consultation on naming the school",
                    ref=f"Consultation {c.pk}",
                    url=consultation_url(c.pk),
                    school_id=c.school_id,
                    school_name=c.school.name,
                    owner_id=c.owner_id,
                    owner_name=str(c.owner),
                    status=dl.step_status(c.response_due, None, today),
                    about=consultation_about(c.local_authority.name, c.received_on),
                    name=c.child_name,
                )
            )
    if kind in ("", SUPPORT_PLAN_REVIEW):
        support_url = url_maker("support:plan_detail")
        items += [
            DueItem(
                due=r.due,
                what="SEN support plan review",
                kind=SUPPORT_PLAN_REVIEW,
                kind_label="SEN support plan review",
                ref=f"Support plan {r.plan_id}",
                url=support_url(r.plan_id),
                school_id=r.school_id,
                school_name=r.school_name,
                owner_id=r.owner_id,
                owner_name=r.owner_name,
                status=dl.step_status(r.due, None, today),
                about=support_plan_about(r.starts_on),
                name=r.pupil_name,
            )
            for r in support_selectors.reviews_due(school_ids=ids, owner_id=owner_id)
        ]
    if within_days is not None:
        horizon = today + dt.timedelta(days=within_days)
        items = [i for i in items if i.due is not None and i.due <= horizon]
    return sorted(due_filter(items, due, today), key=lambda i: i.sort_key)


def due_items_by_owner(*, today: dt.date) -> dict[int, list[DueItem]]:
    """What each owner has due within 7 days or overdue, across every school (for the daily
    digest; the caller runs with scopes disabled)."""
    school_ids = School.objects.values_list("pk", flat=True)
    out: dict[int, list[DueItem]] = defaultdict(list)
    for item in due_list(school_ids=list(school_ids), today=today, within_days=dl.DUE_SOON_DAYS):
        if item.owner_id is not None:
            out[item.owner_id].append(item)
    return dict(out)


# --- EHC needs assessment requests ----------------------------------------------------------

REQUEST_SHOW = [
    ("", "Open requests"),
    (OVERDUE, "A step overdue"),
    (WEEK, f"A step due within {dl.DUE_SOON_DAYS} days"),
    ("closed", "Closed"),
    ("all", "All requests"),
]


@dataclass
class RequestRow:
    """One EHC needs assessment request in the requests list (the pupil's name blanked by
    the view for readers who may not see pupils')."""

    pk: int
    url: str
    school_id: int
    school_name: str
    local_authority: str
    request_date: dt.date
    owner_name: str
    closed: bool
    result: str  # "Final plan issued", "Refused to assess"... for a closed request
    step: str  # the next step's label ("" when none is pending)
    due: dt.date | None  # the next step's due date
    status: dl.StepStatus | None
    final_plan_due: dt.date
    name: str = ""
    trust_id: int | None = None
    trust_name: str = ""

    @property
    def about(self) -> str:
        return request_about(self.request_date)


def ehc_requests(
    *, school_ids: Iterable[int], today: dt.date, school_id: int | None = None, show: str = ""
) -> list[RequestRow]:
    """The EHC needs assessment requests of these schools with their next statutory step.
    `show`: "" open ones, OVERDUE or WEEK (open, the next step overdue or due within 7 days),
    "closed", "all". One query."""
    ids = set(school_ids)
    if school_id is not None:
        ids &= {school_id}
    qs = (
        EHCRequest.objects.filter(school_id__in=ids)
        .select_related("school", "owner", "pupil", "local_authority")
        .only(
            "pk",
            "school__name",
            "owner__full_name",
            "owner__email",
            "pupil__forename",
            "pupil__surname",
            "local_authority__name",
            "request_date",
            "decision",
            "decision_date",
            "draft_plan_date",
            "parents_comments_date",
            "outcome",
            "outcome_date",
        )
    )
    url = url_maker("casework:ehc_request_detail")
    rows = []
    for r in qs:
        step = None if r.closed else r.next_step(today)
        rows.append(
            RequestRow(
                pk=r.pk,
                url=url(r.pk),
                school_id=r.school_id,
                school_name=r.school.name,
                local_authority=r.local_authority.name,
                request_date=r.request_date,
                owner_name=str(r.owner),
                closed=r.closed,
                result=(
                    r.get_outcome_display() if r.outcome else r.get_decision_display() if r.closed else ""
                ),
                step=step.label if step else "",
                due=step.status.due if step else None,
                status=step.status if step else None,
                final_plan_due=r.final_plan_due,
                name=r.pupil.full_name,
            )
        )
    if show == "all":
        return rows
    if show == "closed":
        return [r for r in rows if r.closed]
    rows = [r for r in rows if not r.closed]
    if show == OVERDUE:
        return [r for r in rows if is_overdue(r, today)]
    if show == WEEK:
        return [r for r in rows if is_due_this_week(r, today)]
    return rows


# --- Annual reviews --------------------------------------------------------------------------


@dataclass
class PlanReviewRow:
    plan_id: int
    pupil_id: int
    school_id: int
    school_name: str
    local_authority: str
    owner_id: int | None
    owner_name: str
    issue_date: dt.date | None  # None: a record made from the register, details to complete
    last_review: dt.date | None
    next_review: dl.StepStatus | None  # None while neither the issue nor a review is known
    decision: dl.StepStatus | None  # the LA's decision after the latest review, if awaited
    phase_transfer: dl.StepStatus | None
    url: str
    pupil_name: str = ""
    year_group: str = ""
    made_from_register: bool = False
    # The steps of the next review under the LA's rules, and the report of the last review to
    # the LA while it is awaited.
    preparation: list[tuple[str, dl.StepStatus]] = field(default_factory=list)
    report_to_la: dl.StepStatus | None = None

    @property
    def details_to_complete(self) -> bool:
        return self.issue_date is None

    @property
    def about(self) -> str:
        return plan_about(self.issue_date)

    @property
    def pending(self) -> list[tuple[str, dl.StepStatus | None]]:
        out: list[tuple[str, dl.StepStatus | None]] = [
            (dl.REVIEW_MEETING, self.next_review) if self.next_review else (dl.REVIEW_DATE_UNKNOWN, None)
        ]
        if self.decision and self.decision.pending:
            out.append((dl.REVIEW_DECISION, self.decision))
        if self.phase_transfer and self.phase_transfer.pending:
            out.append((dl.PHASE_TRANSFER, self.phase_transfer))
        out += [(what, status) for what, status in self.preparation if status.pending]
        if self.report_to_la and self.report_to_la.pending:
            out.append((dl.REPORT_TO_LA, self.report_to_la))
        return out

    def due_within(self, horizon: dt.date) -> bool:
        return any(s is not None and s.due <= horizon for _, s in self.pending)


REVIEW_SHOW = [
    ("", "All plans"),
    (SOON, "A step overdue or due within 7 days"),
    (OVERDUE, "A step overdue"),
    ("to_complete", "Details to complete"),
]


def annual_reviews(
    *,
    school_ids: Iterable[int],
    today: dt.date,
    owner_id: int | None = None,
    school_id: int | None = None,
    show: str = "",
) -> list[PlanReviewRow]:
    """Live plans with the next review due (12 months after issue or the last review), any LA
    decision awaited and the phase transfer deadline; soonest review first, plan records with
    details to complete (no issue date, so no review date) last, each with the steps of its next
    review under its LA's rules (casework.deadlines.plan_due_items). `show`: SOON (a step
    overdue or due within 7 days), OVERDUE, "to_complete" (the issue date not recorded). Three
    queries."""
    ids = set(school_ids)
    if school_id is not None:
        ids &= {school_id}
    plan_qs = EHCPlan.objects.filter(school_id__in=ids, ceased_on__isnull=True).filter(
        Q(owner_id=owner_id) if owner_id else Q()
    )
    if show == "to_complete":
        plan_qs = plan_qs.filter(issue_date__isnull=True)
    plans = list(
        plan_qs.annotate(last_review=Max("reviews__meeting_date")).values(
            "pk",
            "pupil_id",
            "school_id",
            "school__name",
            "local_authority__name",
            "owner_id",
            "owner__full_name",
            "owner__email",
            "issue_date",
            "last_review",
            "phase_transfer_year",
            "phase_transfer_post_16",
            "amended_plan_issued_on",
            "pupil__forename",
            "pupil__surname",
            "pupil__year_group",
            "made_from_register",
            "local_authority_id",
            "next_meeting_on",
            "reports_requested_on",
            "reports_circulated_on",
        )
    )
    audit.pupils_read(p["pupil_id"] for p in plans)  # their names are read as values
    awaiting: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    for plan_id, held_on, sent in (
        AnnualReview.objects.filter(plan__in=[p["pk"] for p in plans], la_decision="")
        .order_by("plan_id", "meeting_date")
        .values_list("plan_id", "meeting_date", "report_sent_on")
    ):
        awaiting[plan_id] = (held_on, sent)  # the latest review awaiting a decision
    la_rules = (
        {
            r.local_authority_id: r.rules
            for r in LAReviewRules.objects.filter(
                local_authority_id__in={p["local_authority_id"] for p in plans}
            )
        }
        if plans
        else {}
    )
    plan_url = url_maker("casework:plan_detail")
    rows = []
    for p in plans:
        meeting, sent = awaiting.get(p["pk"], (None, None))
        rules = la_rules.get(p["local_authority_id"], dl.DEFAULT_REVIEW_RULES)
        transfer = None
        if p["phase_transfer_year"]:
            transfer = dl.step_status(
                dl.phase_transfer_due(p["phase_transfer_year"], post_16=p["phase_transfer_post_16"]),
                p["amended_plan_issued_on"],
                today,
            )
        start = p["last_review"] or p["issue_date"]
        review_on = p["next_meeting_on"] or (dl.annual_review_due(start) if start else None)
        preparation = (
            [
                (what, dl.step_status(due, done, today))
                for what, due, done in dl.review_preparation_items(
                    meeting=review_on,
                    rules=rules,
                    requested_on=p["reports_requested_on"],
                    circulated_on=p["reports_circulated_on"],
                )
            ]
            if review_on
            else []
        )
        report = (
            dl.step_status(dl.review_report_due(meeting, rules.report_days), None, today)
            if meeting and meeting == p["last_review"] and sent is None
            else None
        )
        rows.append(
            PlanReviewRow(
                plan_id=p["pk"],
                pupil_id=p["pupil_id"],
                school_id=p["school_id"],
                school_name=p["school__name"],
                local_authority=p["local_authority__name"],
                owner_id=p["owner_id"],
                owner_name=p["owner__full_name"] or p["owner__email"] or NOT_ASSIGNED,
                issue_date=p["issue_date"],
                last_review=p["last_review"],
                next_review=dl.step_status(dl.annual_review_due(start), None, today) if start else None,
                decision=dl.step_status(dl.review_decision_due(meeting), None, today) if meeting else None,
                phase_transfer=transfer,
                url=plan_url(p["pk"]),
                pupil_name=_name(p["pupil__forename"], p["pupil__surname"]),
                year_group=p["pupil__year_group"] or "",
                made_from_register=p["made_from_register"],
                preparation=preparation,
                report_to_la=report,
            )
        )
    if show == SOON:
        rows = [r for r in rows if r.due_within(today + dt.timedelta(days=dl.DUE_SOON_DAYS))]
    elif show == OVERDUE:
        rows = [r for r in rows if r.due_within(today - dt.timedelta(days=1))]
    return sorted(
        rows,
        key=lambda r: (r.next_review is None, r.next_review.due if r.next_review else dt.date.max, r.plan_id),
    )


# --- One pupil's records (the pupil page) -------------------------------------------------------


def pupil_plans(*, pupil_id: int) -> list[EHCPlan]:
    """The pupil's EHC plan records, live first then newest, with their reviews (two queries)."""
    return list(
        EHCPlan.objects.filter(pupil_id=pupil_id)
        .select_related("local_authority")
        .prefetch_related(Prefetch("reviews", queryset=AnnualReview.objects.order_by("meeting_date")))
        .order_by(F("ceased_on").desc(nulls_first=True), F("issue_date").desc(nulls_first=True), "-pk")
    )


def pupil_requests(*, pupil_id: int) -> list[EHCRequest]:
    """The pupil's EHC needs assessment requests, newest first (one query)."""
    return list(
        EHCRequest.objects.filter(pupil_id=pupil_id)
        .select_related("local_authority")
        .order_by("-request_date", "-pk")
    )


def pupil_cases(*, pupil_id: int) -> list[Case]:
    """The pupil's cases, open ones first, newest first (one query)."""
    return sorted(
        Case.objects.filter(pupil_id=pupil_id).order_by("-opened_on", "-pk"), key=lambda c: not c.is_open
    )


def plans_to_complete(*, school_ids: Iterable[int]) -> int:
    """Live plan records of these schools whose issue date is not recorded yet (one query)."""
    return EHCPlan.objects.filter(
        school_id__in=list(school_ids), ceased_on__isnull=True, issue_date__isnull=True
    ).count()


# --- Cases -----------------------------------------------------------------------------------


def cases(
    *,
    school_ids: Iterable[int],
    owner_id: int | None = None,
    school_id: int | None = None,
    kind: str = "",
    open_only: bool = True,
) -> QuerySet[Case]:
    qs = (
        Case.objects.filter(school_id__in=list(school_ids))
        .select_related("school", "owner", "pupil")
        .only(*CASE_ROW_FIELDS)
    )
    if open_only:
        qs = qs.exclude(status=Case.Status.CLOSED)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if school_id:
        qs = qs.filter(school_id=school_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def case_owners(*, school_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(cases_owned__school_id__in=list(school_ids))
        .distinct()
        .order_by("full_name", "email")
    )


# --- Suspensions -----------------------------------------------------------------------------

TERM_LIMIT = 15  # governors must meet when a pupil passes 15 days in a term
YEAR_LIMIT = 45  # at most 45 school days in an academic year
YEAR_NEAR = 40  # flagged as nearing the limit from here


@dataclass
class SuspensionTotal:
    pupil_id: int
    academic_year: int
    year_days: int = 0
    terms: dict[str, int] = field(default_factory=dict)

    @property
    def year_label(self) -> str:
        return dl.academic_year_label(self.academic_year)

    @property
    def terms_over_15(self) -> list[str]:
        return [t for t, n in self.terms.items() if n > TERM_LIMIT]

    @property
    def over_year_limit(self) -> bool:
        return self.year_days > YEAR_LIMIT

    @property
    def near_year_limit(self) -> bool:
        return YEAR_NEAR <= self.year_days <= YEAR_LIMIT

    @property
    def flags(self) -> list[str]:
        out = [f"Over {TERM_LIMIT} days in the {t} term: governors must meet" for t in self.terms_over_15]
        if self.over_year_limit:
            out.append(f"Over the {YEAR_LIMIT}-day limit for the year")
        elif self.near_year_limit:
            out.append(f"Near the {YEAR_LIMIT}-day limit for the year")
        return out


def suspension_totals(*, pupil_ids: Iterable[int]) -> dict[int, list[SuspensionTotal]]:
    """School days of suspension per pupil, per academic year and term (by the first day of
    each suspension), latest year first. One query."""
    totals: dict[tuple[int, int], SuspensionTotal] = {}
    for pupil_id, start, days in Case.objects.filter(
        kind=Case.Kind.SUSPENSION, pupil_id__in=list(pupil_ids), suspension_start__isnull=False
    ).values_list("pupil_id", "suspension_start", "suspension_days"):
        assert start is not None  # suspension_start__isnull=False above
        year = dl.academic_year_start(start)
        total = totals.setdefault((pupil_id, year), SuspensionTotal(pupil_id, year))
        total.year_days += days or 0
        term = dl.term_of(start).value
        total.terms[term] = total.terms.get(term, 0) + (days or 0)
    out: dict[int, list[SuspensionTotal]] = defaultdict(list)
    for (pupil_id, _), total in sorted(totals.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        out[pupil_id].append(total)
    return dict(out)


def suspensions_this_year(*, school_ids: Iterable[int], today: dt.date) -> list[dict[str, Any]]:
    """Pupils of these schools suspended this academic year, with their running totals and
    flags, most days first; each with the id of their latest suspension case. Two queries."""
    start = academic_year_first_day(today)
    latest: dict[int, tuple[Any, ...]] = {}
    for pupil_id, case_id, first_day, forename, surname in (
        Case.objects.filter(
            kind=Case.Kind.SUSPENSION, school_id__in=list(school_ids), suspension_start__gte=start
        )
        .order_by("suspension_start", "pk")
        .values_list("pupil_id", "pk", "suspension_start", "pupil__forename", "pupil__surname")
    ):
        latest[pupil_id] = (case_id, first_day, _name(forename, surname))
    audit.pupils_read(latest)  # their names are read as values
    totals = suspension_totals(pupil_ids=list(latest))
    rows = []
    for pupil_id, (case_id, first_day, name) in latest.items():
        this_year = next(
            (t for t in totals.get(pupil_id, []) if t.academic_year == dl.academic_year_start(today)), None
        )
        if this_year is not None:
            rows.append(
                {
                    "pupil_id": pupil_id,
                    "case_id": case_id,
                    "total": this_year,
                    "start": first_day,
                    "pupil_name": name,
                }
            )
    return sorted(rows, key=lambda r: (-r["total"].year_days, r["pupil_id"]))


# --- LA timeliness ---------------------------------------------------------------------------


def median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    if len(s) % 2:
        return Decimal(s[mid])
    return (Decimal(s[mid - 1]) + Decimal(s[mid])) / 2


def percentile_nearest_rank(values: list[int], p: int) -> Decimal | None:
    """Nearest-rank method: the smallest value with at least p% of the values at or below it,
    i.e. the value at rank ceil(p/100 x n) in ascending order (1-based)."""
    if not values:
        return None
    s = sorted(values)
    rank = max(1, math.ceil(p * len(s) / 100))
    return Decimal(s[rank - 1])


def weeks(days: Decimal | None) -> Decimal | None:
    return None if days is None else (days / 7).quantize(ONE_DP, rounding=ROUND_HALF_UP)


@dataclass
class LATimeliness:
    local_authority_id: int
    local_authority: str
    plans_issued: int = 0
    within_20_weeks: int = 0
    median_weeks: Decimal | None = None
    p90_weeks: Decimal | None = None
    open_past_20_weeks: int = 0
    days_taken: list[int] = field(default_factory=list, repr=False)

    @property
    def within_pct(self) -> Decimal | None:
        return pct(self.within_20_weeks, self.plans_issued)


def la_timeliness(
    *, school_ids: Iterable[int], start: dt.date, end: dt.date, today: dt.date
) -> list[LATimeliness]:
    """Per LA: final plans issued between start and end (inclusive) for requests from these
    schools, how many within 20 weeks of the request, median and 90th percentile (nearest
    rank) of weeks taken (days / 7, half-up to 0.1), and requests still open past 20 weeks
    today (no final outcome, not refused, request date + 20 weeks before today). Two queries."""
    ids = list(school_ids)
    rows: dict[int, LATimeliness] = {}
    for la_id, la_name, requested, issued in EHCRequest.objects.filter(
        school_id__in=ids,
        outcome=EHCRequest.Outcome.ISSUED,
        outcome_date__gte=start,
        outcome_date__lte=end,
    ).values_list("local_authority_id", "local_authority__name", "request_date", "outcome_date"):
        row = rows.setdefault(la_id, LATimeliness(la_id, la_name))
        assert issued is not None  # outcome_date__gte above
        row.plans_issued += 1
        row.days_taken.append((issued - requested).days)
        if issued <= dl.final_plan_due(requested):
            row.within_20_weeks += 1
    cutoff = today - dt.timedelta(weeks=dl.FINAL_PLAN_WEEKS)
    for la_id, la_name in (
        EHCRequest.objects.filter(school_id__in=ids, outcome="", request_date__lt=cutoff)
        .exclude(decision=EHCRequest.Decision.REFUSE)
        .values_list("local_authority_id", "local_authority__name")
    ):
        rows.setdefault(la_id, LATimeliness(la_id, la_name)).open_past_20_weeks += 1
    for row in rows.values():
        row.median_weeks = weeks(median(row.days_taken))
        row.p90_weeks = weeks(percentile_nearest_rank(row.days_taken, 90))
    return sorted(rows.values(), key=lambda r: r.local_authority)


# --- Head of SEND activity -------------------------------------------------------------------
# Activity is scoped on trusts (see models): these selectors open the trust scope themselves
# with the ids the caller got from access.trust_ids_for(user, LOG_ACTIVITY).


def activity_people(*, trust_ids: Iterable[int]) -> list[User]:
    """The people who logged entries for these trusts, by name (one query)."""
    with scope(trust=sorted(trust_ids)):
        entries = ActivityEntry.objects.values("person_id")
        return list(User.objects.filter(pk__in=entries).order_by("full_name", "email"))


def activity_entries(
    *,
    trust_ids: Iterable[int],
    start: dt.date,
    end: dt.date,
    trust_id: int | None = None,
    school_id: int | None = None,
    kind: str = "",
    person_id: int | None = None,
) -> list[dict[str, Any]]:
    """The entries of these trusts dated from start to end, each with the names of its trusts
    and whether it was corrected; `trust_id` narrows to one of them (none if it is not one of
    them), `school_id`, `kind` and `person_id` (who logged it) filter. Three queries."""
    readable = sorted(trust_ids)
    ids = readable if trust_id is None else [t for t in readable if t == trust_id]
    with scope(trust=ids):
        qs = ActivityEntry.objects.filter(date__gte=start, date__lte=end)
        if school_id is not None:
            qs = qs.filter(school_id=school_id)
        if kind:
            qs = qs.filter(kind=kind)
        if person_id is not None:
            qs = qs.filter(person_id=person_id)
        entries = list(qs.select_related("school", "person").distinct().order_by("-date", "-pk"))
        entry_ids = [e.pk for e in entries]
        shares = defaultdict(list)
        # Every trust of the entry the reader may see is named, those outside the filter too.
        for entry_id, trust_name in (
            ActivityShare.objects.with_scope(trust=readable)
            .filter(entry__in=entry_ids)
            .values_list("entry_id", "trust__name")
        ):
            shares[entry_id].append(trust_name)
        corrected = set(
            ActivityCorrection.objects.with_scopes_disabled()
            .filter(entry__in=entry_ids)
            .values_list("entry_id", flat=True)
        )
    return [{"entry": e, "trusts": sorted(shares[e.pk]), "corrected": e.pk in corrected} for e in entries]


ACTIVITY_FIELDS = [
    ("kind", "Kind"),
    ("date", "Date"),
    ("hours", "Hours"),
    ("trusts", "Trusts"),
    ("school", "School"),
    ("topic", "Topic"),
    ("staff_trained", "Staff trained"),
    ("notes", "Notes"),
]


def _activity_text(name: str, value: Any) -> str:
    """A value kept in an entry's history, as the page shows it."""
    if value in (None, "", []):
        return "–"
    if name == "kind":
        return ActivityEntry.Kind(value).label if value in ActivityEntry.Kind.values else value
    if name == "date":
        return _day(dt.date.fromisoformat(value))
    if name == "trusts":
        return ", ".join(sorted(n for _, n in value))
    if name == "school":
        return str(value[1])
    return str(value)


@dataclass
class ActivityChange:
    field: str
    before: str
    after: str


@dataclass
class ActivityRecord:
    entry: ActivityEntry
    trusts: list[Trust]
    corrections: list[ActivityCorrection]

    @property
    def history(self) -> list[tuple[ActivityCorrection, list[ActivityChange]]]:
        """Each correction, oldest first, with the fields it changed."""
        return [
            (
                c,
                [
                    ActivityChange(
                        label,
                        _activity_text(name, c.before.get(name)),
                        _activity_text(name, c.after.get(name)),
                    )
                    for name, label in ACTIVITY_FIELDS
                    if c.before.get(name) != c.after.get(name)
                ],
            )
            for c in self.corrections
        ]

    @property
    def first_logged(self) -> list[tuple[str, str]]:
        """What was first logged (the values before the first correction), if corrected."""
        if not self.corrections:
            return []
        first = self.corrections[0].before
        return [(label, _activity_text(name, first.get(name))) for name, label in ACTIVITY_FIELDS]


def activity_entry(*, trust_ids: Iterable[int], pk: int) -> ActivityRecord | None:
    """One entry of these trusts with its trusts and its corrections, oldest first (None if
    there is no such entry in them). Three queries."""
    with scope(trust=sorted(trust_ids)):
        entry = ActivityEntry.objects.filter(pk=pk).select_related("school", "person").distinct().first()
        if entry is None:
            return None
        trusts = [
            s.trust
            for s in ActivityShare.objects.filter(entry=entry).select_related("trust").order_by("trust__name")
        ]
        corrections = list(
            ActivityCorrection.objects.with_scopes_disabled()
            .filter(entry=entry)
            .select_related("corrected_by")
            .order_by("corrected_at", "pk")
        )
    return ActivityRecord(entry, trusts, corrections)


@dataclass
class SplitRow:
    label: str
    hours: dict[int, Decimal]
    total: Decimal
    pct: dict[int, Decimal | None]


@dataclass
class ActivitySplit:
    trusts: list[Trust]
    agreed: dict[int, Decimal]
    months: list[SplitRow]
    year_to_date: SplitRow
    arrangement: str


def agreed_split(*, person: User, trusts: list[Trust]) -> tuple[str, dict[int, Decimal]]:
    """The agreed percentage per trust: the person's arrangement if recorded, else equal."""
    ids = [t.pk for t in trusts]
    arrangement = ActivityArrangement.objects.filter(person=person).first()
    if arrangement is not None:
        with scope(trust=ids):
            shares = dict(
                ArrangementShare.objects.filter(arrangement=arrangement).values_list("trust_id", "percent")
            )
        return agreed_shares(arrangement.name, shares, ids)
    return agreed_shares(None, {}, ids)


def agreed_shares(
    arrangement: str | None, shares: dict[int, Decimal], trusts: list[int]
) -> tuple[str, dict[int, Decimal]]:
    """The Head of SEND's time split, written once: the arrangement's percentage per trust
    when it has shares for these trusts, else an equal split between them."""
    if arrangement is not None and shares:
        return arrangement, {t: shares.get(t, Decimal(0)) for t in trusts}
    if not trusts:
        return "No trusts", {}
    equal = (Decimal(100) / len(trusts)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return "Equal split (default)", dict.fromkeys(trusts, equal)


def _split_row(label: str, hours: dict[int, Decimal], ids: list[int]) -> SplitRow:
    total = sum((hours.get(t, Decimal(0)) for t in ids), Decimal(0))
    return SplitRow(
        label,
        {t: hours.get(t, Decimal(0)) for t in ids},
        total,
        {t: pct(hours.get(t, Decimal(0)), total) for t in ids},
    )


def activity_split(
    *, trust_ids: Iterable[int], person: User, year_start: int, today: dt.date
) -> ActivitySplit:
    """Hours per trust per month of the academic year beginning 1 September `year_start`, and
    the year to date, with each trust's share of the total against the agreed split. An entry
    for several trusts counts its hours equally for each. Three queries."""
    ids = sorted(trust_ids)
    trusts = list(Trust.objects.filter(pk__in=ids).order_by("name"))
    ids = [t.pk for t in trusts]
    start, end = academic_year_bounds(year_start)
    end = min(end, today)
    by_month: dict[dt.date, dict[int, Decimal]] = defaultdict(dict)
    with scope(trust=ids):
        for month, trust_id, hours in (
            ActivityShare.objects.filter(entry__person=person, entry__date__gte=start, entry__date__lte=end)
            .annotate(month=TruncMonth("entry__date"))
            .values("month", "trust_id")
            .annotate(hours=Sum("hours"))
            .values_list("month", "trust_id", "hours")
        ):
            by_month[month][trust_id] = hours
    months = []
    ytd: dict[int, Decimal] = defaultdict(Decimal)
    m = start
    while m <= end:
        row = by_month.get(m, {})
        months.append(_split_row(f"{m:%B %Y}", row, ids))
        for t, h in row.items():
            ytd[t] += h
        m = dl.add_months(m, 1)
    name, agreed = agreed_split(person=person, trusts=trusts)
    return ActivitySplit(trusts, agreed, months, _split_row("Year to date", ytd, ids), name)


def training_by_school(*, trust_ids: Iterable[int], start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Training delivered per school: sessions, hours and staff trained. One query."""
    with scope(trust=sorted(trust_ids)):
        entry_ids = ActivityEntry.objects.filter(
            kind=ActivityEntry.Kind.TRAINING, date__gte=start, date__lte=end
        ).values("pk")
        rows = (
            ActivityEntry.objects.with_scopes_disabled()
            .filter(pk__in=entry_ids)
            .values("school_id", "school__name", "school__laestab")
            .annotate(hours=Sum("hours"), staff=Sum("staff_trained"), sessions=Count("pk"))
            .order_by("school__name")
        )
        return list(rows)


# --- Open work of one owner, for a handover (trusts.handover) ---------------------------------
# One query each, whatever the number of records.


def _work_items(
    kind: str, rows: list[dict[str, Any]], about: Callable[[dict[str, Any]], str], url: Callable[[int], str]
) -> list[WorkItem]:
    from trusts.handover import WorkItem

    items = [
        WorkItem(
            kind=kind,
            pk=r["pk"],
            school_id=r["school_id"],
            school_name=r["school__name"],
            pupil_name=_name(r["pupil__forename"], r["pupil__surname"]),
            about=about(r),
            date=r["date"],
            url=url(r["pk"]),
        )
        for r in rows
    ]
    audit.pupils_read(r["pupil_id"] for r in rows)
    return items


_WORK_FIELDS = ("pk", "school_id", "school__name", "pupil_id", "pupil__forename", "pupil__surname")


def open_cases_of(owner_id: int, school_ids: Iterable[int]) -> list[WorkItem]:
    rows = list(
        Case.objects.filter(owner_id=owner_id, school_id__in=list(school_ids))
        .exclude(status=Case.Status.CLOSED)
        .annotate(date=F("opened_on"))
        .values(*_WORK_FIELDS, "kind", "date")
        .order_by("school__name", "opened_on", "pk")
    )
    labels = dict(Case.Kind.choices)
    return _work_items(
        "cases", rows, lambda r: case_about(labels[r["kind"]], r["date"]), url_maker("casework:case_detail")
    )


def open_requests_of(owner_id: int, school_ids: Iterable[int]) -> list[WorkItem]:
    rows = list(
        EHCRequest.objects.filter(owner_id=owner_id, school_id__in=list(school_ids), outcome="")
        .exclude(decision=EHCRequest.Decision.REFUSE)
        .annotate(date=F("request_date"))
        .values(*_WORK_FIELDS, "date")
        .order_by("school__name", "request_date", "pk")
    )
    return _work_items(
        "ehc_requests", rows, lambda r: request_about(r["date"]), url_maker("casework:ehc_request_detail")
    )


def open_plans_of(owner_id: int, school_ids: Iterable[int]) -> list[WorkItem]:
    rows = list(
        EHCPlan.objects.filter(owner_id=owner_id, school_id__in=list(school_ids), ceased_on__isnull=True)
        .annotate(date=F("issue_date"))
        .values(*_WORK_FIELDS, "date")
        .order_by("school__name", "pupil__surname", "pupil__forename", "pk")
    )
    return _work_items("ehc_plans", rows, lambda r: plan_about(r["date"]), url_maker("casework:plan_detail"))


def open_consultations_of(owner_id: int, school_ids: Iterable[int]) -> list[WorkItem]:
    """Consultations on naming the school still waiting for the LA's outcome. A prospective
    pupil is named by the name the LA gave."""
    rows = list(
        NamingConsultation.objects.filter(owner_id=owner_id, school_id__in=list(school_ids), outcome="")
        .annotate(date=F("received_on"))
        .values(
            *_WORK_FIELDS,
            "date",
            "local_authority__name",
            "prospective_forename",
            "prospective_surname",
        )
        .order_by("school__name", "received_on", "pk")
    )
    for r in rows:
        if r["pupil_id"] is None:
            r["pupil__forename"], r["pupil__surname"] = r["prospective_forename"], r["prospective_surname"]
    return _work_items(
        "naming_consultations",
        rows,
        lambda r: consultation_about(r["local_authority__name"], r["date"]),
        url_maker("casework:consultation_detail"),
    )


def open_consultation_owners(school_ids: Iterable[int]) -> dict[int, int]:
    return _owner_counts(
        NamingConsultation.objects.filter(
            school_id__in=list(school_ids), outcome="", owner__isnull=False
        ).order_by()
    )


def _owner_counts(queryset: QuerySet[Any]) -> dict[int, int]:
    return dict(queryset.values("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n"))


def open_case_owners(school_ids: Iterable[int]) -> dict[int, int]:
    return _owner_counts(
        Case.objects.filter(school_id__in=list(school_ids)).exclude(status=Case.Status.CLOSED).order_by()
    )


def open_request_owners(school_ids: Iterable[int]) -> dict[int, int]:
    return _owner_counts(
        EHCRequest.objects.filter(school_id__in=list(school_ids), outcome="")
        .exclude(decision=EHCRequest.Decision.REFUSE)
        .order_by()
    )


def open_plan_owners(school_ids: Iterable[int]) -> dict[int, int]:
    return _owner_counts(
        EHCPlan.objects.filter(
            school_id__in=list(school_ids), ceased_on__isnull=True, owner__isnull=False
        ).order_by()
    )


# --- LA consultations on naming a school ----------------------------------------------------------


@dataclass
class ConsultationRow:
    pk: int
    school_id: int
    school_name: str
    local_authority: str
    received_on: dt.date
    status: dl.StepStatus | None  # the 15-day clock; None when withdrawn before any response
    stage: str
    outcome: str
    url: str
    pupil_id: int | None = None
    name: str = ""  # blanked by the view where the reader may not see pupils

    @property
    def about(self) -> str:
        return consultation_about(self.local_authority, self.received_on)


def consultation_stage(c: NamingConsultation) -> str:
    if c.outcome:
        return c.get_outcome_display()
    if c.responded_on:
        return "Response sent: awaiting the LA's decision"
    if c.drafted:
        return "Response drafted: awaiting the headteacher's sign-off"
    return "Response to draft"


CONSULTATION_SHOW = [
    ("", "All consultations"),
    ("open", "Awaiting a response"),
    (OVERDUE, "Response overdue"),
    ("decided", "Outcome recorded"),
]


def naming_consultations(
    *,
    school_ids: Iterable[int],
    today: dt.date,
    show: str = "",
    school_id: int | None = None,
    local_authority_id: int | None = None,
) -> list[ConsultationRow]:
    """The consultations of these schools, newest first. One query."""
    ids = set(school_ids)
    if school_id is not None:
        ids &= {school_id}
    qs = NamingConsultation.objects.filter(school_id__in=ids).select_related(
        "school", "local_authority", "pupil"
    )
    if local_authority_id:
        qs = qs.filter(local_authority_id=local_authority_id)
    if show == "open":
        qs = qs.filter(responded_on__isnull=True).exclude(outcome=NamingConsultation.Outcome.WITHDRAWN)
    elif show == OVERDUE:
        qs = qs.filter(
            responded_on__isnull=True, received_on__lt=today - dt.timedelta(days=dl.NAMING_RESPONSE_DAYS)
        ).exclude(outcome=NamingConsultation.Outcome.WITHDRAWN)
    elif show == "decided":
        qs = qs.exclude(outcome="")
    rows = list(qs.order_by("-received_on", "-pk"))
    audit.pupils_read(c.pupil_id for c in rows if c.pupil_id)
    url = url_maker("casework:consultation_detail")
    return [
        ConsultationRow(
            pk=c.pk,
            school_id=c.school_id,
            school_name=c.school.name,
            local_authority=c.local_authority.name,
            received_on=c.received_on,
            status=c.response_status(today),
            stage=consultation_stage(c),
            outcome=c.get_outcome_display() if c.outcome else "",
            url=url(c.pk),
            pupil_id=c.pupil_id,
            name=c.child_name,
        )
        for c in rows
    ]


@dataclass
class ConsultationFigures:
    """One LA's consultations of one school (or all of them, school None): how many, how many
    responded, within 15 days, the median days to respond, and the outcomes."""

    local_authority: str
    school: str
    received: int = 0
    responded: int = 0
    on_time: int = 0
    awaiting: int = 0
    overdue: int = 0
    named: int = 0
    not_named: int = 0
    withdrawn: int = 0
    days: list[int] = field(default_factory=list, repr=False)

    @property
    def median_days(self) -> Decimal | None:
        return median(self.days)

    @property
    def on_time_pct(self) -> Decimal | None:
        return pct(self.on_time, self.responded)

    def add(self, c: Mapping[str, Any], today: dt.date) -> None:
        self.received += 1
        due = dl.naming_response_due(c["received_on"])
        if c["responded_on"]:
            self.responded += 1
            self.on_time += c["responded_on"] <= due
            self.days.append(dl.days_to_respond(c["received_on"], c["responded_on"]))
        elif c["outcome"] != NamingConsultation.Outcome.WITHDRAWN:
            self.awaiting += 1
            self.overdue += today > due
        if c["outcome"]:
            setattr(self, c["outcome"], getattr(self, c["outcome"]) + 1)


def naming_consultation_figures(
    *, school_ids: Iterable[int], today: dt.date, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[list[ConsultationFigures], list[ConsultationFigures]]:
    """Consultations received from `start` to `end` by LA and school, and by LA over all these
    schools: response times (median days from receipt to the signed-off response, the share on
    time within 15 days) and outcomes. Counts and days only, no names. One query."""
    qs = NamingConsultation.objects.filter(school_id__in=list(school_ids))
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    by_school: dict[tuple[str, str], ConsultationFigures] = {}
    by_la: dict[str, ConsultationFigures] = {}
    for c in qs.values(
        "local_authority__name", "school__name", "received_on", "responded_on", "outcome"
    ).order_by():
        la, school = c["local_authority__name"], c["school__name"]
        by_school.setdefault((la, school), ConsultationFigures(la, school)).add(c, today)
        by_la.setdefault(la, ConsultationFigures(la, "All schools")).add(c, today)
    return ([by_school[k] for k in sorted(by_school)], [by_la[k] for k in sorted(by_la)])


def pupil_consultations(*, pupil_id: int, school_ids: Iterable[int]) -> list[NamingConsultation]:
    """The pupil's consultations at these schools, newest first, with their LA. One query."""
    return list(
        NamingConsultation.objects.filter(pupil_id=pupil_id, school_id__in=list(school_ids))
        .select_related("local_authority")
        .order_by("-received_on", "-pk")
    )
