"""Funding figures kept, not recomputed (DESIGN §5): per-school summary rows written by the
services, and the reads of the pages, dashboards and board packs.

What is kept, per school (funding.models):

* FundingYearFigures, per LA claimed from and financial year: claims made (not drafts),
  awarded, pending (submitted or under appeal), refused, the annual value requested, the
  income expected in the whole year (each claim's expected income in the year rounded half-up
  to the penny once, as funding.calculations.expected_income does), payments received in the
  year, and the expected income of the pupils whose provision is costed.
* FundingRateChange, per LA and financial year: the change of annual value awarded from a day
  (+value on an award's first day in the year, -value the day after its last). The income
  expected from 1 April to any day D is then one GROUP BY over the rows up to D, so it is right
  on every day with no write.
* FundingRegisterChange, per pupils' home LA: +1/-1 changes, from a day, of the pupils
  unclaimed (an EHC plan, or SEN Support costed above the school's notional threshold, and no
  live claim: submitted or under appeal, or awarded with an award in force that day), and the
  cost of the costed provision of pupils on the register (which does not move with the
  calendar, so it changes once, on FundingRegisterChange.FIRST_DAY).

Writes: school_refresh(school_id=...) recomputes one school's rows from its own claims, awards,
payments, provision (the provision map's enrolments not ended, read through
provision.selectors), settings and register (a few queries over that school) and replaces them.
Every funding service calls it at its end, inside its transaction, so a rollback takes both
back; pupils.signals.register_changed calls it for census imports and register changes, and
provision.signals.provision_changed for changes to the provision map; banding tables changed in
the admin rebuild every school.

The horizon: an open-ended award runs "until further notice", so its rows are written for every
financial year up to the horizon, max(the latest year with a banding table, the current year +
1); a year with no table takes each band's last earlier value (as funding.selectors'
_annual_values). The horizon is kept in FiguresHorizon; a daily beat task (horizon_advance)
raises it when the year turns or a later table is loaded, and rebuilds every school then, so
next year's rows are in place a year before they are needed. An award with an end date has rows
to its end, whatever the horizon.

Reads: summary() takes three queries whatever the number of schools, pupils and claims (the
schools' names; the year rows with each row's expected income to date as a subquery; the
register changes up to the day, summed).
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.utils import timezone
from django_scopes import scopes_disabled

from core import bulk
from core.numbers import counted, money
from core.prepared import PreparedRead
from pupils.models import ON_REGISTER, Provision, Pupil
from trusts.models import LocalAuthority, School
from trusts.scoping import scoped_ids

from . import calculations as calc
from . import selectors
from .models import (
    Award,
    BandingScheme,
    Claim,
    ClaimStatus,
    FiguresHorizon,
    FundingRateChange,
    FundingRegisterChange,
    FundingYearFigures,
    Payment,
)

S = ClaimStatus
ZERO = calc.ZERO
LIVE_PENDING = (S.SUBMITTED, S.UNDER_APPEAL)
REGISTER = ON_REGISTER
FIRST_DAY = FundingRegisterChange.FIRST_DAY
YEAR_FIELDS = (
    "claims_submitted",
    "claims_awarded",
    "claims_pending",
    "claims_refused",
    "claimed_value",
    "expected",
    "received",
    "funding_for_costed",
)
# Schools computed together by rebuild() and verify(): a handful of queries per batch.
BATCH = 200
# The summary rows, each keyed by school (rebuilt and verified together).
SUMMARY_MODELS = (FundingYearFigures, FundingRateChange, FundingRegisterChange)


# --- what the pages read ------------------------------------------------------------------------


@dataclass
class FundingTotals:
    claims_submitted: int = 0
    claims_awarded: int = 0
    claims_pending: int = 0
    claims_refused: int = 0
    claimed_value: Decimal = ZERO  # annual value of the bands requested
    expected: Decimal = ZERO  # awarded: income expected in the whole year
    expected_to_date: Decimal = ZERO  # awarded: income expected from 1 April to the reference date
    received: Decimal = ZERO  # received in the year, to date
    provision_cost: Decimal = ZERO  # cost of the costed provision in the year
    funding_for_costed: Decimal = ZERO  # expected income of the pupils whose provision is costed
    unclaimed_ehcp: int = 0
    unclaimed_sen_support: int = 0

    @property
    def shortfall(self) -> Decimal:
        """What the LAs should have paid by the reference date and have not: a year's income
        compared with what has arrived so far would show most of the year as owed."""
        return calc.shortfall(self.expected_to_date, self.received)

    @property
    def gap(self) -> Decimal:
        return calc.funding_gap(self.provision_cost, self.funding_for_costed)

    @property
    def unclaimed(self) -> int:
        return self.unclaimed_ehcp + self.unclaimed_sen_support

    def add(self, other: FundingTotals) -> None:
        # Field by field rather than a loop over the dataclass's fields: a dashboard adds a few
        # hundred rows, and setattr/getattr by name cost several times more.
        self.claims_submitted += other.claims_submitted
        self.claims_awarded += other.claims_awarded
        self.claims_pending += other.claims_pending
        self.claims_refused += other.claims_refused
        self.claimed_value += other.claimed_value
        self.expected += other.expected
        self.expected_to_date += other.expected_to_date
        self.received += other.received
        self.provision_cost += other.provision_cost
        self.funding_for_costed += other.funding_for_costed
        self.unclaimed_ehcp += other.unclaimed_ehcp
        self.unclaimed_sen_support += other.unclaimed_sen_support


@dataclass(frozen=True)
class SchoolName:
    """What the funding tables show of a school (read as plain values: model instances of a
    hundred schools and their LAs take several milliseconds to build)."""

    pk: int
    name: str
    laestab: str
    trust_id: int
    la_name: str


@dataclass
class SchoolRow:
    school: SchoolName
    totals: FundingTotals = field(default_factory=FundingTotals)


@dataclass
class LARow:
    local_authority: LocalAuthority
    totals: FundingTotals = field(default_factory=FundingTotals)


@dataclass
class FundingSummary:
    financial_year: int
    reference_date: datetime.date
    schools: list[SchoolRow]
    local_authorities: list[LARow]
    total: FundingTotals

    @property
    def label(self) -> str:
        return calc.financial_year_label(self.financial_year)

    @property
    def year_complete(self) -> bool:
        """The reference date is the year's last day: expected to date is the year's total."""
        return self.reference_date == calc.financial_year_bounds(self.financial_year)[1]


LA_FIELDS = (
    "local_authority_id",
    "local_authority__code",
    "local_authority__name",
    "local_authority__funding_unit",
)


def _la(pk: int, code: int, name: str, funding_unit: str) -> LocalAuthority:
    # Built from the columns already read with the figures: a query for the handful of LAs
    # would be a fourth.
    return LocalAuthority(pk=pk, code=code, name=name, funding_unit=funding_unit)


def _year_rows(
    school_ids: list[int], financial_year: int, day_index: int, days_counted: int
) -> QuerySet[Any, Any]:
    """summary's figures per school and LA for the year, each with the annual values awarded
    summed over the days up to the reference date (`day_index`, `days_counted` = day_index +
    1): sum(change x (days_counted - day)) over the changes up to it, divided once by the days
    in the year by the caller."""
    value_days = (
        FundingRateChange.objects.with_scope(school=school_ids)
        .filter(
            school_id=OuterRef("school_id"),
            local_authority_id=OuterRef("local_authority_id"),
            financial_year=financial_year,
            day_index__lte=day_index,
        )
        .order_by()
        .values("school_id")
        .annotate(
            t=Sum(
                ExpressionWrapper(
                    F("annual_value_change") * (Value(days_counted) - F("day_index")),
                    output_field=DecimalField(max_digits=20, decimal_places=2),
                )
            )
        )
        .values("t")
    )
    return (
        FundingYearFigures.objects.with_scope(school=school_ids)
        .filter(financial_year=financial_year)
        .order_by()
        .values_list("school_id", *LA_FIELDS, *YEAR_FIELDS)
        .annotate(value_days=Subquery(value_days))
    )


def _register_rows(school_ids: list[int], on: datetime.date) -> QuerySet[Any, Any]:
    """summary's unclaimed pupils and costed provision per school and LA on the reference date."""
    return (
        FundingRegisterChange.objects.with_scope(school=school_ids)
        .filter(day__lte=on)
        .order_by()
        .values_list("school_id", *LA_FIELDS)
        .annotate(
            ehcp=Sum("unclaimed_ehcp_change"),
            sen_support=Sum("unclaimed_sen_support_change"),
            costed=Sum("costed_pupils_change"),
            cost=Sum("provision_cost_change"),
        )
    )


