"""Writes to the register: the census import and the SENCO's changes between censuses.

Every function takes keyword arguments only, the acting user first, and works on objects the
caller has already authorised through trusts.access."""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django_scopes import scopes_disabled

from core import bulk
from core.numbers import pct
from trusts.jobs import heartbeat, stalled_before
from trusts.models import LocalAuthority, School, User

from . import census
from .census import CensusFileError, LeaversNotConfirmed, ParsedCensus, SchoolRef
from .models import (
    ON_REGISTER,
    CensusImport,
    CensusSnapshot,
    Provision,
    Pupil,
    RegisterEvent,
    needs_problems,
)
from .signals import send_register_changed

logger = logging.getLogger(__name__)

__all__ = ["CensusFileError", "CensusOutcome", "LeaversNotConfirmed", "census_check", "census_import"]


@dataclass
class CensusOutcome:
    """What a check or an import found: the summary and row errors, ready to store as JSON."""

    parsed: ParsedCensus
    summary: dict[str, Any]
    applied: bool = False
    record: CensusImport | None = None
    diff: census.CensusDiff | None = None  # None for a file with row errors

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


def _parse(
    *,
    raw: bytes | BinaryIO,
    file_name: str,
    census_date: datetime.date,
    school: School | None,
    allowed_schools: Iterable[School],
    progress: Callable[[int, int], None] | None,
) -> tuple[ParsedCensus, list[SchoolRef]]:
    refs = _refs(allowed_schools)
    known = [c for pair in School.objects.values_list("laestab", "urn") for c in pair if c]
    parsed = census.parse(
        raw,
        file_name=file_name,
        census_date=census_date,
        schools=refs,
        known_school_codes=known,
        default_school_id=school.pk if school is not None else None,
        local_authorities=_local_authorities(),
        progress=progress,
    )
    return parsed, refs


def _summary(parsed: ParsedCensus, diff: census.CensusDiff | None, refs: list[SchoolRef]) -> dict[str, Any]:
    by_id = {r.id: r for r in refs}
    summary: dict[str, Any] = {
        "file_name": parsed.file_name,
        "file_size": parsed.file_size,
        "sha256": parsed.sha256,
        "census_date": parsed.census_date.isoformat(),
        "rows": parsed.rows,
        "error_count": parsed.error_count,
        "error_rows": parsed.error_rows,
        "columns": parsed.columns,
    }
    if diff is not None:
        summary["totals"] = diff.totals
        summary["schools"] = [
            {
                "id": sid,
                "laestab": by_id[sid].laestab,
                "name": by_id[sid].name,
                **counts,
                "on_register_before": diff.on_register_before[sid],
                "leavers_pct": _leavers_pct(diff, sid),
                "leavers_confirm": diff.leavers_confirm(sid),
                # Ids, not names: the page reads the names from the register, which erasure
                # rewrites; a copy kept here would outlive it.
                "leaver_ids": [x.pupil_id for x in diff.leavers[sid]],
            }
            for sid, counts in diff.by_school.items()
        ]
        summary["leavers_to_confirm"] = diff.leavers_to_confirm
    return summary


def _leavers_pct(diff: census.CensusDiff, school_id: int) -> str | None:
    share = pct(len(diff.leavers[school_id]), diff.on_register_before[school_id])
    return None if share is None else str(share)


