"""Reads of transfer imports. Callers pass school ids they got from trusts.access."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from trusts.models import School

from .models import PupilMove, TransferImport

if TYPE_CHECKING:
    from pupils.models import Pupil


def import_for_schools(pk: int, school_ids: Iterable[int]) -> TransferImport | None:
    return (
        TransferImport.objects.filter(pk=pk, school_id__in=list(school_ids))
        .select_related("school", "uploaded_by")
        .first()
    )


def imports_for_school(school: School, limit: int = 10) -> QuerySet[TransferImport]:
    return TransferImport.objects.filter(school=school).select_related("uploaded_by")[:limit]


# --- Pupils moving between schools ------------------------------------------------------------
# A move is seen from both of its schools; every read names the schools the caller may act for
# (from trusts.access) and lifts the scope only to look at the receiving side too.


def _moves() -> QuerySet[PupilMove]:
    return PupilMove.objects.with_scopes_disabled().select_related(
        "pupil", "from_school", "to_school", "released_by", "received_by", "cancelled_by", "received_pupil"
    )


def move_for_schools(pk: int, school_ids: Iterable[int]) -> PupilMove | None:
    """The move if one of its two schools is among `school_ids`."""
    ids = list(school_ids)
    return _moves().filter(pk=pk).filter(Q(from_school_id__in=ids) | Q(to_school_id__in=ids)).first()


def moves_released_to(school_ids: Iterable[int]) -> QuerySet[PupilMove]:
    """Pupils released to these schools and not yet received. One query."""
    return (
        _moves()
        .filter(to_school_id__in=list(school_ids), status=PupilMove.Status.RELEASED)
        .order_by("released_at", "pk")
    )


def moves_received_by(school: School, limit: int = 20) -> QuerySet[PupilMove]:
    return (
        _moves()
        .filter(to_school=school, status=PupilMove.Status.RECEIVED)
        .order_by("-received_at", "-pk")[:limit]
    )


def released_counts(school_ids: Iterable[int]) -> int:
    return (
        PupilMove.objects.with_scopes_disabled()
        .filter(to_school_id__in=list(school_ids), status=PupilMove.Status.RELEASED)
        .count()
    )


def moves_of_pupil(pupil: Pupil) -> list[PupilMove]:
    """The moves out of the school of this pupil's row and into it. One query."""
    return list(_moves().filter(Q(pupil=pupil) | Q(received_pupil=pupil)).order_by("released_at", "pk"))


def schools_to_release_to(school: School) -> QuerySet[School]:
    """Every other school of the deployment: the sender sees names and numbers only."""
    return School.objects.exclude(pk=school.pk).select_related("trust").order_by("name", "pk")


def pupil_for_schools(pk: int, school_ids: Iterable[int]) -> Pupil | None:
    from pupils.models import Pupil

    return (
        Pupil.objects.filter(pk=pk, school_id__in=list(school_ids))
        .select_related("school", "school__trust")
        .first()
    )
