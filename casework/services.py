"""Every write of the casework app. Callers (views, tasks, demo) have already checked access;
services check the facts of the domain and raise ValidationError with a clear message,
changing nothing, when they do not hold. Each service that changes cases, EHC needs assessment
requests, plans, reviews or activity ends by bringing the kept figures (casework.figures) up
to date inside its own transaction, so a rollback takes both back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from core import bulk
from core.links import absolute_url
from pupils import services as pupils_services
from pupils.erasure import ERASED_NAME, REDACTED_TEXT, PupilErasure
from pupils.models import CensusSnapshot, Provision, Pupil, RegisterEvent
from trusts import access, handover
from trusts.access import Capability
from trusts.models import LocalAuthority, School, Trust, User

from . import deadlines as dl
from . import figures
from .models import (
    ActivityCorrection,
    ActivityEntry,
    ActivityShare,
    AnnualReview,
    Case,
    CaseNote,
    DigestSent,
    EHCPlan,
    EHCRequest,
    LAReviewRules,
    NamingConsultation,
)
from .selectors import due_items_by_owner


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(value: dt.date | None, label: str, today: dt.date) -> None:
    if value and value > today:
        raise ValidationError({label: "This date cannot be in the future."})


# --- EHC needs assessment requests -----------------------------------------------------------


def _still_at_school(pupil: Pupil) -> None:
    # The sending school keeps a leaver's records as history; new statutory work starts at
    # the school the pupil moved to, which holds their register entry now.
    if pupil.left_school_on is not None:
        raise ValidationError(
            f"This pupil left the school on {pupil.left_school_on:%-d %B %Y}: "
            "their new school records new requests and plans."
        )


@transaction.atomic
def ehc_request_create(
    *,
    actor: User,
    pupil: Pupil,
    requested_by: str,
    request_date: dt.date,
    local_authority: LocalAuthority | None = None,
    owner: User | None = None,
) -> EHCRequest:
    _not_future(request_date, "request_date", _today())
    _still_at_school(pupil)
    if requested_by not in EHCRequest.RequestedBy.values:
        raise ValidationError({"requested_by": "Choose who made the request."})
    if (
        EHCRequest.objects.filter(pupil=pupil, decision="").exists()
        or EHCRequest.objects.filter(pupil=pupil, decision=EHCRequest.Decision.ASSESS, outcome="").exists()
    ):
        raise ValidationError("This pupil already has an assessment request in progress.")
    request = EHCRequest.objects.create(
        pupil=pupil,
        school=pupil.school,
        local_authority=local_authority or pupil.home_local_authority,
        requested_by=requested_by,
        request_date=request_date,
        owner=owner or actor,
        created_by=actor,
    )
    figures.school_refresh(school_id=request.school_id)
    return request


STEP_FIELDS = ("decision", "draft_plan", "parents_comments", "outcome")


@transaction.atomic
def ehc_request_record_step(
    *,
    actor: User,
    request: EHCRequest,
    step: str,
    date: dt.date,
    result: str = "",
    today: dt.date | None = None,
) -> EHCRequest:
    """Record one step of the assessment: `decision` (result assess/refuse), `draft_plan`,
    `parents_comments`, or `outcome` (result issued/not_issued). Issuing the final plan moves
    the pupil's register entry to E with a register event and creates the EHC plan."""
    today = today or _today()
    request = EHCRequest.objects.select_for_update().get(pk=request.pk)
    if step not in STEP_FIELDS:
        raise ValidationError({"step": "Unknown step."})
    if date is None:
        raise ValidationError({"date": "Enter the date."})
    _not_future(date, "date", today)
    if date < request.request_date:
        raise ValidationError({"date": "This date is before the request was made."})
    if request.closed:
        raise ValidationError("This request is finished: no further steps can be recorded.")
    if step == "decision":
        if result not in EHCRequest.Decision.values:
            raise ValidationError({"result": "Choose whether the LA agreed to assess."})
        if request.decision:
            raise ValidationError("The decision whether to assess is already recorded.")
        request.decision, request.decision_date = result, date
    else:
        if request.decision != EHCRequest.Decision.ASSESS:
            raise ValidationError("Record the LA's decision to assess first.")
        # A decision always has its date (the ehc_decision_has_date constraint).
        if request.decision_date is not None and date < request.decision_date:
            raise ValidationError({"date": "This date is before the decision to assess."})
        if step == "draft_plan":
            if request.draft_plan_date:
                raise ValidationError("The draft plan date is already recorded.")
            request.draft_plan_date = date
        elif step == "parents_comments":
            if not request.draft_plan_date:
                raise ValidationError("Record when the draft plan was sent first.")
            if request.parents_comments_date:
                raise ValidationError("The parents' comments are already recorded.")
            if date < request.draft_plan_date:
                raise ValidationError({"date": "This date is before the draft plan was sent."})
            request.parents_comments_date = date
        else:
            if result not in EHCRequest.Outcome.values:
                raise ValidationError({"result": "Choose whether a final plan was issued."})
            if result == EHCRequest.Outcome.ISSUED and not request.draft_plan_date:
                raise ValidationError("Record when the draft plan was sent first.")
            request.outcome, request.outcome_date = result, date
    request.save()
    if step == "outcome" and request.outcome == EHCRequest.Outcome.ISSUED:
        # The request's owner takes the plan on, unless they no longer work here (their role
        # ended without a handover): then whoever records the plan does.
        owner = request.owner if _may_own(request.owner, request.school_id) else actor
        _plan_with_details(
            pupil=request.pupil,
            local_authority=request.local_authority,
            issue_date=date,
            owner=owner,
            request=request,
        )
        pupils_services.pupil_record_ehc_plan_issued(actor=actor, pupil=request.pupil, on=date)
    figures.school_refresh(school_id=request.school_id)
    return request


# --- EHC plans and annual reviews ------------------------------------------------------------


def _recorded_on(school_ids: Iterable[int]) -> dict[int, dt.date]:
    """The date each school's year groups were recorded: its latest census (one query)."""
    return dict(
        CensusSnapshot.objects.filter(school_id__in=list(school_ids))
        .values("school_id")
        .annotate(latest=Max("census_date"))
        .order_by()
        .values_list("school_id", "latest")
    )


