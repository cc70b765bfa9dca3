"""Casework: EHC needs assessment requests and their statutory steps, EHC plans and annual
reviews, cases with an append-only timeline of notes, suspensions, and the Head of SEND's
activity log.

Tenant scoping: every model owned by a school uses `TenantManager(school=...)`. Activity
entries belong to trusts, not to a school (a visit may be to a school, a trustee meeting is
not), so they are scoped on a separate `trust` dimension that the request middleware never
activates: every query raises ScopeError unless the caller opens `scope(trust=ids)` itself.
Only casework.selectors does so, with the ids from `access.trust_ids_for(user, LOG_ACTIVITY)`
that the view passes in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from pupils.models import Pupil
from trusts.audit import AuditedInSchool
from trusts.models import LocalAuthority, School, Trust
from trusts.scoping import TenantManager

from . import deadlines as dl


class AppendOnlyError(Exception):
    """A case note was about to be changed or deleted."""


# --- EHC needs assessment requests -----------------------------------------------------------


class EHCRequest(AuditedInSchool, models.Model):
    class RequestedBy(models.TextChoices):
        SCHOOL = "school", "School"
        PARENT = "parent", "Parent or carer"
        YOUNG_PERSON = "young_person", "Young person"
        OTHER = "other", "Other"

    class Decision(models.TextChoices):
        ASSESS = "assess", "Agreed to assess"
        REFUSE = "refuse", "Refused to assess"

    class Outcome(models.TextChoices):
        ISSUED = "issued", "Final plan issued"
        NOT_ISSUED = "not_issued", "Decided not to issue a plan"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="ehc_requests")
    # The pupil's school when the request was made: the scope dimension.
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="ehc_requests")
    # The LA asked to assess: the pupil's home LA unless told otherwise.
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="ehc_requests")
    requested_by = models.CharField(max_length=12, choices=RequestedBy.choices)
    request_date = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ehc_requests_owned"
    )
    decision = models.CharField(max_length=6, choices=Decision.choices, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    draft_plan_date = models.DateField("draft plan sent", null=True, blank=True)
    parents_comments_date = models.DateField("parents' comments received", null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["request_date", "pk"]
        verbose_name = "EHC needs assessment request"
        constraints = [
            models.CheckConstraint(
                name="ehc_decision_has_date",
                condition=models.Q(decision="", decision_date__isnull=True)
                | (~models.Q(decision="") & models.Q(decision_date__isnull=False)),
            ),
            models.CheckConstraint(
                name="ehc_outcome_has_date",
                condition=models.Q(outcome="", outcome_date__isnull=True)
                | (~models.Q(outcome="") & models.Q(outcome_date__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        # No name: this text reaches the audit log.
        return f"EHC needs assessment request for pupil {self.pupil_id}, made {self.request_date:%-d %b %Y}"

    @property
    def final_plan_due(self) -> dt.date:
        return dl.final_plan_due(self.request_date)

    @property
    def closed(self) -> bool:
        return self.decision == self.Decision.REFUSE or bool(self.outcome)

    def steps(self, today: dt.date) -> list[Step]:
        """The statutory steps with their deadlines and status, in order."""
        r = self.request_date
        steps = [
            Step(
                "decision",
                "Decision whether to assess (6 weeks)",
                dl.step_status(dl.decision_to_assess_due(r), self.decision_date, today),
                self.get_decision_display() if self.decision else "",
            )
        ]
        if self.decision == self.Decision.REFUSE:
            return steps
        if self.draft_plan_date:
            steps.append(
                Step(
                    "comments",
                    "Parents' comments on the draft (15 days)",
                    dl.step_status(
                        dl.parents_comments_due(self.draft_plan_date), self.parents_comments_date, today
                    ),
                )
            )
        if self.outcome == self.Outcome.NOT_ISSUED:
            steps.append(
                Step(
                    "not_issued",
                    "Notice of decision not to issue (16 weeks)",
                    dl.step_status(dl.notice_not_to_issue_due(r), self.outcome_date, today),
                    "Decided not to issue",
                )
            )
        else:
            done = self.outcome_date if self.outcome == self.Outcome.ISSUED else None
            steps.append(
                Step(
                    "final",
                    "Final EHC plan issued (20 weeks)",
                    dl.step_status(dl.final_plan_due(r), done, today),
                )
            )
        return steps

    def next_step(self, today: dt.date) -> Step | None:
        pending = [s for s in self.steps(today) if s.status.pending]
        return min(pending, key=lambda s: s.status.due) if pending else None


class Step:
    def __init__(self, key: str, label: str, status: dl.StepStatus, result: str = ""):
        self.key, self.label, self.status, self.result = key, label, status, result

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Step({self.key}, {self.status})"


# --- EHC plans and annual reviews ------------------------------------------------------------


class EHCPlan(AuditedInSchool, models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="ehc_plans")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="ehc_plans")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="ehc_plans")
    request = models.OneToOneField(
        EHCRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="plan"
    )
    # None for a plan record made from the register (a pupil recorded as E at the census) until
    # the SENCO enters it: its "details to complete". No annual review date is worked out from
    # a date nobody knows (see next_review_due).
    issue_date = models.DateField(null=True, blank=True)
    # None only for a record made from the register, until someone takes it on.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ehc_plans_owned",
        null=True,
        blank=True,
    )
    made_from_register = models.BooleanField(
        default=False, help_text="Made because the register records the pupil as E."
    )
    # A pupil moving phase (e.g. to secondary school) needs the amended plan by 15 February
    # of the transfer year, or 31 March for a move to post-16. Worked out from the pupil's
    # year group at the latest census and the school's phase (deadlines.phase_transfer) by
    # casework.services whenever the plan or the register changes; never typed.
    phase_transfer_year = models.PositiveSmallIntegerField(null=True, blank=True)
    phase_transfer_post_16 = models.BooleanField(default=False)
    amended_plan_issued_on = models.DateField(null=True, blank=True)
    ceased_on = models.DateField(null=True, blank=True)
    # The next annual review: its meeting date once planned (until then its steps are dated
    # from the latest day it may be held), and the days its reports were asked for and
    # circulated. All three go back to empty when the review meeting is recorded.
    next_meeting_on = models.DateField("next review meeting planned for", null=True, blank=True)
    reports_requested_on = models.DateField(null=True, blank=True)
    reports_circulated_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["issue_date", "pk"]
        verbose_name = "EHC plan"

    def __str__(self) -> str:
        # No name: this text reaches the audit log. Kind, pupil and date say what it is.
        issued = f"issued {self.issue_date:%-d %b %Y}" if self.issue_date else "issue date not recorded"
        return f"EHC plan of pupil {self.pupil_id}, {issued}"

    @property
    def details_to_complete(self) -> bool:
        return self.issue_date is None

    def next_review_due(self, last_meeting: dt.date | None) -> dt.date | None:
        """12 months after the last review meeting, or after the issue; None when neither date
        is known (a plan record made from the register before its issue date is entered)."""
        start = last_meeting or self.issue_date
        return dl.annual_review_due(start) if start else None

    def phase_transfer_status(self, today: dt.date) -> dl.StepStatus | None:
        if not self.phase_transfer_year:
            return None
        due = dl.phase_transfer_due(self.phase_transfer_year, post_16=self.phase_transfer_post_16)
        return dl.step_status(due, self.amended_plan_issued_on, today)


class AnnualReview(AuditedInSchool, models.Model):
    class Decision(models.TextChoices):
        MAINTAIN = "maintain", "Maintain the plan"
        AMEND = "amend", "Amend the plan"
        CEASE = "cease", "Cease the plan"

    plan = models.ForeignKey(EHCPlan, on_delete=models.PROTECT, related_name="reviews")
    meeting_date = models.DateField()
    la_decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    la_decision_date = models.DateField(null=True, blank=True)
    # The day the review report (regulation 20(7)) was sent to the LA. A review whose LA
    # decision is recorded no longer waits for it: the LA decided on the report.
    report_sent_on = models.DateField("review report sent to the LA", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="plan__school")

    class Meta:
        ordering = ["plan", "meeting_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "meeting_date"], name="one_review_per_day"),
        ]

    def __str__(self) -> str:
        return f"Annual review meeting of {self.meeting_date:%-d %b %Y}"

    audit_school = "plan.school"  # the trust and school of its audit entries

    def decision_status(self, today: dt.date) -> dl.StepStatus:
        return dl.step_status(dl.review_decision_due(self.meeting_date), self.la_decision_date, today)

    def report_status(self, rules: dl.ReviewRules, today: dt.date) -> dl.StepStatus:
        return dl.step_status(
            dl.review_report_due(self.meeting_date, rules.report_days), self.report_sent_on, today
        )


class LAReviewRules(models.Model):
    """How one LA runs annual reviews: set by platform admins in the admin, loaded for the
    reference LAs by casework.reference. Public facts about the LA, so not scoped to a school.
    An LA without rules uses casework.deadlines.DEFAULT_REVIEW_RULES."""

    local_authority = models.OneToOneField(
        LocalAuthority, on_delete=models.CASCADE, related_name="review_rules"
    )
    request_reports_weeks = models.PositiveSmallIntegerField(
        "weeks before the meeting to request reports", default=6
    )
    circulate_weeks = models.PositiveSmallIntegerField(
        "weeks before the meeting to circulate reports",
        default=dl.REVIEW_CIRCULATE_MIN_WEEKS,
        help_text="At least 2 (SEND Regulations 2014, regulation 20(3)).",
    )
    report_days = models.PositiveSmallIntegerField(
        "days after the meeting for the report to reach the LA",
        default=dl.REVIEW_REPORT_MAX_DAYS,
        help_text="At most 14, two weeks (SEND Regulations 2014, regulation 20(7)).",
    )
    forms = models.CharField(
        "the LA's annual review forms",
        max_length=200,
        blank=True,
        help_text="The name of the LA's forms, if it has its own.",
    )
    forms_url = models.URLField("link to the forms", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["local_authority__name"]
        verbose_name = "LA annual review rules"
        verbose_name_plural = "LA annual review rules"
        constraints = [
            models.CheckConstraint(
                name="review_rules_circulate_two_weeks",
                condition=models.Q(circulate_weeks__gte=dl.REVIEW_CIRCULATE_MIN_WEEKS),
            ),
            models.CheckConstraint(
                name="review_rules_request_before_circulate",
                condition=models.Q(request_reports_weeks__gte=models.F("circulate_weeks")),
            ),
            models.CheckConstraint(
                name="review_rules_report_within_two_weeks",
                condition=models.Q(report_days__gte=1, report_days__lte=dl.REVIEW_REPORT_MAX_DAYS),
            ),
        ]

    def __str__(self) -> str:
        return f"Annual review rules of {self.local_authority}"

    @property
    def rules(self) -> dl.ReviewRules:
        return dl.ReviewRules(self.request_reports_weeks, self.circulate_weeks, self.report_days)

    def clean(self) -> None:
        errors = {}
        if self.circulate_weeks is not None and (self.circulate_weeks < dl.REVIEW_CIRCULATE_MIN_WEEKS):
            errors["circulate_weeks"] = (
                "Reports are circulated at least 2 weeks before the meeting (regulation 20(3))."
            )
        if (
            self.request_reports_weeks is not None
            and self.circulate_weeks is not None
            and self.request_reports_weeks < self.circulate_weeks
        ):
            errors["request_reports_weeks"] = (
                "Reports are requested before they are circulated: at least as many weeks before."
            )
        if self.report_days is not None and not (1 <= self.report_days <= dl.REVIEW_REPORT_MAX_DAYS):
            errors["report_days"] = (
                "The report reaches the LA within 14 days of the meeting "
                "(regulation 20(7)): between 1 and 14."
            )
        if errors:
            raise ValidationError(errors)


def rules_of(rules: LAReviewRules | None) -> dl.ReviewRules:
    return rules.rules if rules is not None else dl.DEFAULT_REVIEW_RULES


# --- LA consultations on naming a school (Children and Families Act 2014 s.39) --------------


class NamingConsultation(AuditedInSchool, models.Model):
    """An LA asks the school whether it can be named in a child's EHC plan. The school has 15
    days to respond (deadlines.naming_response_due); the response is drafted by the SENCO or
    Head of SEND and goes to the LA once the headteacher signs it off. The child is a pupil on
    the register or, before they join, a prospective pupil given by name and date of birth
    only (personal data: erased through casework.services.naming_consultation_erase_prospective
    and with a pupil's erasure)."""

    class Ground(models.TextChoices):
        UNSUITABLE = (
            "unsuitable",
            ("The school is unsuitable for the child's age, ability, aptitude or special educational needs"),
        )
        INCOMPATIBLE = (
            "incompatible",
            (
                "Attending would be incompatible with the efficient education of others or the "
                "efficient use of resources"
            ),
        )

    class Outcome(models.TextChoices):
        NAMED = "named", "The school was named"
        NOT_NAMED = "not_named", "The school was not named"
        WITHDRAWN = "withdrawn", "The LA withdrew the consultation"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="naming_consultations")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="naming_consultations"
    )
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="naming_consultations"
    )
    prospective_forename = models.CharField(max_length=100, blank=True)
    prospective_surname = models.CharField(max_length=100, blank=True)
    prospective_date_of_birth = models.DateField(null=True, blank=True)
    received_on = models.DateField("date received")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="naming_consultations_owned"
    )
    # The response, drafted then signed off.
    can_meet_needs = models.BooleanField(null=True, blank=True)
    ground = models.CharField(max_length=12, choices=Ground.choices, blank=True)
    reasons = models.TextField(blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drafted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_on = models.DateField("response sent", null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = "consultation on naming the school"
        constraints = [
            models.CheckConstraint(
                name="naming_pupil_or_prospective",
                condition=(
                    models.Q(
                        pupil__isnull=False,
                        prospective_surname="",
                        prospective_forename="",
                        prospective_date_of_birth__isnull=True,
                    )
                    | (
                        models.Q(pupil__isnull=True)
                        & ~models.Q(prospective_surname="")
                        & models.Q(prospective_date_of_birth__isnull=False)
                    )
                ),
            ),
            models.CheckConstraint(
                name="naming_ground_when_cannot_meet",
                condition=models.Q(can_meet_needs=False) & ~models.Q(ground="")
                | ~models.Q(can_meet_needs=False) & models.Q(ground=""),
            ),
            models.CheckConstraint(
                name="naming_outcome_has_date",
                condition=models.Q(outcome="", outcome_on__isnull=True)
                | (~models.Q(outcome="") & models.Q(outcome_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        # No name: this text reaches the audit log.
        child = f"pupil {self.pupil_id}" if self.pupil_id else "a prospective pupil"
        return (
            f"Consultation on naming school {self.school_id} for {child}, received "
            f"{self.received_on:%-d %b %Y}"
        )

    @property
    def child_name(self) -> str:
        if self.pupil is not None:
            return self.pupil.full_name
        return f"{self.prospective_forename} {self.prospective_surname}".strip()

    @property
    def response_due(self) -> dt.date:
        return dl.naming_response_due(self.received_on)

    @property
    def drafted(self) -> bool:
        return self.can_meet_needs is not None

    @property
    def responded(self) -> bool:
        return self.responded_on is not None

    @property
    def awaiting_response(self) -> bool:
        """The 15-day clock runs until the response is sent, or the LA withdraws."""
        return self.responded_on is None and self.outcome != self.Outcome.WITHDRAWN

    def response_status(self, today: dt.date) -> dl.StepStatus | None:
        if not self.awaiting_response and self.responded_on is None:
            return None  # withdrawn before any response: no clock to show
        return dl.step_status(self.response_due, self.responded_on, today)

    @property
    def due_what(self) -> str:
        return NAMING_SIGN_OFF if self.drafted else NAMING_RESPONSE


NAMING_RESPONSE = "Response to the LA's consultation (15 days)"
NAMING_SIGN_OFF = "Headteacher's sign-off of the response (15 days)"


# --- Cases and their timeline ----------------------------------------------------------------


class Case(AuditedInSchool, models.Model):
    class Kind(models.TextChoices):
        TRIBUNAL_APPEAL = "tribunal_appeal", "Tribunal appeal"
        COMPLAINT = "complaint", "Complaint"
        SUSPENSION = "suspension", "Suspension"
        PERMANENT_EXCLUSION = "permanent_exclusion", "Permanent exclusion"
        CHANGE_OF_PLACEMENT = "change_of_placement", "Change of placement"
        EHCP_CONSULTATION = "ehcp_consultation", "EHCP consultation"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on others"
        CLOSED = "closed", "Closed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cases")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    title = models.CharField(max_length=120, help_text="A short description without names.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_owned")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField()
    next_action_due = models.DateField(null=True, blank=True)
    # Tribunal appeals
    decision_letter_date = models.DateField(null=True, blank=True)
    mediation_certificate_date = models.DateField(null=True, blank=True)
    appeal_lodged_on = models.DateField(null=True, blank=True)
    hearing_date = models.DateField(null=True, blank=True)
    # Suspensions
    suspension_start = models.DateField(null=True, blank=True)
    suspension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="case_closed_has_outcome",
                condition=~models.Q(status="closed")
                | (models.Q(closed_on__isnull=False) & ~models.Q(outcome="")),
            ),
            models.CheckConstraint(
                name="case_suspension_days_positive",
                condition=models.Q(suspension_days__isnull=True) | models.Q(suspension_days__gte=1),
            ),
        ]

    def __str__(self) -> str:
        # No name or title: this text reaches the audit log.
        pupil = f" for pupil {self.pupil_id}" if self.pupil_id else ""
        return f"{self.get_kind_display()} case{pupil}, opened {self.opened_on:%-d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def appeal_deadline(self) -> dt.date | None:
        if self.kind != self.Kind.TRIBUNAL_APPEAL or not self.decision_letter_date:
            return None
        return dl.tribunal_appeal_deadline(self.decision_letter_date, self.mediation_certificate_date)

    def key_dates(self, today: dt.date) -> list[tuple[str, dt.date, dl.StepStatus | None]]:
        out: list[tuple[str, dt.date, dl.StepStatus | None]] = []
        if self.appeal_deadline:
            out.append(
                (
                    "Appeal deadline",
                    self.appeal_deadline,
                    dl.step_status(self.appeal_deadline, self.appeal_lodged_on, today),
                )
            )
        if self.hearing_date:
            out.append(("Tribunal hearing", self.hearing_date, None))
        if self.next_action_due:
            done = self.closed_on if not self.is_open else None
            out.append(
                ("Next action", self.next_action_due, dl.step_status(self.next_action_due, done, today))
            )
        return out

    def due_next(self, today: dt.date) -> tuple[str, dt.date] | None:
        """What is due next while the case is open: the earliest of the next action, the appeal
        deadline (until the appeal is lodged) and a hearing not yet held."""
        if not self.is_open:
            return None
        candidates = []
        if self.next_action_due:
            candidates.append((self.next_action_due, "Next action"))
        if self.appeal_deadline and not self.appeal_lodged_on:
            candidates.append((self.appeal_deadline, "Appeal deadline"))
        if self.hearing_date and self.hearing_date >= today:
            candidates.append((self.hearing_date, "Tribunal hearing"))
        if not candidates:
            return None
        due, label = min(candidates)
        return label, due


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Case notes are never changed.")

    def delete(self):
        raise AppendOnlyError("Case notes are never deleted.")


class CaseNote(AuditedInSchool, models.Model):
    """One entry in a case's timeline. Notes are only ever added: save() of an existing note,
    delete(), and update()/delete() on a queryset all raise AppendOnlyError."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(AppendOnlyQuerySet)(school="case__school")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Case note written {self.created_at:%-d %b %Y}" if self.created_at else "Case note"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Case notes are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Case notes are never deleted.")

    audit_school = "case.school"  # the trust and school of its audit entries


# --- Reminder digests ------------------------------------------------------------------------


class DigestSent(models.Model):
    """One reminder digest e-mailed to one owner on one day: the task's idempotency key."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    items = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "owner"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "date"], name="one_digest_per_owner_per_day"),
        ]

    def __str__(self) -> str:
        return f"Digest for user {self.owner_id} on {self.date}"


# --- Head of SEND activity -------------------------------------------------------------------


class ActivityEntry(models.Model):
    class Kind(models.TextChoices):
        SCHOOL_VISIT = "school_visit", "School visit"
        TRAINING = "training", "Training delivered"
        LA_FORUM = "la_forum", "LA forum"
        TRUSTEE_MEETING = "trustee_meeting", "Trustee or heads' meeting"
        SUPERVISION = "supervision", "Casework supervision"
        OTHER = "other", "Other"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_entries"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    trusts: models.ManyToManyField[Trust, ActivityShare] = models.ManyToManyField(
        Trust, through="ActivityShare", related_name="+"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    topic = models.CharField(max_length=200, blank=True)
    staff_trained = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(trust="trusts")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "activity entries"
        constraints = [
            models.CheckConstraint(name="activity_hours_positive", condition=models.Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d %b %Y}"

    def get_additional_data(self) -> dict:
        return {"school_id": self.school_id}


class ActivityShare(models.Model):
    """The part of an entry's hours counted for one trust (an entry for two trusts counts half
    for each; the shares of an entry add up to its hours exactly)."""

    entry = models.ForeignKey(ActivityEntry, on_delete=models.CASCADE, related_name="shares")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(max_digits=5, decimal_places=2)

    objects = TenantManager(trust="trust")

    class Meta:
        ordering = ["entry", "trust"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "trust"], name="one_share_per_trust"),
        ]

    def __str__(self) -> str:
        return f"Share of activity {self.entry_id} for trust {self.trust_id}"

    def get_additional_data(self) -> dict:
        return {"trust_id": self.trust_id}


class ActivityCorrection(models.Model):
    """One correction of an activity entry by the person who logged it: the entry's values
    before and after, so the first correction's `before` is what was first logged. The entry
    itself holds the values now; the corrections are its history and are never changed."""

    entry = models.ForeignKey(ActivityEntry, on_delete=models.CASCADE, related_name="corrections")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200, blank=True)
    # {"kind", "date", "hours", "trusts": [[id, name]...], "school": [id, name] | None,
    #  "topic", "staff_trained", "notes"}: plain values, readable after a trust or school
    # is renamed.
    before = models.JSONField()
    after = models.JSONField()

    objects = TenantManager(trust="entry__trusts")

    class Meta:
        ordering = ["entry", "corrected_at", "pk"]

    def __str__(self) -> str:
        return f"Correction of activity {self.entry_id}"

    def get_additional_data(self) -> dict:
        return {"entry_id": self.entry_id}


