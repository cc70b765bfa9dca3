"""Common transfer files in and out. The register is written only through the pupils app's
services (pupils.services.pupils_arrive_from_transfer), so its history, the register_changed
receivers and every figure kept on the register follow as they do for a SENCO's change.

Every function takes keyword arguments only, the acting user first, and works on a school the
caller has already authorised through trusts.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils import selectors as pupil_selectors
from pupils import services as pupil_services
from pupils.models import Need, Provision, Pupil
from trusts import audit
from trusts.models import School, User

from . import ctf
from .ctf import CTFError
from .models import PupilMove, TransferImport

__all__ = [
    "CTFError",
    "MoveError",
    "TransferCheck",
    "ctf_check",
    "ctf_export",
    "ctf_import",
    "ctf_import_confirm",
    "ctf_upload",
    "pupil_move_cancel",
    "pupil_move_receive",
    "pupil_move_release",
]

STATUS_LABELS = {
    "new": "Joins the register",
    "changed": "Record updated",
    "unchanged": "No change",
    "no_send": "No SEN in the file: not stored",
}


@dataclass
class TransferCheck:
    """What importing a parsed file would do: one line per pupil in the file."""

    parsed: ctf.ParsedCtf
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_LABELS, 0)
        for line in self.lines:
            out[line["status"]] += 1
        return out

    @property
    def changes(self) -> int:
        return self.counts["new"] + self.counts["changed"]


def _provision_label(code: str) -> str:
    return Provision(code).label if code in Provision.values else code


def _needs_text(primary: str, secondary: str) -> str:
    return " and ".join(n for n in (primary, secondary) if n) or "none"


def _history(pupil: Pupil) -> set[tuple[str, str]]:
    return {
        (e.date.isoformat(), e.to_provision)
        for e in pupil.events.all()
        if e.to_provision and e.to_provision != e.from_provision
    }


def _compare(p: ctf.CtfPupil, pupil: Pupil | None) -> tuple[str, list[str]]:
    """The pupil's status and, in words, each change the import makes to their record."""
    if not p.has_send:
        return "no_send", []
    new_history = [(d.isoformat(), prov) for d, prov in p.history]
    if pupil is None:
        changes = [
            f"Joins the register at {_provision_label(p.provision)}, needs "
            f"{_needs_text(p.primary_need, p.secondary_need)}."
        ]
        if new_history:
            changes.append(
                f"{len(new_history)} SEN record{'s' if len(new_history) != 1 else ''} added to the history."
            )
        return "new", changes
    changes = []
    for label, old, new in (
        ("Surname", pupil.surname, p.surname),
        ("Forename", pupil.forename, p.forename),
        ("Date of birth", pupil.date_of_birth, p.date_of_birth),
        ("Sex", pupil.gender, p.gender),
        ("Year group", pupil.year_group, p.year_group),
    ):
        if old != new:
            changes.append(f"{label} changes.")
    if pupil.left_school_on is not None or not pupil.on_register:
        changes.append(f"Back on the register at {_provision_label(p.provision)}.")
    elif pupil.provision != p.provision:
        changes.append(f"Provision {_provision_label(pupil.provision)} to {_provision_label(p.provision)}.")
    if (pupil.primary_need, pupil.secondary_need) != (p.primary_need, p.secondary_need):
        changes.append(
            f"Needs {_needs_text(pupil.primary_need, pupil.secondary_need)} to "
            f"{_needs_text(p.primary_need, p.secondary_need)}."
        )
    known = _history(pupil)
    added = [h for h in new_history if h not in known]
    if added:
        changes.append(f"{len(added)} SEN record{'s' if len(added) != 1 else ''} added to the history.")
    return ("changed" if changes else "unchanged"), changes


def ctf_check(*, school: School, raw: bytes, file_name: str) -> TransferCheck:
    """The dry run: read the file and compare it with the school's register; writes nothing.
    Raises CTFError for a file refused whole."""
    parsed = ctf.parse(raw, file_name=file_name, laestab=school.laestab)
    check = TransferCheck(parsed)
    if not parsed.is_valid:
        return check
    with scopes_disabled():
        stored = pupil_selectors.pupils_by_upn(school, [p.upn for p in parsed.pupils])
    for p in parsed.pupils:
        pupil = stored.get(p.upn)
        status, changes = _compare(p, pupil)
        check.lines.append(
            {
                "position": p.position,
                "status": status,
                "changes": changes,
                "pupil_id": pupil.pk if pupil else None,
                "provision": p.provision,
                "needs_not_kept": p.needs_not_kept,
            }
        )
    return check


