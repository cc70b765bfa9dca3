"""Every write of the funding app. Each service checks the state the claim is in, refuses a
transition that makes no sense with a ValidationError saying why (and changes nothing), and adds
the change to the claim's history (ClaimEvent).

Claim states:  draft -> submitted -> awarded | refused;  refused | under-awarded -> under appeal
-> awarded | refused;  awarded -> awarded (a change of band from a date);  any state after
draft -> ended.  Payments are recorded only against a claim with an award.

When an actor is given, the service also asks trusts.access that the actor holds the
capability in the claim's school (PermissionDenied otherwise); the demo seeding passes none.

Every service ends by bringing the school's kept funding figures up to date
(funding.figures.school_refresh) inside its own transaction, so the dashboards read figures that
always match the claims, and a service that fails leaves both unchanged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.numbers import money
from pupils.erasure import REDACTED_TEXT, PupilErasure
from pupils.models import Pupil
from trusts import access
from trusts.access import Capability
from trusts.models import Role, School, User

from . import calculations as calc
from . import figures, remittances
from .calculations import financial_year_label
from .models import (
    Award,
    Band,
    BandingScheme,
    Claim,
    ClaimEvent,
    ClaimStatus,
    FundingSettings,
    Payment,
)

S = ClaimStatus


def _require(actor: User | None, capability: Capability, school_id: int) -> None:
    if actor is not None and not access.can(actor, capability, school_id):
        raise PermissionDenied("You may not do this for this school.")


def _event(
    claim: Claim,
    kind: str,
    from_status: str,
    *,
    actor: User | None,
    note: str = "",
    effective_on: datetime.date | None = None,
) -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim,
        kind=kind,
        from_status=from_status,
        to_status=claim.status,
        actor=actor,
        note=note,
        effective_on=effective_on,
    )


def _locked(claim: Claim) -> Claim:
    """The claim re-read under a row lock, so two people cannot move it at once."""
    return Claim.objects.select_for_update().select_related("requested_band").get(pk=claim.pk)


def _check_band_for_claim(band: Band, claim: Claim) -> None:
    if band.scheme.local_authority_id != claim.local_authority_id:
        raise ValidationError(
            f"The award must be a band of {claim.local_authority.name}'s table, the LA the claim was made to."
        )


@transaction.atomic
def claim_create(
    *,
    actor: User | None,
    pupil: Pupil,
    requested_band: Band,
    evidence_summary: str,
    provision_to_fund: str,
) -> Claim:
    """A draft claim for a pupil on the register, to the pupil's home LA at a band of that LA's
    table; the claim's financial year is the table's."""
    _require(actor, Capability.PREPARE_CLAIMS, pupil.school_id)
    home = pupil.home_local_authority
    if requested_band.scheme.local_authority_id != home.pk:
        raise ValidationError(
            f"A claim goes to the LA where the pupil lives ({home.name}): choose a band from "
            f"{home.name}'s table."
        )
    if not pupil.on_register_now:
        raise ValidationError("Only a pupil on the school's SEN register can be claimed for.")
    if not evidence_summary.strip() or not provision_to_fund.strip():
        raise ValidationError("Give a summary of the evidence and the provision to be funded.")
    claim = Claim.objects.create(
        school=pupil.school,
        pupil=pupil,
        local_authority=home,
        financial_year=requested_band.scheme.financial_year,
        requested_band=requested_band,
        evidence_summary=evidence_summary.strip(),
        provision_to_fund=provision_to_fund.strip(),
        status=S.DRAFT,
        created_by=actor,
    )
    _event(
        claim,
        ClaimEvent.Kind.CREATED,
        "",
        actor=actor,
        note=f"{requested_band.display_label} requested from {home.name} for "
        f"{financial_year_label(claim.financial_year)}.",
    )
    figures.school_refresh(school_id=claim.school_id)
    return claim


@transaction.atomic
def claim_submit(*, actor: User | None, claim: Claim, submitted_on: datetime.date) -> Claim:
    claim = _locked(claim)
    _require(actor, Capability.SUBMIT_CLAIMS, claim.school_id)
    if claim.status != S.DRAFT:
        raise ValidationError(
            f"Only a draft claim can be submitted; this one is {claim.get_status_display().lower()}."
        )
    claim.status, claim.submitted_on = S.SUBMITTED, submitted_on
    claim.save(update_fields=["status", "submitted_on", "updated_at"])
    _event(claim, ClaimEvent.Kind.SUBMITTED, S.DRAFT, actor=actor, effective_on=submitted_on)
    figures.school_refresh(school_id=claim.school_id)
    return claim


@transaction.atomic
def claim_record_award(
    *,
    actor: User | None,
    claim: Claim,
    band: Band,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> Award:
    """The LA's award on a submitted claim or an appeal, or a change of band of an awarded
    claim from `start_date` (the award in force until then ends the day before)."""
    claim = _locked(claim)
    _require(actor, Capability.SUBMIT_CLAIMS, claim.school_id)
    if claim.status not in (S.SUBMITTED, S.UNDER_APPEAL, S.AWARDED):
        raise ValidationError(
            "An award can only be recorded on a submitted claim, a claim under appeal or to change "
            f"an award; this claim is {claim.get_status_display().lower()}."
        )
    _check_band_for_claim(band, claim)
    if end_date is not None and end_date < start_date:
        raise ValidationError("The award cannot end before it starts.")
    if calc.financial_year_of(start_date) < band.scheme.financial_year:
        raise ValidationError(
            f"The award starts before {band.scheme.label}: choose a band from the table of the year "
            "it starts in."
        )
    previous = list(claim.awards.order_by("start_date"))
    if previous and start_date <= previous[-1].start_date:
        raise ValidationError(
            f"A new award must start after the current one (from {previous[-1].start_date:%d/%m/%Y})."
        )
    for award in previous:
        if award.end_date is None or award.end_date >= start_date:
            award.end_date = start_date - datetime.timedelta(days=1)
            award.save(update_fields=["end_date"])
    award = Award.objects.create(
        claim=claim, band=band, start_date=start_date, end_date=end_date, recorded_by=actor
    )
    from_status = claim.status
    kind = ClaimEvent.Kind.AWARD_CHANGED if from_status == S.AWARDED else ClaimEvent.Kind.AWARDED
    claim.status = S.AWARDED
    if from_status != S.AWARDED or claim.decided_on is None:
        claim.decided_on = start_date
    claim.save(update_fields=["status", "decided_on", "updated_at"])
    until = f" to {end_date:%d/%m/%Y}" if end_date else ""
    _event(
        claim,
        kind,
        from_status,
        actor=actor,
        effective_on=start_date,
        note=f"{band.display_label} ({band.scheme.label}) from {start_date:%d/%m/%Y}{until}.",
    )
    figures.school_refresh(school_id=claim.school_id)
    return award


@transaction.atomic
def claim_record_refusal(
    *, actor: User | None, claim: Claim, reason: str, decided_on: datetime.date
) -> Claim:
    """The LA refuses a submitted claim, or an appeal. An appeal against an under-award that is
    refused leaves the award in force (the claim goes back to awarded)."""
    claim = _locked(claim)
    _require(actor, Capability.SUBMIT_CLAIMS, claim.school_id)
    if claim.status not in (S.SUBMITTED, S.UNDER_APPEAL):
        raise ValidationError(
            "A refusal can only be recorded on a submitted claim or a claim under appeal; this "
            f"claim is {claim.get_status_display().lower()}."
        )
    if not reason.strip():
        raise ValidationError("Give the LA's reason for the refusal.")
    from_status = claim.status
    claim.status = S.AWARDED if claim.awards.exists() else S.REFUSED
    claim.refusal_reason, claim.decided_on = reason.strip(), decided_on
    claim.save(update_fields=["status", "refusal_reason", "decided_on", "updated_at"])
    _event(
        claim, ClaimEvent.Kind.REFUSED, from_status, actor=actor, note=reason.strip(), effective_on=decided_on
    )
    figures.school_refresh(school_id=claim.school_id)
    return claim


def is_under_awarded(claim: Claim) -> bool:
    latest = claim.awards.select_related("band").order_by("-start_date").first()
    return latest is not None and latest.band.annual_value < claim.requested_band.annual_value


@transaction.atomic
def claim_appeal(*, actor: User | None, claim: Claim, lodged_on: datetime.date, note: str = "") -> Claim:
    claim = _locked(claim)
    _require(actor, Capability.SUBMIT_CLAIMS, claim.school_id)
    if not (claim.status == S.REFUSED or (claim.status == S.AWARDED and is_under_awarded(claim))):
        raise ValidationError("Only a refused or under-awarded claim can be appealed.")
    from_status = claim.status
    claim.status = S.UNDER_APPEAL
    claim.save(update_fields=["status", "updated_at"])
    _event(
        claim, ClaimEvent.Kind.APPEALED, from_status, actor=actor, note=note.strip(), effective_on=lodged_on
    )
    figures.school_refresh(school_id=claim.school_id)
    return claim


@transaction.atomic
def claim_end(*, actor: User | None, claim: Claim, ended_on: datetime.date, reason: str = "") -> Claim:
    """End a claim (the pupil left, the plan ceased, the claim was withdrawn): any award in force
    stops on `ended_on`."""
    claim = _locked(claim)
    _require(actor, Capability.SUBMIT_CLAIMS, claim.school_id)
    if claim.status in (S.DRAFT, S.ENDED):
        raise ValidationError(f"A {claim.get_status_display().lower()} claim cannot be ended.")
    awards = list(claim.awards.all())
    if any(a.start_date > ended_on for a in awards):
        raise ValidationError("The claim cannot end before an award on it starts.")
    for award in awards:
        if award.end_date is None or award.end_date > ended_on:
            award.end_date = ended_on
            award.save(update_fields=["end_date"])
    from_status = claim.status
    claim.status, claim.ended_on = S.ENDED, ended_on
    claim.save(update_fields=["status", "ended_on", "updated_at"])
    _event(claim, ClaimEvent.Kind.ENDED, from_status, actor=actor, note=reason.strip(), effective_on=ended_on)
    figures.school_refresh(school_id=claim.school_id)
    return claim


@transaction.atomic
def payment_record(
    *,
    actor: User | None,
    claim: Claim,
    amount: Decimal,
    received_on: datetime.date,
    reference: str = "",
) -> Payment:
    claim = _locked(claim)
    _require(actor, Capability.SUBMIT_CLAIMS, claim.school_id)
    if claim.status not in (S.AWARDED, S.UNDER_APPEAL, S.ENDED) or not claim.awards.exists():
        raise ValidationError(
            "A payment can only be recorded against a claim with an award; this claim is "
            f"{claim.get_status_display().lower()}."
        )
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError("The amount must be a sum of money, e.g. 1015.89.") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("The amount must be more than zero, in pounds and pence.")
    payment = Payment.objects.create(
        claim=claim,
        amount=amount,
        received_on=received_on,
        reference=reference.strip(),
        recorded_by=actor,
    )
    note = f"{money(amount)} received" + (f", reference {payment.reference}" if payment.reference else "")
    _event(claim, ClaimEvent.Kind.PAYMENT, claim.status, actor=actor, effective_on=received_on, note=note)
    figures.school_refresh(school_id=claim.school_id)
    return payment


@transaction.atomic
def funding_settings_update(
    *,
    actor: User | None,
    school: School,
    hourly_rate: Decimal,
    on_cost_percent: Decimal,
    weeks_per_year: Decimal,
    notional_threshold: Decimal,
) -> FundingSettings:
    _require(actor, Capability.SUBMIT_CLAIMS, school.pk)
    if min(hourly_rate, on_cost_percent, weeks_per_year, notional_threshold) < 0 or weeks_per_year > 52:
        raise ValidationError("Figures cannot be negative, and a year has at most 52 weeks.")
    settings_row, _ = FundingSettings.objects.update_or_create(
        school=school,
        defaults={
            "hourly_rate": hourly_rate,
            "on_cost_percent": on_cost_percent,
            "weeks_per_year": weeks_per_year,
            "notional_threshold": notional_threshold,
        },
    )
    figures.school_refresh(school_id=school.pk)
    return settings_row


@dataclass
class RemittanceResult:
    rows: list[remittances.RemittanceRow]
    new: int = 0
    already: int = 0
    errors: int = 0
    written: bool = False
    outcome: dict[int, str] = field(default_factory=dict)  # line -> "new" / "already recorded"
    claims: dict[int, int] = field(default_factory=dict)  # line -> claim id


def payments_import(*, actor: User | None, school: School, data: bytes, dry_run: bool) -> RemittanceResult:
    """Payments from an LA remittance CSV for one school, matched to each pupil's claim with an
    award in force on the payment date (or its latest award). All or nothing: a file with any
    row error writes nothing; a payment already recorded (same claim, date, amount and reference)
    is skipped, so importing the same file twice changes nothing the second time."""
    _require(actor, Capability.SUBMIT_CLAIMS, school.pk)
    rows = remittances.read(data)  # RemittanceFileError for an unreadable file
    result = RemittanceResult(rows)
    upns = {r.upn for r in rows}
    pupils = {p.upn.upper(): p.pk for p in Pupil.objects.filter(school=school, upn__in=upns)}
    awards_by_pupil: dict[int, list[Award]] = {}
    for award in (
        Award.objects.filter(
            claim__school=school,
            claim__pupil_id__in=pupils.values(),
            claim__status__in=[S.AWARDED, S.UNDER_APPEAL, S.ENDED],
        )
        .select_related("claim")
        .order_by("start_date")
    ):
        awards_by_pupil.setdefault(award.claim.pupil_id, []).append(award)
    existing = set(
        Payment.objects.filter(claim__school=school).values_list(
            "claim_id", "received_on", "amount", "reference"
        )
    )
    for row in rows:
        if row.error:
            continue
        assert row.amount is not None and row.date is not None  # else remittances.read gave an error
        pupil_id = pupils.get(row.upn)
        if pupil_id is None:
            row.error = "No pupil with this UPN at the school."
            continue
        awards = awards_by_pupil.get(pupil_id)
        if not awards:
            row.error = "The pupil has no claim with an award."
            continue
        in_force = [
            a for a in awards if a.start_date <= row.date and (a.end_date is None or a.end_date >= row.date)
        ]
        claim_id = (in_force or awards)[-1].claim_id
        key = (claim_id, row.date, row.amount, row.reference)
        result.claims[row.line] = claim_id
        if key in existing:
            result.outcome[row.line] = "already recorded"
            result.already += 1
        else:
            existing.add(key)
            result.outcome[row.line] = "new"
            result.new += 1
    result.errors = sum(1 for r in rows if r.error)
    if dry_run or result.errors or not result.new:
        return result
    with transaction.atomic(), figures.deferred():
        claims = {c.pk: c for c in Claim.objects.filter(pk__in=set(result.claims.values()))}
        for row in rows:
            if result.outcome.get(row.line) == "new":
                assert row.amount is not None and row.date is not None  # checked above
                payment_record(
                    actor=actor,
                    claim=claims[result.claims[row.line]],
                    amount=row.amount,
                    received_on=row.date,
                    reference=row.reference,
                )
    result.written = True
    return result


# --- Erasure of a pupil's personal data (pupils.erasure) -----------------------------------------


def pupil_claims_erase(erasure: PupilErasure) -> None:
    """The claims' free text goes; the money (claims, awards, payments) stays as the trust's
    financial records, now about an anonymous pupil. A payment reference goes only when it
    quotes the pupil's name or UPN."""
    claims = Claim.objects.filter(pupil=erasure.pupil)
    claims.update(evidence_summary=REDACTED_TEXT, provision_to_fund=REDACTED_TEXT)
    claims.exclude(refusal_reason="").update(refusal_reason=REDACTED_TEXT)
    ClaimEvent.objects.filter(claim__in=claims).exclude(note="").update(note=REDACTED_TEXT)
    for payment in Payment.objects.filter(claim__in=claims).exclude(reference=""):
        if erasure.pattern.search(payment.reference):
            Payment.objects.filter(pk=payment.pk).update(reference=REDACTED_TEXT)