class ActivityArrangement(models.Model):
    """How one person's time is agreed to be split between trusts (e.g. 50/50). Without an
    arrangement, the split is equal between the trusts the person works for."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_arrangement"
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArrangementShare(models.Model):
    arrangement = models.ForeignKey(ActivityArrangement, on_delete=models.CASCADE, related_name="shares")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    objects = TenantManager(trust="trust")

    class Meta:
        ordering = ["arrangement", "trust"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "trust"], name="one_agreed_share_per_trust"),
            models.CheckConstraint(
                name="agreed_share_0_to_100", condition=models.Q(percent__gte=0, percent__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent}% for trust {self.trust_id}"

    def clean(self) -> None:
        if self.percent is not None and not (Decimal(0) <= self.percent <= Decimal(100)):
            raise ValidationError({"percent": "Between 0 and 100."})


# --- Kept figures ------------------------------------------------------------------------------
# Summary rows written by casework.figures in the same transaction as the source rows they
# count (DESIGN §5 "Figures are kept, not recomputed"). They hold counts, dates, ids and short
# fixed labels: no pupil names, titles or notes, so erasure never has to touch them. Pages read
# these, never cases, requests, plans or activity entries; casework.figures.rebuild() writes
# them all again from the source rows and verify() compares.


class CaseTermCount(models.Model):
    """Cases of one kind opened and closed in one school in one academic term (terms as
    casework.deadlines.term_of: 0 autumn, 1 spring, 2 summer)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Case.Kind.choices)
    academic_year = models.PositiveSmallIntegerField()
    term = models.PositiveSmallIntegerField()
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)

    objects = TenantManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "academic_year", "term"], name="one_case_term_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.academic_year}/{self.term} at school {self.school_id}"