def _check_leavers(diff: census.CensusDiff, refs: list[SchoolRef], confirmed: int | None) -> None:
    """Refuse the import (LeaversNotConfirmed) when it would record more than a tenth of a
    school's pupils with SEND as having left and that number was not confirmed, or when a
    number was confirmed that is not the number of pupils recorded as having left."""
    left = diff.totals["left_school"]
    needed = diff.leavers_to_confirm
    if confirmed == left or (confirmed is None and not needed):
        return
    by_id = {r.id: r for r in refs}
    schools = "; ".join(
        f"{len(diff.leavers[sid])} of the {diff.on_register_before[sid]} on the register of "
        f"{by_id[sid].name} ({by_id[sid].laestab})"
        f"{f', {_leavers_pct(diff, sid)}%' if diff.on_register_before[sid] else ''}"
        for sid in diff.by_school
        if diff.leavers[sid]
    )
    what = f"{left} pupil{'s' if left != 1 else ''} with SEND"
    if confirmed is None:
        message = (
            f"This file would record {what} as having left the school: {schools}. That "
            f"is more than {census.LEAVERS_CONFIRM_ABOVE_PCT}% of a school's pupils with "
            "SEND, which needs the number confirmed. Nothing was imported."
        )
    else:
        message = (
            f"This file would record {what} as having left the school ({schools}), "
            f"not the {confirmed} confirmed. Nothing was imported."
        )
    raise LeaversNotConfirmed(
        message,
        leavers=left,
        confirmed=confirmed,
        listed=[x for sid in diff.by_school for x in diff.leavers[sid]],
    )


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


def census_check(
    *,
    raw: bytes | BinaryIO,
    file_name: str,
    census_date: datetime.date,
    school: School | None,
    allowed_schools: Iterable[School],
    progress: Callable[[int, int], None] | None = None,
) -> CensusOutcome:
    """The dry run: parse, validate and compare with the register; writes nothing.
    Raises CensusFileError when the file as a whole is refused."""
    with scopes_disabled():
        parsed, refs = _parse(
            raw=raw,
            file_name=file_name,
            census_date=census_date,
            school=school,
            allowed_schools=allowed_schools,
            progress=progress,
        )
        diff = None
        if parsed.is_valid:
            with census.no_collections():
                diff = census.diff(parsed, school_la={r.id: r.local_authority_id for r in refs})
            _refuse_later_censuses(diff, refs)
        return CensusOutcome(parsed, _summary(parsed, diff, refs), diff=diff)


def census_import(
    *,
    actor: User | None,
    raw: bytes | BinaryIO,
    file_name: str,
    census_date: datetime.date,
    school: School,
    allowed_schools: Iterable[School],
    record: CensusImport | None = None,
    stored_file: bool = False,
    progress: Callable[[int, int], None] | None = None,
    confirmed_leavers: int | None = None,
) -> CensusOutcome:
    """The import: all or nothing, in one transaction of bulk statements. Writes the pupils
    with SEND, their register events and one census snapshot per school, and the import record
    (who, when, file name, size and SHA-256). A file with any row error writes nothing but the
    record of the failed attempt; the same file imported again changes nothing.

    A file that would record more than a tenth of a school's pupils with SEND as having left
    raises LeaversNotConfirmed and writes nothing unless `confirmed_leavers` is the number
    of pupils it records as having left (a number given is always checked)."""
    with scopes_disabled():
        parsed, refs = _parse(
            raw=raw,
            file_name=file_name,
            census_date=census_date,
            school=school,
            allowed_schools=allowed_schools,
            progress=progress,
        )
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
            # The record's row is held until the import commits or its connection dies: the
            # recovery of stalled jobs skips a record locked by an import still running, and a
            # job sent twice finds the first one's import done.
            if (
                record.pk is not None
                and CensusImport.objects.select_for_update()
                .filter(pk=record.pk, status=CensusImport.Status.IMPORTED)
                .exists()
            ):
                return CensusOutcome(parsed, record.summary, applied=False, record=record)
            # One import at a time per school: a second waits here, then sees the first's rows.
            list(
                School.objects.select_for_update()
                .filter(pk__in=parsed.school_ids)
                .values_list("pk", flat=True)
            )
            with census.no_collections():
                diff = census.diff(parsed, school_la={r.id: r.local_authority_id for r in refs})
                _refuse_later_censuses(diff, refs)
                _check_leavers(diff, refs, confirmed_leavers)
                _apply(diff, actor=actor)
            send_register_changed(parsed.school_ids)
            record.status = CensusImport.Status.IMPORTED
            record.imported_at = timezone.now()
            record.summary = _summary(parsed, diff, refs)
            if confirmed_leavers is not None:
                record.summary["leavers_confirmed"] = confirmed_leavers
            record.message = ""
            record.save()
        return CensusOutcome(parsed, record.summary, applied=True, record=record, diff=diff)


