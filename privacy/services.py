"""Erasure of a pupil's personal data and the retention run.

Erasure anonymises rather than deletes: the pupil row stays (claims, plans and cases point at it,
census snapshots count it) but holds no personal data any more:

* names become "Erased"; the UPN becomes "ERASED" + the record id padded to 13 characters
  (unique per school, fits the field, cannot be a real UPN: a real one has a digit in position
  2); the date of birth becomes 1 January of the birth year (the year group is kept, so the
  year adds nothing identifying, and reports by age still work); gender becomes "not known".
* free text about the pupil is replaced by "[erased]": register event notes, the claim's
  evidence, provision and refusal text, claim history notes, the notes of the pupil's
  enrolments in interventions, the title, outcome and notes of every case linked to the pupil,
  and every text of the pupil's SEN support plans (assessment, outcomes, reviews) and one-page
  profiles. The notes of sessions only the pupil attended are replaced too; the names and
  descriptions of interventions only the pupil took part in lose the pupil's forename, surname
  and UPN. In other cases, SEN support plans and one-page profiles of the school, and in the
  text of interventions and sessions shared with other pupils, the pupil's full name and UPN are
  cut out of the text, the rest is kept.
* money rows (claims, awards, payments) and the pupil's enrolments in interventions (dates,
  scores: the school's costed provision) stay: they are the trust's financial records; they now
  point at an anonymous record. A payment reference is redacted only when it
  quotes the pupil's name or UPN.
* census snapshots (counts) are not touched.

Case notes are append-only (casework.models.AppendOnlyQuerySet refuses update() and delete();
CaseNote.save() refuses changes). Erasure is the one documented exception: `_erase_notes` writes
through a plain `QuerySet` of CaseNote, which does not carry the append-only guard, replacing the
text only (never deleting the note, its author or its time), so the timeline keeps its shape.
No other code path does this.

Each erasure leaves one tombstone audit entry: who, when, the pupil's record id and the reason
category; no personal data. The audit trail itself is never changed (and cannot be: a database
trigger refuses it); its entries never held the erased values (they are masked at write)."""

from __future__ import annotations

import datetime as dt
import re

from auditlog.models import LogEntry
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from casework.models import Case, CaseNote
from funding.models import Claim, ClaimEvent, Payment
from provision.models import Delivery, Enrolment, Intervention
from pupils.models import Gender, Pupil, RegisterEvent
from support.models import OnePageProfile, Outcome, PlanReview, SupportPlan
from trusts.models import User

from . import selectors
from .selectors import ERASED_NAME, REDACTED_TEXT, erased_upn, is_erased


class ErasureReason(models.TextChoices):
    SUBJECT_REQUEST = "subject_request", "Request from the pupil or their parent (right to erasure)"
    RETENTION = "retention", "Retention period ended"
    OTHER_LEGAL = "other_legal", "Other legal reason (recorded outside the system)"


def _identifiers(pupil: Pupil) -> list[str]:
    return [v for v in (pupil.upn, f"{pupil.forename} {pupil.surname}",
                        f"{pupil.surname}, {pupil.forename}") if v.strip()]


