"""Reads of the provision map, for its pages and for the apps above it (SEN support plans read
what was delivered; funding reads each pupil's annual cost). Callers pass objects and school ids
they got through trusts.access; nothing here decides access. Each function runs a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from core import numbers
from pupils.models import Need, Pupil
from trusts.models import School

from . import rates as standard
from .models import Delivery, Enrolment, Intervention, cost_per_pupil

ZERO = Decimal("0.00")
WEEKS_IN_YEAR = Decimal(52)
DAYS_IN_WEEK = Decimal(7)


def enrolments_for_pupil(pupil: Pupil, *, on: datetime.date | None = None) -> list[Enrolment]:
    """The pupil's enrolments, newest first, with their intervention joined; only those current
    on the date (started on or before it, not ended before it) when `on` is given. One query."""
    enrolments = Enrolment.objects.filter(pupil=pupil).select_related("intervention")
    if on is not None:
        enrolments = enrolments.filter(start_date__lte=on).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )
    return list(enrolments.order_by("-start_date", "-pk"))


@dataclass(frozen=True)
class DeliverySummary:
    """What an enrolment should have had in a period and what it had."""

    enrolment_id: int
    planned: int  # sessions expected, from the sessions a week over the weeks taught
    delivered: int  # sessions recorded with the pupil attending

    @property
    def pct(self) -> Decimal | None:
        return numbers.pct(self.delivered, self.planned)

    @property
    def text(self) -> str:
        if not self.planned:
            return f"{numbers.counted(self.delivered, 'session')} delivered"
        return (
            f"{self.delivered:,} of {numbers.counted(self.planned, 'session')} delivered "
            f"({numbers.pct_text(self.pct)})"
        )


def planned_sessions(
    intervention: Intervention, start: datetime.date, end: datetime.date, weeks: Decimal | None
) -> int:
    """Sessions expected between two dates (both included): sessions a week over the calendar
    weeks of the period, scaled to the weeks a year the intervention runs (38 of 52 leaves out
    the holidays), to the nearest whole session."""
    if end < start:
        return 0
    calendar_weeks = Decimal((end - start).days + 1) / DAYS_IN_WEEK
    share = (weeks / WEEKS_IN_YEAR) if weeks is not None else Decimal(1)
    return int(
        (intervention.sessions_per_week * calendar_weeks * share).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )


def delivery_for_enrolments(
    enrolments: Iterable[Enrolment], start: datetime.date, end: datetime.date
) -> dict[int, DeliverySummary]:
    """For each enrolment (with its intervention), keyed by its id: the sessions planned in the
    part of the period it covers, and the sessions recorded in that part with the pupil among
    those attending. Two queries at most (the standard rates and the attendance)."""
    enrolments = list(enrolments)
    if not enrolments:
        return {}
    rates = standard.standard_rates({e.intervention.school_id for e in enrolments})
    attended = dict(
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
        .order_by()
        .values("pk")
        .annotate(n=Count("deliveries", filter=Q(deliveries__date__range=(start, end))))
        .values_list("pk", "n")
    )
    out = {}
    for enrolment in enrolments:
        intervention = enrolment.intervention
        weeks = intervention.weeks
        if weeks is None and intervention.school_id in rates:
            weeks = rates[intervention.school_id].weeks
        first = max(start, enrolment.start_date)
        last = min(end, enrolment.end_date) if enrolment.end_date else end
        out[enrolment.pk] = DeliverySummary(
            enrolment.pk, planned_sessions(intervention, first, last, weeks), attended.get(enrolment.pk, 0)
        )
    return out


# --- costs ------------------------------------------------------------------------------------


def costs_for(interventions: Iterable[Intervention]) -> dict[int, Decimal | None]:
    """Each intervention's annual cost per pupil, blank figures taken from the school's standard
    rates (one query for the rates)."""
    interventions = list(interventions)
    rates = standard.standard_rates({i.school_id for i in interventions})
    return {i.pk: i.annual_cost_per_pupil(rates.get(i.school_id)) for i in interventions}


COST_COLUMNS = (
    "intervention__school_id",
    "intervention__sessions_per_week",
    "intervention__minutes_per_session",
    "intervention__weeks",
    "intervention__group_size",
    "intervention__hourly_cost",
)


def annual_costs_by_pupil(
    school_ids: Iterable[int], rates: dict[int, standard.StandardRates] | None = None
) -> dict[int, Decimal]:
    """The annual cost of each pupil's costed provision at the schools: the cost per pupil of
    every enrolment not ended (no end date), each rounded to the penny, summed. Pupils without
    an open enrolment are absent; a pupil with one is present even when it costs nothing. Funding
    reads this for the funding gap, passing the schools' standard rates it holds (else they are
    read: one more query). One query."""
    ids = list(school_ids)
    if rates is None:
        rates = standard.standard_rates(ids)
    rows = (
        Enrolment.objects.filter(pupil__school_id__in=ids, end_date__isnull=True)
        .order_by("pupil_id", "pk")
        .values_list("pupil_id", *COST_COLUMNS)
    )
    out: dict[int, Decimal] = {}
    for pupil_id, school_id, sessions, minutes, weeks, size, hourly in rows:
        school_rates = rates.get(school_id)
        hourly = hourly if hourly is not None else getattr(school_rates, "hourly_cost", None)
        weeks = weeks if weeks is not None else getattr(school_rates, "weeks", None)
        cost = (
            cost_per_pupil(sessions, minutes, weeks, hourly, size)
            if hourly is not None and weeks is not None
            else ZERO
        )
        out[pupil_id] = out.get(pupil_id, ZERO) + cost
    return out


# --- effectiveness ----------------------------------------------------------------------------

ONE_PLACE = Decimal("0.1")


@dataclass
class Effect:
    """Entry and exit scores of an intervention's enrolments, where both were recorded."""

    measured: int = 0
    improved: int = 0
    total_change: Decimal = Decimal(0)

    def add(self, enrolment: Enrolment) -> None:
        change = enrolment.change
        if change is None:
            return
        self.measured += 1
        self.improved += change > 0
        self.total_change += change

    @property
    def average_change(self) -> Decimal | None:
        if not self.measured:
            return None
        return (self.total_change / self.measured).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)

    @property
    def share_improved(self) -> Decimal | None:
        return numbers.pct(self.improved, self.measured)

    @property
    def average_change_text(self) -> str:
        value = self.average_change
        if value is None:
            return "–"
        return f"+{value}" if value > 0 else ("−" + str(abs(value)) if value < 0 else "0.0")

    @property
    def text(self) -> str:
        if not self.measured:
            return "No entry and exit scores yet"
        return (
            f"{self.improved:,} of {numbers.counted(self.measured, 'pupil')} improved "
            f"({numbers.pct_text(self.share_improved)}); average change "
            f"{self.average_change_text}"
        )