_YEAR_ROWS = PreparedRead(_year_rows)
_REGISTER_ROWS = PreparedRead(_register_rows)


def summary(
    school_ids: Iterable[int],
    financial_year: int,
    today: datetime.date | None = None,
    *,
    names: Iterable[SchoolName] | None = None,
) -> FundingSummary:
    """Claimed, awarded (expected in the year and to the reference date), received, shortfall,
    provision cost, gap and unclaimed for the financial year, per school, per LA (the LA claimed
    from, which is the pupil's home LA) and in total, read from the kept figures. The caller
    passes only school ids the user may see (trusts.access). Three queries, or two when the
    caller has read the schools' names already (`names`, in the order to show them)."""
    ids = sorted({int(pk) for pk in school_ids})
    on = selectors.reference_date(financial_year, today)
    start, end = calc.financial_year_bounds(financial_year)
    day_index = (on - start).days
    days = calc.days_in_financial_year(financial_year)

    if names is None:
        names = [
            SchoolName(pk, name, laestab, trust_id, la_name)
            for pk, name, laestab, trust_id, la_name in School.objects.filter(pk__any_of=ids)
            .order_by("name", "laestab")
            .values_list("pk", "name", "laestab", "trust_id", "local_authority__name")
        ]
    wanted = set(ids)
    schools = {name.pk: SchoolRow(name) for name in names if name.pk in wanted}

    scoped = scoped_ids(ids)
    year_rows = _YEAR_ROWS.rows(
        school_ids=scoped, financial_year=financial_year, day_index=day_index, days_counted=day_index + 1
    )
    register_rows = _REGISTER_ROWS.rows(school_ids=scoped, on=on)

    las: dict[int, LocalAuthority] = {}
    by_la: dict[int, FundingTotals] = {}

    def both(school_id: int, la: tuple[int, int, str, str]) -> tuple[FundingTotals, FundingTotals]:
        if la[0] not in las:
            las[la[0]] = _la(*la)
            by_la[la[0]] = FundingTotals()
        return schools[school_id].totals, by_la[la[0]]

    for school_id, *rest in year_rows:
        la, figures, value_days_sum = rest[:4], rest[4:-1], rest[-1]
        # On the year's last day, the year's total (rounded per claim), so that a past year's
        # expected to date is its total to the penny.
        to_date = figures[5] if on >= end else calc.round_pence((value_days_sum or 0) / Decimal(days))
        line = FundingTotals(**dict(zip(YEAR_FIELDS, figures, strict=True)), expected_to_date=to_date)
        for t in both(school_id, la):
            t.add(line)

    for school_id, *la, ehcp, sen_support, costed, cost in register_rows:
        # A pupil no longer unclaimed leaves changes that sum to nothing; an LA appears for
        # pupils unclaimed on the day or with costed provision, as it always has.
        if not (ehcp or sen_support or costed):
            continue
        for t in both(school_id, la):
            t.unclaimed_ehcp += ehcp
            t.unclaimed_sen_support += sen_support
            t.provision_cost += cost

    la_rows = sorted((LARow(las[pk], t) for pk, t in by_la.items()), key=lambda r: r.local_authority.name)
    total = FundingTotals()
    for row in schools.values():
        total.add(row.totals)
    return FundingSummary(financial_year, on, list(schools.values()), la_rows, total)


