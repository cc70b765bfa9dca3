"""Reads of the funding app for its pages and exports: banding tables, a school's pupil lines,
one claim's money. The totals of schools, LAs and trusts are kept as summary rows and read by
funding.figures (funding_summary here delegates to it). Each function runs a fixed number of
queries, whatever the number of schools, pupils or claims.

"Live claim" (for what is unclaimed): a claim submitted or under appeal, or awarded with an award
in force on the reference date. A draft, a refused or an ended claim is not live."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from core import numbers
from core.prepared import PreparedRead
from provision import selectors as provision_selectors
from provision.rates import StandardRates
from pupils.models import ON_REGISTER, Provision, Pupil
from trusts.models import LocalAuthority, School

from . import calculations as calc
from .models import (
    DEFAULT_HOURLY_RATE,
    DEFAULT_NOTIONAL_THRESHOLD,
    DEFAULT_ON_COST_PERCENT,
    DEFAULT_WEEKS_PER_YEAR,
    Award,
    Band,
    BandingScheme,
    Claim,
    ClaimStatus,
    FundingSettings,
    Payment,
)

S = ClaimStatus
ZERO = calc.ZERO
LIVE_PENDING = (S.SUBMITTED, S.UNDER_APPEAL)


# --- banding tables ---------------------------------------------------------------------------


def schemes_for_year(financial_year: int) -> list[BandingScheme]:
    return list(
        BandingScheme.objects.filter(financial_year=financial_year)
        .select_related("local_authority")
        .prefetch_related("bands")
        .order_by("local_authority__name")
    )


@dataclass
class BandingYear:
    """What banding tables a financial year has, in words for the funding pages."""

    financial_year: int
    schemes: list[BandingScheme]
    # With no table for the year: the latest earlier year with one (None: no earlier table).
    earlier: int | None = None

    @property
    def label(self) -> str:
        return calc.financial_year_label(self.financial_year)

    @property
    def earlier_label(self) -> str:
        return calc.financial_year_label(self.earlier) if self.earlier else ""

    @property
    def carried_forward(self) -> list[dict[str, str]]:
        """[{"from": "2025-26", "las": "Essex, Southend-on-Sea and Thurrock"}], one item per
        year carried from."""
        by_year: dict[int, list[str]] = defaultdict(list)
        for scheme in self.schemes:
            if scheme.carried_forward_from:
                by_year[scheme.carried_forward_from].append(scheme.local_authority.name)
        return [
            {"from": calc.financial_year_label(y), "las": _and_list(names)}
            for y, names in sorted(by_year.items())
        ]


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def banding_year(financial_year: int, schemes: list[BandingScheme] | None = None) -> BandingYear:
    """The year's tables (those already read, when given) and which are carried forward."""
    if schemes is None:
        schemes = schemes_for_year(financial_year)
    earlier = None
    if not schemes:
        earlier = BandingScheme.objects.filter(financial_year__lt=financial_year).aggregate(
            year=Max("financial_year")
        )["year"]
    return BandingYear(financial_year, schemes, earlier)


def _banding_years() -> QuerySet[Any, Any]:
    # No ordering: the schemes' own (by LA name) would join the LAs for nothing.
    return BandingScheme.objects.order_by().values_list("financial_year").distinct()


_BANDING_YEARS = PreparedRead(_banding_years)


def available_years() -> list[int]:
    """The financial years with banding tables, newest first (on every dashboard: prepared)."""
    return sorted((year for (year,) in _BANDING_YEARS.rows()), reverse=True)


def current_financial_year(today: datetime.date | None = None) -> int:
    return calc.financial_year_of(today or timezone.localdate())


def default_financial_year(today: datetime.date | None = None) -> int:
    """The current financial year, or the latest earlier one with banding tables while the
    current year's are not loaded yet."""
    current = current_financial_year(today)
    years = [y for y in available_years() if y <= current]
    return current if not years or current in years else max(years)


