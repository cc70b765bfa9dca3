"""Reads of the register and the census counts, for this app's pages and the layers above
(funding, casework, reports). Callers pass school ids they got from trusts.access; nothing here
decides access. Each function runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet

from trusts.models import School, User

from .models import (
    ON_REGISTER,
    CensusImport,
    CensusSnapshot,
    NationalAverage,
    Provision,
    Pupil,
    RegisterEvent,
)


def pupils_on_register(school_ids: Iterable[int]) -> QuerySet[Pupil]:
    """Pupils currently on the SEN register (EHC plan or SEN Support, still at the school)
    of the given schools, with school and home LA joined."""
    return Pupil.objects.filter(
        school_id__in=list(school_ids), provision__in=ON_REGISTER, left_school_on__isnull=True
    ).select_related("school", "home_local_authority")


def register_for_school(
    school: School, *, provision: str = "", need: str = "", year_group: str = "", q: str = ""
) -> QuerySet[Pupil]:
    """One school's register, filtered by provision, primary or secondary need, year group,
    and a search term matched against names (contains) or the UPN (starts with)."""
    pupils = pupils_on_register([school.pk])
    if provision:
        pupils = pupils.filter(provision=provision)
    if need:
        pupils = pupils.filter(Q(primary_need=need) | Q(secondary_need=need))
    if year_group:
        pupils = pupils.filter(year_group=year_group)
    for term in (q or "").split()[:4]:
        compact = term.upper()
        pupils = pupils.filter(
            Q(surname__icontains=term) | Q(forename__icontains=term) | Q(upn__startswith=compact)
        )
    return pupils.order_by("surname", "forename", "pk")


def register_counts(pupils: QuerySet[Pupil]) -> dict[str, int]:
    """How many of these pupils there are, with an EHC plan, at SEN Support (one query)."""
    return pupils.order_by().aggregate(
        total=Count("pk"),
        ehcp=Count("pk", filter=Q(provision=Provision.EHC_PLAN)),
        sen_support=Count("pk", filter=Q(provision=Provision.SEN_SUPPORT)),
    )


def pupil_history(pupil: Pupil) -> QuerySet[RegisterEvent]:
    """A pupil's register events, oldest first, with the acting user joined."""
    return RegisterEvent.objects.filter(pupil=pupil).select_related("actor").order_by("date", "pk")


def snapshots_for_schools(school_ids: Iterable[int]) -> QuerySet[CensusSnapshot]:
    """Every census snapshot of the schools, by school then census date (oldest first)."""
    return CensusSnapshot.objects.filter(school_id__in=list(school_ids)).order_by("school_id", "census_date")


def latest_snapshots(
    school_ids: Iterable[int], on_or_before: datetime.date | None = None
) -> dict[int, CensusSnapshot]:
    """Each school's most recent census snapshot (optionally the latest on or before a date),
    keyed by school id; schools without one are absent. One query."""
    snapshots = CensusSnapshot.objects.filter(school_id__in=list(school_ids))
    if on_or_before is not None:
        snapshots = snapshots.filter(census_date__lte=on_or_before)
    latest: dict[int, CensusSnapshot] = {}
    for snap in snapshots.order_by("school_id", "-census_date"):
        latest.setdefault(snap.school_id, snap)
    return latest


def census_dates(school_ids: Iterable[int]) -> list[datetime.date]:
    """The census dates that have a snapshot for any of the schools, newest first."""
    dates = (
        CensusSnapshot.objects.filter(school_id__in=list(school_ids))
        .values_list("census_date", flat=True)
        .order_by("-census_date")
    )
    return sorted(set(dates), reverse=True)


def national_averages() -> dict[str, NationalAverage]:
    """National averages by phase ("primary", "secondary"); see School.national_phase."""
    return {n.phase: n for n in NationalAverage.objects.all()}


def imports_for_schools(school_ids: Iterable[int], limit: int = 50) -> QuerySet[CensusImport]:
    return (
        CensusImport.objects.filter(school_id__in=list(school_ids))
        .select_related("school", "uploaded_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def import_leavers(summary: dict[str, Any], school_ids: Iterable[int], limit: int) -> tuple[list[Pupil], int]:
    """The pupils a census check or import records as having left (ids kept in its summary),
    of the schools given, by name: the first `limit` and how many there are. One query."""
    wanted = {int(pk) for s in summary.get("schools", []) for pk in s.get("leaver_ids", [])}
    if not wanted:
        return [], 0
    pupils = (
        Pupil.objects.filter(pk__in=wanted, school_id__in=list(school_ids))
        .only("pk", "school_id", "surname", "forename", "year_group", "provision")
        .order_by("surname", "forename", "pk")
    )
    return list(pupils[:limit]), len(wanted)


def year_groups_on_register(school: School) -> list[str]:
    from .census import YEAR_GROUPS

    present = set(pupils_on_register([school.pk]).order_by().values_list("year_group", flat=True).distinct())
    return [g for g in YEAR_GROUPS if g in present]


def user_label(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else "System import"


def pupils_by_upn(school: School, upns: Iterable[str]) -> dict[str, Pupil]:
    """The school's stored pupils with these UPNs (on the register or not), each with its
    register events prefetched: two queries."""
    return {
        p.upn: p
        for p in Pupil.objects.filter(school=school, upn__in=list(upns)).prefetch_related(
            models.Prefetch("events", queryset=RegisterEvent.objects.order_by("date", "pk"))
        )
    }


def pupils_of_school(school: School) -> QuerySet[Pupil]:
    """Every stored pupil of the school, those who left the register or the school too."""
    return Pupil.objects.filter(school=school).order_by("surname", "forename", "pk")


def pupils_by_id(school: School, ids: Iterable[int]) -> dict[int, Pupil]:
    """The school's stored pupils with these ids: one query."""
    return {p.pk: p for p in Pupil.objects.filter(school=school, pk__in=list(ids))}