def _apply(diff: census.CensusDiff, *, actor: User | None) -> None:
    """A constant number of statements whatever the number of rows. On PostgreSQL the rows
    travel by COPY (a temporary table, then one INSERT ... ON CONFLICT for the pupils); other
    databases use bulk_create(update_conflicts=True)."""
    now = timezone.now()
    if diff.pupils:
        if connection.vendor == "postgresql":
            ids = _upsert_pupils_postgresql(diff.pupils, now)
        else:
            ids = _upsert_pupils_orm(diff.pupils)
        actor_id = actor.pk if actor is not None else None
        events = [
            (ids[i], kind, diff.census_date, RegisterEvent.Source.CENSUS, actor_id, fp, tp, fn, tn, note, now)
            for i, kind, fp, tp, fn, tn, note in diff.events
        ]
        if events and connection.vendor == "postgresql":
            bulk.copy_rows(RegisterEvent._meta.db_table, EVENT_COLUMNS, events)
        elif events:
            RegisterEvent.objects.bulk_create(
                [RegisterEvent(**dict(zip(EVENT_COLUMNS, e, strict=True))) for e in events]
            )
    CensusSnapshot.objects.bulk_create(
        diff.snapshots,
        update_conflicts=True,
        unique_fields=["school", "census_date"],
        update_fields=["number_on_roll", "ehcp", "sen_support", "by_need", "by_year_group"],
    )


EVENT_COLUMNS = (
    "pupil_id",
    "kind",
    "date",
    "source",
    "actor_id",
    "from_provision",
    "to_provision",
    "from_need",
    "to_need",
    "note",
    "created_at",
)


def _upsert_pupils_postgresql(rows: list[tuple[Any, ...]], now: datetime.datetime) -> list[int]:
    """Insert or update the pupils; their ids in the order of `rows`. Three statements."""
    table = Pupil._meta.db_table
    cols = census.PUPIL_COLUMNS
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*cols[2:], "updated_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE census_pupil_rows ON COMMIT DROP AS "  # noqa: S608
            f"SELECT 0::integer AS n, {', '.join(cols)}, created_at, updated_at FROM {table} "
            "WITH NO DATA"
        )
        bulk.copy_rows(
            "census_pupil_rows",
            ("n", *cols, "created_at", "updated_at"),
            [(n, *row, now, now) for n, row in enumerate(rows)],
        )
        cursor.execute(
            f"WITH upserted AS (INSERT INTO {table} ({', '.join(cols)}, created_at, updated_at) "  # noqa: S608
            f"SELECT {', '.join(cols)}, created_at, updated_at FROM census_pupil_rows ORDER BY n "
            f"ON CONFLICT (school_id, upn) DO UPDATE SET {updates} "
            "RETURNING id, school_id, upn) "
            "SELECT r.n, u.id FROM upserted u JOIN census_pupil_rows r "
            "ON r.school_id = u.school_id AND r.upn = u.upn"
        )
        ids = dict(cursor.fetchall())
        cursor.execute("DROP TABLE census_pupil_rows")
    return [ids[n] for n in range(len(rows))]


def _upsert_pupils_orm(rows: list[tuple[Any, ...]]) -> list[int]:
    objs = [Pupil(**dict(zip(census.PUPIL_COLUMNS, row, strict=True))) for row in rows]
    Pupil.objects.bulk_create(
        objs, update_conflicts=True, unique_fields=["school", "upn"], update_fields=census.UPDATE_FIELDS
    )
    if any(p.pk is None for p in objs):  # a database that cannot return upserted ids
        ids = {
            (s, u): pk
            for pk, s, u in Pupil.objects.filter(school_id__in={p.school_id for p in objs}).values_list(
                "pk", "school_id", "upn"
            )
        }
        return [ids[(p.school_id, p.upn)] for p in objs]
    return [p.pk for p in objs]