def _arrival(p: dict[str, Any]) -> pupil_services.ArrivingPupil:
    return pupil_services.ArrivingPupil(
        upn=p["upn"],
        surname=p["surname"],
        forename=p["forename"],
        date_of_birth=datetime.date.fromisoformat(p["dob"]),
        gender=p["gender"],
        year_group=p["year_group"],
        provision=p["provision"],
        primary_need=p["primary_need"],
        secondary_need=p["secondary_need"],
        history=tuple((datetime.date.fromisoformat(d), prov) for d, prov in p["history"]),
    )


def _payload(p: ctf.CtfPupil) -> dict[str, Any]:
    assert p.date_of_birth is not None  # a file with a pupil without one is refused whole
    return {
        "position": p.position,
        "upn": p.upn,
        "surname": p.surname,
        "forename": p.forename,
        "dob": p.date_of_birth.isoformat(),
        "gender": p.gender,
        "year_group": p.year_group,
        "provision": p.provision,
        "primary_need": p.primary_need,
        "secondary_need": p.secondary_need,
        "history": [(d.isoformat(), prov) for d, prov in p.history],
    }


def _note(source_name: str, source_laestab: str) -> str:
    """The history events' note: which school's file they came from."""
    source = f"{source_name} ({source_laestab})" if source_name else source_laestab
    return f"From the common transfer file of {source or 'another school'}"[:300]


def _summary(check: TransferCheck) -> dict[str, Any]:
    return {"counts": check.counts, "lines": check.lines}


def ctf_upload(*, actor: User, school: School, raw: bytes, file_name: str) -> TransferImport:
    """Check an uploaded file and keep what the import needs, ready to be confirmed. A file
    refused whole raises CTFError and leaves nothing behind."""
    check = ctf_check(school=school, raw=raw, file_name=file_name)
    parsed = check.parsed
    with scopes_disabled():
        return TransferImport.objects.create(
            school=school,
            uploaded_by=actor,
            file_name=file_name[:255],
            file_size=parsed.file_size,
            sha256=parsed.sha256,
            ctf_version=parsed.header.version[:10],
            source_laestab=parsed.header.source_laestab,
            source_name=parsed.header.source_name,
            status=(TransferImport.Status.READY if parsed.is_valid else TransferImport.Status.INVALID),
            pupils=[_payload(p) for p in parsed.pupils if p.has_send] if parsed.is_valid else [],
            summary=_summary(check) if parsed.is_valid else {},
            errors=[e.as_dict() for e in parsed.errors[:200]],
        )


def _apply(*, actor: User | None, school: School, pupils: list[dict[str, Any]], note: str) -> list[int]:
    results = pupil_services.pupils_arrive_from_transfer(
        actor=actor, school=school, arrivals=[_arrival(p) for p in pupils], note=note
    )
    return [r.pupil.pk for r in results]


def ctf_import_confirm(*, actor: User, record: TransferImport) -> bool:
    """Import a checked upload, all or nothing; False if it is not (or no longer) ready."""
    with transaction.atomic(), scopes_disabled():
        locked = (
            TransferImport.objects.select_for_update()
            .filter(pk=record.pk, status=TransferImport.Status.READY)
            .first()
        )
        if locked is None:
            return False
        ids = _apply(
            actor=actor,
            school=locked.school,
            pupils=locked.pupils,
            note=_note(locked.source_name, locked.source_laestab),
        )
        by_position = dict(zip((p["position"] for p in locked.pupils), ids, strict=True))
        for line in locked.summary.get("lines", []):
            if line["position"] in by_position:
                line["pupil_id"] = by_position[line["position"]]
        locked.status = TransferImport.Status.IMPORTED
        locked.imported_at = timezone.now()
        locked.pupils = []  # the register now holds what was kept from the file
        locked.save()
    record.refresh_from_db()
    return True


