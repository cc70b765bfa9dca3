"""Every write of support plans and one-page profiles. Callers (views, the demo) have already
checked access through trusts.access; services check the facts of the domain and raise
ValidationError with a clear message, changing nothing, when they do not hold.

The rules of a cycle:
* a pupil on the register (EHC plan or SEN Support, still at the school) may have one plan
  that is not closed: a draft being written, or the current plan;
* a draft becomes current once it has an assessment of needs and at least one outcome;
* the review is saved, its answers checked, then recorded: recording closes the cycle;
* a closed cycle is never changed again (every service here refuses it), and a new cycle can
  start from it: its outcomes not yet achieved are carried forward and its review's next
  steps are shown on the new plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from provision.models import Enrolment
from pupils.erasure import REDACTED_TEXT, PupilErasure
from pupils.models import Pupil
from trusts import access, handover
from trusts.access import Capability
from trusts.models import User

from . import selectors
from .models import OnePageProfile, Outcome, PlanReview, SupportPlan

CLOSED_MESSAGE = "This cycle has been reviewed and closed: past cycles are kept as they were."
# How far ahead of today a cycle may start or its review be set.
LONGEST_CYCLE_DAYS = 366


def _today() -> dt.date:
    return timezone.localdate()


def _lock(plan: SupportPlan) -> SupportPlan:
    """The plan's row, locked for this transaction, refused when its cycle is closed."""
    locked = SupportPlan.objects.select_for_update().select_related("school", "pupil").get(pk=plan.pk)
    if locked.is_closed:
        raise ValidationError(CLOSED_MESSAGE, code="closed")
    if locked.pupil.left_school_on is not None:
        # The school keeps the plan of a pupil who has left as its history, as it was.
        raise ValidationError("The pupil has left the school: their plan is kept as it was.", code="left")
    return locked


def _check_owner(owner: User, school_id: int) -> None:
    if not access.can(owner, Capability.WRITE_SUPPORT_PLANS, school_id):
        raise ValidationError({"owner": "The lead must be someone who may write this school's plans."})


def _check_dates(starts_on: dt.date, review_due: dt.date, today: dt.date) -> None:
    if review_due <= starts_on:
        raise ValidationError({"review_due": "The review date must be after the start of the cycle."})
    if starts_on > today + dt.timedelta(days=LONGEST_CYCLE_DAYS):
        raise ValidationError({"starts_on": "The cycle must start within a year from today."})
    if (review_due - starts_on).days > LONGEST_CYCLE_DAYS:
        raise ValidationError(
            {"review_due": "A cycle lasts at most a year: set a review date within a year of the start."}
        )


# --- Plans ----------------------------------------------------------------------------------


@transaction.atomic
def plan_start(
    *,
    actor: User,
    pupil: Pupil,
    starts_on: dt.date,
    review_due: dt.date,
    owner: User | None = None,
    from_last_review: bool = True,
    today: dt.date | None = None,
) -> SupportPlan:
    """A new draft plan for `pupil`. With `from_last_review`, a pupil whose last cycle was
    reviewed starts from it: the assessment is carried over and the outcomes not yet achieved
    are copied (their progress left to this cycle's review)."""
    today = today or _today()
    pupil = Pupil.objects.select_for_update().select_related("school").get(pk=pupil.pk)
    if not pupil.on_register_now:
        raise ValidationError("Only a pupil on the SEN register of the school can have a plan.")
    if SupportPlan.objects.filter(pupil=pupil).exclude(status=SupportPlan.Status.CLOSED).exists():
        raise ValidationError(
            "This pupil already has a plan in progress: review it (or finish "
            "the draft) before starting another."
        )
    owner = owner or actor
    _check_owner(owner, pupil.school_id)
    _check_dates(starts_on, review_due, today)
    last = (
        (
            SupportPlan.objects.filter(pupil=pupil, status=SupportPlan.Status.CLOSED)
            .order_by("-closed_on", "-pk")
            .first()
        )
        if from_last_review
        else None
    )
    plan = SupportPlan.objects.create(
        pupil=pupil,
        school=pupil.school,
        owner=owner,
        starts_on=starts_on,
        review_due=review_due,
        created_by=actor,
        follows=last,
        **({field: getattr(last, field) for field in ("needs", "strengths", "tried_before")} if last else {}),
    )
    if last is not None:
        _carry_outcomes(last, plan)
    return plan