def reference_date(financial_year: int, today: datetime.date | None = None) -> datetime.date:
    """Today, brought inside the financial year (its last day for a past year)."""
    start, end = calc.financial_year_bounds(financial_year)
    return min(max(today or timezone.localdate(), start), end)


def _annual_values(la_ids: Iterable[int], up_to_year: int) -> dict[tuple[int, str], dict[int, Decimal]]:
    """{(la_id, band label): {year: annual value}} for every year up to `up_to_year`. A year with
    no table yet takes the last earlier year's value for the band (until the LA publishes one)."""
    rows = Band.objects.filter(
        scheme__local_authority_id__in=set(la_ids), scheme__financial_year__lte=up_to_year
    ).values_list("scheme__local_authority_id", "label", "scheme__financial_year", "annual_value")
    tables: dict[tuple[int, str], dict[int, Decimal]] = defaultdict(dict)
    for la_id, label, year, value in rows:
        tables[(la_id, label)][year] = value
    for values in tables.values():
        first = min(values)
        for year in range(first + 1, up_to_year + 1):
            values.setdefault(year, values[year - 1])
    return tables


@dataclass
class ClaimMoney:
    claim_id: int
    school_id: int
    la_id: int
    pupil_id: int
    expected: Decimal = ZERO


def expected_by_claim(
    school_ids: Iterable[int], financial_year: int, pupil_ids: Iterable[int] | None = None
) -> dict[int, ClaimMoney]:
    """Expected income in the financial year of every claim with an award in it (two queries)."""
    start, end = calc.financial_year_bounds(financial_year)
    awards = Award.objects.filter(claim__school_id__in=list(school_ids), start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    if pupil_ids is not None:
        awards = awards.filter(claim__pupil_id__in=list(pupil_ids))
    rows = list(
        awards.order_by().values_list(
            "claim_id",
            "claim__school_id",
            "claim__local_authority_id",
            "claim__pupil_id",
            "band__label",
            "start_date",
            "end_date",
        )
    )
    tables = _annual_values({r[2] for r in rows}, financial_year) if rows else {}
    terms: dict[int, list[calc.AwardTerms]] = defaultdict(list)
    out: dict[int, ClaimMoney] = {}
    for claim_id, school_id, la_id, pupil_id, label, a_start, a_end in rows:
        out.setdefault(claim_id, ClaimMoney(claim_id, school_id, la_id, pupil_id))
        terms[claim_id].append(calc.AwardTerms(a_start, a_end, tables.get((la_id, label), {})))
    for claim_id, money in out.items():
        money.expected = calc.expected_income(terms[claim_id], start, end)
    return out


# --- provision costs --------------------------------------------------------------------------


@dataclass(frozen=True)
class CostRates:
    hourly_rate: Decimal
    on_cost_percent: Decimal
    weeks_per_year: Decimal
    notional_threshold: Decimal


DEFAULT_RATES = CostRates(
    DEFAULT_HOURLY_RATE, DEFAULT_ON_COST_PERCENT, DEFAULT_WEEKS_PER_YEAR, DEFAULT_NOTIONAL_THRESHOLD
)


def rates_for_schools(school_ids: Iterable[int]) -> dict[int, CostRates]:
    rates = {sid: DEFAULT_RATES for sid in school_ids}
    for row in FundingSettings.objects.filter(school_id__in=list(rates)):
        rates[row.school_id] = CostRates(
            row.hourly_rate, row.on_cost_percent, row.weeks_per_year, row.notional_threshold
        )
    return rates


def rates_for_school(school: School) -> CostRates:
    return rates_for_schools([school.pk])[school.pk]


def standard_rates(rates: CostRates) -> StandardRates:
    """The school's figures as the provision map takes them for an intervention with a blank
    hourly cost or number of weeks: the rate with on-costs (unrounded) and the weeks a year."""
    return StandardRates(rates.hourly_rate * (1 + rates.on_cost_percent / calc.HUNDRED), rates.weeks_per_year)


def standard_rates_for_schools(school_ids: Iterable[int]) -> dict[int, StandardRates]:
    """The provision map's source of standard rates (registered in FundingConfig.ready)."""
    return {pk: standard_rates(r) for pk, r in rates_for_schools(school_ids).items()}


def provision_costs(school_ids: Iterable[int], rates: dict[int, CostRates]) -> dict[int, Decimal]:
    """Each pupil's annual cost of costed provision at the schools, from the provision map (the
    enrolments not ended), keyed by pupil id; pupils with none are absent. One query."""
    return provision_selectors.annual_costs_by_pupil(
        school_ids, {pk: standard_rates(r) for pk, r in rates.items()}
    )


# --- live claims and what is unclaimed --------------------------------------------------------


def live_claim_q(on: datetime.date) -> Q:
    in_force = Award.objects.filter(claim_id=OuterRef("pk"), start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    return Q(status__in=LIVE_PENDING) | (Q(status=S.AWARDED) & Q(Exists(in_force)))


def _pupils_with_live_claim(school_ids: Iterable[int], on: datetime.date) -> QuerySet[Claim, Any]:
    return Claim.objects.filter(school_id__in=list(school_ids)).filter(live_claim_q(on)).values("pupil_id")


def _register(school_ids: Iterable[int]) -> QuerySet[Pupil]:
    return Pupil.objects.filter(
        school_id__in=list(school_ids),
        left_school_on__isnull=True,
        provision__in=ON_REGISTER,
    )


@dataclass
class UnclaimedPupil:
    pupil: Pupil
    reason: str
    annual_cost: Decimal | None = None


def unclaimed_pupils(school_ids: Iterable[int], on: datetime.date) -> list[UnclaimedPupil]:
    """Funding the schools could be getting: pupils with an EHC plan and no live claim, and pupils
    at SEN Support whose costed provision is above the school's notional threshold and who have
    no live claim (three queries)."""
    school_ids = list(school_ids)
    rates = rates_for_schools(school_ids)
    pupils = (
        _register(school_ids)
        .exclude(pk__in=_pupils_with_live_claim(school_ids, on))
        .select_related("school", "home_local_authority")
        .order_by("school__name", "surname", "forename", "pk")
    )
    costs = provision_costs(school_ids, rates)
    out = []
    for pupil in pupils:
        cost = costs.get(pupil.pk)
        reason = _unclaimed_reason(pupil.provision, cost, rates[pupil.school_id])
        if reason:
            out.append(UnclaimedPupil(pupil, reason, cost))
    return out


def _unclaimed_reason(provision: str, cost: Decimal | None, rates: CostRates) -> str | None:
    """Why a pupil with no live claim is funding the school could be getting, or None."""
    if provision == Provision.EHC_PLAN:
        return "EHC plan with no live claim"
    if cost is not None and calc.above_threshold(cost, rates.notional_threshold):
        return "SEN Support costing more than the notional threshold"
    return None


# --- the summary the pages, dashboards and board packs read ----------------------------------
# Kept by funding.figures (summary rows written by the services); these names stay here for the
# pages and callers that read them from the selectors.

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from .figures import FundingSummary

_FIGURES_NAMES = ("FundingSummary", "FundingTotals", "SchoolRow", "LARow", "SchoolName")


def __getattr__(name: str) -> Any:
    # funding.figures imports this module, so its classes are looked up when first asked for.
    if name in _FIGURES_NAMES:
        from . import figures

        return getattr(figures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def funding_summary(
    school_ids: Iterable[int], financial_year: int, today: datetime.date | None = None
) -> FundingSummary:
    """Claimed, awarded (expected in the year and to date), received, shortfall, provision cost,
    gap and unclaimed for the financial year, per school, per LA and in total, read from the
    figures the services keep (funding.figures.summary: three queries)."""
    from . import figures

    return figures.summary(school_ids, financial_year, today)


# --- pupil lines (only for roles that may see pupils) ----------------------------------------


@dataclass
class PupilLine:
    pupil: Pupil
    claims: list[Claim]
    expected: Decimal
    received: Decimal
    annual_cost: Decimal | None
    unclaimed_reason: str = ""

    @property
    def shortfall(self) -> Decimal:
        return calc.shortfall(self.expected, self.received)

    @property
    def gap(self) -> Decimal | None:
        if self.annual_cost is None:
            return None
        return calc.funding_gap(self.annual_cost, self.expected)


def school_pupil_lines(
    school: School, financial_year: int, today: datetime.date | None = None
) -> list[PupilLine]:
    """One line per pupil on the register with a claim, costed provision or eligibility: claims of
    the year (or still live), expected and received in the year, cost and gap."""
    start, end = calc.financial_year_bounds(financial_year)
    on = reference_date(financial_year, today)
    rates = rates_for_school(school)
    pupils = list(
        _register([school.pk]).select_related("home_local_authority").order_by("surname", "forename", "pk")
    )
    costs = provision_costs([school.pk], {school.pk: rates})
    claims_by_pupil: dict[int, list[Claim]] = defaultdict(list)
    claims = (
        Claim.objects.filter(school=school)
        .filter(
            Q(financial_year=financial_year)
            | Q(awards__start_date__lte=end, awards__end_date__isnull=True)
            | Q(awards__start_date__lte=end, awards__end_date__gte=start)
        )
        .distinct()
        .select_related("requested_band__scheme", "local_authority")
        .prefetch_related("awards__band")
        .order_by("pk")
    )
    for claim in claims:
        claims_by_pupil[claim.pupil_id].append(claim)
    expected = expected_by_claim([school.pk], financial_year)
    received = {
        pupil_id: calc.round_pence(total)
        for pupil_id, total in Payment.objects.filter(claim__school=school, received_on__range=(start, end))
        .values("claim__pupil_id")
        .annotate(total=Sum("amount"))
        .values_list("claim__pupil_id", "total")
        .order_by()
    }
    expected_pupil: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for money in expected.values():
        expected_pupil[money.pupil_id] += money.expected
    unclaimed = {u.pupil.pk: u.reason for u in unclaimed_pupils([school.pk], on)}
    lines = []
    for pupil in pupils:
        cost = costs.get(pupil.pk)
        line = PupilLine(
            pupil,
            claims_by_pupil.get(pupil.pk, []),
            expected_pupil.get(pupil.pk, ZERO),
            received.get(pupil.pk, ZERO),
            cost,
            unclaimed.get(pupil.pk, ""),
        )
        if line.claims or cost is not None or line.unclaimed_reason:
            lines.append(line)
    return lines


def claim_money(claim: Claim, financial_year: int) -> tuple[Decimal, Decimal]:
    """Expected and received in the year for one claim."""
    start, end = calc.financial_year_bounds(financial_year)
    expected = expected_by_claim([claim.school_id], financial_year, pupil_ids=[claim.pupil_id])
    money = expected.get(claim.pk)
    received = claim.payments.filter(received_on__range=(start, end)).aggregate(t=Sum("amount"))["t"]
    return (money.expected if money else ZERO), calc.round_pence(received or ZERO)


def claim_expected_total(claim: Claim) -> Decimal:
    """Expected income over the whole life of the claim's awards (open awards to the end of the
    year of their start)."""
    awards = list(claim.awards.select_related("band"))
    if not awards:
        return ZERO
    last = max(
        (a.end_date or calc.financial_year_bounds(calc.financial_year_of(a.start_date))[1]) for a in awards
    )
    tables = _annual_values([claim.local_authority_id], calc.financial_year_of(last))
    terms = [
        calc.AwardTerms(
            a.start_date, a.end_date or last, tables.get((claim.local_authority_id, a.band.label), {})
        )
        for a in awards
    ]
    return calc.expected_income(terms, min(a.start_date for a in awards), last)


# --- claims lists (the pupil page, the SENCO's home page, the claims list) ---------------------

AWAITING = "awaiting"  # the LA has not decided yet: submitted, or under appeal
CLAIM_STATUS_FILTERS = [("", "Any status"), (AWAITING, "Awaiting the LA's decision"), *ClaimStatus.choices]


class _ReceivedTotal(TypedDict):
    received_total: Decimal | None


def pupil_claims(*, pupil_id: int) -> list[WithAnnotations[Claim, _ReceivedTotal]]:
    """A pupil's claims, newest year first, with the LA, the bands, the awards and the money
    received to date (two queries)."""
    return list(
        Claim.objects.filter(pupil_id=pupil_id)
        .select_related("local_authority", "requested_band")
        .prefetch_related("awards__band")
        .annotate(received_total=Sum("payments__amount"))
        .order_by("-financial_year", "-pk")
    )


def claims_awaiting_decision(*, school_ids: Iterable[int]) -> int:
    """Claims of these schools submitted to the LA (or under appeal) and not decided (one query)."""
    return Claim.objects.filter(school_id__in=list(school_ids), status__in=LIVE_PENDING).count()


def claims_list(
    *,
    school_ids: Iterable[int],
    school_id: int | None = None,
    status: str = "",
    financial_year: int | None = None,
) -> QuerySet[Claim]:
    """Claims of these schools for the claims list, filtered by school, status (AWAITING: the
    LA's decision awaited) and financial year; pupil, school, LA and bands joined, awards
    prefetched. A queryset for the caller to order and page (a page costs two queries)."""
    ids = set(school_ids)
    if school_id is not None:
        ids &= {school_id}
    claims = Claim.objects.filter(school_id__in=ids)
    if status == AWAITING:
        claims = claims.filter(status__in=LIVE_PENDING)
    elif status:
        claims = claims.filter(status=status)
    if financial_year:
        claims = claims.filter(financial_year=financial_year)
    return claims.select_related(
        "pupil", "school__trust", "local_authority", "requested_band"
    ).prefetch_related("awards__band")


def claims_counts(claims: QuerySet[Claim]) -> dict[str, int]:
    """How many of these claims there are, awaiting the LA's decision, drafts (one query)."""
    counts: dict[str, int] = claims.order_by().aggregate(
        total=Count("pk"),
        awaiting=Count("pk", filter=Q(status__in=LIVE_PENDING)),
        drafts=Count("pk", filter=Q(status=S.DRAFT)),
    )
    return counts


def hourly_funding_sentences(schemes: Iterable[BandingScheme], weeks_per_year: Decimal) -> list[str]:
    """What each LA that funds by hours pays for an hour of support, from its table: a band's
    annual value over its hours a week for the school's weeks a year. Taken from the table shown
    beside it, so the two cannot disagree."""
    out = []
    weeks = Decimal(weeks_per_year)
    for scheme in schemes:
        bands = [b for b in scheme.bands.all() if b.hours_per_week]
        if not bands or not weeks:
            continue
        rates = [
            (calc.round_pence(b.annual_value / (b.hours_per_week * weeks)), b)
            for b in bands
            if b.hours_per_week
        ]
        low, high = min(r for r, _ in rates), max(r for r, _ in rates)
        example_rate, example = max(rates, key=lambda r: (r[1].hours_per_week, r[1].annual_value))
        span = numbers.money(low) if low == high else f"{numbers.money(low)} to {numbers.money(high)}"
        out.append(
            f"{scheme.local_authority.name} funds {span} an hour of support in its {scheme.label} "
            f"table, over {weeks.normalize():f} weeks ({example.label} a week: "
            f"{numbers.money(example.annual_value)} a year, {numbers.money(example_rate)} an hour)."
        )
    return out


def bands_for(local_authority: LocalAuthority, financial_year: int) -> QuerySet[Band]:
    return Band.objects.filter(
        scheme__local_authority=local_authority, scheme__financial_year=financial_year
    ).select_related("scheme")


def bands_of_la(local_authority: LocalAuthority) -> QuerySet[Band]:
    return (
        Band.objects.filter(scheme__local_authority=local_authority)
        .select_related("scheme")
        .order_by("-scheme__financial_year", "order", "annual_value")
    )