def _phase_transfer(
    year_group: str, school_phase: str, recorded_on: dt.date | None
) -> tuple[int | None, bool]:
    found = dl.phase_transfer(year_group, school_phase, recorded_on or _today())
    return found if found else (None, False)


def _plan_with_details(
    *,
    pupil: Pupil,
    local_authority: LocalAuthority,
    issue_date: dt.date,
    owner: User | None,
    request: EHCRequest | None = None,
) -> EHCPlan:
    """The pupil's plan with these details: the live record made from the register, if it is
    still waiting for them (one pupil has one live plan record), or a new plan."""
    school = School.objects.get(pk=pupil.school_id)
    year, post_16 = _phase_transfer(pupil.year_group, school.phase, _recorded_on([school.pk]).get(school.pk))
    plan = (
        EHCPlan.objects.select_for_update()
        .filter(pupil=pupil, ceased_on__isnull=True, issue_date__isnull=True)
        .order_by("pk")
        .first()
    )
    if plan is None:
        plan = EHCPlan(pupil=pupil, school=school)
    plan.local_authority, plan.issue_date = local_authority, issue_date
    plan.owner = plan.owner or owner
    plan.request = request or plan.request
    plan.phase_transfer_year, plan.phase_transfer_post_16 = year, post_16
    plan.save()
    return plan


@transaction.atomic
def ehc_plan_create(
    *,
    actor: User,
    pupil: Pupil,
    issue_date: dt.date,
    local_authority: LocalAuthority | None = None,
    owner: User | None = None,
    request: EHCRequest | None = None,
) -> EHCPlan:
    """Record an existing plan (one issued before the portal was used, or the outcome of a
    request recorded with its history). A pupil recorded as E already has a plan record made
    from the register: that record gets the details. The phase-transfer year is worked out
    from the pupil's year group, never typed."""
    _not_future(issue_date, "issue_date", _today())
    _still_at_school(pupil)
    plan = _plan_with_details(
        pupil=pupil,
        local_authority=local_authority or pupil.home_local_authority,
        issue_date=issue_date,
        owner=owner or actor,
        request=request,
    )
    figures.school_refresh(school_id=plan.school_id)
    return plan


@transaction.atomic
def ehc_plan_complete(
    *,
    actor: User,
    plan: EHCPlan,
    issue_date: dt.date,
    owner: User | None = None,
    today: dt.date | None = None,
) -> EHCPlan:
    """Enter the issue date of a plan record made from the register ("details to complete"):
    its annual reviews are then due 12 months after the issue and each review. The record is
    taken on by `owner` (the person entering it when no one has)."""
    today = today or _today()
    plan = EHCPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.ceased_on is not None:
        raise ValidationError("This plan has ceased.")
    if plan.issue_date is not None:
        raise ValidationError("The plan's issue date is already recorded.")
    if issue_date is None:
        raise ValidationError({"issue_date": "Enter the date the plan was issued."})
    _not_future(issue_date, "issue_date", today)
    first = plan.reviews.order_by("meeting_date").values_list("meeting_date", flat=True).first()
    if first is not None and issue_date > first:
        raise ValidationError(
            {"issue_date": f"The plan cannot be issued after its first review meeting ({first:%-d %B %Y})."}
        )
    if owner is not None:
        _check_owner(owner, plan.school)
    plan.issue_date = issue_date
    kept = plan.owner if _may_own(plan.owner, plan.school_id) else None
    plan.owner = owner or kept or actor
    plan.save(update_fields=["issue_date", "owner"])
    figures.school_refresh(school_id=plan.school_id)
    return plan


@dataclass
class RegisterPlans:
    """What ehc_plans_follow_register changed."""

    created: int = 0
    ceased: int = 0
    transfers_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.ceased or self.transfers_changed)


@transaction.atomic
def ehc_plans_follow_register(
    *, actor: User | None, school_ids: Iterable[int], today: dt.date | None = None
) -> RegisterPlans:
    """Make the plan records of these schools follow their register, in the transaction of the
    change (a census import or a SENCO's change sends pupils.signals.register_changed; the
    command ehc_plans_from_register runs it for data loaded some other way):

    * every pupil recorded as E and still at the school has a live plan record: one is made
      where missing, with no issue date and no owner ("details to complete");
    * a record made that way that nobody has touched (still no issue date, owner, review or
      request) is ceased when its pupil is no longer recorded as E or has left;
    * each live plan's phase-transfer year follows the pupil's year group at the latest census.

    A constant number of statements whatever the number of pupils; running it again changes
    nothing. The caller has checked access (or acts for the import)."""
    today = today or _today()
    ids = sorted({int(pk) for pk in school_ids})
    out = RegisterPlans()
    if not ids:
        return out
    with scopes_disabled():
        recorded = _recorded_on(ids)
        at_e = Q(provision=Provision.EHC_PLAN, left_school_on__isnull=True)
        live = EHCPlan.objects.filter(pupil_id=OuterRef("pk"), ceased_on__isnull=True)
        missing = list(
            Pupil.objects.filter(at_e, school_id__in=ids)
            .exclude(Exists(live))
            .values_list("pk", "school_id", "school__phase", "home_local_authority_id", "year_group")
        )
        new = []
        for pupil_id, school_id, phase, la_id, year_group in missing:
            year, post_16 = _phase_transfer(year_group, phase, recorded.get(school_id))
            new.append(
                EHCPlan(
                    pupil_id=pupil_id,
                    school_id=school_id,
                    local_authority_id=la_id,
                    made_from_register=True,
                    phase_transfer_year=year,
                    phase_transfer_post_16=post_16,
                )
            )
        out.created = bulk.insert(EHCPlan, new)
        # Ceased on the day the register stopped recording E: the census date of an import,
        # the day of a SENCO's change (the register event written just before this).
        left_e = (
            RegisterEvent.objects.filter(pupil_id=OuterRef("pupil_id"), from_provision=Provision.EHC_PLAN)
            .order_by("-date", "-pk")
            .values("date")[:1]
        )
        out.ceased = (
            EHCPlan.objects.filter(
                school_id__in=ids,
                made_from_register=True,
                ceased_on__isnull=True,
                issue_date__isnull=True,
                owner__isnull=True,
                request__isnull=True,
                reviews__isnull=True,
            )
            .exclude(pupil__in=Pupil.objects.filter(at_e, school_id__in=ids))
            .update(ceased_on=Coalesce(Subquery(left_e), Value(today)))
        )
        changed = []
        for pk, school_id, phase, year_group, year, post_16 in EHCPlan.objects.filter(
            school_id__in=ids, ceased_on__isnull=True
        ).values_list(
            "pk",
            "school_id",
            "school__phase",
            "pupil__year_group",
            "phase_transfer_year",
            "phase_transfer_post_16",
        ):
            want = _phase_transfer(year_group, phase, recorded.get(school_id))
            if (year, post_16) != want:
                changed.append(EHCPlan(pk=pk, phase_transfer_year=want[0], phase_transfer_post_16=want[1]))
        EHCPlan.objects.bulk_update(changed, ["phase_transfer_year", "phase_transfer_post_16"])
        out.transfers_changed = len(changed)
        if out.changed:
            figures.schools_refresh(school_ids=ids)
    return out