def _carry_outcomes(last: SupportPlan, plan: SupportPlan) -> None:
    """Outcomes of `last` not achieved, copied into `plan` with the provision still running
    when it starts."""
    carried = (
        last.outcomes.exclude(progress=Outcome.Progress.ACHIEVED)
        .prefetch_related("enrolments")
        .order_by("position", "pk")
    )
    # One by one, not in bulk: each new row gets its audit entry (a plan has a few outcomes).
    for position, original in enumerate(carried, start=1):
        copy = Outcome.objects.create(
            plan=plan,
            position=position,
            description=original.description,
            success_criteria=original.success_criteria,
            support=original.support,
            review_by=plan.review_due,
        )
        copy.enrolments.set(
            [e for e in original.enrolments.all() if e.end_date is None or e.end_date >= plan.starts_on]
        )


@transaction.atomic
def plan_update_details(
    *,
    actor: User,
    plan: SupportPlan,
    starts_on: dt.date,
    review_due: dt.date,
    owner: User,
    today: dt.date | None = None,
) -> SupportPlan:
    plan = _lock(plan)
    _check_owner(owner, plan.school_id)
    _check_dates(starts_on, review_due, today or _today())
    plan.starts_on, plan.review_due, plan.owner = starts_on, review_due, owner
    plan.save(update_fields=["starts_on", "review_due", "owner", "updated_at"])
    return plan


# --- Handing over a leaving colleague's plans (trusts.handover) --------------------------------
# The plans still in progress (draft or current) of pupils still at the school: closed cycles
# and the plans of pupils who have left are kept as they were, lead included.


def _open_plans() -> QuerySet[SupportPlan]:
    return SupportPlan.objects.exclude(status=SupportPlan.Status.CLOSED).filter(
        pupil__left_school_on__isnull=True
    )


def _take_over(*, actor: User, plan: SupportPlan, owner: User, reason: str) -> bool:
    if plan.owner_id == owner.pk:
        return False
    if reason not in handover.Reason.values:
        raise ValidationError({"reason": "Select why the work is handed over."})
    _check_owner(owner, plan.school_id)
    previous = plan.owner
    # An UPDATE rather than save(): the audit entry below, with its reason, is the one record
    # of the change.
    SupportPlan.objects.filter(pk=plan.pk).update(owner=owner, updated_at=timezone.now())
    plan.owner = owner
    handover.record(actor=actor, obj=plan, from_owner=previous, to_owner=owner, reason=reason)
    return True


@transaction.atomic
def plan_reassign(*, actor: User, plan: SupportPlan, owner: User, reason: str) -> bool:
    """Give a plan in progress to a new lead; False when it is already theirs."""
    return _take_over(actor=actor, plan=_lock(plan), owner=owner, reason=reason)


@transaction.atomic
def plans_hand_over(
    *, actor: User, from_owner: User, to_owner: User, school_ids: Iterable[int], reason: str
) -> int:
    """Every plan in progress that `from_owner` leads at these schools, to `to_owner`."""
    if reason not in handover.Reason.values:
        raise ValidationError({"reason": "Select why the work is handed over."})
    plans = list(
        _open_plans()
        .select_for_update(of=("self",))
        .select_related("owner", "school")
        .filter(owner=from_owner, school_id__in=list(school_ids))
        .order_by("pk")
    )
    return sum(_take_over(actor=actor, plan=plan, owner=to_owner, reason=reason) for plan in plans)


@transaction.atomic
def plan_update_assessment(
    *,
    actor: User,
    plan: SupportPlan,
    needs: str,
    strengths: str,
    tried_before: str,
    pupil_views: str,
    parent_views: str,
) -> SupportPlan:
    plan = _lock(plan)
    plan.needs, plan.strengths, plan.tried_before = needs.strip(), strengths.strip(), tried_before.strip()
    plan.pupil_views, plan.parent_views = pupil_views.strip(), parent_views.strip()
    plan.save(
        update_fields=["needs", "strengths", "tried_before", "pupil_views", "parent_views", "updated_at"]
    )
    return plan


@transaction.atomic
def plan_activate(*, actor: User, plan: SupportPlan) -> SupportPlan:
    """The draft becomes the pupil's current plan."""
    plan = _lock(plan)
    if not plan.is_draft:
        raise ValidationError("This plan is already the current plan.")
    problems = []
    if not plan.needs.strip():
        problems.append("Describe the pupil's needs in the assessment.")
    if not plan.outcomes.exists():
        problems.append("Add at least one outcome.")
    if problems:
        raise ValidationError(problems)
    plan.status = SupportPlan.Status.CURRENT
    plan.save(update_fields=["status", "updated_at"])
    return plan


