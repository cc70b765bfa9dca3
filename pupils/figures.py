"""The register's figures (DESIGN §3, §5): pupils with SEND by school and census, against the
national averages and previous censuses, read from the census snapshots the census import keeps
(pupils.CensusSnapshot), never from pupil rows.

Rules (core.numbers): percentages are computed from counts and rounded half-up to one decimal
place; group totals (a trust, a phase, all the trusts of a user) are sums of counts, never
averages of percentages; counts from 1 to 4 are shown as "fewer than 5" wherever a figure is
broken down below school level (needs, year groups) for a reader who may not see pupils.

Reads happen in a fixed number of queries whatever the number of schools: the schools with
their latest two censuses come from one windowed query (no correlated subquery, which
PostgreSQL would run once per row), the trend and the census dates from one GROUP BY, the
national averages from one query.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Max, Sum, When, Window
from django.db.models.functions import Cast, RowNumber

from core.numbers import Count, pct, pct_text
from core.prepared import PreparedRead
from trusts.models import School, national_phase
from trusts.scoping import scoped_ids, within

from .models import CensusSnapshot, NationalAverage, Need


def _setting_points(name: str) -> Decimal:
    return Decimal(str(getattr(settings, name)))


# --- Counts and percentages ---------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Pupil counts of one school at one census, or of a group of schools (summed counts)."""

    number_on_roll: int = 0
    ehcp: int = 0
    sen_support: int = 0
    schools: int = 1
    # Worked out once, when the counts are made: a table reads each school's percentages
    # several times (flags, cells, charts, sorting).
    ehcp_pct: Decimal | None = field(init=False, repr=False, compare=False)
    sen_support_pct: Decimal | None = field(init=False, repr=False, compare=False)
    total_pct: Decimal | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        roll = self.number_on_roll
        object.__setattr__(self, "ehcp_pct", pct(self.ehcp, roll))
        object.__setattr__(self, "sen_support_pct", pct(self.sen_support, roll))
        object.__setattr__(self, "total_pct", pct(self.ehcp + self.sen_support, roll))

    @property
    def total_send(self) -> int:
        return self.ehcp + self.sen_support

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.number_on_roll + other.number_on_roll,
            self.ehcp + other.ehcp,
            self.sen_support + other.sen_support,
            self.schools + other.schools,
        )

    @classmethod
    def total(cls, items: Iterable[Figures]) -> Figures:
        roll = ehcp = sen_support = schools = 0
        for item in items:
            roll += item.number_on_roll
            ehcp += item.ehcp
            sen_support += item.sen_support
            schools += item.schools
        return cls(roll, ehcp, sen_support, schools)


@dataclass(frozen=True)
class National:
    phase: str
    ehcp_pct: Decimal
    sen_support_pct: Decimal
    total_pct: Decimal
    source: str = ""
    year: str = ""

    @property
    def source_text(self) -> str:
        """Where the figures come from, with their year: "Special educational needs in
        England, 2024/25"."""
        return ", ".join(part for part in (self.source, self.year) if part)


def _nationals() -> models.QuerySet[Any, Any]:
    return NationalAverage.objects.order_by("phase").values_list(
        "phase", "ehcp_pct", "sen_support_pct", "total_send_pct", "source", "year"
    )


_NATIONALS = PreparedRead(_nationals)


def national_averages() -> dict[str, National]:
    """National percentages by phase ("primary", "secondary"), one query."""
    return {row[0]: National(*row) for row in _NATIONALS.rows()}


def national_sources(nationals: dict[str, National]) -> str:
    """Where the national figures shown come from, with their year, in one sentence for
    under a table that compares with them ("" when nothing says)."""
    by_text: dict[str, list[str]] = {}
    for phase in sorted(nationals):
        by_text.setdefault(nationals[phase].source_text, []).append(phase)
    if list(by_text) == [""]:
        return ""
    if len(by_text) == 1:
        return f"National averages: {next(iter(by_text))}."
    return (
        "National averages: "
        + "; ".join(
            f"{' and '.join(phases)}: {text or 'source not recorded'}" for text, phases in by_text.items()
        )
        + "."
    )