def by_trust(summary: FundingSummary) -> dict[int, FundingTotals]:
    """The summary's school rows added up per trust (sums of the same figures; no query)."""
    out: dict[int, FundingTotals] = {}
    for row in summary.schools:
        out.setdefault(row.school.trust_id, FundingTotals()).add(row.totals)
    return out


def funding_sentences(summary: FundingSummary) -> list[str]:
    """The funding part of a dashboard's or board pack's summary, in plain English."""
    t = summary.total
    if summary.year_complete:
        income = (
            f"Awards were expected to bring {money(t.expected)} in the year; "
            f"{money(t.received)} was received, a shortfall of {money(t.shortfall)}."
        )
    else:
        income = (
            f"Awards were expected to bring {money(t.expected_to_date)} by "
            f"{summary.reference_date:%-d %B %Y} ({money(t.expected)} in the whole year); "
            f"{money(t.received)} has been received, a shortfall of {money(t.shortfall)}."
        )
    out = [
        f"In the financial year {summary.label} (to {summary.reference_date:%-d %B %Y}), "
        f"{counted(t.claims_submitted, 'claim')} for top-up funding worth {money(t.claimed_value)} a "
        f"year were made ({t.claims_awarded:,} awarded, {t.claims_pending:,} awaiting a "
        f"decision, {t.claims_refused:,} refused). {income}",
        f"The costed provision of pupils costs {money(t.provision_cost)} against "
        f"{money(t.funding_for_costed)} of funding for them: a funding gap of {money(t.gap)}.",
    ]
    if t.unclaimed:
        out.append(
            f"{counted(t.unclaimed, 'pupil')} may be eligible for funding with no live claim "
            f"({t.unclaimed_ehcp:,} with an EHC plan, {t.unclaimed_sen_support:,} at SEN "
            "Support with costed provision above the notional threshold)."
        )
    else:
        out.append("No pupil appears eligible for top-up funding without a live claim.")
    return out