@transaction.atomic
def plan_discard(*, actor: User, plan: SupportPlan) -> None:
    """Delete a draft that was never made current (nothing was done under it)."""
    plan = _lock(plan)
    if not plan.is_draft:
        raise ValidationError("Only a draft can be deleted: a current plan is closed by its review.")
    plan.delete()


# --- Outcomes -------------------------------------------------------------------------------


def _check_outcome(
    plan: SupportPlan,
    description: str,
    success_criteria: str,
    review_by: dt.date,
    enrolments: list[Enrolment],
) -> None:
    errors = {}
    if any(e.pupil_id != plan.pupil_id for e in enrolments):
        errors["enrolments"] = "Choose provision of this pupil only."
    if not description.strip():
        errors["description"] = "Enter the outcome."
    if not success_criteria.strip():
        errors["success_criteria"] = "Enter how you will know it has been achieved."
    if review_by < plan.starts_on:
        errors["review_by"] = "The review date must be on or after the start of the cycle."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def outcome_add(
    *,
    actor: User,
    plan: SupportPlan,
    description: str,
    success_criteria: str,
    review_by: dt.date,
    support: str = "",
    enrolments: Iterable[Enrolment] = (),
) -> Outcome:
    """An outcome of the plan, linked to the pupil's provision (`enrolments`) that works
    towards it."""
    plan = _lock(plan)
    enrolments = list(enrolments)
    _check_outcome(plan, description, success_criteria, review_by, enrolments)
    position = (plan.outcomes.aggregate(last=Max("position"))["last"] or 0) + 1
    outcome = Outcome.objects.create(
        plan=plan,
        position=position,
        description=description.strip(),
        success_criteria=success_criteria.strip(),
        support=support.strip(),
        review_by=review_by,
    )
    outcome.enrolments.set(enrolments)
    return outcome


@transaction.atomic
def outcome_update(
    *,
    actor: User,
    outcome: Outcome,
    description: str,
    success_criteria: str,
    review_by: dt.date,
    support: str = "",
    enrolments: Iterable[Enrolment] = (),
) -> Outcome:
    plan = _lock(outcome.plan)
    enrolments = list(enrolments)
    _check_outcome(plan, description, success_criteria, review_by, enrolments)
    outcome.description, outcome.success_criteria = description.strip(), success_criteria.strip()
    outcome.support, outcome.review_by = support.strip(), review_by
    outcome.save(update_fields=["description", "success_criteria", "support", "review_by"])
    outcome.enrolments.set(enrolments)
    return outcome


@transaction.atomic
def outcome_remove(*, actor: User, outcome: Outcome) -> None:
    plan = _lock(outcome.plan)
    if not plan.is_draft and plan.outcomes.count() == 1:
        raise ValidationError("A current plan keeps at least one outcome.")
    outcome.delete()
    # Outcomes stay numbered 1, 2, 3: the plan, its review and the PDF all refer to them so.
    for position, kept in enumerate(plan.outcomes.order_by("position", "pk"), start=1):
        if kept.position != position:
            kept.position = position
            kept.save(update_fields=["position"])


# --- The review -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeResult:
    progress: str
    evidence: str