# --- the school's provision map ---------------------------------------------------------------


@dataclass
class InterventionLine:
    intervention: Intervention
    cost_per_pupil: Decimal | None
    enrolled: int = 0  # open enrolments
    annual_cost: Decimal = ZERO  # of the open enrolments
    sessions: int = 0  # sessions recorded, ever
    effect: Effect = field(default_factory=Effect)


@dataclass
class MapPupil:
    pupil: Pupil
    enrolments: list[Enrolment] = field(default_factory=list)
    annual_cost: Decimal = ZERO


@dataclass
class GroupLine:
    key: str
    label: str
    interventions: set[int] = field(default_factory=set)
    pupils: set[int] = field(default_factory=set)
    enrolments: int = 0
    annual_cost: Decimal = ZERO

    # For a reader who may not see pupils, a count below school level is suppressed when small.
    @property
    def pupils_shown(self) -> numbers.Count:
        return numbers.Count.of(len(self.pupils), True)

    @property
    def enrolments_shown(self) -> numbers.Count:
        return numbers.Count.of(self.enrolments, True)


@dataclass
class SchoolMap:
    school: School
    interventions: list[InterventionLine]
    pupils: list[MapPupil]
    by_need: list[GroupLine]
    by_year_group: list[GroupLine]
    by_kind: list[GroupLine]
    annual_cost: Decimal
    enrolments: int

    @property
    def pupil_count(self) -> int:
        return len(self.pupils)

    @property
    def active(self) -> list[InterventionLine]:
        return [line for line in self.interventions if line.intervention.active]

    @property
    def retired(self) -> list[InterventionLine]:
        return [line for line in self.interventions if not line.intervention.active]