# --- Manual changes between censuses ----------------------------------------------------------


class RegisterChangeError(ValueError):
    """A manual change that breaks a register rule; the message is for the user."""


def _check_needs(provision: str, primary_need: str, secondary_need: str) -> None:
    if provision not in ON_REGISTER:
        raise RegisterChangeError("Choose EHC plan or SEN Support.")
    problems = needs_problems(provision, primary_need, secondary_need)
    if problems:
        raise RegisterChangeError(f"{capfirst(problems[0][1])}.")


@transaction.atomic
def pupil_add_to_register(
    *,
    actor: User,
    school: School,
    upn: str,
    surname: str,
    forename: str,
    date_of_birth: datetime.date,
    gender: str,
    year_group: str,
    primary_need: str,
    secondary_need: str = "",
    home_local_authority: LocalAuthority | None = None,
    on: datetime.date | None = None,
) -> Pupil:
    """Put a pupil on SEN Support between censuses (a new record, or one who had left)."""
    on = on or timezone.localdate()
    _check_needs(Provision.SEN_SUPPORT, primary_need, secondary_need)
    with scopes_disabled():
        pupil = Pupil.objects.filter(school=school, upn=upn).first()
    if pupil is not None and pupil.on_register_now:
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
        pupil=pupil,
        kind=RegisterEvent.Kind.ENTERED_SEN_SUPPORT,
        date=on,
        source=RegisterEvent.Source.MANUAL,
        actor=actor,
        from_provision=previous,
        to_provision=Provision.SEN_SUPPORT,
        to_need=primary_need,
    )
    send_register_changed([pupil.school_id])
    return pupil


@transaction.atomic
def pupil_change_register(
    *,
    actor: User,
    pupil: Pupil,
    provision: str,
    primary_need: str,
    secondary_need: str = "",
    note: str = "",
    on: datetime.date | None = None,
) -> list[RegisterEvent]:
    """Change a pupil's provision or needs; one history event per kind of change."""
    on = on or timezone.localdate()
    _check_needs(provision, primary_need, secondary_need)
    if not pupil.on_register_now:
        raise RegisterChangeError("This pupil is not on the register.")
    events = []
    if provision != pupil.provision:
        events.append(
            RegisterEvent(
                pupil=pupil,
                kind=census._entry_kind(pupil.provision, provision),
                date=on,
                source=RegisterEvent.Source.MANUAL,
                actor=actor,
                from_provision=pupil.provision,
                to_provision=provision,
                from_need=pupil.primary_need,
                to_need=primary_need,
                note=note,
            )
        )
    elif (primary_need, secondary_need) != (pupil.primary_need, pupil.secondary_need):
        events.append(
            RegisterEvent(
                pupil=pupil,
                kind=RegisterEvent.Kind.NEED_CHANGED,
                date=on,
                source=RegisterEvent.Source.MANUAL,
                actor=actor,
                from_need=pupil.primary_need,
                to_need=primary_need,
                note=note
                or (
                    f"Secondary need {pupil.secondary_need or 'none'} to {secondary_need or 'none'}"
                    if secondary_need != pupil.secondary_need
                    else ""
                ),
            )
        )
    if not events:
        return []
    pupil.provision, pupil.primary_need, pupil.secondary_need = provision, primary_need, secondary_need
    pupil.save(update_fields=["provision", "primary_need", "secondary_need", "updated_at"])
    for event in events:
        event.save()
    send_register_changed([pupil.school_id])
    return events


