"""Demo data for funding: the 2025-26 banding tables from the reference file (the latest each
LA has published), carried forward into every later financial year up to the current one, and,
once pupils exist, a fixed handful of claims, awards and payments per school for the current
financial year (for the pupils whose support provision.demo costs on the provision map), dated
relative to today. Idempotent:
rows are found by natural keys, and a school that already has demo claims is left alone.
The claims go through funding.services, which keep each school's funding figures; the tables
are loaded directly, so the figures are rebuilt from the source rows at the end (a rebuild that
finds them right writes nothing)."""

from __future__ import annotations

import csv
import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import Provision, Pupil
from trusts.models import LocalAuthority, School

from . import calculations as calc
from . import figures, services
from .models import Band, BandingScheme, Claim

REFERENCE_FILE = Path(settings.BASE_DIR) / "data" / "reference" / "la_banding_2025.csv"
REFERENCE_YEAR = 2025
SEED = 4  # random.Random seed: the same claims on every machine


def seed_banding_tables(path: Path = REFERENCE_FILE, financial_year: int = REFERENCE_YEAR) -> int:
    """Load one year's tables (create only: an existing band keeps its value). Returns the
    number of bands in the file."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    las = {la.code: la for la in LocalAuthority.objects.all()}
    order: dict[int, int] = {}
    for row in rows:
        la = las.get(int(row["la_code"]))
        if la is None:
            continue
        scheme, _ = BandingScheme.objects.get_or_create(local_authority=la, financial_year=financial_year)
        order[la.code] = order.get(la.code, 0) + 1
        hours = row["hours_per_week"].strip()
        Band.objects.get_or_create(
            scheme=scheme, label=row["band"].strip(),
            defaults={"hours_per_week": Decimal(hours) if hours else None,
                      "annual_value": Decimal(row["annual_value_gbp"]), "order": order[la.code]},
        )
    return len(rows)


def _band(la: LocalAuthority, label: str, year: int) -> Band | None:
    return Band.objects.filter(
        scheme__local_authority=la, scheme__financial_year=year, label=label
    ).first()


# Hours awarded by Thurrock and bands by Essex and Southend, cycled through deterministically.
THURROCK_HOURS = ["10 hours", "15 hours", "7.5 hours", "12.5 hours", "5 hours"]
BANDS = ["2", "3", "4", "5", "3", "2"]


def _seed_school(school: School, today: datetime.date) -> int:
    if Claim.objects.filter(school=school).exists():
        return 0
    rng = random.Random(f"{SEED}-{school.laestab}")
    pupils = list(
        Pupil.objects.filter(school=school, provision=Provision.EHC_PLAN, left_school_on__isnull=True)
        .select_related("home_local_authority").order_by("upn", "pk")
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
        requested_label = THURROCK_HOURS[(i + rng.randrange(5)) % 5] if is_hours else BANDS[
            (i + rng.randrange(6)) % 6]
        requested = _band(la, requested_label, year)
        if requested is None:
            continue
        # The support itself is costed on the provision map (provision.demo: 1:1 teaching
        # assistant support for the same pupils).
        hours = requested.hours_per_week or Decimal(5 + 2 * (i % 4))
        claim = services.claim_create(
            actor=None, pupil=pupil, requested_band=requested,
            evidence_summary="EHC plan section F; provision map; latest annual review.",
            provision_to_fund=f"{hours} hours a week of teaching assistant support.",
        )
        made += 1
        if i == 3:
            continue  # one draft per school, still being prepared
        services.claim_submit(actor=None, claim=claim, submitted_on=start - datetime.timedelta(days=30))
        if i == 2 and not is_hours:
            services.claim_record_refusal(actor=None, claim=claim, decided_on=start,
                                          reason="Needs can be met from the school's notional budget.")
            services.claim_appeal(actor=None, claim=claim,
                                  lodged_on=by_today(start + datetime.timedelta(days=20)))
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
                actor=None, claim=claim, amount=third,
                received_on=received,
                reference=f"{la.name[:3].upper()}-{school.laestab}-{i}{term}",
            )
    return made


def seed(today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        bands = seed_banding_tables()
        lines = [f"{bands} bands in the {calc.financial_year_label(REFERENCE_YEAR)} LA banding "
                 "tables"]
        # No later table is published in the reference data: until one is, each LA's latest
        # rates carry forward, and the funding pages say so.
        carried = services.banding_carry_forward(actor=None,
                                                 up_to_year=calc.financial_year_of(today))
        carried_years = sorted(set(BandingScheme.objects.filter(carried_forward_from__isnull=False)
                                   .values_list("financial_year", flat=True)))
        if carried_years:
            lines.append(f"{calc.financial_year_label(REFERENCE_YEAR)} rates carried forward to "
                         f"{', '.join(map(calc.financial_year_label, carried_years))}"
                         f"{f' ({carried} new tables)' if carried else ''}")
        if not Pupil.objects.exists():
            figures.horizon_advance()
            return lines
        claims = sum(_seed_school(school, today) for school in School.objects.order_by("laestab"))
        if not figures.horizon_advance():
            figures.rebuild()
        lines.append(f"{Claim.objects.count()} funding claims ({claims} new)")
        return lines