# --- the horizon ------------------------------------------------------------------------------


def _horizon_for(today: datetime.date) -> int:
    latest = (
        BandingScheme.objects.order_by("-financial_year").values_list("financial_year", flat=True).first()
    )
    return max(latest or 0, calc.financial_year_of(today) + 1)


def horizon_year(today: datetime.date | None = None) -> int:
    """The last financial year open-ended awards have rows for: the stored horizon, or a later
    one when the year has turned and the beat step has not run yet."""
    stored = FiguresHorizon.objects.values_list("financial_year", flat=True).first()
    return max(stored or 0, _horizon_for(today or timezone.localdate()))


@transaction.atomic
def horizon_advance(today: datetime.date | None = None) -> bool:
    """Daily (Celery beat), and after a banding table is changed: when the horizon has moved
    (a new financial year, a later table), rebuild every school so each has rows up to it."""
    wanted = _horizon_for(today or timezone.localdate())
    row = FiguresHorizon.objects.select_for_update().first()
    if row is not None and row.financial_year >= wanted:
        return False
    if row is None:
        row = FiguresHorizon(financial_year=wanted)
    row.financial_year = wanted
    row.save()
    rebuild()
    return True


def banding_changed() -> int:
    """A banding table was added, changed or deleted (the admin, its import of bands): every
    school's expected income may change, for that year and, through the values later years
    without a table take from it, after it. Rebuilds every school (a handful of queries per
    batch of schools); returns how many."""
    if horizon_advance():
        return School.objects.count()
    return rebuild()


# --- computing a school's rows from its source rows -------------------------------------------