@transaction.atomic
def pupil_record_ehc_plan_issued(
    *, actor: User | None, pupil: Pupil, on: datetime.date
) -> RegisterEvent | None:
    """The LA issued a final EHC plan: the pupil moves to `E` with a history entry. Nothing
    happens for a pupil already at `E` (an idempotent step of the EHC needs assessment)."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if pupil.provision == Provision.EHC_PLAN:
        return None
    event = RegisterEvent.objects.create(
        pupil=pupil,
        kind=RegisterEvent.Kind.EHC_PLAN_ISSUED,
        date=on,
        source=RegisterEvent.Source.MANUAL,
        actor=actor,
        from_provision=pupil.provision,
        to_provision=Provision.EHC_PLAN,
        note="Final EHC plan issued",
    )
    pupil.provision = Provision.EHC_PLAN
    pupil.save(update_fields=["provision", "updated_at"])
    send_register_changed([pupil.school_id])
    return event


@transaction.atomic
def pupil_remove_from_register(
    *, actor: User, pupil: Pupil, note: str = "", on: datetime.date | None = None
) -> RegisterEvent:
    """Take a pupil off the register between censuses; the record and its history stay."""
    on = on or timezone.localdate()
    if not pupil.on_register_now:
        raise RegisterChangeError("This pupil is not on the register.")
    event = RegisterEvent.objects.create(
        pupil=pupil,
        kind=RegisterEvent.Kind.LEFT_REGISTER,
        date=on,
        source=RegisterEvent.Source.MANUAL,
        actor=actor,
        from_provision=pupil.provision,
        to_provision=Provision.NO_SEN,
        from_need=pupil.primary_need,
        note=note,
    )
    pupil.provision, pupil.primary_need, pupil.secondary_need = Provision.NO_SEN, "", ""
    pupil.save(update_fields=["provision", "primary_need", "secondary_need", "updated_at"])
    send_register_changed([pupil.school_id])
    return event


@transaction.atomic
def pupil_leave_school(
    *, actor: User | None, pupil: Pupil, note: str = "", on: datetime.date | None = None
) -> RegisterEvent:
    """The pupil has left the school (moved to another): their record and history stay, read
    as the school's past, and the register and its figures count them no more."""
    on = on or timezone.localdate()
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if pupil.left_school_on is not None:
        raise RegisterChangeError("This pupil has already left the school.")
    event = RegisterEvent.objects.create(
        pupil=pupil,
        kind=RegisterEvent.Kind.LEFT_SCHOOL,
        date=on,
        source=RegisterEvent.Source.MANUAL,
        actor=actor,
        from_provision=pupil.provision,
        from_need=pupil.primary_need,
        note=note[:300],
    )
    pupil.left_school_on = on
    pupil.save(update_fields=["left_school_on", "updated_at"])
    send_register_changed([pupil.school_id])
    return event


# --- The browser upload: upload -> check (task) -> confirm -> import (task) --------------------


def progress_key(import_id: int) -> str:
    return f"pupils:census-import:{import_id}:progress"


