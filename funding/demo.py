"""Demo data for funding: once pupils exist, a fixed handful of claims, awards and payments per
school for the current financial year (for the pupils whose support provision.demo costs on the
provision map), dated relative to today, on the banding tables of funding.reference (loaded
first, carried forward to the current year). Idempotent: a school that already has demo claims
is left alone. The claims go through funding.services, which keep each school's funding
figures; the figures are then brought to the horizon or rebuilt (a rebuild that finds them
right writes nothing)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import Provision, Pupil
from trusts.models import LocalAuthority, School

from . import calculations as calc
from . import figures, services
from .models import Band, Claim

SEED = 4  # random.Random seed: the same claims on every machine


def _band(la: LocalAuthority, label: str, year: int) -> Band | None:
    return Band.objects.filter(scheme__local_authority=la, scheme__financial_year=year, label=label).first()


# Hours awarded by Thurrock and bands by Essex and Southend, cycled through deterministically.
THURROCK_HOURS = ["10 hours", "15 hours", "7.5 hours", "12.5 hours", "5 hours"]
BANDS = ["2", "3", "4", "5", "3", "2"]


def _seed_school(school: School, today: datetime.date) -> int:
    if Claim.objects.filter(school=school).exists():
        return 0
    rng = random.Random(f"{SEED}-{school.laestab}")
    pupils = list(
        Pupil.objects.filter(school=school, provision=Provision.EHC_PLAN, left_school_on__isnull=True)
        .select_related("home_local_authority")
        .order_by("upn", "pk")
    )
    if not pupils:
        return 0
    chosen = pupils[:4]
    # Where the school has pupils living in another LA (a Southend school's Essex residents),
    # one of them is claimed for too, from their home LA.
    elsewhere = [p for p in pupils if p.home_local_authority_id != school.local_authority_id]
    if elsewhere and not any(p in elsewhere for p in chosen):
        chosen = [elsewhere[0], *chosen[:3]]
    # The current financial year's claims; every date after today is brought back to today,
    # and a payment not yet due is not recorded.
    year = calc.financial_year_of(today)
    start = datetime.date(year, 4, 1)

    def by_today(day: datetime.date) -> datetime.date:
        return min(day, today)

    made = 0
    for i, pupil in enumerate(chosen):
        la = pupil.home_local_authority
        is_hours = la.funding_unit == LocalAuthority.FundingUnit.HOURS
        requested_label = (
            THURROCK_HOURS[(i + rng.randrange(5)) % 5] if is_hours else BANDS[(i + rng.randrange(6)) % 6]
        )
        requested = _band(la, requested_label, year)
        if requested is None:
            continue
        # The support itself is costed on the provision map (provision.demo: 1:1 teaching
        # assistant support for the same pupils).
        hours = requested.hours_per_week or Decimal(5 + 2 * (i % 4))
        claim = services.claim_create(
            actor=None,
            pupil=pupil,
            requested_band=requested,
            evidence_summary="EHC plan section F; provision map; latest annual review.",
            provision_to_fund=f"{hours} hours a week of teaching assistant support.",
        )
        made += 1
        if i == 3:
            continue  # one draft per school, still being prepared
        services.claim_submit(actor=None, claim=claim, submitted_on=start - datetime.timedelta(days=30))
        if i == 2 and not is_hours:
            services.claim_record_refusal(
                actor=None,
                claim=claim,
                decided_on=start,
                reason="Needs can be met from the school's notional budget.",
            )
            services.claim_appeal(
                actor=None, claim=claim, lodged_on=by_today(start + datetime.timedelta(days=20))
            )
            continue
        # The LA sometimes awards less than asked for.
        awarded = requested
        if i == 1:
            lower = Band.objects.filter(scheme=requested.scheme, annual_value__lt=requested.annual_value)
            awarded = lower.order_by("-annual_value").first() or requested
        services.claim_record_award(actor=None, claim=claim, band=awarded, start_date=start)
        # Termly payments received so far: one or two of three.
        third = (awarded.annual_value / 3).quantize(Decimal("0.01"))
        for term in range(1 + (i % 2)):
            received = start + datetime.timedelta(days=30 + 120 * term)
            if received > today:
                break
            services.payment_record(
                actor=None,
                claim=claim,
                amount=third,
                received_on=received,
                reference=f"{la.name[:3].upper()}-{school.laestab}-{i}{term}",
            )
    return made


def seed(today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        if not Pupil.objects.exists():
            return []
        claims = sum(_seed_school(school, today) for school in School.objects.order_by("laestab"))
        if not figures.horizon_advance():
            figures.rebuild()
        return [f"{Claim.objects.count()} funding claims ({claims} new)"]
