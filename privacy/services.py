"""Erasure of a pupil's personal data and the retention run.

Erasure anonymises rather than deletes, through the apps that own the data: each registers how
it erases its records about a pupil (pupils.erasure, from its AppConfig.ready), and this module
only orchestrates, in one transaction:

* the register (pupils): register event notes; then, last, the pupil row: names become "Erased",
  the UPN a placeholder that cannot be a real UPN, the date of birth 1 January of the birth year,
  gender "not known";
* funding: the claims' evidence, provision and refusal text and history notes; a payment
  reference only when it quotes the pupil's name or UPN; the money (claims, awards, payments)
  stays as the trust's financial records, about an anonymous record;
* casework: the title, outcome and notes of every case linked to the pupil (case notes are
  append-only; erasure is the one documented exception, in casework.services), and the pupil's
  name and UPN cut out of the school's other cases;
* provision: enrolment notes, and the pupil's names cut out of interventions and sessions;
* support: every text of the pupil's SEN support plans and one-page profiles, and the pupil's
  name and UPN cut out of the school's other plans and profiles;
* census snapshots (counts) are not touched.

Each erasure leaves one tombstone audit entry: who, when, the pupil's record id and the reason
category; no personal data. The audit trail itself is never changed (and cannot be: a database
trigger refuses it); its entries never held the erased values (they are masked at write)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from auditlog.models import LogEntry
from django.db import models, transaction

from pupils import erasure
from pupils.models import Pupil
from trusts import audit
from trusts.models import User

from . import selectors
from .selectors import is_erased


class ErasureReason(models.TextChoices):
    SUBJECT_REQUEST = "subject_request", "Request from the pupil or their parent (right to erasure)"
    RETENTION = "retention", "Retention period ended"
    OTHER_LEGAL = "other_legal", "Other legal reason (recorded outside the system)"


@transaction.atomic
def pupil_erase(*, actor: User | None, pupil: Pupil, reason: str) -> bool:
    """Anonymise `pupil` and everything about them, through every app's registered eraser.
    Returns False (and changes nothing) when the pupil was already erased. The caller has
    checked the actor's access."""
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}.")
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if is_erased(pupil):
        return False
    about = erasure.PupilErasure.of(pupil)
    for erase in erasure.erasers():
        erase(about)
    _tombstone(actor=actor, pupil=pupil, reason=reason)
    return True


@transaction.atomic
def child_erase(*, actor: User | None, pupil: Pupil, same_child: Iterable[Pupil], reason: str) -> list[Pupil]:
    """Erase `pupil` and the same child's other register rows (`same_child`, from
    selectors.same_child_records over the schools the actor may erase in), all or none: a
    request to erase is about the child, not one school's row of them. Returns the rows
    erased (none already erased)."""
    return [p for p in (pupil, *same_child) if pupil_erase(actor=actor, pupil=p, reason=reason)]


def _tombstone(*, actor: User | None, pupil: Pupil, reason: str) -> None:
    audit.record(
        pupil,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        changes={"erased": ["", "personal data erased"], "reason": ["", reason]},
        erasure=True,
        pupil_id=pupil.pk,
        reason=reason,
    )


def retention_run(
    *, actor: User | None = None, dry_run: bool, today: dt.date | None = None, years: int | None = None
) -> dict[str, int]:
    """Pupils past retention, counted per trust; erased with `pupil_erase` unless `dry_run`.
    The caller opens `scopes_disabled()` (a command or a task acting for every trust)."""
    due = selectors.pupils_past_retention(today=today, years=years)
    counts = selectors.retention_counts_by_trust(due)
    if not dry_run:
        for pupil in list(due):
            pupil_erase(actor=actor, pupil=pupil, reason=ErasureReason.RETENTION)
    return counts