class CaseOpenCount(models.Model):
    """Cases of one kind open now in one school (status open or waiting)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Case.Kind.choices)
    open_now = models.PositiveIntegerField(default=0)

    objects = TenantManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="one_case_open_count"),
        ]

    def __str__(self) -> str:
        return f"{self.open_now} open {self.kind} at school {self.school_id}"


class Deadline(models.Model):
    """One pending item of a school's due list: an open case's next due date (or none), an EHC
    needs assessment request's next step, a plan's next annual review, an LA decision awaited
    after a review, a phase transfer. Only the due date is stored; whether it is overdue or due
    soon is worked out from today's date when read, so no row changes as the days pass. A plan
    record whose issue date is not recorded yet has an annual review item with no date: the
    date is not known, and none is invented.

    The one item whose date depends on the day itself is a case's tribunal hearing: it is what
    is due next only until it has been held. Such a case has two rows, one shown up to the
    hearing day (`shown_until`) and one from the day after (`shown_from`); every other row is
    shown on every day."""

    class Target(models.TextChoices):
        CASE = "case", "Case"
        REQUEST = "request", "EHC needs assessment request"
        PLAN = "plan", "EHC plan"
        NAMING = "naming", "Consultation on naming the school"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # A case kind, "ehc_request" or "annual_review" (casework.selectors.DUE_KINDS).
    kind = models.CharField(max_length=20)
    what = models.CharField(max_length=60)
    ref = models.CharField(max_length=30)
    target = models.CharField(max_length=8, choices=Target.choices)
    target_id = models.PositiveIntegerField()
    # None for an EHC plan record made from the register that nobody has taken on yet.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    due = models.DateField(null=True, blank=True)
    # Orders the items of one plan due on the same day as the due list does.
    position = models.PositiveSmallIntegerField(default=0)
    case_status = models.CharField(max_length=8, blank=True)
    shown_from = models.DateField(null=True, blank=True)
    shown_until = models.DateField(null=True, blank=True)

    objects = TenantManager(school="school")

    class Meta:
        indexes = [models.Index(fields=["school", "due"], name="casework_deadline_school_due")]

    def __str__(self) -> str:
        return f"{self.ref}: {self.what} due {self.due}"


class FinalPlanCount(models.Model):
    """Final EHC plans issued for requests from one school to one LA, by the financial year of
    the final plan and the days from the request: the rate within 20 weeks, the median and the
    90th percentile of any set of schools and years are worked out from these counts exactly."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    financial_year = models.PositiveSmallIntegerField()
    days_taken = models.IntegerField()
    plans = models.PositiveIntegerField(default=0)

    objects = TenantManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "local_authority", "financial_year", "days_taken"],
                name="one_final_plan_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plans} plans in {self.days_taken} days at school {self.school_id}"


