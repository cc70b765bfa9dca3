"""SEN information reports (Special Educational Needs and Disability Regulations 2014,
regulation 51 and Schedule 1).

A trust's template holds the policy text the Head of SEND writes under each heading
(inforeports.schedule). A school's report for an academic year adds the school's own text
under each heading; while it is a draft it shows the trust's current policy text and the
school's latest census figures, so a change to either reaches every draft at once. The
headteacher's approval freezes it: the policy text and the figures are copied into the report
and nothing changes it again. A later change is a new version, a new draft, of the same year.

Reports hold no pupil: only counts from the census snapshots, shown with small numbers
suppressed (core.numbers)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from trusts.models import School, Trust
from trusts.scoping import TenantManager


def academic_year_label(year: int) -> str:
    """2026 -> "2026 to 2027" (GOV.UK style for a school year)."""
    return f"{year} to {year + 1}"


class TrustTemplate(models.Model):
    """The trust's SEND policy text under each Schedule 1 heading: {heading key: text}."""

    trust = models.OneToOneField(Trust, on_delete=models.PROTECT, related_name="info_report_template")
    sections = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"SEN information report template of {self.trust}"

    def get_additional_data(self) -> dict:
        """The trust whose audit log shows changes to it (trusts.audit)."""
        return {"trust_id": self.trust_id}

    def text(self, key: str) -> str:
        return str((self.sections or {}).get(key, "") or "")


class InfoReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="info_reports")
    academic_year = models.PositiveSmallIntegerField(
        help_text="The year the school year starts in: 2026 for 2026 to 2027."
    )
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # {heading key: {"school": the school's text, "trust": the policy text (once approved)}}
    sections = models.JSONField(default=dict, blank=True)
    # Frozen at approval: the census the figures come from and its counts
    # ({"number_on_roll", "ehcp", "sen_support", "by_need": {need: {"E": n, "K": n}}}).
    census_date = models.DateField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_name = models.CharField(max_length=150, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["school", "-academic_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "version"], name="inforeport_one_version_number"
            ),
            models.UniqueConstraint(
                fields=["school", "academic_year"],
                condition=Q(status="draft"),
                name="inforeport_one_draft_a_year",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", approved_on__isnull=True)
                | Q(status="approved", approved_on__isnull=False),
                name="inforeport_approved_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"SEN information report {academic_year_label(self.academic_year)}, version {self.version}"

    def get_additional_data(self) -> dict:
        """The trust and school whose audit log shows changes to it (trusts.audit)."""
        return {"trust_id": self.school.trust_id, "school_id": self.school_id}

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)

    def school_text(self, key: str) -> str:
        return str(((self.sections or {}).get(key) or {}).get("school", "") or "")

    def trust_text(self, key: str) -> str:
        return str(((self.sections or {}).get(key) or {}).get("trust", "") or "")
