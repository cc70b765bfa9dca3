"""Erasing a pupil's personal data, through the apps that own it.

Every app that keeps records about a pupil registers how it erases or anonymises them
(`register`), naming the models it covers; models that link to a pupil but hold nothing personal
of theirs (counts, money) are declared with `keep` and the reason. The privacy app orchestrates
(`privacy.services.pupil_erase`): it locks the pupil and runs every app's eraser with the same
`PupilErasure`; the pupil row itself is anonymised last (`anonymise_pupil`), since the others
need the names to find mentions of the pupil. `pupils/tests/test_erasure_registry.py` fails when
a model that links to a pupil is neither covered nor kept.

The pupil row stays (other records point at it; census snapshots count it) but holds no
personal data: names become "Erased", the UPN a placeholder that cannot be a real UPN, the date
of birth 1 January of the birth year (the year group is kept), gender "not known"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import Gender, Pupil, RegisterEvent

ERASED_UPN_PREFIX = "ERASED"
ERASED_NAME = "Erased"
REDACTED_TEXT = "[erased]"


def erased_upn(pupil_id: int) -> str:
    """ "ERASED" and the record's id in base 36, padded to a UPN's 13 characters (ids up to
    36**7). A real UPN has a digit in position 2, so the placeholder can never be mistaken for
    one, nor a real UPN for it."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    encoded, n = "", pupil_id
    while n:
        n, remainder = divmod(n, 36)
        encoded = digits[remainder] + encoded
    return f"{ERASED_UPN_PREFIX}{encoded.rjust(7, '0')}"


def is_erased(pupil: Pupil) -> bool:
    return pupil.upn == erased_upn(pupil.pk)


@dataclass(frozen=True)
class PupilErasure:
    """What every eraser needs: the pupil (still with their names) and how to find them in text."""

    pupil: Pupil
    identifiers: tuple[str, ...]  # the UPN and the full name, both ways round
    pattern: re.Pattern

    @classmethod
    def of(cls, pupil: Pupil) -> PupilErasure:
        identifiers = tuple(
            v
            for v in (pupil.upn, f"{pupil.forename} {pupil.surname}", f"{pupil.surname}, {pupil.forename}")
            if v.strip()
        )
        pattern = re.compile("|".join(re.escape(v) for v in identifiers), re.IGNORECASE)
        return cls(pupil, identifiers, pattern)

    def cut(self, text: str, pattern: re.Pattern | None = None) -> str:
        """The text with the pupil's name and UPN (or `pattern`) replaced by "[erased]"."""
        return (pattern or self.pattern).sub(REDACTED_TEXT, text)

    def mentions(self, *fields: str) -> Q:
        """Rows whose text in any of `fields` names the pupil."""
        found = Q()
        for field in fields:
            for value in self.identifiers:
                found |= Q(**{f"{field}__icontains": value})
        return found

    def cut_mentions(self, rows: models.QuerySet, fields: tuple[str, ...]) -> None:
        """Cut the pupil's name and UPN out of these text fields of other pupils' records."""
        for row in rows.filter(self.mentions(*fields)).values("pk", *fields):
            rows.model._base_manager.filter(pk=row["pk"]).update(
                **{field: self.cut(row[field]) for field in fields}
            )


Eraser = Callable[[PupilErasure], None]


@dataclass(frozen=True)
class Registration:
    erase: Eraser | None
    covers: tuple[type[models.Model], ...]
    why_kept: str = ""
    last: bool = False


_REGISTRY: list[Registration] = []


def register(erase: Eraser, *, covers: Iterable[type[models.Model]], last: bool = False) -> None:
    """An app's eraser and the models whose personal data it erases (from its AppConfig.ready).
    `last`: run after every other eraser (the pupil row itself, whose names the others use)."""
    if not any(r.erase is erase for r in _REGISTRY):
        _REGISTRY.append(Registration(erase, tuple(covers), last=last))


def keep(*covers: type[models.Model], why: str) -> None:
    """Models linked to a pupil that erasure leaves as they are, and why."""
    _REGISTRY.append(Registration(None, tuple(covers), why))


def erasers() -> list[Eraser]:
    """Every registered eraser, in registration order, those marked `last` at the end."""
    ordered = sorted((r for r in _REGISTRY if r.erase is not None), key=lambda r: r.last)
    return [r.erase for r in ordered if r.erase is not None]


def covered_models() -> set[type[models.Model]]:
    return {model for r in _REGISTRY for model in r.covers}


# --- The register's own records ------------------------------------------------------------------


def register_events_erase(erasure: PupilErasure) -> None:
    RegisterEvent.objects.filter(pupil=erasure.pupil).exclude(note="").update(note=REDACTED_TEXT)


def anonymise_pupil(erasure: PupilErasure) -> None:
    """The pupil row itself, last: the other erasers find mentions by the pupil's names."""
    pupil = erasure.pupil
    Pupil.objects.filter(pk=pupil.pk).update(
        surname=ERASED_NAME,
        forename=ERASED_NAME,
        upn=erased_upn(pupil.pk),
        date_of_birth=dt.date(pupil.date_of_birth.year, 1, 1),
        gender=Gender.OTHER,
        updated_at=timezone.now(),
    )