def ctf_import(
    *, actor: User | None, school: School, raw: bytes, file_name: str, dry_run: bool = False
) -> TransferCheck:
    """The command's import: check, then (unless a dry run, or the file has pupil errors)
    apply in one transaction. Raises CTFError for a file refused whole."""
    check = ctf_check(school=school, raw=raw, file_name=file_name)
    if dry_run or not check.parsed.is_valid:
        return check
    with transaction.atomic(), scopes_disabled():
        _apply(
            actor=actor,
            school=school,
            pupils=[_payload(p) for p in check.parsed.pupils if p.has_send],
            note=_note(check.parsed.header.source_name, check.parsed.header.source_laestab),
        )
        TransferImport.objects.create(
            school=school,
            uploaded_by=actor,
            file_name=file_name[:255],
            file_size=check.parsed.file_size,
            sha256=check.parsed.sha256,
            ctf_version=check.parsed.header.version[:10],
            source_laestab=check.parsed.header.source_laestab,
            source_name=check.parsed.header.source_name,
            status=TransferImport.Status.IMPORTED,
            imported_at=timezone.now(),
            summary=_summary(check),
        )
    return check


# --- Export -------------------------------------------------------------------------------------


def _outgoing(pupil: Pupil) -> ctf.OutgoingPupil:
    history: list[tuple[datetime.date, str]] = []
    for event in pupil.events.all():  # oldest first
        if (
            event.to_provision
            and event.to_provision != event.from_provision
            and (not history or history[-1][1] != event.to_provision)
        ):
            history.append((event.date, event.to_provision))
    needs = tuple(n for n in (pupil.primary_need, pupil.secondary_need) if n in Need.values)
    return ctf.OutgoingPupil(
        upn=pupil.upn,
        surname=pupil.surname,
        forename=pupil.forename,
        date_of_birth=pupil.date_of_birth,
        gender=pupil.gender,
        year_group=pupil.year_group,
        history=tuple(history),
        needs=needs if pupil.on_register else (),
    )


class UnknownPupils(ValueError):
    """Some UPNs asked for are not pupils of the school; the message is for the user."""