@dataclass
class Figures:
    """Every kept row of some schools, in memory, keyed as in the tables."""

    years: dict[tuple[int, int, int], dict[str, int | Decimal]] = field(default_factory=dict)
    rates: dict[tuple[int, int, int, int], Decimal] = field(default_factory=dict)
    # [unclaimed EHCP, unclaimed SEN Support, costed pupils, provision cost] changes of a day.
    register: dict[tuple[int, int, datetime.date], list[int | Decimal]] = field(default_factory=dict)

    def year(self, school_id: int, la_id: int, year: int) -> dict[str, int | Decimal]:
        key = (school_id, la_id, year)
        if key not in self.years:
            self.years[key] = {name: (ZERO if name in MONEY_FIELDS else 0) for name in YEAR_FIELDS}
        return self.years[key]

    def register_change(self, school_id: int, la_id: int, day: datetime.date) -> list[int | Decimal]:
        return self.register.setdefault((school_id, la_id, day), [0, 0, 0, ZERO])


MONEY_FIELDS = {"claimed_value", "expected", "received", "funding_for_costed"}


def _day_after(day: datetime.date) -> datetime.date | None:
    return None if day == datetime.date.max else day + datetime.timedelta(days=1)


def _compute(school_ids: list[int], horizon: int) -> Figures:
    """Every kept row of the schools, from their source rows (seven queries)."""
    out = Figures()
    claims = list(
        Claim.objects.filter(school_id__any_of=school_ids)
        .exclude(status=S.DRAFT)
        .order_by()
        .values_list(
            "pk",
            "school_id",
            "local_authority_id",
            "financial_year",
            "status",
            "pupil_id",
            "requested_band__annual_value",
        )
    )
    awards = list(
        Award.objects.filter(claim__school_id__any_of=school_ids)
        .order_by()
        .values_list(
            "claim_id",
            "claim__school_id",
            "claim__local_authority_id",
            "claim__pupil_id",
            "claim__status",
            "band__label",
            "start_date",
            "end_date",
        )
    )

    for _pk, school_id, la_id, year, status, _pupil, value in claims:
        line = out.year(school_id, la_id, year)
        line["claims_submitted"] += 1
        line["claimed_value"] += value
        line["claims_awarded"] += status == S.AWARDED
        line["claims_pending"] += status in LIVE_PENDING
        line["claims_refused"] += status == S.REFUSED

    # Expected income: each award's days in each financial year it runs into, up to the horizon
    # when it is open-ended.
    def last_year(start: datetime.date, end: datetime.date | None) -> int:
        return calc.financial_year_of(end) if end else max(horizon, calc.financial_year_of(start))

    up_to = max((last_year(a[6], a[7]) for a in awards), default=horizon)
    tables = selectors._annual_values({a[2] for a in awards}, up_to) if awards else {}
    by_claim: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for award in awards:
        by_claim[award[0]].append(award)
    expected_by_pupil: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: ZERO)
    for claim_awards in by_claim.values():
        _claim_id, school_id, la_id, pupil_id = claim_awards[0][:4]
        years = sorted(
            {y for a in claim_awards for y in range(calc.financial_year_of(a[6]), last_year(a[6], a[7]) + 1)}
        )
        for year in years:
            y_start, y_end = calc.financial_year_bounds(year)
            terms = []
            for *_, label, a_start, a_end in claim_awards:
                if a_start > y_end or (a_end is not None and a_end < y_start):
                    continue
                values = tables.get((la_id, label), {})
                annual = values.get(year)
                if annual is None:
                    # No table of the LA for this year or before it: nothing can be expected
                    # (the funding pages warn of the missing table).
                    continue
                terms.append(calc.AwardTerms(a_start, a_end, values))
                first = max(a_start, y_start)
                last = min(a_end, y_end) if a_end else y_end
                key = (school_id, la_id, year)
                out.rates[(*key, (first - y_start).days)] = (
                    out.rates.get((*key, (first - y_start).days), ZERO) + annual
                )
                if last < y_end:
                    index = (last - y_start).days + 1
                    out.rates[(*key, index)] = out.rates.get((*key, index), ZERO) - annual
            line = out.year(school_id, la_id, year)
            expected = calc.expected_income(terms, y_start, y_end) if terms else ZERO
            line["expected"] += expected
            expected_by_pupil[(school_id, pupil_id, year)] += expected

    for school_id, la_id, received_on, amount in (
        Payment.objects.filter(claim__school_id__any_of=school_ids)
        .order_by()
        .values_list("claim__school_id", "claim__local_authority_id", "received_on", "amount")
    ):
        out.year(school_id, la_id, calc.financial_year_of(received_on))["received"] += amount

    rates = selectors.rates_for_schools(school_ids)
    pupil_years: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)
    for (school_id, pupil_id, year), expected in expected_by_pupil.items():
        pupil_years[(school_id, pupil_id)].append((year, expected))
    register = list(
        Pupil.objects.filter(
            school_id__any_of=school_ids,
            left_school_on__isnull=True,
            provision__in=REGISTER,
        )
        .order_by()
        .values_list("pk", "school_id", "home_local_authority_id", "provision")
    )
    # The cost of each pupil's provision, from the provision map (funding.selectors).
    costs = selectors.provision_costs(school_ids, rates)
    for pupil_id, school_id, home_la_id, _provision in register:
        cost = costs.get(pupil_id)
        if cost is None:
            continue
        change = out.register_change(school_id, home_la_id, FIRST_DAY)
        change[2] += 1
        change[3] += cost
        for year, expected in pupil_years.get((school_id, pupil_id), []):
            out.year(school_id, home_la_id, year)["funding_for_costed"] += expected

    _unclaimed(out, claims, awards, rates, register, costs)
    out.rates = {k: v for k, v in out.rates.items() if v}
    out.register = {k: v for k, v in out.register.items() if any(v)}
    return out