def _progress_reporter(import_id: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        cache.set(progress_key(import_id), min(int(100 * done / max(total, 1)), 100), 3600)

    return report


def census_upload(
    *, actor: User, school: School, census_date: datetime.date, uploaded_file: UploadedFile
) -> CensusImport:
    """Keep an uploaded census file and its record, ready to be checked. Refuses (with
    CensusFileError) a file that is not a CSV, is empty or too large before storing it."""
    name = (uploaded_file.name or "census.csv").rsplit("/", 1)[-1][:200]
    size = uploaded_file.size
    assert size is not None  # Django's upload handlers always give the size
    census.check_upload(name, size)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    with scopes_disabled():
        record = CensusImport(
            school=school,
            census_date=census_date,
            uploaded_by=actor,
            file_name=name,
            file_size=size,
            sha256=digest.hexdigest(),
            status=CensusImport.Status.CHECKING,
        )
        record.file.save(f"{uuid.uuid4().hex}.csv", uploaded_file, save=False)
        record.save()
    cache.set(progress_key(record.pk), 0, 3600)
    return record


def _allowed_for(user: User | None) -> QuerySet[School]:
    from trusts import access

    if user is None:
        return School.objects.none()
    access.forget(user)
    return access.schools_for(user, access.Capability.IMPORT_CENSUS)


def census_import_check_stored(*, import_id: int) -> CensusImport:
    """Run the dry run on a stored upload and keep its summary and first row errors."""
    with scopes_disabled():
        record = CensusImport.objects.select_related("school", "uploaded_by").get(pk=import_id)
        if record.status != CensusImport.Status.CHECKING:
            return record  # already checked (a redelivered task)
        _started(record)
        allowed = _allowed_for(record.uploaded_by)
        try:
            with record.file.open("rb") as f:
                raw = f.read()
            with heartbeat(CensusImport, record.pk):
                outcome = census_check(
                    raw=raw,
                    file_name=record.file_name,
                    census_date=record.census_date,
                    school=record.school,
                    allowed_schools=allowed,
                    progress=_progress_reporter(record.pk),
                )
        except CensusFileError as exc:
            record.status = CensusImport.Status.FAILED
            record.message = str(exc)[:500]
        else:
            parsed = outcome.parsed
            record.rows = parsed.rows
            record.error_count = parsed.error_count
            record.errors = [e.as_dict() for e in parsed.errors]
            record.summary = outcome.summary
            record.status = CensusImport.Status.READY if outcome.is_valid else CensusImport.Status.INVALID
        record.save(update_fields=["status", "message", "rows", "error_count", "errors", "summary"])
        cache.set(progress_key(record.pk), 100, 3600)
        return record


def census_import_confirm(*, actor: User, record: CensusImport, confirmed_leavers: int | None = None) -> bool:
    """Mark a checked upload for import; False if it is not (or no longer) ready, or if its
    check found more pupils recorded as having left than may be without confirming their
    number and `confirmed_leavers` is not that number. The number confirmed is kept on the
    record and checked again by the import."""
    needed = (record.summary or {}).get("leavers_to_confirm", 0)
    if needed and confirmed_leavers != needed:
        return False
    with scopes_disabled():
        changes: dict[str, Any] = {
            "status": CensusImport.Status.IMPORTING,
            "confirmed_by": actor,
            "attempts": 0,
            "heartbeat_at": None,
        }
        if confirmed_leavers is not None:
            changes["summary"] = {**(record.summary or {}), "leavers_confirmed": confirmed_leavers}
        started = CensusImport.objects.filter(pk=record.pk, status=CensusImport.Status.READY).update(
            **changes
        )
    if started:
        cache.set(progress_key(record.pk), 0, 3600)
    return bool(started)


def census_import_apply_stored(*, import_id: int, actor_id: int | None) -> CensusImport:
    """Import a confirmed upload (all or nothing) and keep the result on its record."""
    with scopes_disabled():
        record = CensusImport.objects.select_related("school", "uploaded_by").get(pk=import_id)
        if record.status != CensusImport.Status.IMPORTING:
            return record
        _started(record)
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        try:
            with record.file.open("rb") as f:
                raw = f.read()
            if hashlib.sha256(raw).hexdigest() != record.sha256:
                raise CensusFileError("The stored file has changed since it was uploaded.")
            with heartbeat(CensusImport, record.pk):
                census_import(
                    actor=actor,
                    raw=raw,
                    file_name=record.file_name,
                    census_date=record.census_date,
                    school=record.school,
                    allowed_schools=_allowed_for(actor),
                    record=record,
                    progress=_progress_reporter(record.pk),
                    confirmed_leavers=(record.summary or {}).get("leavers_confirmed"),
                )
        except CensusFileError as exc:
            record.status = CensusImport.Status.FAILED
            message = str(exc)
            if isinstance(exc, LeaversNotConfirmed):
                message = (
                    f"The register changed after the check: upload the file again to check it. {message}"
                )
            record.message = message[:500]
            record.save(update_fields=["status", "message"])
        except Exception:
            logger.exception("Census import %s failed", record.pk)
            CensusImport.objects.filter(pk=record.pk).update(
                status=CensusImport.Status.FAILED,
                resume_status=CensusImport.Status.IMPORTING,
                message="The import failed unexpectedly; nothing was changed. Try again or ask "
                "the platform admin.",
            )
        cache.set(progress_key(record.pk), 100, 3600)
        record.refresh_from_db()
        return record


def _started(record: CensusImport) -> None:
    """A run of the record's current step begins (counted for the recovery of stalled jobs)."""
    now = timezone.now()
    CensusImport.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1, heartbeat_at=now)
    record.attempts, record.heartbeat_at = record.attempts + 1, now  # the record is saved later


