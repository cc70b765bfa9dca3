"""A pupil's support plans (assess, plan, do, review) and one-page profiles.

A `SupportPlan` is one cycle of the graduated approach of the SEND Code of Practice (6.44-6.56),
usually a term long: the assessment (needs, strengths, what has been tried, the child's and the
parents' views), the outcomes planned with their success criteria, each linked to the pupil's
provision on the school's provision map, what was delivered (the map's sessions), and the review
that closes the cycle. The names are generic on
purpose: the same records are what schools call an SEN support plan today and what the 2026
schools white paper calls an individual support plan for every pupil with SEND.

A plan is a draft, then current, then closed by its review; a pupil has at most one plan that
is not closed. Closed cycles are never changed again: support.services refuses every write to
them. A `OnePageProfile` (pupil passport) is kept in versions: each save adds one.

Every model is scoped on the pupil's school (django-scopes), and every text field written about
the child is masked in the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from pupils.models import Pupil
from trusts.audit import AuditedInSchool
from trusts.models import School
from trusts.scoping import TenantManager


class SupportPlan(AuditedInSchool, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CURRENT = "current", "Current"
        CLOSED = "closed", "Reviewed and closed"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="support_plans")
    # The pupil's school: the scope dimension, and what the school's lists filter on.
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="support_plans")
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_plans_led",
        verbose_name="lead",
    )
    starts_on = models.DateField("start of the cycle")
    review_due = models.DateField("review date")
    # Assess
    needs = models.TextField("needs", blank=True)
    strengths = models.TextField("strengths", blank=True)
    tried_before = models.TextField("what has been tried", blank=True)
    pupil_views = models.TextField("the child's views", blank=True)
    parent_views = models.TextField("the parents' or carers' views", blank=True)
    # The cycle this one follows on from (its review's next steps start this one).
    follows = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    # The school whose plan this is a copy of, when the pupil moved here with their records
    # (transfers.PupilMove): kept closed, as that school's history, never edited here.
    received_from = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["pupil", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(status__in=["draft", "current"]),
                name="support_plan_one_open_cycle_per_pupil",
            ),
            models.CheckConstraint(
                condition=Q(review_due__gt=F("starts_on")),
                name="support_plan_review_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="support_plan_closed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["school", "status", "review_due"], name="support_plan_school_status")]

    def __str__(self) -> str:
        # No name here: this text reaches audit entries and logs.
        return f"Support plan {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Outcome(AuditedInSchool, models.Model):
    """What the plan means the child to achieve by the review, how everyone will know, and the
    support that will get them there."""

    class Progress(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_YET = "not_yet", "Not yet achieved"

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.TextField("outcome")
    success_criteria = models.TextField("success criteria")
    support = models.TextField("support to be given", blank=True)
    review_by = models.DateField("review date")
    # The pupil's provision on the school's provision map that works towards this outcome.
    enrolments = models.ManyToManyField("provision.Enrolment", blank=True, related_name="support_outcomes")
    # Filled in at the review.
    progress = models.CharField(max_length=8, choices=Progress.choices, blank=True)
    evidence = models.TextField(blank=True)

    objects = TenantManager(school="plan__school")

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return f"Outcome {self.pk} of support plan {self.plan_id}"

    audit_school = "plan.school"  # the trust and school of its audit entries


class PlanReview(AuditedInSchool, models.Model):
    """The review that closes a cycle. Saved first with `recorded_at` empty while the answers
    are checked; recording it closes the plan."""

    plan = models.OneToOneField(SupportPlan, on_delete=models.CASCADE, related_name="review")
    held_on = models.DateField("date of the review")
    pupil_views = models.TextField("the child's views", blank=True)
    parent_views = models.TextField("the parents' or carers' views", blank=True)
    next_steps = models.TextField("next steps")
    # What the provision map said was delivered when the review was recorded, kept so that the
    # closed cycle shows what its review saw: [{"intervention": ..., "planned": 12, ...}].
    delivery = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(school="plan__school")

    def __str__(self) -> str:
        return f"Review of support plan {self.plan_id}"

    audit_school = "plan.school"  # the trust and school of its audit entries

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None


class OnePageProfile(AuditedInSchool, models.Model):
    """One version of a pupil's one-page profile (pupil passport), in the child's voice.
    Versions are never changed: saving the profile adds the next one."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="profiles")
    version = models.PositiveIntegerField()
    like_and_admire = models.TextField("what people like and admire about me")
    important_to_me = models.TextField("what is important to me")
    how_to_support = models.TextField("how best to support me")
    my_needs = models.TextField("my needs in my own words")
    written_with = models.CharField("who helped to write it", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="pupil__school")

    class Meta:
        ordering = ["pupil", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "version"], name="profile_one_row_per_version"),
        ]

    def __str__(self) -> str:
        return f"One-page profile {self.pk} (version {self.version})"

    audit_school = "pupil.school"  # the trust and school of its audit entries