# The three measures every table, flag and sentence speaks of: (key, label, Figures attribute,
# National attribute).
MEASURES = (
    ("ehcp", "EHCP", "ehcp_pct", "ehcp_pct"),
    ("sen_support", "SEN Support", "sen_support_pct", "sen_support_pct"),
    ("total", "Total SEND", "total_pct", "total_pct"),
)


@dataclass(frozen=True)
class Flag:
    """A school differs notably from the national figure or from its previous census."""

    measure: str  # label from MEASURES
    kind: str  # "national" or "change"
    points: Decimal  # signed difference in percentage points
    text: str

    @property
    def direction(self) -> str:
        return "above" if self.points > 0 else "below"


def flag_thresholds() -> tuple[Decimal, Decimal]:
    """(points from national, points of change) at which a school is flagged."""
    return (_setting_points("REPORTS_FLAG_NATIONAL_POINTS"), _setting_points("REPORTS_FLAG_CHANGE_POINTS"))


def flags_for(
    figures: Figures,
    national: National | None,
    previous: Figures | None,
    thresholds: tuple[Decimal, Decimal] | None = None,
) -> list[Flag]:
    """Flags at the thresholds REPORTS_FLAG_NATIONAL_POINTS / REPORTS_FLAG_CHANGE_POINTS."""
    out: list[Flag] = []
    vs_national, vs_previous = thresholds or flag_thresholds()
    for _key, label, attr, nat_attr in MEASURES:
        value = getattr(figures, attr)
        if value is None:
            continue
        if national is not None:
            nat = getattr(national, nat_attr)
            diff = value - nat
            if abs(diff) >= vs_national:
                word = "above" if diff > 0 else "below"
                out.append(
                    Flag(
                        label,
                        "national",
                        diff,
                        f"{label} {value}% is {abs(diff)} points {word} the national {nat}%",
                    )
                )
        if previous is not None and getattr(previous, attr) is not None:
            before = getattr(previous, attr)
            diff = value - before
            if abs(diff) >= vs_previous:
                word = "up" if diff > 0 else "down"
                out.append(
                    Flag(
                        label,
                        "change",
                        diff,
                        f"{label} {word} {abs(diff)} points since the previous census "
                        f"({before}% to {value}%)",
                    )
                )
    return out


# --- Breakdowns below school level (needs, year groups) -----------------------------------


def _cells(ehcp: int, sen_support: int, suppress: bool) -> tuple[Count, Count, Count]:
    """EHCP, SEN Support and total, suppressed. When exactly one part is hidden the total is
    withheld too (otherwise total minus the shown part is the hidden one), and so is the other
    part if the total itself had to be hidden."""
    e, k = Count.of(ehcp, suppress), Count.of(sen_support, suppress)
    total = Count.of(ehcp + sen_support, suppress)
    if e.suppressed != k.suppressed and not total.suppressed:
        total = Count(total.value, withheld=True)
    if total.suppressed:  # 1 to 4 in all: neither part may be shown exactly
        e = e if e.hidden or not e.value else Count(e.value, withheld=True)
        k = k if k.hidden or not k.value else Count(k.value, withheld=True)
    return e, k, total


def provision_cells(ehcp: int, sen_support: int, *, suppress: bool) -> tuple[Count, Count, Count]:
    """EHCP, SEN Support and their total for one school, suppressed by the same rule as the
    breakdowns (for a page published to anyone, such as the SEN information report)."""
    return _cells(ehcp, sen_support, suppress)


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    ehcp: Count
    sen_support: Count
    total: Count
    # Share of the row's pupils with SEND (year groups) or of all pupils with SEND (needs);
    # None when a suppressed count would let the reader work the number out.
    share_pct: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)


NEED_LABELS: dict[str, str] = dict(Need.choices)
YEAR_ORDER = ["N1", "N2", "R"] + [str(n) for n in range(1, 15)]


