"""Reads of support plans and one-page profiles, for this app's pages, the pupil page, the
SENCO's home page and the due list (casework reads `reviews_due`). Callers pass school ids
they got from trusts.access; nothing here decides access. Each function runs a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from core import numbers
from provision.models import Enrolment, Intervention
from provision.selectors import delivery_for_enrolments
from pupils.models import Provision, Pupil
from trusts import access, audit
from trusts.access import Capability
from trusts.models import User

from .models import OnePageProfile, Outcome, PlanReview, SupportPlan

if TYPE_CHECKING:
    from trusts.handover import WorkItem

# "Due soon" on the home page and the lists: a review in the next 14 days.
DUE_SOON_DAYS = 14


class Show:
    """The lists a school's plans page can show (`?show=`)."""

    CURRENT = "current"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    DRAFT = "draft"
    CLOSED = "closed"
    NO_PLAN = "no_plan"

    LABELS = {
        CURRENT: "Current plans",
        OVERDUE: "Reviews overdue",
        DUE_SOON: f"Reviews due in the next {DUE_SOON_DAYS} days",
        DRAFT: "Drafts",
        CLOSED: "Past cycles",
        NO_PLAN: "SEN Support without a current plan",
    }


def _plans(school_ids: Iterable[int]) -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(school_id__in=list(school_ids))


def plan_list(*, school_ids: Iterable[int], show: str, today: dt.date) -> QuerySet[SupportPlan]:
    """Plans of these schools for one of the `Show` lists, with pupil, school and lead joined
    and the number of outcomes counted; soonest review first (past cycles: latest first)."""
    plans = (
        _plans(school_ids)
        .select_related("pupil", "school", "owner")
        .annotate(outcome_count=Count("outcomes"))
    )
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    current = plans.filter(status=SupportPlan.Status.CURRENT)
    if show == Show.OVERDUE:
        return current.filter(review_due__lt=today).order_by("review_due", "pk")
    if show == Show.DUE_SOON:
        return current.filter(review_due__gte=today, review_due__lte=soon).order_by("review_due", "pk")
    if show == Show.DRAFT:
        return plans.filter(status=SupportPlan.Status.DRAFT).order_by("review_due", "pk")
    if show == Show.CLOSED:
        return plans.filter(status=SupportPlan.Status.CLOSED).order_by("-closed_on", "-pk")
    return current.order_by("review_due", "pk")


def _has_current_plan() -> Exists:
    return Exists(SupportPlan.objects.filter(pupil=OuterRef("pk"), status=SupportPlan.Status.CURRENT))


def pupils_without_current_plan(*, school_ids: Iterable[int]) -> QuerySet[Pupil]:
    """Pupils at SEN Support, still at these schools, with no current plan (a draft does not
    count), with a flag for those who have a draft."""
    return (
        Pupil.objects.filter(
            school_id__in=list(school_ids), provision=Provision.SEN_SUPPORT, left_school_on__isnull=True
        )
        .filter(~_has_current_plan())
        .annotate(
            has_draft=Exists(
                SupportPlan.objects.filter(pupil=OuterRef("pk"), status=SupportPlan.Status.DRAFT)
            )
        )
        .select_related("school")
        .order_by("school__name", "surname", "forename", "pk")
    )


@dataclass(frozen=True)
class TaskCounts:
    overdue: int
    due_soon: int
    without_plan: int


def task_counts(*, school_ids: Iterable[int], today: dt.date) -> TaskCounts:
    """Current plans whose review is overdue or due in the next 14 days, and pupils at SEN
    Support with no current plan. Two queries."""
    ids = list(school_ids)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    counts = (
        _plans(ids)
        .filter(status=SupportPlan.Status.CURRENT)
        .aggregate(
            overdue=Count("pk", filter=Q(review_due__lt=today)),
            due_soon=Count("pk", filter=Q(review_due__gte=today, review_due__lte=soon)),
        )
    )
    without = (
        Pupil.objects.filter(school_id__in=ids, provision=Provision.SEN_SUPPORT, left_school_on__isnull=True)
        .filter(~_has_current_plan())
        .count()
    )
    return TaskCounts(counts["overdue"], counts["due_soon"], without)


@dataclass(frozen=True)
class ReviewDue:
    """A current plan's review, for the due list. `pupil_name` is for readers who may see
    pupils' names only (the due list blanks it for the others; the daily digest e-mail names
    no pupil)."""

    plan_id: int
    school_id: int
    school_name: str
    owner_id: int
    owner_name: str
    due: dt.date
    starts_on: dt.date | None = None
    pupil_name: str = ""


