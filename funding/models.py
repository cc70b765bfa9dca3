"""LA top-up funding: banding schemes by financial year, claims to the pupil's home LA, the LA's
awards and payments, and the school's figures for costing support. The cost of the provision a
school actually delivers is the provision map's (the provision app: interventions and the pupils
enrolled in them); the funding gap reads it from there.

Banding schemes are reference data (one per LA and financial year, 1 April to 31 March). Claims,
awards, payments, claim events and funding settings belong to a school and are
filtered by django-scopes like every other tenant-owned model. The arithmetic lives in
funding.calculations, the writes in funding.services, the reads in funding.selectors."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from pupils.models import Pupil
from trusts.audit import AuditedInSchool
from trusts.models import LocalAuthority, School
from trusts.scoping import TenantManager

from .calculations import financial_year_bounds, financial_year_label

# School defaults for the cost of support (DESIGN §3): the national living wage per hour plus
# on-costs, over a school year of 38 weeks, and the notional SEN threshold below which the school
# funds support from its own budget.
DEFAULT_HOURLY_RATE = Decimal("12.21")
DEFAULT_ON_COST_PERCENT = Decimal("30")
DEFAULT_WEEKS_PER_YEAR = Decimal("38")
DEFAULT_NOTIONAL_THRESHOLD = Decimal("6000.00")


class BandingScheme(models.Model):
    """One LA's top-up table for one financial year. Next year's table is a new scheme: older
    years are never edited when a new one is added."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="banding_schemes"
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the financial year starts in: 2025 is 1 April 2025 to 31 March 2026."
    )
    notes = models.TextField(blank=True)
    # Set when the LA has published no table for this year yet: the bands are a copy of the
    # table published for this earlier year (services.banding_carry_forward), so claims can be
    # made at the rates the LA pays until it publishes. Cleared when the real table is loaded.
    carried_forward_from = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["local_authority__name", "-financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "financial_year"], name="one_scheme_per_la_and_year"
            ),
            models.CheckConstraint(
                condition=Q(financial_year__gte=2000, financial_year__lte=2100),
                name="scheme_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority} {financial_year_label(self.financial_year)}"

    @property
    def label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def carried_forward_label(self) -> str:
        return financial_year_label(self.carried_forward_from) if self.carried_forward_from else ""

    @property
    def start_date(self) -> datetime.date:
        return financial_year_bounds(self.financial_year)[0]

    @property
    def end_date(self) -> datetime.date:
        return financial_year_bounds(self.financial_year)[1]


class Band(models.Model):
    """A band in a scheme: a label ("4+", "10 hours"), the hours per week when the LA funds by
    hours (Thurrock), and the annual value paid for a pupil at that band."""

    scheme = models.ForeignKey(BandingScheme, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(max_length=30)
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    annual_value = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "order", "annual_value", "label"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "label"], name="band_label_unique_in_scheme"),
            models.CheckConstraint(condition=Q(annual_value__gte=0), name="band_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.display_label}"

    @property
    def display_label(self) -> str:
        if self.hours_per_week is not None:
            return self.label
        return f"Band {self.label}"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    AWARDED = "awarded", "Awarded"
    REFUSED = "refused", "Refused"
    UNDER_APPEAL = "under_appeal", "Under appeal"
    ENDED = "ended", "Ended"


class Claim(AuditedInSchool, models.Model):
    """A claim for top-up funding for one pupil, made to the pupil's home LA (which may not be
    the school's LA) at a band of that LA's table for one financial year."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="funding_claims")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="funding_claims")
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="funding_claims"
    )
    financial_year = models.PositiveSmallIntegerField()
    requested_band = models.ForeignKey(Band, on_delete=models.PROTECT, related_name="+")
    evidence_summary = models.TextField()
    provision_to_fund = models.TextField()
    status = models.CharField(max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    refusal_reason = models.TextField(blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["-financial_year", "school", "pk"]
        indexes = [models.Index(fields=["school", "financial_year", "status"])]

    def __str__(self) -> str:
        # No name: this text reaches the audit log. Kind, pupil, year and status say what it is.
        return (
            f"Top-up claim for pupil {self.pupil_id}, {financial_year_label(self.financial_year)}"
            f" ({self.get_status_display()})"
        )

    @property
    def latest_award(self) -> "Award | None":
        """The award with the latest start (uses prefetched awards when there are some)."""
        awards = sorted(self.awards.all(), key=lambda a: (a.start_date, a.pk))
        return awards[-1] if awards else None


class Award(AuditedInSchool, models.Model):
    """The LA's decision on a claim: a band (perhaps lower than requested) from a start date to
    an optional end date. A change of band mid-year is a new award from the date of the change;
    the previous award then ends the day before."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="awards")
    band = models.ForeignKey(Band, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Blank: until further notice.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="claim__school")

    class Meta:
        ordering = ["claim", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="award_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Top-up award from {self.start_date:%-d %b %Y}"

    audit_school = "claim.school"  # the trust and school of its audit entries


class Payment(AuditedInSchool, models.Model):
    """Money received from the LA against a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="claim__school")

    class Meta:
        ordering = ["claim", "received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Top-up payment received {self.received_on:%-d %b %Y}"

    audit_school = "claim.school"  # the trust and school of its audit entries


class ClaimEvent(AuditedInSchool, models.Model):
    """One entry of a claim's history: every change of state, award and payment. Append-only:
    rows are never changed or deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", "Drafted"
        SUBMITTED = "submitted", "Submitted to the LA"
        AWARDED = "awarded", "Award recorded"
        AWARD_CHANGED = "award_changed", "Award changed"
        REFUSED = "refused", "Refusal recorded"
        APPEALED = "appealed", "Appeal lodged"
        ENDED = "ended", "Ended"
        PAYMENT = "payment", "Payment recorded"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    from_status = models.CharField(max_length=12, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ClaimStatus.choices)
    effective_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="claim__school")

    class Meta:
        ordering = ["claim", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Top-up claim history: {self.get_kind_display().lower()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A claim's history is never changed, only added to.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A claim's history is never deleted.")

    audit_school = "claim.school"  # the trust and school of its audit entries


class FundingSettings(AuditedInSchool, models.Model):
    """A school's own figures for costing support and its notional SEN threshold. The rate with
    on-costs and the weeks a year are the standard figures of the provision map: an intervention
    with a blank hourly cost or number of weeks takes them."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="funding_settings")
    hourly_rate = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=DEFAULT_HOURLY_RATE,
        help_text="Teaching assistant pay per hour, before on-costs.",
    )
    on_cost_percent = models.DecimalField(max_digits=5, decimal_places=2, default=DEFAULT_ON_COST_PERCENT)
    weeks_per_year = models.DecimalField(max_digits=4, decimal_places=1, default=DEFAULT_WEEKS_PER_YEAR)
    notional_threshold = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=DEFAULT_NOTIONAL_THRESHOLD,
        help_text="Support costing more than this a year is eligible for top-up funding.",
    )

    objects = TenantManager(school="school")

    class Meta:
        verbose_name_plural = "funding settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    hourly_rate__gte=0,
                    on_cost_percent__gte=0,
                    weeks_per_year__gte=0,
                    weeks_per_year__lte=52,
                    notional_threshold__gte=0,
                ),
                name="funding_settings_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Funding settings for {self.school}"


# --- Figures kept for the pages (funding.figures writes and reads them) ----------------------
# Each row belongs to one school and is rewritten, with the school's other rows, by
# funding.figures.school_refresh in the transaction of the write that changed its sources.


class FundingYearFigures(models.Model):
    """One school's figures for one financial year, per LA claimed from (the pupil's home LA):
    what does not move with the calendar once written."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    financial_year = models.PositiveSmallIntegerField()
    claims_submitted = models.PositiveIntegerField(default=0)
    claims_awarded = models.PositiveIntegerField(default=0)
    claims_pending = models.PositiveIntegerField(default=0)
    claims_refused = models.PositiveIntegerField(default=0)
    claimed_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    # Each claim's expected income in the year, rounded to the penny per claim, summed.
    expected = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    received = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    funding_for_costed = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))

    objects = TenantManager(school="school")

    class Meta:
        verbose_name_plural = "funding year figures"
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "school", "local_authority"],
                name="one_funding_figures_row_per_school_la_year",
            ),
        ]

    def __str__(self) -> str:
        return f"Funding figures {self.school_id}/{self.local_authority_id}/{self.financial_year}"