@transaction.atomic
def review_save(
    *,
    actor: User,
    plan: SupportPlan,
    held_on: dt.date,
    next_steps: str,
    pupil_views: str,
    parent_views: str,
    results: Mapping[int, OutcomeResult],
    today: dt.date | None = None,
) -> PlanReview:
    """Save the review's answers without closing the cycle (the answers are checked next).
    `results` gives each outcome of the plan (by id) its progress and evidence."""
    plan = _lock(plan)
    today = today or _today()
    if plan.status != SupportPlan.Status.CURRENT:
        raise ValidationError("Only the current plan can be reviewed: start the plan first.")
    errors: dict[str, str] = {}
    if held_on < plan.starts_on:
        errors["held_on"] = "The review cannot be before the start of the cycle."
    elif held_on > today:
        errors["held_on"] = "The review date cannot be in the future."
    if not next_steps.strip():
        errors["next_steps"] = "Enter the next steps."
    outcomes = list(plan.outcomes.all())
    for outcome in outcomes:
        result = results.get(outcome.pk)
        if result is None or result.progress not in Outcome.Progress.values:
            errors[f"progress_{outcome.pk}"] = "Choose whether the outcome was achieved."
    if set(results) - {o.pk for o in outcomes}:
        raise ValidationError("The review names an outcome that is not in this plan.")
    if errors:
        raise ValidationError(errors)
    for outcome in outcomes:  # saved one by one so that each change is audited
        outcome.progress = results[outcome.pk].progress
        outcome.evidence = results[outcome.pk].evidence.strip()
        outcome.save(update_fields=["progress", "evidence"])
    review, _ = PlanReview.objects.update_or_create(
        plan=plan,
        defaults={
            "held_on": held_on,
            "next_steps": next_steps.strip(),
            "pupil_views": pupil_views.strip(),
            "parent_views": parent_views.strip(),
        },
    )
    return review


@transaction.atomic
def review_record(*, actor: User, plan: SupportPlan) -> SupportPlan:
    """Record the checked review: the cycle closes on the day of the review and is read-only
    from now on."""
    plan = _lock(plan)
    review = PlanReview.objects.filter(plan=plan).first()
    if plan.status != SupportPlan.Status.CURRENT or review is None:
        raise ValidationError("There is no review to record for this plan.")
    if plan.outcomes.filter(progress="").exists():
        raise ValidationError("Every outcome needs its progress before the review is recorded.")
    review.recorded_by, review.recorded_at = actor, timezone.now()
    # The cycle's sessions as the provision map has them today, kept with the closed cycle.
    review.delivery = [row.as_json() for row in selectors.plan_delivery(plan, end=review.held_on)]
    review.save(update_fields=["recorded_by", "recorded_at", "delivery", "updated_at"])
    plan.status, plan.closed_on = SupportPlan.Status.CLOSED, review.held_on
    plan.save(update_fields=["status", "closed_on", "updated_at"])
    return plan


# --- One-page profiles ------------------------------------------------------------------------

PROFILE_FIELDS = ("like_and_admire", "important_to_me", "how_to_support", "my_needs", "written_with")
# Each part's longest text: a one-page profile is read at a glance, and the PDF shrinks its
# type to keep the four parts on one A4 page, down to a size still easy to read at these limits.
PROFILE_PART_MAX_CHARS = 700
PROFILE_PART_MAX_LINES = 16