def census_import_recover_stalled() -> list[tuple[int, str, int | None]]:
    """Checks and imports whose heartbeat stopped (their process died: a worker killed,
    PostgreSQL restarted under them), or queued and never started (the job service was down).
    Each is sent again (both steps are idempotent, and an import that did not commit wrote
    nothing) until it has started JOBS_MAX_ATTEMPTS times; then it is marked failed, nothing
    changed, with "try again" on its page. An import still running holds its record's row lock
    and is skipped. Returns (id, step, actor id) of the jobs to send again."""
    before = stalled_before()
    resend = []
    with scopes_disabled(), transaction.atomic():
        records = (
            CensusImport.objects.select_for_update(skip_locked=True)
            .filter(status__in=[CensusImport.Status.CHECKING, CensusImport.Status.IMPORTING])
            .filter(Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, created_at__lt=before))
        )
        for record in records:
            step = "check" if record.status == CensusImport.Status.CHECKING else "import"
            if record.attempts >= settings.JOBS_MAX_ATTEMPTS:
                CensusImport.objects.filter(pk=record.pk).update(
                    status=CensusImport.Status.FAILED,
                    resume_status=record.status,
                    message=f"The {step} was interrupted {record.attempts} times and has "
                    "stopped; nothing was changed. Try again, or ask the platform admin "
                    "if it stops again.",
                )
                logger.error("Census import %s: %s stopped after %s runs", record.pk, step, record.attempts)
                continue
            # Not picked again before the job sent now has had time to start.
            CensusImport.objects.filter(pk=record.pk).update(heartbeat_at=timezone.now())
            logger.warning("Census import %s: %s stalled; sending it again", record.pk, step)
            resend.append((record.pk, step, record.confirmed_by_id))
    return resend


def census_import_retry(*, actor: User, record: CensusImport) -> str | None:
    """Send again a check or import that failed for a reason other than the file (interrupted,
    or an unexpected error). Returns the step to run ("check" or "import"), or None when the
    record is not such a failure."""
    with scopes_disabled():
        resumed = CensusImport.objects.filter(
            pk=record.pk,
            status=CensusImport.Status.FAILED,
            resume_status__in=[CensusImport.Status.CHECKING, CensusImport.Status.IMPORTING],
        )
        status = resumed.values_list("resume_status", flat=True).first()
        if status is None:
            return None
        changes: dict[str, Any] = {
            "status": status,
            "resume_status": "",
            "message": "",
            "attempts": 0,
            "heartbeat_at": None,
        }
        if status == CensusImport.Status.IMPORTING:
            changes["confirmed_by"] = actor
        resumed.update(**changes)
    cache.set(progress_key(record.pk), 0, 3600)
    return "check" if status == CensusImport.Status.CHECKING else "import"


# --- Pupils arriving with a common transfer file ------------------------------------------------


@dataclass(frozen=True)
class ArrivingPupil:
    """What another school sends about a pupil with SEND (the transfers app reads it from a
    common transfer file). `history` is the pupil's SEN records, (start date, provision),
    oldest first; `provision` and the needs are where the pupil is now."""

    upn: str
    surname: str
    forename: str
    date_of_birth: datetime.date
    gender: str
    year_group: str
    provision: str
    primary_need: str
    secondary_need: str = ""
    history: tuple[tuple[datetime.date, str], ...] = ()


@dataclass
class ArrivalResult:
    pupil: Pupil
    created: bool
    events: int


def _provision_events(pupil: Pupil) -> set[tuple[datetime.date, str]]:
    return {
        (e.date, e.to_provision)
        for e in pupil.events.all()
        if e.to_provision and e.to_provision != e.from_provision
    }


