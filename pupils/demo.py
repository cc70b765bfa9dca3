"""Demo data for the register: fictional pupils imported through the census importer, on top
of the reference schools and national averages (pupils.reference). The demo is dated from the
day it is first loaded: its censuses are the census days (each October, January and May) from
the autumn of the previous school year up to the latest one before today, and every school's
latest census matches the counts of `data/reference/schools_2025.csv` exactly; the earlier ones
differ a little, so trends exist.

Every pupil is fictional: names from short lists, valid but made-up UPNs, dates of birth that
fit their year group. Deterministic (a fixed random seed per school) and idempotent: a census
already imported for a school is skipped, so a second run changes no row."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled

from core.census_dates import census_days, previous_census
from core.years import academic_year_start
from trusts.models import School
from trusts.reference import read_reference

from . import services, upn
from .census import YEAR_GROUP_AGE
from .models import ON_REGISTER, CensusSnapshot

YEAR_GROUPS_BY_PHASE = {
    "nursery": ["N1", "N2"],
    "infant": ["R", "1", "2"],
    "junior": ["3", "4", "5", "6"],
    "primary": ["R", "1", "2", "3", "4", "5", "6"],
    "middle": ["5", "6", "7", "8"],
    "secondary": ["7", "8", "9", "10", "11"],
    "all_through": ["R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"],
    "special": ["R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"],
    "post_16": ["12", "13"],
}
# Rough national mix of primary needs among pupils with SEND.
NEED_WEIGHTS = {
    "SLCN": 24,
    "SEMH": 20,
    "ASD": 16,
    "MLD": 11,
    "SPLD": 9,
    "OTH": 4,
    "PD": 3,
    "HI": 2,
    "VI": 1,
    "SLD": 2,
    "PMLD": 1,
    "MSI": 1,
    "DS": 1,
}
FORENAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Grace",
    "Jack",
    "Evie",
    "Charlie",
    "Sofia",
    "Theo",
    "Aisha",
    "Mohammed",
    "Zofia",
    "Kacper",
    "Chidi",
    "Amara",
    "Ryan",
    "Erin",
    "Tomasz",
    "Niamh",
    "Kofi",
    "Priya",
    "Ewan",
    "Maya",
    "Ruby",
    "Alfie",
]
SURNAMES = [
    "Abbott",
    "Baines",
    "Carver",
    "Dunmore",
    "Ellery",
    "Fenwick",
    "Garside",
    "Hollins",
    "Ingram",
    "Jarrow",
    "Kettle",
    "Lowther",
    "Marlow",
    "Nettles",
    "Orchard",
    "Pellow",
    "Quarry",
    "Rudd",
    "Sallis",
    "Thorne",
    "Umber",
    "Vokes",
    "Wetherby",
    "Yarrow",
    "Adeyemi",
    "Kowalczyk",
    "Okafor",
    "Nowak",
    "Chaudhry",
    "Mensah",
    "O'Rourke",
    "Byrne",
]
HEADER = "UPN,Surname,Forename,DOB,Gender,YearGroup,SENProvision,PrimaryNeed,SecondaryNeed,HomeLA,LAESTAB"


@dataclass
class DemoPupil:
    index: int
    upn: str
    surname: str
    forename: str
    gender: str
    date_of_birth: datetime.date
    group: int  # index into the school's year groups in the latest census's school year
    # (-1: left in the summer before it)
    need: str
    second_need: str
    nsa_first: bool  # recorded as NSA while at SEN Support
    lives_in_essex: bool


def demo_censuses(today: datetime.date) -> tuple[datetime.date, ...]:
    """The demo's census days: from the autumn census of the school year before the latest
    census (the latest census day before `today`) up to that one, four to six of them."""
    latest = previous_census(today).date
    year = academic_year_start(latest)
    days = [c.date for y in (year - 1, year, year + 1) for c in census_days(y)]
    return tuple(d for d in days if datetime.date(year - 1, 9, 1) <= d <= latest)


def _anchor(schools: list[School], today: datetime.date) -> datetime.date:
    """The day the demo's censuses are counted back from: today, or, when demo censuses were
    imported on an earlier day, the day after the latest of them, so that a later run adds no
    census and changes nothing."""
    latest = (
        CensusSnapshot.objects.filter(school__in=schools)
        .order_by("-census_date")
        .values_list("census_date", flat=True)
        .first()
    )
    return latest + datetime.timedelta(days=1) if latest else today


def _population(school: SimpleNamespace, nor: int, rng: random.Random, year: int) -> list[DemoPupil]:
    """Everyone on roll in the school year starting in September of `year` (indexes below
    `nor`), then last year's top cohort (left in the summer before) and a few mid-year joiners
    who left again."""
    groups = YEAR_GROUPS_BY_PHASE.get(school.phase, YEAR_GROUPS_BY_PHASE["primary"])
    la, estab = int(school.laestab[:3]), int(school.laestab[3:])
    cohort = max(nor // len(groups), 1)
    needs, weights = zip(*NEED_WEIGHTS.items(), strict=True)
    out = []
    for i in range(nor + cohort + 3):
        if i < nor:
            group = i % len(groups)
            age = YEAR_GROUP_AGE[groups[group]]
            first_september = datetime.date(year - age - 1, 9, 1)
        else:  # left in the summer from the top year group (or joined and left)
            group = -1
            age = YEAR_GROUP_AGE[groups[-1]] if i < nor + cohort else YEAR_GROUP_AGE[groups[0]] + 1
            first_september = datetime.date(year - 1 - age - 1, 9, 1)
        need = rng.choices(needs, weights)[0]
        second = rng.choice([n for n in needs if n != need]) if rng.random() < 0.25 else ""
        out.append(
            DemoPupil(
                index=i,
                upn=upn.make(la, estab, 10 + i // 1000, i % 1000),
                surname=rng.choice(SURNAMES),
                forename=rng.choice(FORENAMES),
                gender=rng.choice("FM"),
                date_of_birth=first_september + datetime.timedelta(days=rng.randrange(365)),
                group=group,
                need=need,
                second_need=second,
                nsa_first=rng.random() < 0.15,
                lives_in_essex=la == 882 and rng.random() < 0.25,
            )
        )
    return out


def _roster(
    pupils: list[DemoPupil], groups: list[str], nor: int, census: datetime.date, trim: int, year: int
) -> list[tuple[DemoPupil, str]]:
    """Who is on roll at `census`, with their year group then (`year`: the school year of the
    latest census)."""
    if academic_year_start(census) >= year:
        return [(p, groups[p.group]) for p in pupils[:nor]]
    roster = []
    cohort = max(nor // len(groups), 1)
    for p in pupils:
        if p.index < nor:
            if p.group == 0:
                continue  # joined in September of the latest census's school year
            roster.append((p, groups[p.group - 1]))
        elif p.index < nor + cohort - trim:
            roster.append((p, groups[-1]))
        elif p.index >= nor + cohort and census.month < 9:
            roster.append((p, groups[min(1, len(groups) - 1)]))  # joined after the autumn
    return roster


def census_rows(
    school: School,
    census: datetime.date,
    *,
    nor: int,
    ehcp: int,
    sen_support: int,
    censuses: tuple[datetime.date, ...],
) -> list[str]:
    """The census CSV lines (no header) of `school` at `census`, one of the demo's `censuses`,
    the last of which has the reference counts (deterministic, so cached)."""
    return list(_census_lines(school.laestab, school.phase, census, nor, ehcp, sen_support, censuses))


@lru_cache(maxsize=256)
def _census_lines(
    laestab: str,
    phase: str,
    census: datetime.date,
    nor: int,
    ehcp: int,
    sen_support: int,
    censuses: tuple[datetime.date, ...],
) -> tuple[str, ...]:
    school = SimpleNamespace(laestab=laestab, phase=phase)
    rng = random.Random(f"send-portal-demo-{school.laestab}")
    groups = YEAR_GROUPS_BY_PHASE.get(school.phase, YEAR_GROUPS_BY_PHASE["primary"])
    latest = censuses[-1]
    year = academic_year_start(latest)
    pupils = _population(school, nor, rng, year)
    rank = list(range(len(pupils)))
    rng.shuffle(rank)
    # Slightly different counts in the earlier censuses, going back from the latest: fewer
    # plans, a little more support.
    counts_at = {latest: (ehcp, sen_support)}
    e, k = ehcp, sen_support
    for back, earlier in enumerate(reversed(censuses[:-1])):
        e = max(e - rng.randint(0, 2), 0)
        k = max(k + rng.randint(-3, 4 if back == 0 else 3), 0)
        counts_at[earlier] = (e, k)
    trim = rng.randint(0, 5)
    counts = counts_at[census]
    roster = _roster(pupils, groups, nor, census, trim, year)
    on_roll = {p.index: yg for p, yg in roster}
    provision: dict[int, str] = {}
    e_left, k_left = counts
    for index in rank:
        if index not in on_roll:
            continue
        if e_left:
            provision[index], e_left = "E", e_left - 1
        elif k_left:
            provision[index], k_left = "K", k_left - 1
        else:
            break
    lines = []
    for p, yg in sorted(roster, key=lambda item: item[0].index):
        prov = provision.get(p.index, "N")
        need = need2 = ""
        if prov != "N":
            need, need2 = p.need, p.second_need
            if prov == "K" and p.nsa_first and census < latest:
                need, need2 = "NSA", ""
        home = "881" if p.lives_in_essex and prov != "N" else ""
        lines.append(
            f"{p.upn},{p.surname},{p.forename},{p.date_of_birth.isoformat()},{p.gender},"
            f"{yg},{prov},{need},{need2},{home},{school.laestab}"
        )
    return tuple(lines)


def seed_pupils(today: datetime.date) -> tuple[int, int]:
    """Import the demo censuses of every reference school not yet imported: one file per
    trust and census, with a LAESTAB column, as a trust data admin would."""
    imported = skipped = 0
    reference = {row["laestab"]: row for row in read_reference("schools_2025.csv")}
    schools = list(
        School.objects.filter(laestab__in=reference)
        .select_related("trust")
        .order_by("trust__name", "laestab")
    )
    censuses = demo_censuses(_anchor(schools, today))
    done = set(CensusSnapshot.objects.filter(school__in=schools).values_list("school_id", "census_date"))
    by_trust: dict[int, list[School]] = {}
    for school in schools:
        by_trust.setdefault(school.trust_id, []).append(school)
    for trust_schools in by_trust.values():
        for census in censuses:
            todo = [s for s in trust_schools if (s.pk, census) not in done]
            skipped += len(trust_schools) - len(todo)
            if not todo:
                continue
            lines = [HEADER]
            for school in todo:
                row = reference[school.laestab]
                lines += census_rows(
                    school,
                    census,
                    nor=int(row["number_on_roll"]),
                    ehcp=int(row["ehcp"]),
                    sen_support=int(row["sen_support"]),
                    censuses=censuses,
                )
            file: dict[str, Any] = dict(
                raw=("\r\n".join(lines) + "\r\n").encode(),
                file_name=f"demo-census-{todo[0].trust.slug}-{census}.csv",
                census_date=census,
                school=todo[0],
                allowed_schools=todo,
            )
            # Pupils leave between censuses (a primary's year 6 each autumn): as a data admin
            # would, the number of leavers the check finds is confirmed.
            leavers = services.census_check(**file).summary.get("leavers_to_confirm") or None
            outcome = services.census_import(actor=None, confirmed_leavers=leavers, **file)
            if not outcome.applied:
                raise RuntimeError(
                    f"Demo census for {todo[0].trust} on {census} is invalid: "
                    f"{[str(e) for e in outcome.errors[:3]]}"
                )
            imported += len(todo)
    return imported, skipped


def seed(today: datetime.date | None = None) -> list[str]:
    with scopes_disabled():
        imported, skipped = seed_pupils(today or timezone.localdate())
        from .models import Pupil

        on_register = Pupil.objects.filter(left_school_on__isnull=True, provision__in=ON_REGISTER).count()
    lines = [
        f"{imported} school censuses imported"
        f"{f' ({skipped} already there)' if skipped else ''}; {on_register} pupils on the "
        f"SEN register (all fictional)"
    ]
    if settings.DEBUG:
        lines.append(
            "Census files can be imported with: python manage.py import_census FILE "
            "--school LAESTAB --date YYYY-MM-DD [--dry-run]"
        )
    return lines