@transaction.atomic
def annual_review_record(
    *, actor: User, plan: EHCPlan, meeting_date: dt.date, today: dt.date | None = None
) -> AnnualReview:
    today = today or _today()
    _not_future(meeting_date, "meeting_date", today)
    if plan.issue_date and meeting_date < plan.issue_date:
        raise ValidationError({"meeting_date": "This date is before the plan was issued."})
    if plan.reviews.filter(meeting_date=meeting_date).exists():
        raise ValidationError({"meeting_date": "A review on this date is already recorded."})
    review = AnnualReview.objects.create(plan=plan, meeting_date=meeting_date, recorded_by=actor)
    # The review held: the next one is prepared afresh, dated from this meeting.
    plan.next_meeting_on = plan.reports_requested_on = plan.reports_circulated_on = None
    plan.save(update_fields=["next_meeting_on", "reports_requested_on", "reports_circulated_on"])
    figures.school_refresh(school_id=plan.school_id)
    return review


@transaction.atomic
def annual_review_prepare(
    *,
    actor: User,
    plan: EHCPlan,
    next_meeting_on: dt.date | None,
    reports_requested_on: dt.date | None,
    reports_circulated_on: dt.date | None,
    today: dt.date | None = None,
) -> EHCPlan:
    """The next review's planned meeting date and the days its reports were asked for and
    circulated (each may be left empty until known). The planned date moves the steps' dates;
    a done date takes the step off the due list."""
    today = today or _today()
    _not_future(reports_requested_on, "reports_requested_on", today)
    _not_future(reports_circulated_on, "reports_circulated_on", today)
    if plan.ceased_on:
        raise ValidationError("This plan has ceased: it has no next review.")
    if plan.issue_date is None:
        raise ValidationError("Enter the plan's issue date first: the review is dated from it.")
    last = plan.reviews.aggregate(last=Max("meeting_date"))["last"]
    after = last or plan.issue_date
    if next_meeting_on and next_meeting_on <= after:
        raise ValidationError(
            {"next_meeting_on": "The next meeting is after the last review (or the plan's issue)."}
        )
    for field_name in ("reports_requested_on", "reports_circulated_on"):
        value = locals()[field_name]
        if value and value < after:
            raise ValidationError({field_name: "This date is before the last review (or the plan's issue)."})
    if reports_circulated_on and not reports_requested_on:
        raise ValidationError(
            {"reports_requested_on": "Reports are requested before they are circulated: enter when."}
        )
    if reports_circulated_on and reports_requested_on and (reports_circulated_on < reports_requested_on):
        raise ValidationError({"reports_circulated_on": "This date is before the reports were requested."})
    plan.next_meeting_on = next_meeting_on
    plan.reports_requested_on = reports_requested_on
    plan.reports_circulated_on = reports_circulated_on
    plan.save(update_fields=["next_meeting_on", "reports_requested_on", "reports_circulated_on"])
    figures.school_refresh(school_id=plan.school_id)
    return plan


@transaction.atomic
def annual_review_report_sent(
    *, actor: User, review: AnnualReview, sent_on: dt.date, today: dt.date | None = None
) -> AnnualReview:
    """The review report reached the LA (regulation 20(7)): its step is done."""
    today = today or _today()
    _not_future(sent_on, "sent_on", today)
    if review.report_sent_on:
        raise ValidationError("The report of this review is already recorded as sent.")
    if sent_on < review.meeting_date:
        raise ValidationError({"sent_on": "This date is before the review meeting."})
    review.report_sent_on = sent_on
    review.save(update_fields=["report_sent_on"])
    figures.school_refresh(school_id=review.plan.school_id)
    return review


@transaction.atomic
def la_review_rules_save(*, actor: User | None, rules: LAReviewRules) -> LAReviewRules:
    """An LA's annual review rules as a platform admin set them: checked, then every school's
    due list moves with them (the steps of reviews for that LA's plans)."""
    rules.full_clean()
    rules.save()
    # Every school with a plan from this LA, whoever saves (an admin's request has no school
    # scope of its own).
    with scopes_disabled():
        school_ids = set(
            EHCPlan.objects.filter(
                local_authority_id=rules.local_authority_id, ceased_on__isnull=True
            ).values_list("school_id", flat=True)
        )
    figures.schools_refresh(school_ids=school_ids)
    return rules


# --- LA consultations on naming a school (s.39) -------------------------------------------------


def _clean_name(value: str) -> str:
    return " ".join((value or "").split())