class FundingRateChange(models.Model):
    """A change, from one day of a financial year, of the annual value being awarded to one
    school by one LA: +value on an award's first day, -value the day after its last. The income
    expected from 1 April to day D is the sum over the rows up to D of change x (D - day + 1),
    divided by the days in the year (the daily rate is the annual value over those days, so
    summing annual values and dividing once keeps the sum exact)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    financial_year = models.PositiveSmallIntegerField()
    # Days since 1 April of the financial year (0 = 1 April), as integer arithmetic sums fast.
    day_index = models.PositiveSmallIntegerField()
    annual_value_change = models.DecimalField(max_digits=14, decimal_places=2)

    objects = TenantManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "school", "local_authority", "day_index"],
                name="one_funding_rate_change_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Rate change {self.annual_value_change} on {self.day}"

    @property
    def day(self) -> datetime.date:
        return financial_year_bounds(self.financial_year)[0] + datetime.timedelta(days=self.day_index)


class FundingRegisterChange(models.Model):
    """A change, from a day, of one school's figures built on its register, per pupils' home LA:
    pupils unclaimed (with an EHC plan; at SEN Support above the notional threshold) and the
    cost of costed provision. A figure on day D is the sum of the changes up to D. A pupil
    becomes unclaimed when an award ends and claimed again when a later one starts, so the
    counts move with the calendar without a write; the cost does not, and changes once, on
    FIRST_DAY."""

    FIRST_DAY = datetime.date(1, 1, 1)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    unclaimed_ehcp_change = models.IntegerField(default=0)
    unclaimed_sen_support_change = models.IntegerField(default=0)
    costed_pupils_change = models.IntegerField(default=0)
    provision_cost_change = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))

    objects = TenantManager(school="school")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "local_authority", "day"], name="one_funding_register_change_per_day"
            ),
        ]
        indexes = [models.Index(fields=["school", "day"])]

    def __str__(self) -> str:
        return f"Register change {self.school_id}/{self.local_authority_id} on {self.day}"


class FiguresHorizon(models.Model):
    """The last financial year for which open-ended awards have rows (one row in the table).
    funding.figures.horizon_advance raises it when the year turns or a later banding table
    arrives, and rebuilds every school's rows."""

    financial_year = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Funding figures up to {financial_year_label(self.financial_year)}"