def _year_order(year_group: str) -> int:
    from pupils.census import YEAR_GROUPS

    return YEAR_GROUPS.index(year_group) if year_group in YEAR_GROUPS else len(YEAR_GROUPS)


def year_group_label(year_group: str) -> str:
    if year_group == "R":
        return "Reception"
    if year_group.startswith("N"):
        return f"Nursery ({year_group})"
    return f"Year {year_group}"


NO_NEED = ("", "No area of need given")


def school_map(school: School) -> SchoolMap:
    """The school's catalogue with each intervention's cost per pupil, open enrolments and their
    cost, sessions recorded and effectiveness; the pupils with open enrolments and their annual
    cost; the annual cost by area of need, by year group and by kind. Four queries whatever the
    number of interventions, pupils or sessions."""
    interventions = list(Intervention.objects.filter(school=school).order_by("-active", "name", "pk"))
    costs = costs_for(interventions)
    sessions = dict(
        Intervention.objects.filter(school=school)
        .order_by()
        .values("pk")
        .annotate(n=Count("deliveries"))
        .values_list("pk", "n")
    )
    lines = {i.pk: InterventionLine(i, costs[i.pk], sessions=sessions.get(i.pk, 0)) for i in interventions}
    enrolments = list(
        Enrolment.objects.filter(intervention__school=school)
        .select_related("pupil")
        .order_by("start_date", "pk")
    )
    pupils: dict[int, MapPupil] = {}
    needs = {key: GroupLine(key, label) for key, label in [NO_NEED, *Need.choices]}
    kinds = {key: GroupLine(key, label) for key, label in Intervention.Kind.choices}
    years: dict[str, GroupLine] = {}
    for intervention in interventions:
        needs[intervention.area_of_need].interventions.add(intervention.pk)
        kinds[intervention.kind].interventions.add(intervention.pk)
    total, open_count = ZERO, 0
    for enrolment in enrolments:
        line = lines[enrolment.intervention_id]
        enrolment.intervention = line.intervention
        line.effect.add(enrolment)
        if enrolment.end_date is not None:
            continue
        cost = line.cost_per_pupil or ZERO
        enrolment.annual_cost = cost
        line.enrolled += 1
        line.annual_cost += cost
        total += cost
        open_count += 1
        pupil = enrolment.pupil
        entry = pupils.setdefault(pupil.pk, MapPupil(pupil))
        entry.enrolments.append(enrolment)
        entry.annual_cost += cost
        year = years.setdefault(
            pupil.year_group, GroupLine(pupil.year_group, year_group_label(pupil.year_group))
        )
        for group in (needs[line.intervention.area_of_need], kinds[line.intervention.kind], year):
            group.interventions.add(line.intervention.pk)
            group.pupils.add(pupil.pk)
            group.enrolments += 1
            group.annual_cost += cost
    return SchoolMap(
        school=school,
        interventions=list(lines.values()),
        pupils=sorted(pupils.values(), key=lambda p: (p.pupil.surname, p.pupil.forename, p.pupil.pk)),
        by_need=[g for g in needs.values() if g.interventions],
        by_year_group=sorted(years.values(), key=lambda g: _year_order(g.key)),
        by_kind=[g for g in kinds.values() if g.interventions],
        annual_cost=total,
        enrolments=open_count,
    )


# --- one intervention -------------------------------------------------------------------------