@transaction.atomic
def naming_consultation_log(
    *,
    actor: User,
    school: School,
    local_authority: LocalAuthority,
    received_on: dt.date,
    pupil: Pupil | None = None,
    prospective_forename: str = "",
    prospective_surname: str = "",
    prospective_date_of_birth: dt.date | None = None,
    owner: User | None = None,
    today: dt.date | None = None,
) -> NamingConsultation:
    """An LA consults the school about naming it in a child's EHC plan: the 15-day clock for
    the school's response starts on the day the consultation was received. The child is a
    pupil of the school's register or a prospective pupil, by name and date of birth only."""
    today = today or _today()
    _not_future(received_on, "received_on", today)
    forename, surname = _clean_name(prospective_forename), _clean_name(prospective_surname)
    if pupil is not None:
        if pupil.school_id != school.pk:
            raise ValidationError({"pupil": "Choose a pupil of this school."})
        if forename or surname or prospective_date_of_birth:
            raise ValidationError(
                "Give either a pupil on the register or a prospective pupil's "
                "name and date of birth, not both."
            )
    else:
        errors = {}
        if not surname:
            errors["prospective_surname"] = "Enter the prospective pupil's surname."
        if not forename:
            errors["prospective_forename"] = "Enter the prospective pupil's first name."
        if prospective_date_of_birth is None:
            errors["prospective_date_of_birth"] = "Enter the prospective pupil's date of birth."
        elif prospective_date_of_birth >= received_on:
            errors["prospective_date_of_birth"] = (
                "The date of birth must be before the day the consultation was received."
            )
        if errors:
            raise ValidationError(errors)
    owner = owner or actor
    _check_owner(owner, school)
    consultation = NamingConsultation.objects.create(
        school=school,
        local_authority=local_authority,
        pupil=pupil,
        prospective_forename=forename if pupil is None else "",
        prospective_surname=surname if pupil is None else "",
        prospective_date_of_birth=prospective_date_of_birth if pupil is None else None,
        received_on=received_on,
        owner=owner,
        created_by=actor,
    )
    figures.school_refresh(school_id=school.pk)
    return consultation


def _still_open(consultation: NamingConsultation) -> None:
    if consultation.responded_on:
        raise ValidationError("The response has been signed off and sent: it is not changed.")
    if consultation.outcome:
        raise ValidationError("The outcome of this consultation is already recorded.")


@transaction.atomic
def naming_consultation_draft_response(
    *,
    actor: User,
    consultation: NamingConsultation,
    can_meet_needs: bool,
    ground: str = "",
    reasons: str = "",
) -> NamingConsultation:
    """The school's answer, for the headteacher to sign off: whether it can meet the child's
    needs and, if not, the ground of s.39(4) and why. A draft may be written again until it is
    signed off."""
    _still_open(consultation)
    reasons = (reasons or "").strip()
    if can_meet_needs:
        ground = ""
    else:
        errors = {}
        if ground not in NamingConsultation.Ground.values:
            errors["ground"] = "Choose the ground on which the school cannot be named."
        if not reasons:
            errors["reasons"] = "Say why, for the LA: the evidence behind the ground."
        if errors:
            raise ValidationError(errors)
    consultation.can_meet_needs, consultation.ground = bool(can_meet_needs), ground
    consultation.reasons = reasons
    consultation.drafted_by, consultation.drafted_at = actor, timezone.now()
    consultation.save(update_fields=["can_meet_needs", "ground", "reasons", "drafted_by", "drafted_at"])
    figures.school_refresh(school_id=consultation.school_id)
    return consultation


@transaction.atomic
def naming_consultation_sign_off(
    *, actor: User, consultation: NamingConsultation, responded_on: dt.date, today: dt.date | None = None
) -> NamingConsultation:
    """The headteacher signs off the drafted response and it goes to the LA on `responded_on`:
    the 15-day clock stops on that day (on time up to and including day 15)."""
    today = today or _today()
    if not access.can(actor, Capability.SIGN_OFF_CONSULTATIONS, consultation.school_id):
        raise ValidationError("Only the school's headteacher signs off the response.")
    _still_open(consultation)
    if not consultation.drafted:
        raise ValidationError("There is no drafted response to sign off yet.")
    _not_future(responded_on, "responded_on", today)
    if responded_on < consultation.received_on:
        raise ValidationError({"responded_on": "This date is before the consultation was received."})
    consultation.signed_off_by, consultation.responded_on = actor, responded_on
    consultation.save(update_fields=["signed_off_by", "responded_on"])
    figures.school_refresh(school_id=consultation.school_id)
    return consultation


@transaction.atomic
def naming_consultation_record_outcome(
    *,
    actor: User,
    consultation: NamingConsultation,
    outcome: str,
    outcome_on: dt.date,
    today: dt.date | None = None,
) -> NamingConsultation:
    """What the LA decided: the school named or not, or the consultation withdrawn (which
    stops the clock when no response was sent). An outcome other than withdrawn follows the
    school's response."""
    today = today or _today()
    if consultation.outcome:
        raise ValidationError("The outcome of this consultation is already recorded.")
    if outcome not in NamingConsultation.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    _not_future(outcome_on, "outcome_on", today)
    if outcome_on < consultation.received_on:
        raise ValidationError({"outcome_on": "This date is before the consultation was received."})
    if outcome != NamingConsultation.Outcome.WITHDRAWN and not consultation.responded_on:
        raise ValidationError(
            {
                "outcome": "The LA decides after the school's response: sign "
                "off and send the response first, or record that "
                "the LA withdrew the consultation."
            }
        )
    if consultation.responded_on and outcome_on < consultation.responded_on:
        raise ValidationError({"outcome_on": "This date is before the school's response."})
    consultation.outcome, consultation.outcome_on = outcome, outcome_on
    consultation.save(update_fields=["outcome", "outcome_on"])
    figures.school_refresh(school_id=consultation.school_id)
    return consultation


def _erase_prospective(rows: QuerySet[NamingConsultation]) -> int:
    """Names out, date of birth to 1 January of its year, reasons cut: the dates, LA, ground
    and outcome stay for the figures."""
    changed = 0
    for c in rows.filter(pupil__isnull=True).exclude(prospective_surname=ERASED_NAME):
        # A prospective pupil always has a date of birth (the model's check constraint).
        assert c.prospective_date_of_birth is not None
        NamingConsultation.objects.filter(pk=c.pk).update(
            prospective_forename=ERASED_NAME,
            prospective_surname=ERASED_NAME,
            prospective_date_of_birth=dt.date(c.prospective_date_of_birth.year, 1, 1),
            reasons=REDACTED_TEXT if c.reasons else "",
        )
        changed += 1
    return changed