def reviews_due(*, school_ids: Iterable[int], owner_id: int | None = None) -> list[ReviewDue]:
    """The review of every current plan in these schools (optionally of one lead), soonest
    first. One query."""
    plans = _plans(school_ids).filter(status=SupportPlan.Status.CURRENT)
    if owner_id:
        plans = plans.filter(owner_id=owner_id)
    rows = list(
        plans.order_by("review_due", "pk").values(
            "pk",
            "school_id",
            "school__name",
            "owner_id",
            "owner__full_name",
            "owner__email",
            "review_due",
            "starts_on",
            "pupil_id",
            "pupil__forename",
            "pupil__surname",
        )
    )
    audit.pupils_read(row["pupil_id"] for row in rows)  # their names are read as values
    return [
        ReviewDue(
            row["pk"],
            row["school_id"],
            row["school__name"],
            row["owner_id"],
            row["owner__full_name"] or row["owner__email"],
            row["review_due"],
            row["starts_on"],
            f"{row['pupil__forename']} {row['pupil__surname']}",
        )
        for row in rows
    ]


# --- One pupil ------------------------------------------------------------------------------


def plans_for_pupil(pupil: Pupil) -> list[SupportPlan]:
    """The pupil's plans, the open one first then past cycles latest first. One query."""
    plans = list(SupportPlan.objects.filter(pupil=pupil).select_related("owner"))
    return sorted(plans, key=lambda p: (p.is_closed, -p.starts_on.toordinal(), -p.pk))


def plan_outcomes(plan: SupportPlan) -> list[Outcome]:
    """The plan's outcomes in order, with the provision each is linked to. Two queries."""
    return list(
        plan.outcomes.order_by("position", "pk").prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("intervention").order_by("start_date", "pk"),
            )
        )
    )


def plan_review(plan: SupportPlan) -> PlanReview | None:
    return PlanReview.objects.filter(plan=plan).select_related("recorded_by").first()


def followed_review(plan: SupportPlan) -> PlanReview | None:
    """The review of the cycle this plan follows on from (its next steps start this one)."""
    if plan.follows_id is None:
        return None
    return PlanReview.objects.filter(plan_id=plan.follows_id).select_related("plan").first()


def latest_profile(pupil: Pupil) -> OnePageProfile | None:
    return (
        OnePageProfile.objects.filter(pupil=pupil).select_related("created_by").order_by("-version").first()
    )


def profile_versions(pupil: Pupil) -> list[OnePageProfile]:
    """Every version of the pupil's profile, newest first (without their text). One query."""
    return list(
        OnePageProfile.objects.filter(pupil=pupil)
        .select_related("created_by")
        .only(
            "pk",
            "pupil_id",
            "version",
            "written_with",
            "created_at",
            "created_by__full_name",
            "created_by__email",
        )
        .order_by("-version")
    )


def possible_leads(school_id: int, school_trust_id: int) -> QuerySet[User]:
    """People who may lead a plan of this school: whoever may write its plans."""
    roles = [r for r, caps in access.ROLE_CAPABILITIES.items() if Capability.WRITE_SUPPORT_PLANS in caps]
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__school_id=school_id, memberships__role__in=roles)
            | Q(memberships__trust_id=school_trust_id, memberships__role__in=roles)
        )
        .distinct()
        .order_by("full_name", "email")
    )


@dataclass(frozen=True)
class Tag:
    label: str
    css: str  # the GOV.UK tag colour class


def plan_tag(plan: SupportPlan, today: dt.date) -> Tag:
    """The plan's state in words: a draft, current (with the review overdue or due soon), or
    closed."""
    if plan.status == SupportPlan.Status.DRAFT:
        return Tag("Draft", "govuk-tag--grey")
    if plan.status == SupportPlan.Status.CLOSED:
        return Tag("Reviewed", "govuk-tag--blue")
    days = (plan.review_due - today).days
    if days < 0:
        return Tag("Review overdue", "govuk-tag--red")
    if days == 0:
        return Tag("Review due today", "govuk-tag--yellow")
    if days <= DUE_SOON_DAYS:
        return Tag(f"Review due in {days} day{'s' if days != 1 else ''}", "govuk-tag--yellow")
    return Tag("Current", "govuk-tag--green")


# --- Do: what the provision map says was delivered ------------------------------------------


@dataclass(frozen=True)
class DeliveryRow:
    """One of the pupil's provision enrolments linked to the plan's outcomes, with the sessions
    planned and delivered in the cycle."""

    intervention: str
    kind: str
    staff_role: str
    pattern: str  # "3 sessions a week of 20 minutes"
    outcomes: tuple[int, ...]  # the positions of the outcomes it works towards
    planned: int
    delivered: int
    measure: str = ""
    entry_score: str = ""
    exit_score: str = ""

    @property
    def pct(self) -> Decimal | None:
        return numbers.pct(self.delivered, self.planned)

    @property
    def text(self) -> str:
        if not self.planned:
            return f"{numbers.counted(self.delivered, 'session')} delivered"
        return (
            f"{self.delivered:,} of {numbers.counted(self.planned, 'session')} delivered "
            f"({numbers.pct_text(self.pct)})"
        )

    @property
    def outcomes_text(self) -> str:
        return ", ".join(str(n) for n in self.outcomes)

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "outcomes": list(self.outcomes)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeliveryRow:
        fields = set(cls.__dataclass_fields__)
        return cls(
            **{**{k: v for k, v in data.items() if k in fields}, "outcomes": tuple(data.get("outcomes", ()))}
        )


