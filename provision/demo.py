"""Demo data for the provision map, once pupils exist:

* every school: 1:1 teaching assistant support for a handful of pupils with an EHC plan (the
  costed support the funding demo's claims are for);
* Holy Cross Primary and St Thomas More High School: a catalogue of realistic interventions,
  pupils enrolled in them this term and last, entry and exit scores, and the sessions of this
  term so far, dated relative to today.

Written through provision.services (which keep the funding figures). Idempotent: a school that
already has interventions is left alone, so a second run changes no row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.years import academic_year_first_day
from pupils.models import ON_REGISTER, Provision, Pupil
from trusts.models import School

from . import services
from .models import Delivery, Enrolment, Intervention, Kind

D = Decimal
# Hours a week of 1:1 teaching-assistant support for the first EHC pupils of each school.
TA_HOURS = [D("10"), D("17.5"), D("7.5"), D("15")]
DETAILED = ("8833001", "8824001")  # Holy Cross Primary, St Thomas More High School


@dataclass(frozen=True)
class Offer:
    name: str
    kind: str
    need: str
    staff_role: str
    sessions: D
    minutes: int
    group_size: int
    hourly_cost: D | None  # None: the school's standard rate
    weeks: D | None
    scale: str
    description: str
    pupils_now: int  # pupils enrolled this term
    pupils_before: int  # pupils who finished last term (with exit scores)
    gain: int  # typical change on the scale over a block
    entry: int = 20  # a typical entry score on the scale


PRIMARY = [
    Offer(
        "Precision teaching",
        Kind.ONE_TO_ONE,
        "SPLD",
        "Teaching assistant",
        D(5),
        10,
        1,
        None,
        None,
        "Words read correctly in a minute",
        "Daily ten-minute sessions on a small set of high-frequency words until they are fluent.",
        3,
        2,
        9,
        25,
    ),
    Offer(
        "Phonics catch-up group",
        Kind.SMALL_GROUP,
        "SPLD",
        "Teaching assistant",
        D(4),
        20,
        4,
        None,
        None,
        "Phonics screening check score (0 to 40)",
        "Fast-paced daily phonics for pupils below the expected standard.",
        4,
        4,
        6,
        22,
    ),
    Offer(
        "Lego-based therapy",
        Kind.SMALL_GROUP,
        "ASD",
        "Teaching assistant",
        D(1),
        45,
        3,
        None,
        D(30),
        "Social communication rating (0 to 20)",
        "Building sets in roles (engineer, supplier, builder) to practise turn-taking and shared attention.",
        3,
        3,
        3,
        8,
    ),
    Offer(
        "Emotional literacy support (ELSA)",
        Kind.ONE_TO_ONE,
        "SEMH",
        "Emotional literacy support assistant",
        D(1),
        30,
        1,
        D("19.50"),
        D(12),
        "Emotional literacy checklist (0 to 50)",
        "A twelve-week programme on recognising and managing feelings.",
        2,
        2,
        7,
        24,
    ),
    Offer(
        "Speech and language therapy",
        Kind.EXTERNAL,
        "SLCN",
        "Speech and language therapist (independent)",
        D(1),
        45,
        1,
        D("75.00"),
        D(10),
        "Expressive language age (months)",
        "Blocks of therapy bought in from an independent therapist, with targets the class "
        "team practise daily.",
        2,
        1,
        4,
        48,
    ),
    Offer(
        "Number sense group",
        Kind.SMALL_GROUP,
        "MLD",
        "Higher level teaching assistant",
        D(3),
        20,
        3,
        D("21.40"),
        None,
        "Number age (months)",
        "Concrete and pictorial work on place value and number bonds.",
        3,
        0,
        5,
        60,
    ),
]
SECONDARY = [
    Offer(
        "Reading intervention",
        Kind.SMALL_GROUP,
        "SPLD",
        "Teaching assistant",
        D(3),
        30,
        6,
        None,
        None,
        "Reading age (months)",
        "Computer-based reading programme with adult-led comprehension.",
        5,
        4,
        8,
        118,
    ),
    Offer(
        "Learning mentor sessions",
        Kind.ONE_TO_ONE,
        "SEMH",
        "Learning mentor",
        D(1),
        50,
        1,
        D("22.80"),
        None,
        "Resilience scale (0 to 50)",
        "Weekly mentoring on attendance, organisation and relationships.",
        3,
        2,
        6,
        22,
    ),
    Offer(
        "Social communication group",
        Kind.SMALL_GROUP,
        "ASD",
        "Teaching assistant",
        D(1),
        50,
        5,
        None,
        None,
        "Social communication rating (0 to 20)",
        "Unstructured-time skills: lunchtime, group work, changes of plan.",
        4,
        0,
        3,
        8,
    ),
    Offer(
        "Maths catch-up",
        Kind.SMALL_GROUP,
        "MLD",
        "Higher level teaching assistant",
        D(2),
        40,
        5,
        D("21.40"),
        None,
        "Maths age (months)",
        "Pre-teaching the next week's topic in a small group.",
        4,
        3,
        5,
        110,
    ),
    Offer(
        "Touch typing",
        Kind.SMALL_GROUP,
        "PD",
        "Teaching assistant",
        D(2),
        30,
        6,
        None,
        D(12),
        "Words typed a minute",
        "For pupils who will use a laptop in lessons and exams.",
        3,
        3,
        11,
    ),
    Offer(
        "Educational psychologist consultation",
        Kind.EXTERNAL,
        "",
        "Educational psychologist",
        D(1),
        60,
        1,
        D("95.00"),
        D(6),
        "",
        "Consultation and observation bought in from the local authority's traded service.",
        1,
        0,
        0,
        0,
    ),
]


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _ta_support(school: School, start: datetime.date) -> int:
    """1:1 support for the school's first EHC pupils (by UPN), one intervention per number of
    hours; a pupil who lives in another LA among them when there is one."""
    pupils = list(
        Pupil.objects.filter(school=school, provision=Provision.EHC_PLAN, left_school_on__isnull=True)
        .select_related("home_local_authority")
        .order_by("upn", "pk")
    )
    chosen = pupils[:4]
    elsewhere = [p for p in pupils if p.home_local_authority_id != school.local_authority_id]
    if elsewhere and not any(p in elsewhere for p in chosen):
        chosen = [elsewhere[0], *chosen[:3]]
    made: dict[D, Intervention] = {}
    for i, pupil in enumerate(chosen):
        hours = TA_HOURS[i % len(TA_HOURS)]
        if hours not in made:
            made[hours] = services.intervention_create(
                actor=None,
                school=school,
                name=f"Teaching assistant support, {hours:f} hours a week",
                kind=Kind.ONE_TO_ONE,
                staff_role="Teaching assistant",
                sessions_per_week=hours,
                minutes_per_session=60,
                group_size=1,
                area_of_need="",
                description="1:1 support in class and small groups, as set out in the pupil's EHC plan.",
            )
        services.enrolment_create(actor=None, intervention=made[hours], pupil=pupil, start_date=start)
    return len(chosen)


def _catalogue(school: School, offers: list[Offer], today: datetime.date) -> int:
    """The school's interventions, pupils enrolled this term and last, and this term's
    sessions."""
    this_term = academic_year_first_day(today)
    last_term = this_term - datetime.timedelta(weeks=16)
    pupils = list(
        Pupil.objects.filter(school=school, provision__in=ON_REGISTER, left_school_on__isnull=True).order_by(
            "upn", "pk"
        )
    )
    by_need: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        by_need.setdefault(pupil.primary_need, []).append(pupil)
    used: dict[str, int] = {}
    enrolled = 0

    def next_pupils(need: str, n: int) -> list[Pupil]:
        # Pupils with the intervention's need first, then anyone on the register.
        pool = by_need.get(need, []) + [p for p in pupils if p.primary_need != need]
        start = used.get(need, 0)
        used[need] = start + n
        return [pool[(start + k) % len(pool)] for k in range(n)] if pool else []

    for offer in offers:
        intervention = services.intervention_create(
            actor=None,
            school=school,
            name=offer.name,
            kind=offer.kind,
            staff_role=offer.staff_role,
            sessions_per_week=offer.sessions,
            minutes_per_session=offer.minutes,
            group_size=offer.group_size,
            hourly_cost=offer.hourly_cost,
            weeks=offer.weeks,
            area_of_need=offer.need,
            measure_scale=offer.scale,
            description=offer.description,
        )
        group = next_pupils(offer.need, offer.pupils_before + offer.pupils_now)
        before, now = group[: offer.pupils_before], group[offer.pupils_before :]
        for k, pupil in enumerate(before):
            entry = D(offer.entry + 3 * (k % 3) - 2)
            enrolment = services.enrolment_create(
                actor=None,
                intervention=intervention,
                pupil=pupil,
                start_date=last_term,
                entry_score=entry if offer.scale else None,
            )
            # Most improve, by about the intervention's typical gain; one in four does not.
            change = D(offer.gain - (k % 3)) if k % 4 != 3 else D(-1)
            services.enrolment_end(
                actor=None,
                enrolment=enrolment,
                end_date=this_term - datetime.timedelta(days=40),
                exit_score=entry + change if offer.scale else None,
                today=today,
            )
        current: list[Enrolment] = []
        for k, pupil in enumerate(now):
            if any(e.pupil_id == pupil.pk for e in current):
                continue
            current.append(
                services.enrolment_create(
                    actor=None,
                    intervention=intervention,
                    pupil=pupil,
                    start_date=this_term,
                    entry_score=D(offer.entry + 2 * (k % 4) - 3) if offer.scale else None,
                )
            )
        enrolled += len(before) + len(current)
        _sessions(intervention, current, today)
    return enrolled


def _holiday(monday: datetime.date) -> bool:
    """Roughly the school holidays of an English school year: half-terms, Christmas, Easter."""
    month, day = monday.month, monday.day
    return (
        (month == 10 and day >= 25)
        or (month == 12 and day >= 20)
        or (month == 1 and day <= 3)
        or (month == 2 and 14 <= day <= 20)
        or (month == 4 and day <= 14)
        or (month == 5 and day >= 25)
        or month == 8
    )


def _sessions(intervention: Intervention, enrolments: list[Enrolment], today: datetime.date) -> None:
    """Sessions on the first weekdays of every school week since the pupils started (up to last
    week), with a pupil missing now and then."""
    per_week = min(int(intervention.sessions_per_week), 5)
    if not per_week or not enrolments:
        return
    start = _monday(min(e.start_date for e in enrolments))
    weeks = (_monday(today) - start).days // 7
    for week in range(weeks):
        monday = start + datetime.timedelta(weeks=week)
        if _holiday(monday):
            continue
        for day in range(per_week):
            date = monday + datetime.timedelta(days=day)
            attended = [
                e for n, e in enumerate(enrolments) if (n + week + day) % 7 != 0 and e.start_date <= date
            ]
            services.delivery_record(
                actor=None,
                intervention=intervention,
                date=date,
                minutes=intervention.minutes_per_session,
                attended=attended,
                today=today,
            )


def seed(today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        if not Pupil.objects.exists():
            return []
        supported = enrolled = 0
        done = set(Intervention.objects.values_list("school_id", flat=True).distinct())
        for school in School.objects.order_by("laestab"):
            if school.pk in done:
                continue
            supported += _ta_support(school, academic_year_first_day(today))
            if school.laestab in DETAILED:
                offers = PRIMARY if school.laestab == DETAILED[0] else SECONDARY
                enrolled += _catalogue(school, offers, today)
        return [
            f"{Intervention.objects.count()} interventions, {Enrolment.objects.count()} "
            f"enrolments, {Delivery.objects.count()} sessions on the provision maps "
            f"({supported + enrolled} new enrolments)"
        ]