@transaction.atomic
def naming_consultation_erase_prospective(*, actor: User | None, consultation: NamingConsultation) -> bool:
    """Erase a prospective pupil's name and date of birth (a request to erase, or their
    retention ended) from a consultation. False when there was nothing to erase."""
    if consultation.pupil_id:
        raise ValidationError(
            "This consultation is about a pupil on the register: erase the pupil through the privacy pages."
        )
    return bool(_erase_prospective(NamingConsultation.objects.filter(pk=consultation.pk)))


def naming_consultations_erase(erasure: PupilErasure) -> None:
    """A pupil's erasure (pupils.erasure): the reasons of consultations about them go, and so do
    the consultations about the same child before they joined (a prospective pupil with their
    name and date of birth); their name is cut out of other consultations' reasons."""
    pupil = erasure.pupil
    NamingConsultation.objects.filter(pupil=pupil).exclude(reasons="").update(reasons=REDACTED_TEXT)
    _erase_prospective(
        NamingConsultation.objects.filter(
            pupil__isnull=True,
            prospective_forename__iexact=pupil.forename,
            prospective_surname__iexact=pupil.surname,
            prospective_date_of_birth=pupil.date_of_birth,
        )
    )
    erasure.cut_mentions(NamingConsultation.objects.exclude(pupil=pupil), ("reasons",))


@transaction.atomic
def annual_review_record_decision(
    *, actor: User, review: AnnualReview, decision: str, date: dt.date, today: dt.date | None = None
) -> AnnualReview:
    today = today or _today()
    _not_future(date, "date", today)
    if decision not in AnnualReview.Decision.values:
        raise ValidationError({"decision": "Choose the LA's decision."})
    if review.la_decision:
        raise ValidationError("The LA's decision on this review is already recorded.")
    if date < review.meeting_date:
        raise ValidationError({"date": "This date is before the review meeting."})
    review.la_decision, review.la_decision_date = decision, date
    review.save(update_fields=["la_decision", "la_decision_date"])
    figures.school_refresh(school_id=review.plan.school_id)
    return review


# --- A pupil moving school with their plan (transfers.PupilMove) -------------------------------


@transaction.atomic
def ehc_plan_move(*, actor: User | None, from_pupil: Pupil, to_pupil: Pupil, on: dt.date) -> dict[str, int]:
    """The pupil's EHC plan follows them to their new school: the old school's live plan
    ceases there on the day of the move (kept, with its reviews, as its history) and the new
    school's record of the plan gets its issue date, LA and the reviews held so far, so the
    next review falls due where the pupil now is. One live plan per child across the
    deployment: the trust's figures never count the child twice."""
    with scopes_disabled():
        plans = list(
            EHCPlan.objects.select_for_update()
            .filter(pupil=from_pupil, ceased_on__isnull=True)
            .order_by("pk")
        )
        source = next((p for p in plans if p.issue_date is not None), None)
        for plan in plans:
            plan.ceased_on = on
            plan.save(update_fields=["ceased_on"])
        out = {"ehc_plans": 0, "annual_reviews": 0}
        if plans:
            figures.school_refresh(school_id=from_pupil.school_id)
        if source is None:
            return out  # no issued plan: the new school's register makes its own record
        assert source.issue_date is not None  # chosen above for having one
        plan = _plan_with_details(
            pupil=to_pupil, local_authority=source.local_authority, issue_date=source.issue_date, owner=actor
        )
        plan.amended_plan_issued_on = source.amended_plan_issued_on
        plan.save(update_fields=["amended_plan_issued_on"])
        out["ehc_plans"] = 1
        known = set(plan.reviews.values_list("meeting_date", flat=True))
        for review in source.reviews.order_by("meeting_date", "pk"):
            if review.meeting_date in known:
                continue
            AnnualReview.objects.create(
                plan=plan,
                meeting_date=review.meeting_date,
                la_decision=review.la_decision,
                la_decision_date=review.la_decision_date,
                recorded_by=review.recorded_by,
            )
            out["annual_reviews"] += 1
        figures.school_refresh(school_id=plan.school_id)
    return out


# --- Cases -----------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: User,
    school: School,
    kind: str,
    title: str,
    owner: User,
    opened_on: dt.date,
    pupil: Pupil | None = None,
    note: str = "",
    next_action_due: dt.date | None = None,
    decision_letter_date: dt.date | None = None,
    mediation_certificate_date: dt.date | None = None,
    hearing_date: dt.date | None = None,
    suspension_start: dt.date | None = None,
    suspension_days: int | None = None,
) -> Case:
    today = _today()
    if kind not in Case.Kind.values:
        raise ValidationError({"kind": "Choose the kind of case."})
    if not title.strip():
        raise ValidationError({"title": "Enter a short description."})
    _not_future(opened_on, "opened_on", today)
    _not_future(decision_letter_date, "decision_letter_date", today)
    _not_future(mediation_certificate_date, "mediation_certificate_date", today)
    if pupil is not None and pupil.school_id != school.pk:
        raise ValidationError({"pupil": "This pupil is not at the case's school."})
    _check_owner(owner, school)
    if kind == Case.Kind.SUSPENSION:
        if pupil is None:
            raise ValidationError({"pupil": "A suspension is recorded for a pupil."})
        if not suspension_start or not suspension_days:
            raise ValidationError({"suspension_days": "Enter the first day and the number of school days."})
    elif suspension_days or suspension_start:
        raise ValidationError({"suspension_days": "School days are only for suspensions."})
    if kind != Case.Kind.TRIBUNAL_APPEAL and (
        decision_letter_date or mediation_certificate_date or hearing_date
    ):
        raise ValidationError({"decision_letter_date": "Tribunal dates are only for appeals."})
    case = Case.objects.create(
        kind=kind,
        school=school,
        pupil=pupil,
        title=title.strip(),
        owner=owner,
        opened_on=opened_on,
        next_action_due=next_action_due,
        decision_letter_date=decision_letter_date,
        mediation_certificate_date=mediation_certificate_date,
        hearing_date=hearing_date,
        suspension_start=suspension_start,
        suspension_days=suspension_days,
        created_by=actor,
    )
    if note.strip():
        case_add_note(actor=actor, case=case, text=note)
    figures.school_refresh(school_id=case.school_id)
    return case


