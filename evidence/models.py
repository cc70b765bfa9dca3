"""Evidence packs: what a school sends its pupil's home LA to ask for an EHC needs assessment
or for top-up funding, assembled from what is already recorded about the child (SEN support
plan cycles, provision with its costs and scores, the one-page profile, outside professionals,
the child's and the parents' views) in the order and under the headings that LA asks for.

`PackTemplate` and `TemplateSection` are each LA's form: reference data, edited by platform
admins, never tenant-owned. `EvidencePack` is one pack for one pupil; `ProfessionalInvolvement`
records an outside professional's work with the child. Both are scoped on the pupil's school,
and their free text about the child is masked in the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from pupils.models import Pupil
from trusts.models import LocalAuthority, School
from trusts.scoping import TenantManager


class PackKind(models.TextChoices):
    EHC_REQUEST = "ehc_request", "EHC needs assessment request"
    TOP_UP = "top_up", "Top-up funding bid"


class Source(models.TextChoices):
    """The evidence a section of an LA's form is filled from."""

    PUPIL = "pupil", "About the child (register details and needs)"
    PROFILE = "profile", "One-page profile"
    CHILD_VIEWS = "child_views", "The child's views"
    PARENT_VIEWS = "parent_views", "The parents' or carers' views"
    NEEDS = "needs", "Needs, strengths and what has been tried (latest assessment)"
    CYCLES = "cycles", "Cycles of assess, plan, do, review"
    PROVISION = "provision", "Provision with costs and entry and exit measures"
    PROFESSIONALS = "professionals", "Involvement of outside professionals"
    CLAIM = "claim", "The top-up claim (band requested, provision to be funded)"


class PackTemplate(models.Model):
    """An LA's request form: its title and ordered sections. One per LA and kind of pack."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="evidence_templates"
    )
    kind = models.CharField(max_length=11, choices=PackKind.choices)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True, help_text="Printed under the title of the PDF.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["local_authority__name", "kind"]
        verbose_name = "LA evidence pack template"
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "kind"], name="evidence_template_one_per_la_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_authority.name}: {self.get_kind_display()}"


class TemplateSection(models.Model):
    template = models.ForeignKey(PackTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=200)
    source = models.CharField("evidence it draws", max_length=13, choices=Source.choices)
    guidance = models.TextField(blank=True, help_text="What the LA asks for in this section.")

    class Meta:
        ordering = ["template", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="evidence_section_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.heading}"


class ProfessionalInvolvement(models.Model):
    """An outside professional's involvement with the child: who, since when, and what they
    advised. The LA asks for it before agreeing to assess."""

    class Role(models.TextChoices):
        EDUCATIONAL_PSYCHOLOGIST = "ep", "Educational psychologist"
        SPEECH_LANGUAGE = "salt", "Speech and language therapist"
        OCCUPATIONAL_THERAPIST = "ot", "Occupational therapist"
        PHYSIOTHERAPIST = "physio", "Physiotherapist"
        CAMHS = "camhs", "Child and adolescent mental health services (CAMHS)"
        PAEDIATRICIAN = "paed", "Paediatrician"
        SPECIALIST_TEACHER = "specialist", "Specialist teacher or advisory service"
        SOCIAL_CARE = "social", "Social care"
        OTHER = "other", "Other"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="professionals")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    who = models.CharField("name or service", max_length=200)
    started_on = models.DateField("involved since")
    report_on = models.DateField("date of their latest report or advice", null=True, blank=True)
    advice = models.TextField("what they found and advised")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["pupil", "-started_on", "-pk"]

    def __str__(self) -> str:
        return f"Outside professional involvement {self.pk} for pupil {self.pupil_id}"

    def get_additional_data(self) -> dict:
        return {"trust_id": self.school.trust_id, "school_id": self.school_id}


class EvidencePack(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Being prepared"
        SENT = "sent", "Sent to the LA"

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="evidence_packs")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    # The pupil's home LA when the pack was started: the LA it goes to.
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=11, choices=PackKind.choices)
    template = models.ForeignKey(PackTemplate, on_delete=models.PROTECT, related_name="packs")
    # A top-up bid is sent for a draft claim of the funding app.
    claim = models.ForeignKey(
        "funding.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence_packs"
    )
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.DRAFT)
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The assessment request that sending an EHC pack started (casework's record and clocks).
    ehc_request = models.OneToOneField(
        "casework.EHCRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence_pack"
    )
    # The sections as they were when sent, [{"heading": ..., "lines": [...]}], so the pack
    # reads as the LA received it however the records change afterwards.
    sent_content = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["pupil", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "kind"], condition=Q(status="draft"), name="evidence_pack_one_draft_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_on__isnull=False)
                | (Q(status="draft") & Q(sent_on__isnull=True)),
                name="evidence_pack_sent_has_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="ehc_request") | Q(claim__isnull=False),
                name="evidence_pack_top_up_has_claim",
            ),
        ]

    def __str__(self) -> str:
        # No name: this text reaches the audit log.
        return f"{self.get_kind_display()} evidence pack {self.pk} for pupil {self.pupil_id}"

    def get_additional_data(self) -> dict:
        return {"trust_id": self.school.trust_id, "school_id": self.school_id}

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT
