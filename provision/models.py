"""The costed provision map: each school's catalogue of interventions, the pupils enrolled in
them (with entry and exit measures) and the sessions delivered.

The cost of an intervention to one pupil for a year is its staff hours a year (sessions a week x
minutes a session x weeks) at its hourly cost with on-costs, shared between the pupils of a
group, rounded half-up to the penny once, at the end (as every money figure of the product).
A blank hourly cost or number of weeks takes the school's standard rate (provision.rates: the
funding app supplies the school's funding settings), so lines migrated from the old single
teaching-assistant line keep their cost to the penny.

Every model here belongs to a school and is filtered by django-scopes like every other
tenant-owned model."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pupils.models import Need, Pupil
from trusts.audit import AuditedInSchool
from trusts.models import School
from trusts.scoping import TenantManager

if TYPE_CHECKING:
    from .selectors import DeliverySummary

PENNY = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)


class Kind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "1:1"
    SMALL_GROUP = "small_group", "Small group"
    WHOLE_CLASS = "whole_class", "Whole class"
    EXTERNAL = "external", "External"


class Intervention(AuditedInSchool, models.Model):
    """One intervention a school offers: who delivers it, how often, for how long, to how many
    pupils at once, and what an hour of it costs with on-costs."""

    Kind = Kind

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="interventions")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SMALL_GROUP)
    area_of_need = models.CharField(max_length=4, choices=Need.choices, blank=True)
    staff_role = models.CharField(
        max_length=100,
        help_text="Who delivers it, such as “Teaching assistant” or “Speech and language therapist”.",
    )
    sessions_per_week = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("60"))],
    )
    minutes_per_session = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    weeks = models.DecimalField(
        "weeks a year",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("52"))],
        help_text="Blank: the school's standard weeks a year.",
    )
    group_size = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # Up to six places, so a rate with on-costs worked out from a rate and a percentage (each
    # to two places) is kept exactly: rounding here would move yearly costs by pounds.
    hourly_cost = models.DecimalField(
        "hourly cost with on-costs",
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Blank: the school's standard hourly rate with on-costs.",
    )
    measure_scale = models.CharField(
        "entry and exit measure",
        max_length=100,
        blank=True,
        help_text="The scale of the scores, such as “Reading age (months)” or “Boxall profile”.",
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["school", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=0, minutes_per_session__gte=1, group_size__gte=1)
                & (Q(weeks__isnull=True) | Q(weeks__gte=0, weeks__lte=52))
                & (Q(hourly_cost__isnull=True) | Q(hourly_cost__gte=0)),
                name="intervention_figures_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def annual_cost_per_pupil(self, standard=None) -> Decimal | None:
        """The cost of a year of this intervention to one pupil. `standard` (a
        provision.rates.StandardRates) fills a blank hourly cost or number of weeks; without
        it, a blank one leaves the cost unknown (None)."""
        hourly = self.hourly_cost if self.hourly_cost is not None else getattr(standard, "hourly_cost", None)
        weeks = self.weeks if self.weeks is not None else getattr(standard, "weeks", None)
        if hourly is None or weeks is None:
            return None
        return cost_per_pupil(
            self.sessions_per_week, self.minutes_per_session, weeks, hourly, self.group_size
        )

    @property
    def hours_per_week(self) -> Decimal:
        return self.sessions_per_week * self.minutes_per_session / MINUTES_PER_HOUR


def cost_per_pupil(
    sessions_per_week: Decimal,
    minutes_per_session: int,
    weeks: Decimal,
    hourly_cost: Decimal,
    group_size: int,
) -> Decimal:
    """sessions x minutes x weeks x hourly cost / (60 x group size), half-up to the penny once.
    The one division comes last, so an hour-long 1:1 session costs exactly what the old
    hours x weeks x rate x (1 + on-costs) line did."""
    total = Decimal(sessions_per_week) * Decimal(minutes_per_session) * Decimal(weeks) * Decimal(hourly_cost)
    return (total / (MINUTES_PER_HOUR * Decimal(group_size))).quantize(PENNY, rounding=ROUND_HALF_UP)


class Enrolment(AuditedInSchool, models.Model):
    """A pupil taking part in an intervention from a start date to an end date (blank: still
    going), with a score on the intervention's measure at entry and at exit."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="enrolments")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="provision_enrolments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Blank: still going.")
    entry_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    exit_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not stored: filled in by provision.selectors for the pages that show an enrolment's
    # cost per year and its sessions attended.
    annual_cost: Decimal | None
    delivery: DeliverySummary | None

    objects = TenantManager(school="intervention__school")

    class Meta:
        ordering = ["intervention", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrolment_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["pupil", "start_date"], name="enrolment_pupil_start")]

    def __str__(self) -> str:
        # No name here: this text reaches audit entries and logs.
        return f"Enrolment {self.pk} of pupil {self.pupil_id} in intervention {self.intervention_id}"

    def is_current(self, on) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    @property
    def change(self) -> Decimal | None:
        if self.entry_score is None or self.exit_score is None:
            return None
        return self.exit_score - self.entry_score

    audit_school = "intervention.school"  # the trust and school of its audit entries


class Delivery(AuditedInSchool, models.Model):
    """One session of an intervention that took place, and the enrolled pupils who attended."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="deliveries")
    date = models.DateField()
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(600)])
    note = models.CharField(max_length=300, blank=True)
    attended = models.ManyToManyField(Enrolment, blank=True, related_name="deliveries")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager(school="intervention__school")

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["intervention", "-date", "-pk"]
        indexes = [models.Index(fields=["intervention", "date"], name="delivery_intervention_date")]

    def __str__(self) -> str:
        return f"Session of intervention {self.intervention_id} on {self.date:%d %b %Y}"

    audit_school = "intervention.school"  # the trust and school of its audit entries