def _check_owner(owner: User, school: School) -> None:
    if not access.can(owner, Capability.MANAGE_CASES, school):
        raise ValidationError({"owner": "The owner must be someone who manages this school's cases."})


def case_add_note(*, actor: User, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": "Enter the note."})
    return CaseNote.objects.create(case=case, author=actor, text=text.strip())


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: Case,
    status: str | None = None,
    next_action_due: dt.date | None = None,
    owner: User | None = None,
    appeal_lodged_on: dt.date | None = None,
    mediation_certificate_date: dt.date | None = None,
    hearing_date: dt.date | None = None,
) -> Case:
    """Change the status (open / waiting on others), the next action date, the owner or the
    tribunal dates of an open case. Each change is written to the timeline."""
    if not case.is_open:
        raise ValidationError("This case is closed.")
    changes = []
    if status and status != case.status:
        if status not in (Case.Status.OPEN, Case.Status.WAITING):
            raise ValidationError({"status": "Close a case with its outcome."})
        case.status = status
        changes.append(f"Status: {case.get_status_display()}")
    if next_action_due != case.next_action_due:
        case.next_action_due = next_action_due
        changes.append(
            f"Next action due: {next_action_due:%d %b %Y}" if next_action_due else "Next action date cleared"
        )
    if owner and owner.pk != case.owner_id:
        _check_owner(owner, case.school)
        case.owner = owner
        changes.append(f"Owner: {owner}")
    for field, value, label in (
        ("appeal_lodged_on", appeal_lodged_on, "Appeal lodged"),
        ("mediation_certificate_date", mediation_certificate_date, "Mediation certificate"),
        ("hearing_date", hearing_date, "Hearing date"),
    ):
        if value and value != getattr(case, field):
            if case.kind != Case.Kind.TRIBUNAL_APPEAL:
                raise ValidationError({field: "Tribunal dates are only for appeals."})
            setattr(case, field, value)
            changes.append(f"{label}: {value:%d %b %Y}")
    if changes:
        case.save()
        case_add_note(actor=actor, case=case, text="; ".join(changes))
        figures.school_refresh(school_id=case.school_id)
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, outcome: str, closed_on: dt.date | None = None) -> Case:
    closed_on = closed_on or _today()
    if not case.is_open:
        raise ValidationError("This case is already closed.")
    if not outcome.strip():
        raise ValidationError({"outcome": "Enter the outcome."})
    _not_future(closed_on, "closed_on", _today())
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": "A case cannot close before it opened."})
    case.status, case.outcome, case.closed_on = Case.Status.CLOSED, outcome.strip(), closed_on
    case.save()
    case_add_note(actor=actor, case=case, text=f"Closed. Outcome: {outcome.strip()}")
    figures.school_refresh(school_id=case.school_id)
    return case


# --- Handing over open work (trusts.handover) ---------------------------------------------------
# A colleague's open cases, assessment requests and plans go to a new owner. Each record's
# history says so: a case's timeline gets a note, and every record an audit entry with who
# handed it over, from whom, to whom, when and why. A record already with the new owner is left
# as it is, so handing over twice changes nothing the second time.


def _check_reason(reason: str) -> None:
    if reason not in handover.Reason.values:
        raise ValidationError({"reason": "Select why the work is handed over."})


def _may_own(user: User | None, school_id: int) -> bool:
    return user is not None and access.can(user, Capability.MANAGE_CASES, school_id)


_Owned = TypeVar("_Owned", Case, EHCRequest, EHCPlan, NamingConsultation)


def _take_over(*, actor: User, obj: _Owned, owner: User, reason: str) -> bool:
    """Give `obj` (locked, its owner and school loaded) to `owner`; False when already theirs."""
    if obj.owner_id == owner.pk:
        return False
    _check_reason(reason)
    _check_owner(owner, obj.school)
    previous = obj.owner
    fields: dict[str, object] = {"owner": owner}
    if hasattr(obj, "updated_at"):
        fields["updated_at"] = timezone.now()
    # An UPDATE rather than save(): the audit entry written below is the one record of the
    # change, with its reason (auditlog's own entry would have none).
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    obj.owner = owner
    if isinstance(obj, Case):
        case_add_note(
            actor=actor,
            case=obj,
            text=(
                f"Handed over from {previous or 'no owner'} to {owner}: "
                f"{handover.Reason(reason).label.lower()}."
            ),
        )
    if previous is not None:
        handover.record(actor=actor, obj=obj, from_owner=previous, to_owner=owner, reason=reason)
    return True


def _locked(model: type[_Owned], pk: int) -> _Owned:
    return model.objects.select_for_update(of=("self",)).select_related("owner", "school").get(pk=pk)


@transaction.atomic
def case_reassign(*, actor: User, case: Case, owner: User, reason: str) -> bool:
    """Give an open case to `owner` (someone who manages the school's cases)."""
    case = _locked(Case, case.pk)
    if not case.is_open:
        raise ValidationError("This case is closed.")
    changed = _take_over(actor=actor, obj=case, owner=owner, reason=reason)
    if changed:
        figures.school_refresh(school_id=case.school_id)
    return changed


@transaction.atomic
def ehc_request_reassign(*, actor: User, request: EHCRequest, owner: User, reason: str) -> bool:
    """Give an assessment request still in progress to `owner`."""
    request = _locked(EHCRequest, request.pk)
    if request.closed:
        raise ValidationError("This request is finished.")
    changed = _take_over(actor=actor, obj=request, owner=owner, reason=reason)
    if changed:
        figures.school_refresh(school_id=request.school_id)
    return changed