def _sum_json(rows: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """The counts of each group summed over the rows (a trust's schools): a hundred schools'
    dozen groups each on every trust dashboard, so a zero or missing count is skipped rather
    than added."""
    out: dict[str, dict[str, int]] = {}
    for data in rows:
        if not data:
            continue
        for group, counts in data.items():
            acc = out.get(group)
            if acc is None:
                acc = out.setdefault(str(group), dict.fromkeys(keys, 0))
            if not counts:
                continue
            for k in keys:
                if value := counts.get(k):
                    acc[k] += int(value)
    return out


def needs_breakdown(by_need: Iterable[dict[str, Any]], *, suppress: bool) -> list[BreakdownRow]:
    """Pupils with SEND by primary need (E and K), largest first."""
    summed = _sum_json(by_need, ("E", "K"))
    grand = sum(v["E"] + v["K"] for v in summed.values())
    rows = []
    for need, v in summed.items():
        total = v["E"] + v["K"]
        if total == 0:
            continue
        cells = _cells(v["E"], v["K"], suppress)
        hidden = any(c.hidden for c in cells)
        rows.append(
            BreakdownRow(
                need, NEED_LABELS.get(need, need), *cells, share_pct=None if hidden else pct(total, grand)
            )
        )
    rows.sort(key=lambda r: (-r.total.value, r.label.lower(), r.key))  # equal: by name
    return rows


def year_group_breakdown(by_year: Iterable[dict[str, Any]], *, suppress: bool) -> list[BreakdownRow]:
    """Pupils by year group: EHCP, SEN Support, total SEND and SEND % of the year group."""
    summed = _sum_json(by_year, ("E", "K", "N"))
    order = {y: i for i, y in enumerate(YEAR_ORDER)}
    rows = []
    for year in sorted(summed, key=lambda y: (order.get(y, 99), y)):
        v = summed[year]
        roll = v["E"] + v["K"] + v["N"]
        total = v["E"] + v["K"]
        cells = _cells(v["E"], v["K"], suppress)
        hidden = any(c.hidden for c in cells)
        label = {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}.get(year, f"Year {year}")
        rows.append(
            BreakdownRow(
                year,
                label,
                *cells,
                share_pct=None if hidden else pct(total, roll),
                extra={"number_on_roll": roll},
            )
        )
    return rows


# --- One school, and tables of schools ----------------------------------------------------


@dataclass
class SchoolRow:
    school_id: int
    name: str
    laestab: str
    phase: str
    phase_label: str
    national_phase: str
    trust_id: int
    trust_name: str
    trust_slug: str
    la_name: str
    census_date: datetime.date | None = None
    figures: Figures | None = None
    previous_date: datetime.date | None = None
    previous: Figures | None = None
    national: National | None = None
    flags: list[Flag] = field(default_factory=list)
    by_need: dict[str, Any] = field(default_factory=dict)
    by_year_group: dict[str, Any] = field(default_factory=dict)

    @property
    def has_census(self) -> bool:
        return self.figures is not None

    def sort_value(self, key: str) -> Any:
        """The value of a column to sort by (a school without a census below any figure)."""
        f = self.figures
        if key in {"name", "trust_name", "la_name", "phase_label", "laestab"}:
            return getattr(self, key).lower()
        if f is None:
            return Decimal(-1)
        value = {
            "nor": f.number_on_roll,
            "ehcp": f.ehcp,
            "ehcp_pct": f.ehcp_pct,
            "sen_support": f.sen_support,
            "sen_support_pct": f.sen_support_pct,
            "total": f.total_send,
            "total_pct": f.total_pct,
            "flags": len(self.flags),
        }[key]
        return Decimal(-1) if value is None else Decimal(value)


SORT_KEYS = (
    "name",
    "trust_name",
    "la_name",
    "phase_label",
    "nor",
    "ehcp",
    "ehcp_pct",
    "sen_support",
    "sen_support_pct",
    "total",
    "total_pct",
    "flags",
)


@dataclass
class PhaseTotal:
    national_phase: str
    figures: Figures
    national: National | None


@dataclass
class SchoolTable:
    """Every school of a set with its latest census at or before `census_date`, totals from
    summed counts, totals by national phase against the national averages."""

    rows: list[SchoolRow]
    census_date: datetime.date | None
    totals: Figures
    previous_totals: Figures | None
    by_phase: list[PhaseTotal]
    nationals: dict[str, National]
    # Read only when asked for (school_table's `history`): the summed counts at each census up
    # to the one shown, and every census date of these schools, newest first.
    trend: list[TrendPoint] = field(default_factory=list)
    census_dates: list[datetime.date] = field(default_factory=list)

    @property
    def flagged(self) -> list[SchoolRow]:
        return [r for r in self.rows if r.flags]

    @property
    def national_source(self) -> str:
        return national_sources(self.nationals)


def _school_rows_query(
    by_school: bool, by_trust: bool, school_ids: list[int] | None = None, trust_ids: list[int] | None = None
) -> models.QuerySet[Any, Any]:
    schools = School.objects.all()
    if by_school:
        schools = schools.filter(pk__any_of=school_ids)
    if by_trust:
        schools = schools.filter(trust_id__any_of=trust_ids)
    return schools.order_by("name", "laestab").values_list(
        "pk", "name", "laestab", "phase", "trust_id", "trust__name", "trust__slug", "local_authority__name"
    )


_SCHOOL_ROWS = PreparedRead(_school_rows_query)


def _school_rows(school_ids: Iterable[int] | None, trust_ids: Iterable[int] | None) -> list[SchoolRow]:
    """The schools by name, given by id or as every school of some trusts (one query)."""
    given: dict[str, list[int]] = {}
    if school_ids is not None:
        given["school_ids"] = sorted({int(getattr(s, "pk", s)) for s in school_ids})
    if trust_ids is not None:
        given["trust_ids"] = sorted({int(getattr(t, "pk", t)) for t in trust_ids})
    phase_labels = dict(School.Phase.choices)
    return [
        SchoolRow(
            pk,
            name,
            laestab,
            phase,
            phase_labels.get(phase, phase),
            national_phase(phase),
            trust_id,
            trust_name,
            trust_slug,
            la_name,
        )
        for pk, name, laestab, phase, trust_id, trust_name, trust_slug, la_name in _SCHOOL_ROWS.rows(
            shape=(school_ids is not None, trust_ids is not None), **given
        )
    ]


def _latest_two_query(
    up_to: bool, breakdowns: bool, school_ids: list[int], census_date: datetime.date | None = None
) -> models.QuerySet[Any, Any]:
    qs = CensusSnapshot.objects.with_scope(school=school_ids).all()
    if up_to:
        qs = qs.filter(census_date__lte=census_date)
    columns = ["school_id", "census_date", "number_on_roll", "ehcp", "sen_support", "rank"]
    qs = qs.annotate(
        rank=Window(RowNumber(), partition_by=[F("school_id")], order_by=F("census_date").desc())
    )
    if breakdowns:
        # The JSON as text, decoded by the caller: JSONField's per-value decoding costs about
        # 25 microseconds a value, several milliseconds for a trust of 100 schools.
        qs = qs.annotate(
            by_need_text=Cast("by_need", models.TextField()),
            by_year_group_text=Cast("by_year_group", models.TextField()),
        )
        columns += ["by_need_text", "by_year_group_text"]
    return (
        qs.filter(rank__lte=2)
        .order_by()  # no join to the school for the model's default ordering
        .values_list(*columns)
    )


_LATEST_TWO = PreparedRead(_latest_two_query)


def _latest_two_snapshots(
    school_ids: list[int], census_date: datetime.date | None, breakdowns: bool
) -> Iterator[dict[str, Any]]:
    """The latest and the previous snapshot of each school (one query, a window function)."""
    columns = ["school_id", "census_date", "number_on_roll", "ehcp", "sen_support", "rank"]
    up_to = census_date is not None
    rows = _LATEST_TWO.rows(
        shape=(up_to, breakdowns),
        school_ids=scoped_ids(school_ids),
        **({"census_date": census_date} if up_to else {}),
    )
    for row in rows:
        snap = dict(zip(columns, row[:6], strict=True))
        # Breakdowns are shown for the latest census only.
        latest = breakdowns and snap["rank"] == 1
        snap["by_need"] = json.loads(row[6]) if latest and row[6] else {}
        snap["by_year_group"] = json.loads(row[7]) if latest and row[7] else {}
        yield snap


def _every_snapshot_query(
    up_to: bool, breakdowns: bool, school_ids: list[int], census_date: datetime.date | None = None
) -> models.QuerySet[Any, Any]:
    columns = ["school_id", "census_date", "number_on_roll", "ehcp", "sen_support"]
    qs = CensusSnapshot.objects.with_scope(school=school_ids).all()
    if breakdowns:
        # The JSON of each school's latest census only: casting every census's breakdowns to
        # text and sending them cost four times the rest of the query. The latest is found by
        # a window over the rows already read, not a subquery per row.
        latest_up_to = models.Q(census_date__lte=census_date) if up_to else None
        qs = qs.annotate(
            latest=Window(Max("census_date", filter=latest_up_to), partition_by=[F("school_id")])
        )
        is_latest = models.Q(census_date=F("latest"))
        qs = qs.annotate(
            by_need_text=Case(When(is_latest, then=Cast("by_need", models.TextField()))),
            by_year_group_text=Case(When(is_latest, then=Cast("by_year_group", models.TextField()))),
        )
        columns += ["by_need_text", "by_year_group_text"]
    return qs.order_by("school_id", "-census_date").values_list(*columns)


_EVERY_SNAPSHOT = PreparedRead(_every_snapshot_query)


def _every_snapshot(
    school_ids: list[int],
    census_date: datetime.date | None,
    breakdowns: bool,
    history: dict[datetime.date, list[int]],
) -> Iterator[dict[str, Any]]:
    """Every snapshot of these schools, newest first (one query): the latest two up to
    `census_date` of each school yielded as _latest_two_snapshots does, and every snapshot's
    counts added into `history` ({census date: [on roll, EHCP, SEN Support, schools]}) for the
    trend and the census dates. A trust has a handful of censuses a year per school, so this
    is a few hundred small rows, summed as plain integers."""
    up_to = breakdowns and census_date is not None
    rows = _EVERY_SNAPSHOT.rows(
        shape=(up_to, breakdowns),
        school_ids=scoped_ids(school_ids),
        **({"census_date": census_date} if up_to else {}),
    )
    seen: dict[int, int] = {}
    for row in rows:
        school_id, date, nor, ehcp, sen_support = row[:5]
        summed = history.get(date)
        if summed is None:
            summed = history[date] = [0, 0, 0, 0]
        summed[0] += nor
        summed[1] += ehcp
        summed[2] += sen_support
        summed[3] += 1
        if census_date is not None and date > census_date:
            continue
        rank = seen[school_id] = seen.get(school_id, 0) + 1
        if rank > 2:
            continue
        latest = breakdowns and rank == 1
        yield {
            "school_id": school_id,
            "census_date": date,
            "number_on_roll": nor,
            "ehcp": ehcp,
            "sen_support": sen_support,
            "rank": rank,
            "by_need": json.loads(row[5]) if latest and row[5] else {},
            "by_year_group": json.loads(row[6]) if latest and row[6] else {},
        }


def school_table(
    school_ids: Iterable[int] | None = None,
    census_date: datetime.date | None = None,
    *,
    breakdowns: bool = True,
    trust_ids: Iterable[int] | None = None,
    history: bool = False,
) -> SchoolTable:
    """The schools given by id, or every school of `trust_ids`, each at its latest census up
    to `census_date` (3 queries: schools, snapshots, national averages). `breakdowns`: read
    each school's needs and year groups too. `history`: read every census of the schools in
    the same query, for the table's `trend` (up to the census shown) and `census_dates`."""
    rows = _school_rows(school_ids, trust_ids)
    by_id = {r.school_id: r for r in rows}
    nationals = national_averages()
    every: dict[datetime.date, list[int]] = {}
    snapshots = (
        _every_snapshot(list(by_id), census_date, breakdowns, every)
        if history
        else _latest_two_snapshots(list(by_id), census_date, breakdowns)
    )
    for snap in snapshots:
        row = by_id[snap["school_id"]]
        figures = Figures(snap["number_on_roll"], snap["ehcp"], snap["sen_support"])
        if snap["rank"] == 1:
            row.census_date, row.figures = snap["census_date"], figures
            row.by_need, row.by_year_group = snap["by_need"], snap["by_year_group"]
        else:
            row.previous_date, row.previous = snap["census_date"], figures
    thresholds = flag_thresholds()
    for row in rows:
        row.national = nationals.get(row.national_phase)
        if row.figures is not None:
            row.flags = flags_for(row.figures, row.national, row.previous, thresholds)
    with_census = [r for r in rows if r.figures is not None]
    with_previous = [r.previous for r in with_census if r.previous is not None]
    shown = max((r.census_date for r in with_census if r.census_date is not None), default=None)
    trend_points: list[TrendPoint] = []
    if history:
        trend_points = [TrendPoint(date, Figures(*every[date])) for date in sorted(every)]
    until = shown or census_date
    return SchoolTable(
        rows=rows,
        census_date=shown,
        totals=Figures.total(r.figures for r in with_census if r.figures is not None),
        previous_totals=Figures.total(with_previous) if with_previous else None,
        by_phase=phase_totals(rows, nationals),
        nationals=nationals,
        trend=[p for p in trend_points if until is None or p.census_date <= until],
        census_dates=[p.census_date for p in reversed(trend_points)],
    )


def phase_totals(rows: Iterable[SchoolRow], nationals: dict[str, National]) -> list[PhaseTotal]:
    """Summed counts of the rows by national phase, each with its national averages."""
    phase_figures: dict[str, list[Figures]] = {}
    for row in rows:
        if row.figures is not None:
            phase_figures.setdefault(row.national_phase, []).append(row.figures)
    return [
        PhaseTotal(phase, Figures.total(items), nationals.get(phase))
        for phase, items in sorted(phase_figures.items())
    ]


def census_dates(school_ids: Iterable[int]) -> list[datetime.date]:
    """The census dates for which any of these schools has figures, newest first."""
    return list(
        within(CensusSnapshot.objects, school_ids)
        .values_list("census_date", flat=True)
        .distinct()
        .order_by("-census_date")
    )


# --- Trends --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    census_date: datetime.date
    figures: Figures


def trend(school_ids: Iterable[int], until: datetime.date | None = None) -> list[TrendPoint]:
    """Summed counts at each census, oldest first (one GROUP BY query)."""
    qs = within(CensusSnapshot.objects, school_ids)
    if until is not None:
        qs = qs.filter(census_date__lte=until)
    rows = (
        qs.values("census_date")
        .annotate(nor=Sum("number_on_roll"), e=Sum("ehcp"), k=Sum("sen_support"), n=models.Count("school_id"))
        .order_by("census_date")
    )
    return [TrendPoint(r["census_date"], Figures(r["nor"], r["e"], r["k"], r["n"])) for r in rows]


def filter_and_sort(
    rows: list[SchoolRow], *, trust: str = "", la: str = "", phase: str = "", sort: str = "name"
) -> list[SchoolRow]:
    """Rows of a cross-trust table filtered by trust slug, LA name and phase, then sorted by
    one of SORT_KEYS ("-key" for descending). Unknown values are ignored."""
    out = [
        r
        for r in rows
        if (not trust or r.trust_slug == trust)
        and (not la or r.la_name == la)
        and (not phase or r.phase == phase)
    ]
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, descending = "name", False
    # Equal values stay in name order whichever way the column is sorted: by name first, then
    # a stable sort by the column (reverse=True keeps equal rows in their order).
    out.sort(key=lambda r: (r.name.lower(), r.school_id))
    out.sort(key=lambda r: r.sort_value(key), reverse=descending)
    return out


# --- Plain-English summary ------------------------------------------------------------------


def summary_sentences(table: SchoolTable, trust_name: str) -> list[str]:
    """The summary page of a board pack, in plain English, from the same figures as the table."""
    t = table.totals
    if not t.schools:
        return [f"No census figures have been recorded for {trust_name}'s schools yet."]
    school_word = "school" if t.schools == 1 else "schools"
    out = [
        f"Across {trust_name}'s {t.schools} {school_word} ({t.number_on_roll:,} pupils on roll), "
        f"{t.ehcp:,} pupils ({pct_text(t.ehcp_pct)}) have an EHC plan and {t.sen_support:,} "
        f"({pct_text(t.sen_support_pct)}) receive SEN Support: {t.total_send:,} pupils with SEND "
        f"({pct_text(t.total_pct)})."
    ]
    for group in table.by_phase:
        f, n = group.figures, group.national
        count = f"{f.schools} {group.national_phase} {'school' if f.schools == 1 else 'schools'}"
        if n is None:
            out.append(
                f"{count.capitalize()}: EHCP {pct_text(f.ehcp_pct)}, SEN Support "
                f"{pct_text(f.sen_support_pct)}, total SEND {pct_text(f.total_pct)} "
                f"(no national average recorded for {group.national_phase})."
            )
            continue
        out.append(
            f"{count.capitalize()}: EHCP {pct_text(f.ehcp_pct)} against {n.ehcp_pct}% nationally "
            f"for {group.national_phase}; SEN Support {pct_text(f.sen_support_pct)} against "
            f"{n.sen_support_pct}%; total SEND {pct_text(f.total_pct)} against {n.total_pct}%."
        )
    p = table.previous_totals
    if p is not None and p.number_on_roll:
        out.append(
            f"At the previous census of the {p.schools} {'school' if p.schools == 1 else 'schools'} "
            f"with earlier figures, EHCP was {pct_text(p.ehcp_pct)} and total SEND "
            f"{pct_text(p.total_pct)}."
        )
    national_flags = [r for r in table.rows if any(f.kind == "national" for f in r.flags)]
    change_flags = [r for r in table.rows if any(f.kind == "change" for f in r.flags)]
    if national_flags:
        out.append(
            f"{len(national_flags)} of {t.schools} {school_word} differ from the national figure "
            f"by {_setting_points('REPORTS_FLAG_NATIONAL_POINTS')} points or more: "
            + _flag_list(national_flags, "national")
            + "."
        )
    else:
        out.append("No school differs notably from the national figures.")
    if change_flags:
        out.append(
            f"{len(change_flags)} {'school' if len(change_flags) == 1 else 'schools'} changed by "
            f"{_setting_points('REPORTS_FLAG_CHANGE_POINTS')} points or more since the previous "
            "census: " + _flag_list(change_flags, "change") + "."
        )
    return out


SUMMARY_DETAIL_LIMIT = 6  # schools described in full; beyond this the summary names them only
SUMMARY_NAME_LIMIT = 15


def _flag_list(rows: list[SchoolRow], kind: str) -> str:
    if len(rows) <= SUMMARY_DETAIL_LIMIT:
        return "; ".join(f"{r.name} ({', '.join(f.text for f in r.flags if f.kind == kind)})" for r in rows)
    names = [r.name for r in rows[:SUMMARY_NAME_LIMIT]]
    more = len(rows) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "") + " (see the table of schools)"


# --- A school's profile ---------------------------------------------------------------------


@dataclass
class SchoolProfile:
    row: SchoolRow
    history: list[TrendPoint]
    census_dates: list[datetime.date]
    needs: list[BreakdownRow]
    year_groups: list[BreakdownRow]


def school_profile(
    school_id: int, census_date: datetime.date | None = None, *, suppress: bool = True
) -> SchoolProfile:
    """One school at a census (default: its latest) against the national average and its
    previous censuses, with needs and year groups (3 queries)."""
    table = school_table([school_id], census_date, history=True)
    row = table.rows[0]
    return SchoolProfile(
        row=row,
        history=table.trend,
        census_dates=table.census_dates,
        needs=needs_breakdown([row.by_need], suppress=suppress),
        year_groups=year_group_breakdown([row.by_year_group], suppress=suppress),
    )
