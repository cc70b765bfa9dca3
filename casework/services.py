"""Every write of the casework app. Callers (views, tasks, demo) have already checked access;
services check the facts of the domain and raise ValidationError with a clear message,
changing nothing, when they do not hold. Each service that changes cases, EHC needs assessment
requests, plans, reviews or activity ends by bringing the kept figures (casework.figures) up
to date inside its own transaction, so a rollback takes both back."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.links import absolute_url
from pupils import services as pupils_services
from pupils.models import Pupil
from trusts import access
from trusts.access import Capability
from trusts.models import LocalAuthority, School, Trust, User

from . import figures
from .models import (
    ActivityEntry,
    ActivityShare,
    AnnualReview,
    Case,
    CaseNote,
    DigestSent,
    EHCPlan,
    EHCRequest,
)
from .selectors import due_items_by_owner


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(value: dt.date | None, label: str, today: dt.date) -> None:
    if value and value > today:
        raise ValidationError({label: "This date cannot be in the future."})


# --- EHC needs assessment requests -----------------------------------------------------------

@transaction.atomic
def ehc_request_create(*, actor: User, pupil: Pupil, requested_by: str, request_date: dt.date,
                       local_authority: LocalAuthority | None = None,
                       owner: User | None = None) -> EHCRequest:
    _not_future(request_date, "request_date", _today())
    if requested_by not in EHCRequest.RequestedBy.values:
        raise ValidationError({"requested_by": "Choose who made the request."})
    if EHCRequest.objects.filter(pupil=pupil, decision="").exists() or EHCRequest.objects.filter(
        pupil=pupil, decision=EHCRequest.Decision.ASSESS, outcome=""
    ).exists():
        raise ValidationError("This pupil already has an assessment request in progress.")
    request = EHCRequest.objects.create(
        pupil=pupil, school=pupil.school,
        local_authority=local_authority or pupil.home_local_authority,
        requested_by=requested_by, request_date=request_date, owner=owner or actor,
        created_by=actor,
    )
    figures.school_refresh(school_id=request.school_id)
    return request


STEP_FIELDS = ("decision", "draft_plan", "parents_comments", "outcome")


@transaction.atomic
def ehc_request_record_step(*, actor: User, request: EHCRequest, step: str, date: dt.date,
                            result: str = "", today: dt.date | None = None) -> EHCRequest:
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
        if date < request.decision_date:
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
        EHCPlan.objects.create(
            pupil=request.pupil, school=request.school, local_authority=request.local_authority,
            request=request, issue_date=date, owner=request.owner,
        )
        pupils_services.pupil_record_ehc_plan_issued(actor=actor, pupil=request.pupil, on=date)
    figures.school_refresh(school_id=request.school_id)
    return request


# --- EHC plans and annual reviews ------------------------------------------------------------

@transaction.atomic
def ehc_plan_create(*, actor: User, pupil: Pupil, issue_date: dt.date,
                    local_authority: LocalAuthority | None = None,
                    phase_transfer_year: int | None = None, phase_transfer_post_16: bool = False,
                    owner: User | None = None) -> EHCPlan:
    """Record an existing plan (one issued before the portal was used)."""
    _not_future(issue_date, "issue_date", _today())
    plan = EHCPlan.objects.create(
        pupil=pupil, school=pupil.school,
        local_authority=local_authority or pupil.home_local_authority, issue_date=issue_date,
        phase_transfer_year=phase_transfer_year, phase_transfer_post_16=phase_transfer_post_16,
        owner=owner or actor,
    )
    figures.school_refresh(school_id=plan.school_id)
    return plan


@transaction.atomic
def annual_review_record(*, actor: User, plan: EHCPlan, meeting_date: dt.date,
                         today: dt.date | None = None) -> AnnualReview:
    today = today or _today()
    _not_future(meeting_date, "meeting_date", today)
    if meeting_date < plan.issue_date:
        raise ValidationError({"meeting_date": "This date is before the plan was issued."})
    if plan.reviews.filter(meeting_date=meeting_date).exists():
        raise ValidationError({"meeting_date": "A review on this date is already recorded."})
    review = AnnualReview.objects.create(plan=plan, meeting_date=meeting_date, recorded_by=actor)
    figures.school_refresh(school_id=plan.school_id)
    return review


@transaction.atomic
def annual_review_record_decision(*, actor: User, review: AnnualReview, decision: str,
                                  date: dt.date, today: dt.date | None = None) -> AnnualReview:
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


# --- Cases -----------------------------------------------------------------------------------

@transaction.atomic
def case_open(*, actor: User, school: School, kind: str, title: str, owner: User,
              opened_on: dt.date, pupil: Pupil | None = None, note: str = "",
              next_action_due: dt.date | None = None,
              decision_letter_date: dt.date | None = None,
              mediation_certificate_date: dt.date | None = None,
              hearing_date: dt.date | None = None, suspension_start: dt.date | None = None,
              suspension_days: int | None = None) -> Case:
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
            raise ValidationError(
                {"suspension_days": "Enter the first day and the number of school days."}
            )
    elif suspension_days or suspension_start:
        raise ValidationError({"suspension_days": "School days are only for suspensions."})
    if kind != Case.Kind.TRIBUNAL_APPEAL and (decision_letter_date or mediation_certificate_date
                                              or hearing_date):
        raise ValidationError({"decision_letter_date": "Tribunal dates are only for appeals."})
    case = Case.objects.create(
        kind=kind, school=school, pupil=pupil, title=title.strip(), owner=owner,
        opened_on=opened_on, next_action_due=next_action_due,
        decision_letter_date=decision_letter_date,
        mediation_certificate_date=mediation_certificate_date, hearing_date=hearing_date,
        suspension_start=suspension_start, suspension_days=suspension_days, created_by=actor,
    )
    if note.strip():
        case_add_note(actor=actor, case=case, text=note)
    figures.school_refresh(school_id=case.school_id)
    return case


def _check_owner(owner: User, school: School) -> None:
    if not access.can(owner, Capability.MANAGE_CASES, school):
        raise ValidationError({"owner": "The owner must be someone who manages this school's "
                                        "cases."})


def case_add_note(*, actor: User, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": "Enter the note."})
    return CaseNote.objects.create(case=case, author=actor, text=text.strip())


@transaction.atomic
def case_update(*, actor: User, case: Case, status: str | None = None,
                next_action_due: dt.date | None = None, owner: User | None = None,
                appeal_lodged_on: dt.date | None = None,
                mediation_certificate_date: dt.date | None = None,
                hearing_date: dt.date | None = None) -> Case:
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
        changes.append(f"Next action due: {next_action_due:%d %b %Y}" if next_action_due
                       else "Next action date cleared")
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
def case_close(*, actor: User, case: Case, outcome: str, closed_on: dt.date | None = None
               ) -> Case:
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


# --- Head of SEND activity -------------------------------------------------------------------

def split_hours(hours: Decimal, parts: int) -> list[Decimal]:
    """Split hours into `parts` shares to the hundredth that add up exactly (the first shares
    take any remaining hundredths)."""
    base = (hours / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    rest = int((hours - base * parts) / Decimal("0.01"))
    return [base + (Decimal("0.01") if i < rest else 0) for i in range(parts)]


@transaction.atomic
def activity_log(*, actor: User, kind: str, date: dt.date, hours: Decimal, trusts: list[Trust],
                 school: School | None = None, topic: str = "", staff_trained: int | None = None,
                 notes: str = "") -> ActivityEntry:
    """Log one activity for one or more trusts; its hours are shared equally between them."""
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
    if kind == ActivityEntry.Kind.TRAINING and (
        school is None or not topic.strip() or not staff_trained
    ):
        raise ValidationError(
            {"topic": "Training needs a school, a topic and the number of staff trained."}
        )
    entry = ActivityEntry.objects.with_scopes_disabled().create(
        person=actor, kind=kind, date=date, hours=hours, school=school, topic=topic.strip(),
        staff_trained=staff_trained, notes=notes.strip(),
    )
    ActivityShare.objects.with_scopes_disabled().bulk_create(
        ActivityShare(entry=entry, trust=trust, hours=share)
        for trust, share in zip(trusts, split_hours(hours, len(trusts)), strict=True)
    )
    figures.trust_activity_refresh(trust_ids=[t.pk for t in trusts])
    return entry


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
            body = render_to_string("casework/email/digest.txt", {
                "owner": owner, "items": [(item, absolute_url(item.url)) for item in items],
                "count": len(items), "today": today,
                "due_list_url": absolute_url(reverse("casework:due_list")),
            })
            send_mail(f"SEND Portal: {len(items)} item(s) due or overdue", body,
                      None, [owner.email])
        sent += 1
    return sent