@transaction.atomic
def pupils_arrive_from_transfer(
    *,
    actor: User | None,
    school: School,
    arrivals: Iterable[ArrivingPupil],
    note: str = "",
    on: datetime.date | None = None,
) -> list[ArrivalResult]:
    """Bring pupils with SEND sent by their previous school onto this school's register, all
    or nothing. Matched by UPN: a pupil the school already has is updated (a leaver who comes
    back rejoins); each SEN record not already in their history becomes a history event on its
    own start date, so the same file imported twice changes nothing. A change of provision or
    needs that no record dates is dated `on` (today). Sends register_changed once, inside the
    transaction, so the figures kept on the register follow."""
    on = on or timezone.localdate()
    arrivals = list(arrivals)
    for a in arrivals:
        _check_needs(a.provision, a.primary_need, a.secondary_need)
    # One writer at a time per school, as for a census import.
    list(School.objects.select_for_update().filter(pk=school.pk).values_list("pk", flat=True))
    with scopes_disabled():
        existing = {
            p.upn: p
            for p in Pupil.objects.filter(school=school, upn__in=[a.upn for a in arrivals]).prefetch_related(
                "events"
            )
        }
        results = []
        for a in arrivals:
            found = existing.get(a.upn)
            created = found is None
            if found is None:
                pupil = Pupil(school=school, upn=a.upn, home_local_authority=school.local_authority)
                known: set[tuple[datetime.date, str]] = set()
                before = ("", "", "")
            else:
                pupil = found
                known = _provision_events(pupil)
                current = pupil.on_register_now
                before = (
                    (pupil.provision, pupil.primary_need, pupil.secondary_need) if current else ("", "", "")
                )
            fields = {
                "surname": a.surname,
                "forename": a.forename,
                "date_of_birth": a.date_of_birth,
                "gender": a.gender,
                "year_group": a.year_group,
                "provision": a.provision,
                "primary_need": a.primary_need,
                "secondary_need": a.secondary_need,
                "left_school_on": None,
            }
            if created or any(getattr(pupil, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(pupil, k, v)
                pupil.save()  # saved one by one: the audit log records each change
            events = []
            previous = ""
            for start, provision in a.history:
                if (start, provision) not in known and provision != previous:
                    events.append(
                        RegisterEvent(
                            pupil=pupil,
                            kind=census._entry_kind(previous, provision),
                            date=start,
                            source=RegisterEvent.Source.MANUAL,
                            actor=actor,
                            from_provision=previous,
                            to_provision=provision,
                            note=note,
                        )
                    )
                    known.add((start, provision))
                previous = provision
            if not events and before[0] and before[0] != a.provision:
                events.append(
                    RegisterEvent(
                        pupil=pupil,
                        kind=census._entry_kind(before[0], a.provision),
                        date=on,
                        source=RegisterEvent.Source.MANUAL,
                        actor=actor,
                        from_provision=before[0],
                        to_provision=a.provision,
                        from_need=before[1],
                        to_need=a.primary_need,
                        note=note,
                    )
                )
            elif before[0] and (before[1], before[2]) != (a.primary_need, a.secondary_need):
                events.append(
                    RegisterEvent(
                        pupil=pupil,
                        kind=RegisterEvent.Kind.NEED_CHANGED,
                        date=on,
                        source=RegisterEvent.Source.MANUAL,
                        actor=actor,
                        from_need=before[1],
                        to_need=a.primary_need,
                        note=note,
                    )
                )
            elif not before[0] and not events:
                # On the register now with no record in the file, or back after leaving.
                events.append(
                    RegisterEvent(
                        pupil=pupil,
                        kind=census._entry_kind("", a.provision),
                        date=on,
                        source=RegisterEvent.Source.MANUAL,
                        actor=actor,
                        to_provision=a.provision,
                        to_need=a.primary_need,
                        note=note,
                    )
                )
            if events and events[-1].kind != RegisterEvent.Kind.NEED_CHANGED:
                events[-1].to_need = events[-1].to_need or a.primary_need
            for event in events:
                event.save()
            results.append(ArrivalResult(pupil, created, len(events)))
    send_register_changed([school.pk])
    return results
