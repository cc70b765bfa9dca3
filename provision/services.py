"""Every write of the provision map. Each service checks what it is given, refuses what makes
no sense with a ValidationError saying why (changing nothing), and, when the annual cost of
provision may have changed, sends provision.signals.provision_changed inside its transaction so
the funding figures built on it change with it.

When an actor is given, the service asks trusts.access that the actor may change the school's
provision (the SENCOs of the school and the Head of SEND: EDIT_REGISTER), PermissionDenied
otherwise; the demo seeding and the data migration pass none.

An enrolment's cost counts in the school's costed provision until the enrolment is ended (its
end date is recorded), so the funding figures move when someone records a change, never with
the calendar alone: an end date is therefore recorded once the day has come."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.erasure import REDACTED_TEXT, PupilErasure
from pupils.models import Need, Pupil
from trusts import access
from trusts.access import Capability
from trusts.models import School, User

from .models import Delivery, Enrolment, Intervention, Kind
from .signals import send_provision_changed

WRITE = Capability.EDIT_REGISTER
# The figures that make an intervention's cost: a change to any of them changes the funding gap.
COST_FIELDS = ("sessions_per_week", "minutes_per_session", "weeks", "group_size", "hourly_cost")
INTERVENTION_FIELDS = (
    "name",
    "kind",
    "area_of_need",
    "staff_role",
    *COST_FIELDS,
    "measure_scale",
    "description",
    "active",
)
SCORE_LIMIT = Decimal("999999.99")


def _require(actor: User | None, school_id: int) -> None:
    if actor is not None and not access.can(actor, WRITE, school_id):
        raise PermissionDenied("You may not change this school's provision.")


def intervention_checked(values: dict[str, Any]) -> dict[str, Any]:
    """The intervention's figures tidied and checked (ValidationError saying what is wrong)."""
    out = dict(values)
    for name in ("name", "staff_role", "measure_scale", "description"):
        out[name] = (out.get(name) or "").strip()
    if not out["name"]:
        raise ValidationError("Give the intervention a name.")
    if not out["staff_role"]:
        raise ValidationError("Say who delivers the intervention (a staff role).")
    if out["kind"] not in Kind.values:
        raise ValidationError("Choose 1:1, small group, whole class or external.")
    if out.get("area_of_need") and out["area_of_need"] not in Need.values:
        raise ValidationError("Choose an area of need from the list.")
    sessions, minutes = out["sessions_per_week"], out["minutes_per_session"]
    if sessions is None or not (0 <= sessions <= 60):
        raise ValidationError("Sessions a week must be between 0 and 60.")
    if minutes is None or not (1 <= minutes <= 600):
        raise ValidationError("Minutes a session must be between 1 and 600.")
    if out.get("weeks") is not None and not (0 <= out["weeks"] <= 52):
        raise ValidationError("Weeks a year must be between 0 and 52.")
    size = out["group_size"]
    if size is None or not (1 <= size <= 60):
        raise ValidationError("Group size must be between 1 and 60 pupils.")
    if out["kind"] == Kind.ONE_TO_ONE and size != 1:
        raise ValidationError("A 1:1 intervention has a group size of 1.")
    if out.get("hourly_cost") is not None and out["hourly_cost"] < 0:
        raise ValidationError("The hourly cost cannot be negative.")
    return out


@transaction.atomic
def intervention_create(
    *,
    actor: User | None,
    school: School,
    name: str,
    kind: str,
    staff_role: str,
    sessions_per_week: Decimal,
    minutes_per_session: int,
    group_size: int = 1,
    weeks: Decimal | None = None,
    hourly_cost: Decimal | None = None,
    area_of_need: str = "",
    measure_scale: str = "",
    description: str = "",
) -> Intervention:
    """Add an intervention to the school's catalogue. A blank hourly cost or number of weeks
    takes the school's standard rate (provision.rates)."""
    _require(actor, school.pk)
    values = intervention_checked(
        {
            "name": name,
            "kind": kind,
            "staff_role": staff_role,
            "sessions_per_week": sessions_per_week,
            "minutes_per_session": minutes_per_session,
            "group_size": group_size,
            "weeks": weeks,
            "hourly_cost": hourly_cost,
            "area_of_need": area_of_need,
            "measure_scale": measure_scale,
            "description": description,
        }
    )
    return Intervention.objects.create(school=school, active=True, **values)