@transaction.atomic
def ehc_plan_reassign(*, actor: User, plan: EHCPlan, owner: User, reason: str) -> bool:
    """Give a live EHC plan (its annual reviews and deadlines) to `owner`."""
    plan = _locked(EHCPlan, plan.pk)
    if plan.ceased_on is not None:
        raise ValidationError("This plan has ceased.")
    changed = _take_over(actor=actor, obj=plan, owner=owner, reason=reason)
    if changed:
        figures.school_refresh(school_id=plan.school_id)
    return changed


OPEN: dict[type[models.Model], Q] = {
    Case: ~Q(status=Case.Status.CLOSED),
    EHCRequest: ~Q(decision=EHCRequest.Decision.REFUSE) & Q(outcome=""),
    EHCPlan: Q(ceased_on__isnull=True),
    # Open until the LA's decision (or its withdrawal) is recorded: the owner follows the
    # response through the headteacher's sign-off to the outcome.
    NamingConsultation: Q(outcome=""),
}


def _hand_over(
    model: type[_Owned],
    *,
    actor: User,
    from_owner: User,
    to_owner: User,
    school_ids: Iterable[int],
    reason: str,
) -> int:
    _check_reason(reason)
    rows = list(
        model.objects.select_for_update(of=("self",))
        .select_related("owner", "school")
        .filter(OPEN[model], owner=from_owner, school_id__in=list(school_ids))
        .order_by("pk")
    )
    moved = [row for row in rows if _take_over(actor=actor, obj=row, owner=to_owner, reason=reason)]
    figures.schools_refresh(school_ids={row.school_id for row in moved})
    return len(moved)


@transaction.atomic
def cases_hand_over(
    *, actor: User, from_owner: User, to_owner: User, school_ids: Iterable[int], reason: str
) -> int:
    """Every open case of `from_owner` at these schools to `to_owner`: the number moved."""
    return _hand_over(
        Case, actor=actor, from_owner=from_owner, to_owner=to_owner, school_ids=school_ids, reason=reason
    )


@transaction.atomic
def ehc_requests_hand_over(
    *, actor: User, from_owner: User, to_owner: User, school_ids: Iterable[int], reason: str
) -> int:
    return _hand_over(
        EHCRequest,
        actor=actor,
        from_owner=from_owner,
        to_owner=to_owner,
        school_ids=school_ids,
        reason=reason,
    )


@transaction.atomic
def ehc_plans_hand_over(
    *, actor: User, from_owner: User, to_owner: User, school_ids: Iterable[int], reason: str
) -> int:
    return _hand_over(
        EHCPlan, actor=actor, from_owner=from_owner, to_owner=to_owner, school_ids=school_ids, reason=reason
    )


@transaction.atomic
def naming_consultations_hand_over(
    *, actor: User, from_owner: User, to_owner: User, school_ids: Iterable[int], reason: str
) -> int:
    return _hand_over(
        NamingConsultation,
        actor=actor,
        from_owner=from_owner,
        to_owner=to_owner,
        school_ids=school_ids,
        reason=reason,
    )


# --- Head of SEND activity -------------------------------------------------------------------


