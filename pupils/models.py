"""Pupils with SEND, their register history, and per-census counts for every school.

Only pupils on the SEN register are stored (data minimisation); everyone else is a count in
the census snapshot. Every tenant-owned model has a django-scopes manager on the `school`
dimension, so a query outside a request's scope raises instead of crossing trusts."""

from django.conf import settings
from django.db import models

from trusts.audit import AuditedInSchool
from trusts.models import LocalAuthority, School
from trusts.scoping import TenantManager


class Provision(models.TextChoices):
    EHC_PLAN = "E", "EHC plan"
    SEN_SUPPORT = "K", "SEN Support"
    NO_SEN = "N", "No SEN"


# "On the SEN register", written once: an EHC plan or SEN Support. A pupil who has left the
# school keeps the provision recorded when they left (Pupil.on_register_now).
ON_REGISTER = (Provision.EHC_PLAN, Provision.SEN_SUPPORT)


class Need(models.TextChoices):
    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Vision impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    ASD = "ASD", "Autistic spectrum disorder"
    DS = "DS", "Down syndrome"
    OTH = "OTH", "Other difficulty or disability"
    NSA = "NSA", "SEN support but no specialist assessment of type of need"


def needs_problems(provision: str, primary_need: str, secondary_need: str) -> list[tuple[str, str]]:
    """The register's rules for the needs of a pupil on it (E or K; DESIGN §3), written once
    for every way a pupil reaches the register (census file, common transfer file, a SENCO's
    change): (field, reason) pairs, in the order they are checked. Whether each code is a need
    code at all is the reader's own check, in its own words."""
    problems = []
    if not primary_need:
        problems.append(("primary_need", "a pupil with an EHC plan or at SEN Support needs a primary need"))
    elif secondary_need == primary_need:
        problems.append(("secondary_need", "the secondary need cannot be the same as the primary need"))
    if provision == Provision.EHC_PLAN and Need.NSA in (primary_need, secondary_need):
        problems.append(
            (
                "primary_need" if primary_need == Need.NSA else "secondary_need",
                "NSA (no specialist assessment) is only valid with SEN Support (K)",
            )
        )
    return problems


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "U", "Not known or other"


class Pupil(AuditedInSchool, models.Model):
    """A pupil who is, or has been, on a school's SEN register."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13)
    surname = models.CharField(max_length=100)
    forename = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    year_group = models.CharField(max_length=3, help_text="N1, N2, R, 1 to 14")
    # The LA where the pupil lives pays top-up funding; it may not be the school's LA.
    home_local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="resident_pupils"
    )
    provision = models.CharField(max_length=1, choices=Provision.choices)
    primary_need = models.CharField(max_length=4, choices=Need.choices, blank=True)
    secondary_need = models.CharField(max_length=4, choices=Need.choices, blank=True)
    left_school_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["surname", "forename", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], name="pupil_unique_upn_per_school"),
        ]
        indexes = [models.Index(fields=["school", "provision"], name="pupil_school_provision")]

    def __str__(self) -> str:
        # No name here: this text reaches audit entries and logs.
        return f"Pupil {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def on_register(self) -> bool:
        return self.provision in ON_REGISTER

    @property
    def on_register_now(self) -> bool:
        """On the school's SEN register today: on the register and not left the school."""
        return self.on_register and self.left_school_on is None


class RegisterEvent(AuditedInSchool, models.Model):
    """One change to a pupil's place on the register, from a census import or by hand."""

    class Kind(models.TextChoices):
        ENTERED_SEN_SUPPORT = "entered_sen_support", "Entered SEN Support"
        EHC_PLAN_ISSUED = "ehc_plan_issued", "EHC plan issued"
        PROVISION_CHANGED = "provision_changed", "Provision changed"
        NEED_CHANGED = "need_changed", "Need changed"
        LEFT_REGISTER = "left_register", "Left the register"
        LEFT_SCHOOL = "left_school", "Left the school"

    class Source(models.TextChoices):
        CENSUS = "census", "Census import"
        MANUAL = "manual", "Manual change"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    date = models.DateField()
    source = models.CharField(max_length=6, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_provision = models.CharField(max_length=1, choices=Provision.choices, blank=True)
    to_provision = models.CharField(max_length=1, choices=Provision.choices, blank=True)
    from_need = models.CharField(max_length=4, choices=Need.choices, blank=True)
    to_need = models.CharField(max_length=4, choices=Need.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="pupil__school")

    class Meta:
        ordering = ["pupil", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d %b %Y}"

    audit_school = "pupil.school"  # the trust and school of its audit entries


class CensusSnapshot(models.Model):
    """One school's counts at one census date: number on roll and pupils by provision, by need
    and by year group. Every figure for a past census and every trend is read from here."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="census_snapshots")
    census_date = models.DateField()
    number_on_roll = models.PositiveIntegerField()
    ehcp = models.PositiveIntegerField("pupils with an EHC plan")
    sen_support = models.PositiveIntegerField("pupils at SEN Support")
    # {"ASD": {"E": 3, "K": 7}, ...} by primary need; {"R": {"E": 1, "K": 4, "N": 25}, ...}
    by_need = models.JSONField(default=dict, blank=True)
    by_year_group = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["school", "-census_date"]
        get_latest_by = "census_date"
        constraints = [
            models.UniqueConstraint(fields=["school", "census_date"], name="one_snapshot_per_census"),
            models.CheckConstraint(
                condition=models.Q(ehcp__lte=models.F("number_on_roll") - models.F("sen_support")),
                name="snapshot_counts_within_roll",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} census {self.census_date:%d %b %Y}"


class NationalAverage(models.Model):
    """National percentages by phase that the trusts compare themselves with: typed in from
    the reference data, or imported from the DfE's "Special educational needs in England"
    (`import_published`), which says where they come from (`source`) and for which year."""

    phase = models.CharField(max_length=12, unique=True)
    ehcp_pct = models.DecimalField(max_digits=4, decimal_places=1)
    sen_support_pct = models.DecimalField(max_digits=4, decimal_places=1)
    total_send_pct = models.DecimalField(max_digits=4, decimal_places=1)
    source = models.CharField(max_length=200, blank=True)
    # The published year the figures are for, as the publication names it ("2024/25"); blank
    # for figures typed in without one.
    year = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["phase"]

    def __str__(self) -> str:
        return f"National average ({self.phase})"


class CensusImport(AuditedInSchool, models.Model):
    """One census file uploaded or imported: who, when, which file (name, size, SHA-256), what
    the check found and what the import changed. `school` is the school chosen on upload (or on
    the command line); a file with a school column may also touch other schools of the user's,
    listed in `summary["schools"]`."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        READY = "ready", "Ready to import"
        INVALID = "invalid", "Has errors"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="census_imports")
    census_date = models.DateField()
    file = models.FileField(upload_to="census/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first errors: line, column, reason
    summary = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The job's liveness (trusts.jobs): runs of the current step started, the last heartbeat,
    # and for a failed job that may be tried again, the step to go back to.
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resume_status = models.CharField(max_length=10, choices=Status.choices, blank=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Census import {self.pk} for {self.school} ({self.census_date:%d %b %Y})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.CHECKING, self.Status.IMPORTING)