@transaction.atomic
def profile_save(
    *,
    actor: User,
    pupil: Pupil,
    like_and_admire: str,
    important_to_me: str,
    how_to_support: str,
    my_needs: str,
    written_with: str = "",
) -> tuple[OnePageProfile, bool]:
    """Save the profile as its next version; earlier versions are kept unchanged. Returns the
    latest version and whether a new one was made (not when nothing changed)."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if pupil.left_school_on is not None:
        raise ValidationError("The pupil has left the school: their profile is kept as it was.")
    values = {
        "like_and_admire": like_and_admire.strip(),
        "important_to_me": important_to_me.strip(),
        "how_to_support": how_to_support.strip(),
        "my_needs": my_needs.strip(),
        "written_with": written_with.strip(),
    }
    errors = {}
    for field in PROFILE_FIELDS[:4]:
        text = values[field]
        if not text:
            errors[field] = "Enter this part of the profile."
        elif len(text) > PROFILE_PART_MAX_CHARS or len(text.splitlines()) > PROFILE_PART_MAX_LINES:
            errors[field] = (
                f"Keep this part to {PROFILE_PART_MAX_CHARS} characters and "
                f"{PROFILE_PART_MAX_LINES} lines, so the profile fits on one page."
            )
    if errors:
        raise ValidationError(errors)
    latest = OnePageProfile.objects.filter(pupil=pupil).order_by("-version").first()
    if latest is not None and all(getattr(latest, f) == v for f, v in values.items()):
        return latest, False
    profile = OnePageProfile.objects.create(
        pupil=pupil, version=(latest.version + 1) if latest else 1, created_by=actor, **values
    )
    return profile, True


# --- A pupil moving school with their records (transfers.PupilMove) ----------------------------


@transaction.atomic
def support_records_copy(
    *, actor: User | None, from_pupil: Pupil, to_pupil: Pupil, source_name: str, on: dt.date
) -> dict[str, int]:
    """Copy the support plans (drafts apart) and the latest one-page profile of `from_pupil`
    to `to_pupil` at their new school. The plans arrive closed, marked as from `source_name`:
    the new school's own cycle starts from them (plan_start carries over the last one). A plan
    still open at the old school is copied as it stood and closed on the day of the move.
    Returns the counts copied."""
    plans = list(
        SupportPlan.objects.with_scopes_disabled()
        .filter(pupil=from_pupil)
        .exclude(status=SupportPlan.Status.DRAFT)
        .prefetch_related("outcomes")
        .select_related("review")
        .order_by("starts_on", "pk")
    )
    copied_plans = 0
    previous = None
    for plan in plans:
        copy = SupportPlan.objects.create(
            pupil=to_pupil,
            school_id=to_pupil.school_id,
            status=SupportPlan.Status.CLOSED,
            owner=actor if actor is not None else plan.owner,
            starts_on=plan.starts_on,
            review_due=plan.review_due,
            closed_on=plan.closed_on or on,
            received_from=source_name[:200],
            follows=previous,
            created_by=actor,
            **{field: getattr(plan, field) for field in PLAN_TEXT},
        )
        for outcome in plan.outcomes.all():
            Outcome.objects.create(
                plan=copy,
                position=outcome.position,
                review_by=outcome.review_by,
                progress=outcome.progress,
                **{field: getattr(outcome, field) for field in OUTCOME_TEXT},
            )
        review = getattr(plan, "review", None)
        if review is not None:
            PlanReview.objects.create(
                plan=copy,
                held_on=review.held_on,
                delivery=review.delivery,
                recorded_at=review.recorded_at,
                **{field: getattr(review, field) for field in REVIEW_TEXT},
            )
        previous = copy
        copied_plans += 1
    latest = (
        OnePageProfile.objects.with_scopes_disabled().filter(pupil=from_pupil).order_by("-version").first()
    )
    profiles = 0
    if latest is not None:
        mine = (
            OnePageProfile.objects.with_scopes_disabled()
            .filter(pupil=to_pupil)
            .aggregate(top=Max("version"))["top"]
            or 0
        )
        OnePageProfile.objects.create(
            pupil=to_pupil,
            version=mine + 1,
            created_by=actor,
            **{field: getattr(latest, field) for field in PROFILE_FIELDS},
        )
        profiles = 1
    return {"support_plans": copied_plans, "profiles": profiles}


# --- Erasure of a pupil's personal data (pupils.erasure) -----------------------------------------

PLAN_TEXT = ("needs", "strengths", "tried_before", "pupil_views", "parent_views")
OUTCOME_TEXT = ("description", "success_criteria", "support", "evidence")
REVIEW_TEXT = ("next_steps", "pupil_views", "parent_views")
PROFILE_TEXT = ("like_and_admire", "important_to_me", "how_to_support", "my_needs", "written_with")


def pupil_support_erase(erasure: PupilErasure) -> None:
    """Support plans and one-page profiles are written about the child throughout: every text of
    the pupil's goes (dates, statuses and who wrote them stay, as the cycles' shape). In the
    school's other plans and profiles the pupil's full name and UPN are cut out."""
    pupil = erasure.pupil
    plans = SupportPlan.objects.filter(pupil=pupil)
    plans.update(**dict.fromkeys(PLAN_TEXT, REDACTED_TEXT))
    Outcome.objects.filter(plan__in=plans).update(**dict.fromkeys(OUTCOME_TEXT, REDACTED_TEXT))
    PlanReview.objects.filter(plan__in=plans).update(**dict.fromkeys(REVIEW_TEXT, REDACTED_TEXT), delivery=[])
    OnePageProfile.objects.filter(pupil=pupil).update(**dict.fromkeys(PROFILE_TEXT, REDACTED_TEXT))
    other_plans = SupportPlan.objects.filter(school_id=pupil.school_id).exclude(pupil=pupil)
    erasure.cut_mentions(other_plans, PLAN_TEXT)
    erasure.cut_mentions(Outcome.objects.filter(plan__in=other_plans), OUTCOME_TEXT)
    erasure.cut_mentions(PlanReview.objects.filter(plan__in=other_plans), REVIEW_TEXT)
    erasure.cut_mentions(
        OnePageProfile.objects.filter(pupil__school_id=pupil.school_id).exclude(pupil=pupil), PROFILE_TEXT
    )