def ctf_export(
    *,
    actor: User | None,
    school: School,
    upns: list[str],
    dest_laestab: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[bytes, int]:
    """A CTF for pupils leaving the school, with their SEN elements from the register, and an
    audit entry for each pupil exported (who, when, what). Returns the file and the number of
    pupils in it."""
    upns = list(dict.fromkeys(u.strip().upper() for u in upns if u.strip()))
    if not upns:
        raise UnknownPupils("Choose at least one pupil.")
    with scopes_disabled():
        found = pupil_selectors.pupils_by_upn(school, upns)
        missing = [u for u in upns if u not in found]
        if missing:
            raise UnknownPupils(
                f"{len(missing)} of the UPNs given {'is' if len(missing) == 1 else 'are'} not a "
                f"pupil of {school.name} ({school.laestab})."
            )
        pupils = [found[u] for u in upns]
        content = ctf.build(
            source_laestab=school.laestab,
            source_name=school.name,
            dest_laestab=dest_laestab,
            pupils=[_outgoing(p) for p in pupils],
            now=timezone.localtime(now or timezone.now()).replace(tzinfo=None),
        )
        for pupil in pupils:
            audit.record_export(actor=actor, subject=pupil, what="Common transfer file", rows=1)
        audit.record_export(actor=actor, subject=school, what="Common transfer file", rows=len(pupils))
    return content, len(pupils)


# --- A pupil moving to another school of the deployment ------------------------------------------


class MoveError(ValueError):
    """A move that cannot be made; the message is for the user."""


def pupil_move_release(*, actor: User, pupil: Pupil, to_school: School) -> PupilMove:
    """The sending school releases a pupil on its register to a named school of the
    deployment. Nothing of the pupil reaches that school until its SENCO receives them. The
    caller has checked that `actor` may change the sending school's register."""
    with transaction.atomic(), scopes_disabled():
        pupil = Pupil.objects.select_for_update().select_related("school").get(pk=pupil.pk)
        if to_school.pk == pupil.school_id:
            raise MoveError("Choose a school other than the pupil's own.")
        if pupil.left_school_on is not None or not pupil.on_register:
            raise MoveError("Only a pupil on the school's SEN register can be released.")
        if PupilMove.objects.filter(pupil=pupil, status=PupilMove.Status.RELEASED).exists():
            raise MoveError("This pupil has already been released to a school.")
        return PupilMove.objects.create(
            pupil=pupil, from_school=pupil.school, to_school=to_school, released_by=actor
        )


def pupil_move_cancel(*, actor: User, move: PupilMove) -> bool:
    """The sending school withdraws a release not yet received; False if it is no longer
    waiting (received or cancelled already)."""
    with transaction.atomic(), scopes_disabled():
        locked = (
            PupilMove.objects.select_for_update().filter(pk=move.pk, status=PupilMove.Status.RELEASED).first()
        )
        if locked is None:
            return False
        locked.status = PupilMove.Status.CANCELLED
        locked.cancelled_by, locked.cancelled_at = actor, timezone.now()
        locked.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    move.refresh_from_db()
    return True


def _provision_history(pupil: Pupil) -> list[dict[str, Any]]:
    from provision.selectors import enrolments_for_pupil

    return [
        {
            "intervention": e.intervention.name,
            "kind": e.intervention.get_kind_display(),
            "area_of_need": e.intervention.area_of_need,
            "start_date": e.start_date.isoformat(),
            "end_date": e.end_date.isoformat() if e.end_date else None,
            "entry_score": str(e.entry_score) if e.entry_score is not None else None,
            "exit_score": str(e.exit_score) if e.exit_score is not None else None,
        }
        for e in enrolments_for_pupil(pupil)
    ]


def _end_provision(pupil: Pupil, on: datetime.date) -> None:
    """The pupil's places in the sending school's interventions end on the day they leave, so
    their cost leaves that school's costed provision (through the provision app's service, for
    the move: the receiving SENCO may not change the sending school's provision)."""
    from provision import services as provision_services
    from provision.selectors import enrolments_for_pupil

    for enrolment in enrolments_for_pupil(pupil):
        if enrolment.end_date is None and enrolment.start_date <= on:
            provision_services.enrolment_end(actor=None, enrolment=enrolment, end_date=on)


def _arriving(pupil: Pupil) -> pupil_services.ArrivingPupil:
    history: list[tuple[datetime.date, str]] = []
    for event in pupil.events.all():  # oldest first
        if (
            event.to_provision
            and event.to_provision != event.from_provision
            and (not history or history[-1][1] != event.to_provision)
        ):
            history.append((event.date, event.to_provision))
    return pupil_services.ArrivingPupil(
        upn=pupil.upn,
        surname=pupil.surname,
        forename=pupil.forename,
        date_of_birth=pupil.date_of_birth,
        gender=pupil.gender,
        year_group=pupil.year_group,
        provision=pupil.provision,
        primary_need=pupil.primary_need,
        secondary_need=pupil.secondary_need,
        history=tuple(history),
    )


def pupil_move_receive(*, actor: User, move: PupilMove, on: datetime.date | None = None) -> bool:
    """The receiving school takes the pupil in, all in one transaction: the pupil joins its
    register (a row of its own, with the SEN history, through the pupils app's services so
    its figures follow), leaves the sending school's register on the same day, and the
    receiving school gets copies of the support plans and latest one-page profile, the EHC
    plan with its reviews, and the provision history. The sending school keeps its records as
    they were, read-only now the pupil has left. False if the move is not waiting (received
    already, or cancelled): receiving twice changes nothing."""
    from casework import services as casework_services
    from support import services as support_services

    on = on or timezone.localdate()
    with transaction.atomic(), scopes_disabled():
        locked = (
            PupilMove.objects.select_for_update()
            .filter(pk=move.pk, status=PupilMove.Status.RELEASED)
            .select_related("from_school", "to_school")
            .first()
        )
        if locked is None:
            return False
        pupil = Pupil.objects.select_for_update().get(pk=locked.pupil_id)
        if pupil.left_school_on is not None or not pupil.on_register:
            raise MoveError("The pupil is no longer on the sending school's register.")
        source = locked.from_school
        note = f"Joined from {source.name} ({source.laestab})"[:300]
        arrival = _arriving(pupil)
        pupil_services.pupil_leave_school(
            actor=actor,
            pupil=pupil,
            on=on,
            note=f"Moved to {locked.to_school.name} ({locked.to_school.laestab})",
        )
        [result] = pupil_services.pupils_arrive_from_transfer(
            actor=actor, school=locked.to_school, arrivals=[arrival], note=note, on=on
        )
        received = result.pupil
        summary = {"joined_register": result.created, "register_events": result.events}
        summary.update(
            support_services.support_records_copy(
                actor=actor, from_pupil=pupil, to_pupil=received, source_name=source.name, on=on
            )
        )
        summary.update(
            casework_services.ehc_plan_move(actor=actor, from_pupil=pupil, to_pupil=received, on=on)
        )
        locked.provision_history = _provision_history(pupil)
        summary["provision_enrolments"] = len(locked.provision_history)
        _end_provision(pupil, on)
        locked.status = PupilMove.Status.RECEIVED
        locked.received_by, locked.received_at = actor, timezone.now()
        locked.received_pupil, locked.summary = received, summary
        locked.save()
    move.refresh_from_db()
    return True