def _score(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _pattern(intervention: Intervention) -> str:
    sessions = intervention.sessions_per_week.normalize()
    noun = "session" if sessions == 1 else "sessions"
    return f"{sessions:f} {noun} a week of {intervention.minutes_per_session} minutes"


def plan_delivery(plan: SupportPlan, *, end: dt.date) -> list[DeliveryRow]:
    """Each enrolment linked to the plan's outcomes, with the sessions planned and delivered
    from the start of the cycle to `end`. At most four queries."""
    links = list(
        Outcome.enrolments.through.objects.filter(outcome__plan=plan)
        .order_by("outcome__position")
        .values_list("outcome__position", "enrolment_id")
    )
    if not links:
        return []
    by_enrolment: dict[int, list[int]] = {}
    for position, enrolment_id in links:
        by_enrolment.setdefault(enrolment_id, []).append(position)
    enrolments = list(
        Enrolment.objects.filter(pk__in=list(by_enrolment))
        .select_related("intervention")
        .order_by("start_date", "pk")
    )
    summaries = delivery_for_enrolments(enrolments, plan.starts_on, end)
    rows = []
    for e in enrolments:
        summary = summaries.get(e.pk)
        rows.append(
            DeliveryRow(
                intervention=e.intervention.name,
                kind=e.intervention.get_kind_display(),
                staff_role=e.intervention.staff_role,
                pattern=_pattern(e.intervention),
                outcomes=tuple(sorted(set(by_enrolment[e.pk]))),
                planned=summary.planned if summary else 0,
                delivered=summary.delivered if summary else 0,
                measure=e.intervention.measure_scale,
                entry_score=_score(e.entry_score),
                exit_score=_score(e.exit_score),
            )
        )
    return rows


def delivery_rows(plan: SupportPlan, review: PlanReview | None, today: dt.date) -> list[DeliveryRow]:
    """What the plan's "do" part shows: a closed cycle what its review kept; an open one the
    sessions from its start to today (or its review date, if that has passed)."""
    if plan.is_closed:
        return [DeliveryRow.from_json(d) for d in (review.delivery if review else [])]
    return plan_delivery(plan, end=min(today, plan.review_due))


def pupil_enrolments(pupil: Pupil) -> QuerySet[Enrolment]:
    """The pupil's provision on the map, newest first, for linking outcomes to it."""
    return Enrolment.objects.filter(pupil=pupil).select_related("intervention").order_by("-start_date", "-pk")


# --- Open plans of one lead, for a handover (trusts.handover) ----------------------------------


def open_plans_of(owner_id: int, school_ids: Iterable[int]) -> list[WorkItem]:
    """The plans in progress `owner_id` leads at these schools (one query)."""
    from django.urls import reverse

    from trusts.handover import WorkItem

    rows = list(
        SupportPlan.objects.filter(
            owner_id=owner_id, school_id__in=list(school_ids), pupil__left_school_on__isnull=True
        )
        .exclude(status=SupportPlan.Status.CLOSED)
        .values(
            "pk",
            "school_id",
            "school__name",
            "pupil_id",
            "pupil__forename",
            "pupil__surname",
            "starts_on",
            "status",
        )
        .order_by("school__name", "pupil__surname", "pupil__forename", "pk")
    )
    audit.pupils_read(r["pupil_id"] for r in rows)
    head, tail = reverse("support:plan_detail", args=[0]).rsplit("/0/", 1)
    drafts = SupportPlan.Status.DRAFT
    return [
        WorkItem(
            kind="support_plans",
            pk=r["pk"],
            school_id=r["school_id"],
            school_name=r["school__name"],
            pupil_name=f"{r['pupil__forename']} {r['pupil__surname']}",
            about=(
                f"{'Draft SEN support plan' if r['status'] == drafts else 'SEN support plan'} "
                f"from {r['starts_on'].day} {r['starts_on']:%b %Y}"
            ),
            date=r["starts_on"],
            url=f"{head}/{r['pk']}/{tail}",
        )
        for r in rows
    ]


def open_plan_leads(school_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        SupportPlan.objects.filter(school_id__in=list(school_ids), pupil__left_school_on__isnull=True)
        .exclude(status=SupportPlan.Status.CLOSED)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