def _unclaimed(
    out: Figures,
    claims: list[tuple[Any, ...]],
    awards: list[tuple[Any, ...]],
    rates: dict[int, selectors.CostRates],
    register: list[tuple[Any, ...]],
    costs: dict[int, Decimal],
) -> None:
    """+1 from the first day a pupil eligible for funding has no live claim, -1 from the day an
    award of theirs comes into force, +1 again the day after it ends. A claim counts for the
    pupil at the school that made it."""
    pending = {
        (school_id, pupil_id)
        for _pk, school_id, _la, _y, status, pupil_id, _v in claims
        if status in LIVE_PENDING
    }
    in_force: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    for _claim, school_id, _la, pupil_id, status, _label, start, end in awards:
        if status == S.AWARDED:
            in_force[(school_id, pupil_id)].append((start, end))
    for pupil_id, school_id, la_id, provision in register:
        cost = costs.get(pupil_id)
        if not selectors._unclaimed_reason(provision, cost, rates[school_id]):
            continue
        if (school_id, pupil_id) in pending:
            continue
        column = 0 if provision == Provision.EHC_PLAN else 1
        out.register_change(school_id, la_id, FIRST_DAY)[column] += 1
        for start, end in _merged(in_force.get((school_id, pupil_id), [])):
            out.register_change(school_id, la_id, start)[column] -= 1
            after = _day_after(end) if end else None
            if after:
                out.register_change(school_id, la_id, after)[column] += 1


def _merged(
    spans: list[tuple[datetime.date, datetime.date | None]],
) -> list[tuple[datetime.date, datetime.date | None]]:
    """Spans of days covered by any award, overlapping or touching ones joined (an end of None
    is open)."""
    out: list[tuple[datetime.date, datetime.date | None]] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if out and (out[-1][1] is None or (start - out[-1][1]).days <= 1):
            last_start, last_end = out[-1]
            if last_end is not None and (end is None or end > last_end):
                out[-1] = (last_start, end)
        else:
            out.append((start, end))
    return out


# --- writing ----------------------------------------------------------------------------------