# --- banding tables -------------------------------------------------------------------------


@transaction.atomic
def banding_carry_forward(*, actor: User | None, up_to_year: int) -> int:
    """Carry each LA's latest published banding table into every financial year after it, up
    to `up_to_year`, for which the LA has published none: a scheme marked `carried_forward_from`
    with a copy of the published bands. Until an LA publishes next year's table it pays at the
    last one, and claims need bands of the claim's year. Reference data, so platform admins
    only (the demo seeding passes no actor). Idempotent; returns the number of schemes made."""
    if actor is not None and Role.PLATFORM_ADMIN not in access.roles_of(actor):
        raise PermissionDenied("Only a platform admin changes banding tables.")
    published: dict[int, BandingScheme] = {}
    for scheme in (
        BandingScheme.objects.filter(carried_forward_from__isnull=True)
        .prefetch_related("bands")
        .order_by("financial_year")
    ):
        published[scheme.local_authority_id] = scheme  # the latest wins
    have = set(BandingScheme.objects.values_list("local_authority_id", "financial_year"))
    made = 0
    for la_id, source in published.items():
        for year in range(source.financial_year + 1, up_to_year + 1):
            if (la_id, year) in have:
                continue
            scheme = BandingScheme.objects.create(
                local_authority_id=la_id,
                financial_year=year,
                carried_forward_from=source.financial_year,
                notes=f"No {financial_year_label(year)} table published: the "
                f"{source.label} rates carried forward.",
            )
            Band.objects.bulk_create(
                Band(
                    scheme=scheme,
                    label=b.label,
                    hours_per_week=b.hours_per_week,
                    annual_value=b.annual_value,
                    order=b.order,
                )
                for b in source.bands.all()
            )
            made += 1
    if made:
        figures.banding_changed()
    return made
