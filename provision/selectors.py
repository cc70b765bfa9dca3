"""Reads of the provision map, for its pages and for the apps above it (SEN support plans read
what was delivered; funding reads each pupil's annual cost). Callers pass objects and school ids
they got through trusts.access; nothing here decides access. Each function runs a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from core import numbers
from pupils.models import Pupil

from . import rates as standard
from .models import Enrolment, Intervention

WEEKS_IN_YEAR = Decimal(52)
DAYS_IN_WEEK = Decimal(7)


def enrolments_for_pupil(pupil: Pupil, *, on: datetime.date | None = None) -> list[Enrolment]:
    """The pupil's enrolments, newest first, with their intervention joined; only those current
    on the date (started on or before it, not ended before it) when `on` is given. One query."""
    enrolments = Enrolment.objects.filter(pupil=pupil).select_related("intervention")
    if on is not None:
        enrolments = enrolments.filter(start_date__lte=on).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on))
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
        return (f"{self.delivered:,} of {numbers.counted(self.planned, 'session')} delivered "
                f"({numbers.pct_text(self.pct)})")


def planned_sessions(intervention: Intervention, start: datetime.date, end: datetime.date,
                     weeks: Decimal | None) -> int:
    """Sessions expected between two dates (both included): sessions a week over the calendar
    weeks of the period, scaled to the weeks a year the intervention runs (38 of 52 leaves out
    the holidays), to the nearest whole session."""
    if end < start:
        return 0
    calendar_weeks = Decimal((end - start).days + 1) / DAYS_IN_WEEK
    share = (weeks / WEEKS_IN_YEAR) if weeks is not None else Decimal(1)
    return int((intervention.sessions_per_week * calendar_weeks * share).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))


def delivery_for_enrolments(enrolments: Iterable[Enrolment], start: datetime.date,
                            end: datetime.date) -> dict[int, DeliverySummary]:
    """For each enrolment (with its intervention), keyed by its id: the sessions planned in the
    part of the period it covers, and the sessions recorded in that part with the pupil among
    those attending. Two queries at most (the standard rates and the attendance)."""
    enrolments = list(enrolments)
    if not enrolments:
        return {}
    rates = standard.standard_rates({e.intervention.school_id for e in enrolments})
    attended = dict(
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).order_by().values("pk")
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
            enrolment.pk, planned_sessions(intervention, first, last, weeks),
            attended.get(enrolment.pk, 0))
    return out