_deferred = threading.local()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Refresh each school once at the end of a block of many writes (a remittance file of a
    hundred payments) instead of after every one; the refresh still runs in the transaction."""
    if getattr(_deferred, "school_ids", None) is not None:
        yield
        return
    _deferred.school_ids = set()
    try:
        yield
        ids = _deferred.school_ids
    finally:
        _deferred.school_ids = None
    schools_refresh(school_ids=ids)


def school_refresh(*, school_id: int) -> None:
    """Recompute one school's kept rows from its source rows and replace them (runs in the
    caller's transaction: a rollback takes the figures back with the write)."""
    schools_refresh(school_ids=[school_id])


def schools_refresh(*, school_ids: Iterable[int]) -> None:
    """school_refresh for several schools at once (a census file of many schools): the same
    few queries for a batch of schools as for one."""
    ids = sorted({int(pk) for pk in school_ids})
    pending = getattr(_deferred, "school_ids", None)
    if pending is not None:
        pending.update(ids)
        return
    if not ids:
        return
    with scopes_disabled():
        horizon = horizon_year()
        for batch in _batches(ids):
            _replace(batch, _compute(batch, horizon))


REGISTER_COLUMNS = (
    "unclaimed_ehcp_change",
    "unclaimed_sen_support_change",
    "costed_pupils_change",
    "provision_cost_change",
)


_Kept = TypeVar("_Kept", FundingYearFigures, FundingRateChange, FundingRegisterChange)


def _sync(
    model: type[_Kept],
    existing: dict[tuple[Any, ...], tuple[int, dict[str, object]]],
    wanted: dict[tuple[Any, ...], dict[str, object]],
    key_fields: tuple[str, ...],
) -> None:
    """Make the stored rows `existing` ({key: (pk, {field: value})}) equal `wanted`, writing
    only the rows that differ: a write that changes nothing leaves the table as it was."""
    stale = [pk for key, (pk, _values) in existing.items() if key not in wanted]
    changed: list[_Kept] = []
    new: list[_Kept] = []
    for key, values in wanted.items():
        if key not in existing:
            new.append(model(**dict(zip(key_fields, key, strict=True)), **values))
        elif existing[key][1] != values:
            changed.append(model(pk=existing[key][0], **values))
    if stale:
        model.objects.filter(pk__in=stale).delete()
    if changed:
        model.objects.bulk_update(changed, list(next(iter(wanted.values()))))
    bulk.insert(model, new)


@transaction.atomic
def _replace(school_ids: list[int], figures: Figures) -> None:
    def existing(
        model: type[_Kept], key_fields: tuple[str, ...], value_fields: tuple[str, ...]
    ) -> dict[tuple[Any, ...], tuple[int, dict[str, object]]]:
        rows = model.objects.filter(school_id__any_of=school_ids).values_list(
            "pk", *key_fields, *value_fields
        )
        n = len(key_fields)
        return {
            tuple(row[1 : n + 1]): (row[0], dict(zip(value_fields, row[n + 1 :], strict=True)))
            for row in rows
        }

    keys: tuple[str, ...] = ("school_id", "local_authority_id", "financial_year")
    _sync(
        FundingYearFigures,
        existing(FundingYearFigures, keys, YEAR_FIELDS),
        {k: dict(v) for k, v in figures.years.items()},
        keys,
    )
    keys = ("school_id", "local_authority_id", "financial_year", "day_index")
    _sync(
        FundingRateChange,
        existing(FundingRateChange, keys, ("annual_value_change",)),
        {k: {"annual_value_change": v} for k, v in figures.rates.items()},
        keys,
    )
    keys = ("school_id", "local_authority_id", "day")
    _sync(
        FundingRegisterChange,
        existing(FundingRegisterChange, keys, REGISTER_COLUMNS),
        {k: dict(zip(REGISTER_COLUMNS, v, strict=True)) for k, v in figures.register.items()},
        keys,
    )


def _batches(school_ids: Iterable[int] | None) -> Iterator[list[int]]:
    ids = (
        sorted(set(school_ids))
        if school_ids is not None
        else list(School.objects.order_by("pk").values_list("pk", flat=True))
    )
    for i in range(0, len(ids), BATCH):
        yield ids[i : i + BATCH]


