"""Reads of transfer imports. Callers pass school ids they got from trusts.access."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from trusts.models import School

from .models import TransferImport


def import_for_schools(pk: int, school_ids: Iterable[int]) -> TransferImport | None:
    return (TransferImport.objects.filter(pk=pk, school_id__in=list(school_ids))
            .select_related("school", "uploaded_by").first())


def imports_for_school(school: School, limit: int = 10) -> QuerySet[TransferImport]:
    return TransferImport.objects.filter(school=school).select_related("uploaded_by")[:limit]