@transaction.atomic
def intervention_update(*, actor: User | None, intervention: Intervention, **changes: Any) -> Intervention:
    """Change an intervention's details (any of INTERVENTION_FIELDS). Its cost changes for every
    pupil enrolled; it can be retired (active=False) once no enrolment is open."""
    _require(actor, intervention.school_id)
    unknown = set(changes) - set(INTERVENTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown intervention fields: {sorted(unknown)}")
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    current = {f: getattr(intervention, f) for f in INTERVENTION_FIELDS}
    values = intervention_checked({**current, **changes})
    values["active"] = bool(values["active"])
    if (
        not values["active"]
        and current["active"]
        and intervention.enrolments.filter(end_date__isnull=True).exists()
    ):
        raise ValidationError(
            "Pupils are still enrolled: end their enrolments before retiring the intervention."
        )
    changed = [f for f in INTERVENTION_FIELDS if values[f] != current[f]]
    if not changed:
        return intervention
    for name in changed:
        setattr(intervention, name, values[name])
    intervention.save(update_fields=[*changed, "updated_at"])
    if set(changed) & set(COST_FIELDS):
        send_provision_changed([intervention.school_id])
    return intervention


def _check_score(value: Decimal | None, what: str) -> None:
    if value is not None and abs(value) > SCORE_LIMIT:
        raise ValidationError(f"The {what} score is too large.")


@transaction.atomic
def enrolment_create(
    *,
    actor: User | None,
    intervention: Intervention,
    pupil: Pupil,
    start_date: datetime.date,
    entry_score: Decimal | None = None,
    notes: str = "",
) -> Enrolment:
    """Enrol a pupil of the intervention's school who is on the SEN register."""
    _require(actor, intervention.school_id)
    if pupil.school_id != intervention.school_id:
        raise ValidationError("The pupil is not at this intervention's school.")
    if not pupil.on_register or pupil.left_school_on is not None:
        raise ValidationError("Only pupils on the SEN register can be enrolled.")
    _check_score(entry_score, "entry")
    # Locked: two enrolments of one pupil at once would count the cost twice.
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if not intervention.active:
        raise ValidationError("This intervention is retired: pupils can no longer join it.")
    if intervention.enrolments.filter(pupil=pupil, end_date__isnull=True).exists():
        raise ValidationError("The pupil is already enrolled in this intervention.")
    enrolment = Enrolment.objects.create(
        intervention=intervention,
        pupil=pupil,
        start_date=start_date,
        entry_score=entry_score,
        notes=notes.strip(),
    )
    send_provision_changed([intervention.school_id])
    return enrolment


@transaction.atomic
def enrolment_end(
    *,
    actor: User | None,
    enrolment: Enrolment,
    end_date: datetime.date,
    exit_score: Decimal | None = None,
    today: datetime.date | None = None,
) -> Enrolment:
    """Record that a pupil's place in an intervention ended (and, optionally, their exit score).
    The enrolment's cost then leaves the school's costed provision."""
    _require(actor, enrolment.intervention.school_id)
    enrolment = Enrolment.objects.select_for_update().select_related("intervention").get(pk=enrolment.pk)
    if enrolment.end_date is not None:
        raise ValidationError("This enrolment has already ended.")
    if end_date < enrolment.start_date:
        raise ValidationError("The end date is before the enrolment started.")
    if end_date > (today or timezone.localdate()):
        raise ValidationError("The end date is in the future: record the end once it has happened.")
    _check_score(exit_score, "exit")
    enrolment.end_date = end_date
    fields = ["end_date", "updated_at"]
    if exit_score is not None:
        enrolment.exit_score = exit_score
        fields.append("exit_score")
    enrolment.save(update_fields=fields)
    send_provision_changed([enrolment.intervention.school_id])
    return enrolment


@transaction.atomic
def enrolment_record_measures(
    *,
    actor: User | None,
    enrolment: Enrolment,
    entry_score: Decimal | None,
    exit_score: Decimal | None,
    notes: str | None = None,
) -> Enrolment:
    """Record or correct a pupil's entry and exit scores (and the notes) on the intervention's
    measure. An exit score needs an entry score to be compared with."""
    _require(actor, enrolment.intervention.school_id)
    _check_score(entry_score, "entry")
    _check_score(exit_score, "exit")
    if exit_score is not None and entry_score is None:
        raise ValidationError("Record the entry score too: the exit score is compared with it.")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    enrolment.entry_score, enrolment.exit_score = entry_score, exit_score
    fields = ["entry_score", "exit_score", "updated_at"]
    if notes is not None:
        enrolment.notes = notes.strip()
        fields.append("notes")
    enrolment.save(update_fields=fields)
    return enrolment


@transaction.atomic
def delivery_record(
    *,
    actor: User | None,
    intervention: Intervention,
    date: datetime.date,
    minutes: int,
    attended: Iterable[Enrolment] = (),
    note: str = "",
    today: datetime.date | None = None,
) -> Delivery:
    """Record a session that took place and the enrolled pupils who attended it."""
    _require(actor, intervention.school_id)
    if date > (today or timezone.localdate()):
        raise ValidationError("The session's date is in the future: record it once it has happened.")
    if not (1 <= minutes <= 600):
        raise ValidationError("A session lasts between 1 and 600 minutes.")
    attended = list(attended)
    for enrolment in attended:
        if enrolment.intervention_id != intervention.pk:
            raise ValidationError("A pupil who attended is not enrolled in this intervention.")
        if enrolment.start_date > date or (enrolment.end_date and enrolment.end_date < date):
            raise ValidationError("A pupil who attended was not enrolled on the session's date.")
    delivery = Delivery.objects.create(
        intervention=intervention, date=date, minutes=minutes, note=note.strip(), recorded_by=actor
    )
    delivery.attended.set(attended)
    return delivery


@transaction.atomic
def delivery_remove(*, actor: User | None, delivery: Delivery) -> None:
    """Take back a session recorded by mistake."""
    _require(actor, delivery.intervention.school_id)
    delivery.attended.clear()
    delivery.delete()


# --- Erasure of a pupil's personal data (pupils.erasure) -----------------------------------------


def pupil_provision_erase(erasure: PupilErasure) -> None:
    """The notes of the pupil's enrolments go; the enrolments themselves (dates, scores) stay as
    the school's costed provision. Text no other pupil shares (an intervention only they were
    enrolled in, a session only they attended) loses the pupil's forename and surname too (a 1:1
    is often named after the child); text shared with other pupils loses the full name and UPN."""
    pupil = erasure.pupil
    enrolments = Enrolment.objects.filter(pupil=pupil)
    enrolments.exclude(notes="").update(notes=REDACTED_TEXT)
    alone = re.compile(
        "|".join(
            [erasure.pattern.pattern]
            + [rf"\b{re.escape(v)}\b" for v in (pupil.forename, pupil.surname) if len(v.strip()) >= 2]
        ),
        re.IGNORECASE,
    )
    others = Enrolment.objects.exclude(pupil=pupil)
    for intervention in Intervention.objects.filter(enrolments__in=enrolments).distinct():
        shared = others.filter(intervention=intervention).exists()
        rule = erasure.pattern if shared else alone
        name = erasure.cut(intervention.name, rule)
        description = erasure.cut(intervention.description, rule)
        if (name, description) != (intervention.name, intervention.description):
            Intervention.objects.filter(pk=intervention.pk).update(name=name, description=description)
    for delivery in Delivery.objects.filter(attended__in=enrolments).exclude(note="").distinct():
        shared = delivery.attended.exclude(pupil=pupil).exists()
        note = erasure.cut(delivery.note) if shared else REDACTED_TEXT
        if note != delivery.note:
            Delivery.objects.filter(pk=delivery.pk).update(note=note)