def rebuild(school_ids: Iterable[int] | None = None) -> int:
    """Every kept row of the schools (default: all) from the source rows. Returns the number of
    schools rebuilt."""
    done = 0
    with scopes_disabled(), transaction.atomic():
        horizon = horizon_year()
        for ids in _batches(school_ids):
            _replace(ids, _compute(ids, horizon))
            done += len(ids)
    return done


# --- verifying ----------------------------------------------------------------------------------


def _stored(school_ids: list[int]) -> Figures:
    out = Figures()
    for s, la, y, *values in FundingYearFigures.objects.filter(school_id__any_of=school_ids).values_list(
        "school_id", "local_authority_id", "financial_year", *YEAR_FIELDS
    ):
        out.years[(s, la, y)] = dict(zip(YEAR_FIELDS, values, strict=True))
    for s, la, y, i, value in FundingRateChange.objects.filter(school_id__any_of=school_ids).values_list(
        "school_id", "local_authority_id", "financial_year", "day_index", "annual_value_change"
    ):
        out.rates[(s, la, y, i)] = value
    for s, la, day, *values in FundingRegisterChange.objects.filter(school_id__any_of=school_ids).values_list(
        "school_id",
        "local_authority_id",
        "day",
        "unclaimed_ehcp_change",
        "unclaimed_sen_support_change",
        "costed_pupils_change",
        "provision_cost_change",
    ):
        out.register[(s, la, day)] = list(values)
    return out


REGISTER_NAMES = (
    "pupils unclaimed with an EHC plan",
    "pupils unclaimed at SEN Support",
    "pupils with costed provision",
    "cost of costed provision",
)


def verify(school_ids: Iterable[int] | None = None) -> list[str]:
    """Recompute every school's rows in memory and compare them with the stored ones: one
    plain-English line per difference, naming the school, LA, year (or day) and figure. Empty
    when all agree."""
    lines: list[str] = []
    with scopes_disabled():
        schools = dict(School.objects.values_list("pk", "name"))
        las = dict(LocalAuthority.objects.values_list("pk", "name"))
        horizon = horizon_year()
        for ids in _batches(school_ids):
            want, have = _compute(ids, horizon), _stored(ids)
            for year_key in sorted(set(want.years) | set(have.years)):
                s, la, y = year_key
                w, h = want.years.get(year_key), have.years.get(year_key)
                where = f"{schools.get(s, s)}, {las.get(la, la)}, {calc.financial_year_label(y)}"
                if w is None or h is None:
                    state = "missing" if h is None else "stored but should not be"
                    lines.append(f"{where}: figures for the year are {state}.")
                    continue
                for name in YEAR_FIELDS:
                    if w[name] != h[name]:
                        lines.append(f"{where}: {name.replace('_', ' ')} is {h[name]}, should be {w[name]}.")
            for rate_key in sorted(set(want.rates) | set(have.rates)):
                s, la, y, i = rate_key
                w_rate, h_rate = want.rates.get(rate_key, ZERO), have.rates.get(rate_key, ZERO)
                if w_rate != h_rate:
                    day = calc.financial_year_bounds(y)[0] + datetime.timedelta(days=i)
                    lines.append(
                        f"{schools.get(s, s)}, {las.get(la, la)}, "
                        f"{calc.financial_year_label(y)}: change of annual value awarded "
                        f"from {day:%-d %B %Y} is {h_rate}, should be {w_rate}."
                    )
            for register_key in sorted(set(want.register) | set(have.register)):
                s, la, day = register_key
                w_change = want.register.get(register_key, [0, 0, 0, ZERO])
                h_change = have.register.get(register_key, [0, 0, 0, ZERO])
                when = "from the start" if day == FIRST_DAY else f"from {day:%-d %B %Y}"
                for name, wv, hv in zip(REGISTER_NAMES, w_change, h_change, strict=True):
                    if wv != hv:
                        lines.append(
                            f"{schools.get(s, s)}, {las.get(la, la)}: change of {name} "
                            f"{when} is {hv}, should be {wv}."
                        )
    return lines