@dataclass
class InterventionDetail:
    intervention: Intervention
    cost_per_pupil: Decimal | None
    current: list[Enrolment]
    past: list[Enrolment]
    deliveries: Sequence[Delivery]
    effect: Effect
    delivery: dict[int, DeliverySummary]

    @property
    def annual_cost(self) -> Decimal:
        return (self.cost_per_pupil or ZERO) * len(self.current)


RECENT_SESSIONS = 20


def intervention_detail(intervention: Intervention, today: datetime.date) -> InterventionDetail:
    """The intervention's pupils (open enrolments, then ended ones), the latest sessions with
    how many attended, its effectiveness, and each open enrolment's sessions attended against
    those planned since it started. Five queries."""
    from .models import Delivery

    cost = costs_for([intervention])[intervention.pk]
    enrolments = list(
        intervention.enrolments.select_related("pupil").order_by(
            "pupil__surname", "pupil__forename", "start_date", "pk"
        )
    )
    effect = Effect()
    for enrolment in enrolments:
        enrolment.intervention = intervention
        effect.add(enrolment)
    current = [e for e in enrolments if e.end_date is None]
    past = sorted(
        (e for e in enrolments if e.end_date is not None), key=lambda e: (e.end_date, e.pk), reverse=True
    )
    deliveries = list(
        Delivery.objects.filter(intervention=intervention)
        .annotate(present=Count("attended"))
        .order_by("-date", "-pk")[:RECENT_SESSIONS]
    )
    first = min((e.start_date for e in current), default=today)
    delivery = delivery_for_enrolments(current, first, today) if current else {}
    for enrolment in current:
        enrolment.delivery = delivery.get(enrolment.pk)
    return InterventionDetail(intervention, cost, current, past, deliveries, effect, delivery)


# --- one pupil --------------------------------------------------------------------------------


@dataclass
class PupilProvision:
    pupil: Pupil
    current: list[Enrolment]
    past: list[Enrolment]
    annual_cost: Decimal
    delivery: dict[int, DeliverySummary]


def pupil_provision(pupil: Pupil, today: datetime.date) -> PupilProvision:
    """The pupil's enrolments, open ones first (with their cost per year) then ended ones, and
    each enrolment's sessions attended against those planned over its time (to today). Four
    queries."""
    enrolments = enrolments_for_pupil(pupil)
    costs = costs_for({e.intervention_id: e.intervention for e in enrolments}.values())
    for enrolment in enrolments:
        enrolment.annual_cost = costs.get(enrolment.intervention_id)
    current = [e for e in enrolments if e.end_date is None]
    past = [e for e in enrolments if e.end_date is not None]
    first = min((e.start_date for e in enrolments), default=today)
    delivery = delivery_for_enrolments(enrolments, first, today) if enrolments else {}
    for enrolment in enrolments:
        enrolment.delivery = delivery.get(enrolment.pk)
    total = sum((e.annual_cost or ZERO for e in current), ZERO)
    return PupilProvision(pupil, current, past, total, delivery)


def interventions_open_to(school: School) -> QuerySet[Intervention]:
    """The school's active interventions, for choosing one to enrol a pupil in."""
    return Intervention.objects.filter(school=school, active=True).order_by("name", "pk")


def pupils_to_enrol(intervention: Intervention) -> QuerySet[Pupil]:
    """Pupils on the school's register not already in the intervention (open enrolment)."""
    from pupils.selectors import pupils_on_register

    enrolled = Enrolment.objects.filter(intervention=intervention, end_date__isnull=True)
    return (
        pupils_on_register([intervention.school_id])
        .exclude(pk__in=enrolled.values("pupil_id"))
        .order_by("surname", "forename", "pk")
    )


def open_enrolments(intervention: Intervention) -> QuerySet[Enrolment]:
    """The intervention's enrolments not ended, with their pupils, by name (who may attend)."""
    return (
        intervention.enrolments.filter(end_date__isnull=True)
        .select_related("pupil")
        .order_by("pupil__surname", "pupil__forename", "pk")
    )
