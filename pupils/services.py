"""Writes to the register: the census import and the SENCO's changes between censuses.

Every function takes keyword arguments only, the acting user first, and works on objects the
caller has already authorised through trusts.access."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from trusts.models import LocalAuthority, School, User

from . import census
from .census import CensusFileError, ParsedCensus, SchoolRef
from .models import CensusImport, CensusSnapshot, Provision, Pupil, RegisterEvent

__all__ = ["CensusFileError", "CensusOutcome", "census_check", "census_import"]


@dataclass
class CensusOutcome:
    """What a check or an import found: the summary and row errors, ready to store as JSON."""

    parsed: ParsedCensus
    summary: dict
    applied: bool = False
    record: CensusImport | None = None

    @property
    def is_valid(self) -> bool:
        return self.parsed.is_valid

    @property
    def errors(self) -> list[census.RowError]:
        return self.parsed.errors


def _refs(schools: Iterable[School]) -> list[SchoolRef]:
    return [SchoolRef(s.pk, s.laestab, s.urn, s.name, s.local_authority_id) for s in schools]


def _local_authorities() -> dict[str, int]:
    out: dict[str, int] = {}
    for pk, code, name in LocalAuthority.objects.values_list("pk", "code", "name"):
        out[str(code)] = pk
        out[name.lower()] = pk
    return out


def _parse(*, raw: bytes, file_name: str, census_date: datetime.date, school: School | None,
           allowed_schools: Iterable[School], progress: Callable | None) -> tuple[ParsedCensus, list]:
    refs = _refs(allowed_schools)
    known = [c for pair in School.objects.values_list("laestab", "urn") for c in pair if c]
    parsed = census.parse(
        raw, file_name=file_name, census_date=census_date, schools=refs, known_school_codes=known,
        default_school_id=school.pk if school is not None else None,
        local_authorities=_local_authorities(), progress=progress,
    )
    return parsed, refs


def _summary(parsed: ParsedCensus, diff: census.CensusDiff | None, refs: list[SchoolRef]) -> dict:
    by_id = {r.id: r for r in refs}
    summary: dict = {
        "file_name": parsed.file_name, "file_size": parsed.file_size, "sha256": parsed.sha256,
        "census_date": parsed.census_date.isoformat(), "rows": parsed.rows,
        "error_count": parsed.error_count, "error_rows": parsed.error_rows,
        "columns": parsed.columns,
    }
    if diff is not None:
        summary["totals"] = diff.totals
        summary["schools"] = [
            {"id": sid, "laestab": by_id[sid].laestab, "name": by_id[sid].name, **counts}
            for sid, counts in diff.by_school.items()
        ]
    return summary


def _refuse_later_censuses(diff: census.CensusDiff, refs: list[SchoolRef]) -> None:
    if diff.later_censuses:
        by_id = {r.id: r for r in refs}
        names = "; ".join(
            f"{by_id[sid].name} ({by_id[sid].laestab}) has one for {later:%d %B %Y}"
            for sid, later in sorted(diff.later_censuses.items())
        )
        raise CensusFileError(
            f"A later census has already been imported: {names}. Import censuses in date order."
        )


def census_check(*, raw: bytes, file_name: str, census_date: datetime.date,
                 school: School | None, allowed_schools: Iterable[School],
                 progress: Callable[[int, int], None] | None = None) -> CensusOutcome:
    """The dry run: parse, validate and compare with the register; writes nothing.
    Raises CensusFileError when the file as a whole is refused."""
    with scopes_disabled():
        parsed, refs = _parse(raw=raw, file_name=file_name, census_date=census_date, school=school,
                              allowed_schools=allowed_schools, progress=progress)
        diff = None
        if parsed.is_valid:
            diff = census.diff(parsed, school_la={r.id: r.local_authority_id for r in refs})
            _refuse_later_censuses(diff, refs)
        return CensusOutcome(parsed, _summary(parsed, diff, refs))


def census_import(*, actor: User | None, raw: bytes, file_name: str, census_date: datetime.date,
                  school: School, allowed_schools: Iterable[School],
                  record: CensusImport | None = None, stored_file: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> CensusOutcome:
    """The import: all or nothing, in one transaction of bulk statements. Writes the pupils
    with SEND, their register events and one census snapshot per school, and the import record
    (who, when, file name, size and SHA-256). A file with any row error writes nothing but the
    record of the failed attempt; the same file imported again changes nothing."""
    with scopes_disabled():
        parsed, refs = _parse(raw=raw, file_name=file_name, census_date=census_date, school=school,
                              allowed_schools=allowed_schools, progress=progress)
        if record is None:
            record = CensusImport(school=school, census_date=census_date, uploaded_by=actor)
        record.file_name = file_name[:255]
        record.file_size = parsed.file_size
        record.sha256 = parsed.sha256
        record.rows = parsed.rows
        record.error_count = parsed.error_count
        record.errors = [e.as_dict() for e in parsed.errors]
        if not parsed.is_valid:
            record.status = CensusImport.Status.INVALID
            record.summary = _summary(parsed, None, refs)
            record.message = "Nothing was imported: the file has row errors."
            record.save()
            return CensusOutcome(parsed, record.summary, applied=False, record=record)
        with transaction.atomic():
            # One import at a time per school: a second waits here, then sees the first's rows.
            list(School.objects.select_for_update().filter(pk__in=parsed.school_ids)
                 .values_list("pk", flat=True))
            diff = census.diff(parsed, school_la={r.id: r.local_authority_id for r in refs})
            _refuse_later_censuses(diff, refs)
            _apply(diff, actor=actor)
            record.status = CensusImport.Status.IMPORTED
            record.imported_at = timezone.now()
            record.summary = _summary(parsed, diff, refs)
            record.message = ""
            record.save()
        return CensusOutcome(parsed, record.summary, applied=True, record=record)


def _apply(diff: census.CensusDiff, *, actor: User | None) -> None:
    """A constant number of statements whatever the number of rows."""
    pupils = diff.pupils
    if pupils:
        Pupil.objects.bulk_create(
            pupils, update_conflicts=True, unique_fields=["school", "upn"],
            update_fields=census.UPDATE_FIELDS,
        )
        if any(p.pk is None for p in pupils):  # a database that cannot return upserted ids
            ids = {
                (s, u): pk for pk, s, u in Pupil.objects.filter(
                    school_id__in={p.school_id for p in pupils}
                ).values_list("pk", "school_id", "upn")
            }
            for p in pupils:
                p.pk = ids[(p.school_id, p.upn)]
    if diff.events:
        RegisterEvent.objects.bulk_create([
            RegisterEvent(
                pupil_id=pupils[i].pk, kind=kind, date=diff.census_date,
                source=RegisterEvent.Source.CENSUS, actor=actor, from_provision=fp,
                to_provision=tp, from_need=fn, to_need=tn, note=note,
            )
            for i, kind, fp, tp, fn, tn, note in diff.events
        ])
    CensusSnapshot.objects.bulk_create(
        diff.snapshots, update_conflicts=True, unique_fields=["school", "census_date"],
        update_fields=["number_on_roll", "ehcp", "sen_support", "by_need", "by_year_group"],
    )


# --- Manual changes between censuses ----------------------------------------------------------


class RegisterChangeError(ValueError):
    """A manual change that breaks a register rule; the message is for the user."""


def _check_needs(provision: str, primary_need: str, secondary_need: str) -> None:
    if provision not in (Provision.EHC_PLAN, Provision.SEN_SUPPORT):
        raise RegisterChangeError("Choose EHC plan or SEN Support.")
    if not primary_need:
        raise RegisterChangeError("A pupil on the register needs a primary need.")
    if secondary_need and secondary_need == primary_need:
        raise RegisterChangeError("The secondary need cannot be the same as the primary need.")
    if provision == Provision.EHC_PLAN and "NSA" in (primary_need, secondary_need):
        raise RegisterChangeError("NSA (no specialist assessment) is only valid with SEN Support.")


@transaction.atomic
def pupil_add_to_register(*, actor: User, school: School, upn: str, surname: str, forename: str,
                          date_of_birth: datetime.date, gender: str, year_group: str,
                          primary_need: str, secondary_need: str = "",
                          home_local_authority: LocalAuthority | None = None,
                          on: datetime.date | None = None) -> Pupil:
    """Put a pupil on SEN Support between censuses (a new record, or one who had left)."""
    on = on or timezone.localdate()
    _check_needs(Provision.SEN_SUPPORT, primary_need, secondary_need)
    with scopes_disabled():
        pupil = Pupil.objects.filter(school=school, upn=upn).first()
    if pupil is not None and pupil.on_register and pupil.left_school_on is None:
        raise RegisterChangeError("This pupil is already on the register.")
    if pupil is None:
        pupil = Pupil(school=school, upn=upn)
    previous = pupil.provision if pupil.pk and pupil.left_school_on is None else ""
    pupil.surname, pupil.forename = surname, forename
    pupil.date_of_birth, pupil.gender, pupil.year_group = date_of_birth, gender, year_group
    if home_local_authority is not None:
        pupil.home_local_authority = home_local_authority
    elif not pupil.home_local_authority_id:
        pupil.home_local_authority = school.local_authority
    pupil.provision = Provision.SEN_SUPPORT
    pupil.primary_need, pupil.secondary_need = primary_need, secondary_need
    pupil.left_school_on = None
    pupil.save()
    RegisterEvent.objects.create(
        pupil=pupil, kind=RegisterEvent.Kind.ENTERED_SEN_SUPPORT, date=on,
        source=RegisterEvent.Source.MANUAL, actor=actor, from_provision=previous,
        to_provision=Provision.SEN_SUPPORT, to_need=primary_need,
    )
    return pupil


@transaction.atomic
def pupil_change_register(*, actor: User, pupil: Pupil, provision: str, primary_need: str,
                          secondary_need: str = "", note: str = "",
                          on: datetime.date | None = None) -> list[RegisterEvent]:
    """Change a pupil's provision or needs; one history event per kind of change."""
    on = on or timezone.localdate()
    _check_needs(provision, primary_need, secondary_need)
    if not pupil.on_register or pupil.left_school_on is not None:
        raise RegisterChangeError("This pupil is not on the register.")
    events = []
    if provision != pupil.provision:
        events.append(RegisterEvent(
            pupil=pupil, kind=census._entry_kind(pupil.provision, provision), date=on,
            source=RegisterEvent.Source.MANUAL, actor=actor, from_provision=pupil.provision,
            to_provision=provision, from_need=pupil.primary_need, to_need=primary_need, note=note,
        ))
    elif (primary_need, secondary_need) != (pupil.primary_need, pupil.secondary_need):
        events.append(RegisterEvent(
            pupil=pupil, kind=RegisterEvent.Kind.NEED_CHANGED, date=on,
            source=RegisterEvent.Source.MANUAL, actor=actor, from_need=pupil.primary_need,
            to_need=primary_need, note=note or (
                f"Secondary need {pupil.secondary_need or 'none'} to {secondary_need or 'none'}"
                if secondary_need != pupil.secondary_need else ""),
        ))
    if not events:
        return []
    pupil.provision, pupil.primary_need, pupil.secondary_need = provision, primary_need, secondary_need
    pupil.save(update_fields=["provision", "primary_need", "secondary_need", "updated_at"])
    for event in events:
        event.save()
    return events


@transaction.atomic
def pupil_remove_from_register(*, actor: User, pupil: Pupil, note: str = "",
                               on: datetime.date | None = None) -> RegisterEvent:
    """Take a pupil off the register between censuses; the record and its history stay."""
    on = on or timezone.localdate()
    if not pupil.on_register or pupil.left_school_on is not None:
        raise RegisterChangeError("This pupil is not on the register.")
    event = RegisterEvent.objects.create(
        pupil=pupil, kind=RegisterEvent.Kind.LEFT_REGISTER, date=on,
        source=RegisterEvent.Source.MANUAL, actor=actor, from_provision=pupil.provision,
        to_provision=Provision.NO_SEN, from_need=pupil.primary_need, note=note,
    )
    pupil.provision, pupil.primary_need, pupil.secondary_need = Provision.NO_SEN, "", ""
    pupil.save(update_fields=["provision", "primary_need", "secondary_need", "updated_at"])
    return event