class OpenRequestCount(models.Model):
    """EHC needs assessment requests still open (no outcome, not refused) from one school to
    one LA, by the date their final plan is due (request + 20 weeks): "open past 20 weeks" on
    any day is the sum of the rows due before it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    final_plan_due = models.DateField()
    requests = models.PositiveIntegerField(default=0)

    objects = TenantManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "local_authority", "final_plan_due"], name="one_open_request_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requests} open requests due {self.final_plan_due}"


class TrainingCount(models.Model):
    """Training delivered at one school in one month, for the set of trusts the entries were
    logged for. Keyed by the whole set so that an entry for two trusts is counted once when a
    reader sees both. Trust-level, like the activity it counts: readers pass trust ids that
    trusts.access gave them."""

    # The set of trusts as ",1,2,": one plain column, so that "logged for any of these trusts"
    # is one regular expression on any database (the embedded default is SQLite).
    trust_key = models.CharField(max_length=500)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    sessions = models.PositiveIntegerField(default=0)
    hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    staff = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trust_key", "school", "month"], name="one_training_count"),
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions at school {self.school_id} in {self.month:%b %Y}"

    @staticmethod
    def key_of(trust_ids) -> str:
        return "," + ",".join(str(pk) for pk in sorted(set(trust_ids))) + ","

    @staticmethod
    def pattern_of(trust_ids) -> str:
        """A regular expression for the keys of rows logged for any of these (one or more)
        trusts: one parameter whatever their number (core.prepared)."""
        return ",(" + "|".join(str(int(pk)) for pk in sorted(set(trust_ids))) + "),"

    @staticmethod
    def any_of(trust_ids) -> models.Q:
        """Rows logged for any of these trusts."""
        trust_ids = set(trust_ids)
        return (
            models.Q(trust_key__regex=TrainingCount.pattern_of(trust_ids))
            if trust_ids
            else models.Q(pk__in=[])
        )


class ActivityHours(models.Model):
    """One person's logged hours counted for one trust in one month (the trust's shares)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))

    class Meta:
        verbose_name_plural = "activity hours"
        constraints = [
            models.UniqueConstraint(fields=["person", "trust", "month"], name="one_activity_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} hours for trust {self.trust_id} in {self.month:%b %Y}"


class PublishedTimeliness(models.Model):
    """An LA's new EHC plans issued within 20 weeks in one calendar year, as the DfE publishes
    them ("Education, health and care plans", explore education statistics), shown beside the
    trusts' own experience with that LA. Public figures, so not scoped to a school; kept by
    the LA's 3-digit code, so that an LA added to the portal later finds its figures."""

    la_code = models.PositiveSmallIntegerField("DfE LA code")
    la_name = models.CharField(max_length=100)
    year = models.PositiveSmallIntegerField("calendar year")
    plans_issued = models.PositiveIntegerField(null=True, blank=True)
    within_20_weeks = models.PositiveIntegerField(null=True, blank=True)
    # Every new plan, as the trusts' own rate counts them; and the DfE's headline rate, which
    # leaves out the plans where an exception to the time limit applied.
    within_20_weeks_pct = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    excluding_exceptions_pct = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["la_code", "-year"]
        verbose_name_plural = "published EHC timeliness"
        constraints = [
            models.UniqueConstraint(fields=["la_code", "year"], name="one_published_timeliness"),
        ]

    def __str__(self) -> str:
        return f"{self.la_name} {self.year}: {self.within_20_weeks_pct}% within 20 weeks"