def _cut(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(REDACTED_TEXT, text)


def _cut_mentions(rows: models.QuerySet, fields: tuple[str, ...], pattern: re.Pattern,
                  identifiers: list[str]) -> None:
    """Cut the pupil's name and UPN out of these text fields of other records."""
    mentions = Q()
    for field in fields:
        for value in identifiers:
            mentions |= Q(**{f"{field}__icontains": value})
    for row in rows.filter(mentions).values("pk", *fields):
        rows.model.objects.filter(pk=row["pk"]).update(
            **{field: _cut(row[field], pattern) for field in fields})


def _erase_notes(notes_qs, *, whole: bool, pattern: re.Pattern | None = None) -> None:
    """The one path that rewrites case note text (see the module's docstring)."""
    plain = models.QuerySet(model=CaseNote)
    if whole:
        plain.filter(pk__in=notes_qs.values("pk")).update(text=REDACTED_TEXT)
        return
    for pk, text in notes_qs.values_list("pk", "text"):
        plain.filter(pk=pk).update(text=_cut(text, pattern))


@transaction.atomic
def pupil_erase(*, actor: User | None, pupil: Pupil, reason: str) -> bool:
    """Anonymise `pupil` and everything about them. Returns False (and changes nothing) when
    the pupil was already erased. The caller has checked the actor's access."""
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}.")
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if is_erased(pupil):
        return False
    pattern = re.compile("|".join(re.escape(v) for v in _identifiers(pupil)), re.IGNORECASE)
    mentions, in_case = Q(), Q()
    for value in _identifiers(pupil):
        mentions |= Q(text__icontains=value)
        in_case |= Q(title__icontains=value) | Q(outcome__icontains=value)

    RegisterEvent.objects.filter(pupil=pupil).exclude(note="").update(note=REDACTED_TEXT)
    claims = Claim.objects.filter(pupil=pupil)
    claims.update(evidence_summary=REDACTED_TEXT, provision_to_fund=REDACTED_TEXT)
    claims.exclude(refusal_reason="").update(refusal_reason=REDACTED_TEXT)
    ClaimEvent.objects.filter(claim__in=claims).exclude(note="").update(note=REDACTED_TEXT)
    for payment in Payment.objects.filter(claim__in=claims).exclude(reference=""):
        if pattern.search(payment.reference):
            Payment.objects.filter(pk=payment.pk).update(reference=REDACTED_TEXT)
    enrolments = Enrolment.objects.filter(pupil=pupil)
    enrolments.exclude(notes="").update(notes=REDACTED_TEXT)
    _erase_provision_text(pupil, enrolments, pattern)

    linked = Case.objects.filter(pupil=pupil)
    linked.update(title=REDACTED_TEXT)
    linked.exclude(outcome="").update(outcome=REDACTED_TEXT)
    _erase_notes(CaseNote.objects.filter(case__in=linked), whole=True)
    others = Case.objects.filter(school_id=pupil.school_id).exclude(pupil=pupil)
    for case in others.filter(in_case):
        Case.objects.filter(pk=case.pk).update(title=_cut(case.title, pattern),
                                               outcome=_cut(case.outcome, pattern))
    _erase_notes(CaseNote.objects.filter(case__in=others).filter(mentions), whole=False,
                 pattern=pattern)

    # Support plans and one-page profiles are written about the child throughout: every text
    # goes (dates, statuses and who wrote them stay, as the cycles' shape).
    support_plans = SupportPlan.objects.filter(pupil=pupil)
    support_plans.update(needs=REDACTED_TEXT, strengths=REDACTED_TEXT,
                         tried_before=REDACTED_TEXT, pupil_views=REDACTED_TEXT,
                         parent_views=REDACTED_TEXT)
    Outcome.objects.filter(plan__in=support_plans).update(
        description=REDACTED_TEXT, success_criteria=REDACTED_TEXT, support=REDACTED_TEXT,
        evidence=REDACTED_TEXT)
    PlanReview.objects.filter(plan__in=support_plans).update(
        next_steps=REDACTED_TEXT, pupil_views=REDACTED_TEXT, parent_views=REDACTED_TEXT,
        delivery=[])
    OnePageProfile.objects.filter(pupil=pupil).update(
        like_and_admire=REDACTED_TEXT, important_to_me=REDACTED_TEXT,
        how_to_support=REDACTED_TEXT, my_needs=REDACTED_TEXT, written_with=REDACTED_TEXT)
    other_plans = SupportPlan.objects.filter(school_id=pupil.school_id).exclude(pupil=pupil)
    for rows, fields in (
        (other_plans, ("needs", "strengths", "tried_before", "pupil_views", "parent_views")),
        (Outcome.objects.filter(plan__in=other_plans),
         ("description", "success_criteria", "support", "evidence")),
        (PlanReview.objects.filter(plan__in=other_plans),
         ("next_steps", "pupil_views", "parent_views")),
        (OnePageProfile.objects.filter(pupil__school_id=pupil.school_id).exclude(pupil=pupil),
         ("like_and_admire", "important_to_me", "how_to_support", "my_needs", "written_with")),
    ):
        _cut_mentions(rows, fields, pattern, _identifiers(pupil))

    birth_year = pupil.date_of_birth.year
    Pupil.objects.filter(pk=pupil.pk).update(
        surname=ERASED_NAME, forename=ERASED_NAME, upn=erased_upn(pupil.pk),
        date_of_birth=dt.date(birth_year, 1, 1), gender=Gender.OTHER, updated_at=timezone.now(),
    )
    _tombstone(actor=actor, pupil=pupil, reason=reason)
    return True


def _erase_provision_text(pupil: Pupil, enrolments, pattern: re.Pattern) -> None:
    """The names and descriptions of the pupil's interventions and the notes of their sessions:
    text no other pupil shares (an intervention only they were enrolled in, a session only they
    attended) loses the pupil's forename and surname too (a 1:1 is often named after the child);
    text shared with other pupils loses the full name and UPN only."""
    alone = re.compile("|".join(
        [pattern.pattern] + [rf"\b{re.escape(v)}\b" for v in (pupil.forename, pupil.surname)
                             if len(v.strip()) >= 2]), re.IGNORECASE)
    others = Enrolment.objects.exclude(pupil=pupil)
    for intervention in Intervention.objects.filter(enrolments__in=enrolments).distinct():
        shared = others.filter(intervention=intervention).exists()
        rule = pattern if shared else alone
        name, description = _cut(intervention.name, rule), _cut(intervention.description, rule)
        if (name, description) != (intervention.name, intervention.description):
            Intervention.objects.filter(pk=intervention.pk).update(name=name, description=description)
    for delivery in Delivery.objects.filter(attended__in=enrolments).exclude(note="").distinct():
        shared = delivery.attended.exclude(pupil=pupil).exists()
        note = _cut(delivery.note, pattern) if shared else REDACTED_TEXT
        if note != delivery.note:
            Delivery.objects.filter(pk=delivery.pk).update(note=note)


def _tombstone(*, actor: User | None, pupil: Pupil, reason: str) -> None:
    LogEntry.objects.log_create(
        pupil,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        actor_email=getattr(actor, "email", None),
        changes={"erased": ["", "personal data erased"], "reason": ["", reason]},
        additional_data={"trust_id": pupil.school.trust_id, "school_id": pupil.school_id,
                         "erasure": True, "pupil_id": pupil.pk, "reason": reason},
    )


def retention_run(*, actor: User | None = None, dry_run: bool, today: dt.date | None = None,
                  years: int | None = None) -> dict[str, int]:
    """Pupils past retention, counted per trust; erased with `pupil_erase` unless `dry_run`.
    The caller opens `scopes_disabled()` (a command or a task acting for every trust)."""
    due = selectors.pupils_past_retention(today=today, years=years)
    counts = selectors.retention_counts_by_trust(due)
    if not dry_run:
        for pupil in list(due):
            pupil_erase(actor=actor, pupil=pupil, reason=ErasureReason.RETENTION)
    return counts