def split_hours(hours: Decimal, parts: int) -> list[Decimal]:
    """Split hours into `parts` shares to the hundredth that add up exactly (the first shares
    take any remaining hundredths)."""
    base = (hours / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    rest = int((hours - base * parts) / Decimal("0.01"))
    return [base + (Decimal("0.01") if i < rest else 0) for i in range(parts)]


def _activity_checked(
    *,
    kind: str,
    date: dt.date,
    hours: Decimal,
    trusts: list[Trust],
    school: School | None,
    topic: str,
    staff_trained: int | None,
) -> list[Trust]:
    """The facts an activity entry must hold (on logging and on correcting); the trusts
    without repeats, by id."""
    if kind not in ActivityEntry.Kind.values:
        raise ValidationError({"kind": "Choose the kind of activity."})
    if not trusts:
        raise ValidationError({"trusts": "Choose at least one trust."})
    if hours is None or hours <= 0 or hours > 24:
        raise ValidationError({"hours": "Enter the hours, more than 0 and at most 24."})
    if hours != hours.quantize(Decimal("0.01")):
        raise ValidationError({"hours": "Hours to at most two decimal places."})
    _not_future(date, "date", _today())
    trusts = sorted({t.pk: t for t in trusts}.values(), key=lambda t: t.pk)
    if school is not None and school.trust_id not in {t.pk for t in trusts}:
        raise ValidationError({"school": "The school is not in the chosen trust(s)."})
    if kind == ActivityEntry.Kind.TRAINING and (school is None or not topic.strip() or not staff_trained):
        raise ValidationError({"topic": "Training needs a school, a topic and the number of staff trained."})
    return trusts


def _share(entry: ActivityEntry, trusts: list[Trust], hours: Decimal) -> None:
    ActivityShare.objects.with_scopes_disabled().bulk_create(
        ActivityShare(entry=entry, trust=trust, hours=share)
        for trust, share in zip(trusts, split_hours(hours, len(trusts)), strict=True)
    )


@transaction.atomic
def activity_log(
    *,
    actor: User,
    kind: str,
    date: dt.date,
    hours: Decimal,
    trusts: list[Trust],
    school: School | None = None,
    topic: str = "",
    staff_trained: int | None = None,
    notes: str = "",
) -> ActivityEntry:
    """Log one activity for one or more trusts; its hours are shared equally between them."""
    trusts = _activity_checked(
        kind=kind,
        date=date,
        hours=hours,
        trusts=trusts,
        school=school,
        topic=topic,
        staff_trained=staff_trained,
    )
    entry = ActivityEntry.objects.with_scopes_disabled().create(
        person=actor,
        kind=kind,
        date=date,
        hours=hours,
        school=school,
        topic=topic.strip(),
        staff_trained=staff_trained,
        notes=notes.strip(),
    )
    _share(entry, trusts, hours)
    figures.trust_activity_refresh(trust_ids=[t.pk for t in trusts])
    return entry


def _activity_values(
    *,
    kind: str,
    date: dt.date,
    hours: Decimal,
    trusts: list[Trust],
    school: School | None,
    topic: str,
    staff_trained: int | None,
    notes: str,
) -> dict[str, Any]:
    """An entry's values as kept in its history (names beside ids, to read them later)."""
    return {
        "kind": kind,
        "date": date.isoformat(),
        "hours": str(hours.quantize(Decimal("0.01"))),
        "trusts": [[t.pk, t.name] for t in sorted(trusts, key=lambda t: t.pk)],
        "school": [school.pk, school.name] if school is not None else None,
        "topic": topic,
        "staff_trained": staff_trained,
        "notes": notes,
    }


@transaction.atomic
def activity_correct(
    *,
    actor: User,
    entry: ActivityEntry,
    kind: str,
    date: dt.date,
    hours: Decimal,
    trusts: list[Trust],
    school: School | None = None,
    topic: str = "",
    staff_trained: int | None = None,
    notes: str = "",
    reason: str = "",
) -> ActivityCorrection:
    """Correct an entry: only the person who logged it may. The values before and after are
    kept as a correction (the first correction's `before` is what was first logged), the
    hours shared again between the trusts, and the figures of the trusts it was and is now
    for written again, in one transaction."""
    if entry.person_id != actor.pk:
        raise ValidationError("Only the person who logged an activity can correct it.")
    trusts = _activity_checked(
        kind=kind,
        date=date,
        hours=hours,
        trusts=trusts,
        school=school,
        topic=topic,
        staff_trained=staff_trained,
    )
    # Locked, so two corrections at once are kept one after the other.
    entry = (
        ActivityEntry.objects.with_scopes_disabled()
        .select_for_update(of=("self",))
        .select_related("school")
        .get(pk=entry.pk)
    )
    shares = list(ActivityShare.objects.with_scopes_disabled().filter(entry=entry).select_related("trust"))
    before = _activity_values(
        kind=entry.kind,
        date=entry.date,
        hours=entry.hours,
        trusts=[s.trust for s in shares],
        school=entry.school,
        topic=entry.topic,
        staff_trained=entry.staff_trained,
        notes=entry.notes,
    )
    after = _activity_values(
        kind=kind,
        date=date,
        hours=hours,
        trusts=trusts,
        school=school,
        topic=topic.strip(),
        staff_trained=staff_trained,
        notes=notes.strip(),
    )
    if before == after:
        raise ValidationError("Nothing has changed: change a value to correct the entry.")
    entry.kind, entry.date, entry.hours, entry.school = kind, date, hours, school
    entry.topic, entry.staff_trained, entry.notes = after["topic"], staff_trained, after["notes"]
    # The entry and its shares are written as one: its trusts' scope is not the request's.
    with scopes_disabled():
        entry.save()
        if before["trusts"] != after["trusts"] or before["hours"] != after["hours"]:
            for share in shares:
                share.delete()  # one by one, so each removal is audited
            _share(entry, trusts, hours)
        correction = ActivityCorrection.objects.create(
            entry=entry, corrected_by=actor, reason=reason.strip(), before=before, after=after
        )
    figures.trust_activity_refresh(trust_ids={t for t, _ in before["trusts"]} | {t.pk for t in trusts})
    return correction


# --- Reminders -------------------------------------------------------------------------------


def reminders_send_daily(*, today: dt.date | None = None) -> int:
    """E-mail each owner one digest of what is due within 7 days or overdue; at most one
    digest per owner per day, however often this runs. Returns the number of e-mails sent."""
    today = today or _today()
    sent = 0
    by_owner = due_items_by_owner(today=today)
    owners = {u.pk: u for u in User.objects.filter(pk__in=by_owner, is_active=True)}
    for owner_id, items in sorted(by_owner.items()):
        owner = owners.get(owner_id)
        if owner is None or not owner.email:
            continue
        with transaction.atomic():
            _, created = DigestSent.objects.get_or_create(
                owner=owner, date=today, defaults={"items": len(items)}
            )
            if not created:
                continue
            # Absolute links (SITE_URL): a mail client has no page to resolve a path against.
            body = render_to_string(
                "casework/email/digest.txt",
                {
                    "owner": owner,
                    "items": [(item, absolute_url(item.url)) for item in items],
                    "count": len(items),
                    "today": today,
                    "due_list_url": absolute_url(reverse("casework:due_list")),
                },
            )
            send_mail(f"SEND Portal: {len(items)} item(s) due or overdue", body, None, [owner.email])
        sent += 1
    return sent


# --- Erasure of a pupil's personal data (pupils.erasure) -----------------------------------------


def _rewrite_notes(notes: models.QuerySet[CaseNote], text_of: Callable[[str], str]) -> None:
    """The one path that rewrites case note text: erasure. Case notes are append-only
    (AppendOnlyQuerySet refuses update() and delete(); CaseNote.save() refuses changes); this
    writes through a plain QuerySet, replacing the text only (never deleting a note, its author
    or its time), so the timeline keeps its shape. No other code does this."""
    plain: models.QuerySet[CaseNote] = models.QuerySet(model=CaseNote)
    for pk, text in notes.values_list("pk", "text"):
        plain.filter(pk=pk).update(text=text_of(text))


def pupil_cases_erase(erasure: PupilErasure) -> None:
    """The title, outcome and notes of every case about the pupil go; in the school's other
    cases the pupil's full name and UPN are cut out of the title, outcome and notes."""
    pupil = erasure.pupil
    linked = Case.objects.filter(pupil=pupil)
    linked.update(title=REDACTED_TEXT)
    linked.exclude(outcome="").update(outcome=REDACTED_TEXT)
    _rewrite_notes(CaseNote.objects.filter(case__in=linked), lambda _text: REDACTED_TEXT)
    others = Case.objects.filter(school_id=pupil.school_id).exclude(pupil=pupil)
    for case in others.filter(erasure.mentions("title", "outcome")):
        Case.objects.filter(pk=case.pk).update(
            title=erasure.cut(case.title), outcome=erasure.cut(case.outcome)
        )
    _rewrite_notes(CaseNote.objects.filter(case__in=others).filter(erasure.mentions("text")), erasure.cut)
