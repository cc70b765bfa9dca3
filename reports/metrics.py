"""Every figure the dashboards, exports and board packs show is computed here, once.

Rules (DESIGN §3): percentages are computed from counts and rounded half-up to one decimal
place; group totals (a trust, a phase, all the trusts of a user) are sums of counts, never
averages of percentages; counts from 1 to 4 are shown as "fewer than 5" wherever a figure is
broken down below school level (needs, year groups) for a reader who may not see pupils.

Reads happen in a fixed number of queries whatever the number of schools: the latest two
censuses of every school come from one windowed query (no correlated subquery, which PostgreSQL
would run once per row), the trend is one GROUP BY, the national averages one query.

The register figures come from `pupils.CensusSnapshot`. Funding, casework, timeliness and
activity figures come from those apps' selectors (read once here, grouped for the pages and the
PDF); only cases opened and closed by kind per term are counted here, as no selector has them.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

from django.conf import settings
from django.db import models
from django.db.models import F, Sum, Window
from django.db.models.functions import Cast, RowNumber

from casework import deadlines as case_dates
from casework import selectors as casework_selectors
from casework.models import Case
from core.numbers import ONE_PLACE, Count, money, pct, small_count_threshold  # noqa: F401
from funding import selectors as funding_selectors
from pupils.models import CensusSnapshot, NationalAverage, Need
from trusts import freshness
from trusts.models import Membership, Role, School, User


@lru_cache(maxsize=32)
def national_phase(phase: str) -> str:
    """The phase national averages are published for: infant and junior schools are primary."""
    return School(phase=phase).national_phase


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

    @property
    def total_send(self) -> int:
        return self.ehcp + self.sen_support

    @cached_property
    def ehcp_pct(self) -> Decimal | None:
        return pct(self.ehcp, self.number_on_roll)

    @cached_property
    def sen_support_pct(self) -> Decimal | None:
        return pct(self.sen_support, self.number_on_roll)

    @cached_property
    def total_pct(self) -> Decimal | None:
        return pct(self.total_send, self.number_on_roll)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.number_on_roll + other.number_on_roll,
            self.ehcp + other.ehcp,
            self.sen_support + other.sen_support,
            self.schools + other.schools,
        )

    @classmethod
    def total(cls, items: Iterable[Figures]) -> Figures:
        out = cls(schools=0)
        for item in items:
            out = out + item
        return out


@dataclass(frozen=True)
class National:
    phase: str
    ehcp_pct: Decimal
    sen_support_pct: Decimal
    total_pct: Decimal


def national_averages() -> dict[str, National]:
    """National percentages by phase ("primary", "secondary"), one query."""
    return {
        n.phase: National(n.phase, n.ehcp_pct, n.sen_support_pct, n.total_send_pct)
        for n in NationalAverage.objects.all()
    }


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
    return (_setting_points("REPORTS_FLAG_NATIONAL_POINTS"),
            _setting_points("REPORTS_FLAG_CHANGE_POINTS"))


def flags_for(
    figures: Figures, national: National | None, previous: Figures | None,
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
                out.append(Flag(label, "national", diff,
                                f"{label} {value}% is {abs(diff)} points {word} the national {nat}%"))
        if previous is not None and getattr(previous, attr) is not None:
            before = getattr(previous, attr)
            diff = value - before
            if abs(diff) >= vs_previous:
                word = "up" if diff > 0 else "down"
                out.append(Flag(label, "change", diff,
                                f"{label} {word} {abs(diff)} points since the previous census "
                                f"({before}% to {value}%)"))
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
    extra: dict = field(default_factory=dict)


NEED_LABELS = dict(Need.choices)
YEAR_ORDER = ["N1", "N2", "R"] + [str(n) for n in range(1, 15)]


def _sum_json(rows: Iterable[dict], keys: tuple[str, ...]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for data in rows:
        for group, counts in (data or {}).items():
            acc = out.setdefault(str(group), dict.fromkeys(keys, 0))
            for k in keys:
                acc[k] += int((counts or {}).get(k, 0) or 0)
    return out


def needs_breakdown(by_need: Iterable[dict], *, suppress: bool) -> list[BreakdownRow]:
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
        rows.append(BreakdownRow(need, NEED_LABELS.get(need, need), *cells,
                                 share_pct=None if hidden else pct(total, grand)))
    rows.sort(key=lambda r: (-r.total.value, r.key))
    return rows


def year_group_breakdown(by_year: Iterable[dict], *, suppress: bool) -> list[BreakdownRow]:
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
        rows.append(BreakdownRow(year, label, *cells, share_pct=None if hidden else pct(total, roll),
                                 extra={"number_on_roll": roll}))
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
    by_need: dict = field(default_factory=dict)
    by_year_group: dict = field(default_factory=dict)

    @property
    def has_census(self) -> bool:
        return self.figures is not None

    def sort_value(self, key: str):
        f = self.figures
        if key in {"name", "trust_name", "la_name", "phase_label", "laestab"}:
            return (getattr(self, key).lower(), self.name.lower())
        if f is None:
            return (Decimal(-1), self.name.lower())
        value = {
            "nor": f.number_on_roll, "ehcp": f.ehcp, "ehcp_pct": f.ehcp_pct,
            "sen_support": f.sen_support, "sen_support_pct": f.sen_support_pct,
            "total": f.total_send, "total_pct": f.total_pct, "flags": len(self.flags),
        }[key]
        return (Decimal(-1) if value is None else Decimal(value), self.name.lower())


SORT_KEYS = ("name", "trust_name", "la_name", "phase_label", "nor", "ehcp", "ehcp_pct",
             "sen_support", "sen_support_pct", "total", "total_pct", "flags")


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

    @property
    def flagged(self) -> list[SchoolRow]:
        return [r for r in self.rows if r.flags]


def _school_rows(school_ids: Iterable[int]) -> list[SchoolRow]:
    schools = School.objects.filter(pk__in=list(school_ids)).order_by("name", "laestab").values(
        "pk", "name", "laestab", "phase", "trust_id", "trust__name", "trust__slug",
        "local_authority__name",
    )
    phase_labels = dict(School.Phase.choices)
    return [
        SchoolRow(
            s["pk"], s["name"], s["laestab"], s["phase"], phase_labels.get(s["phase"], s["phase"]),
            national_phase(s["phase"]), s["trust_id"], s["trust__name"], s["trust__slug"],
            s["local_authority__name"],
        )
        for s in schools
    ]


def _latest_two_snapshots(school_ids: list[int], census_date: datetime.date | None,
                          breakdowns: bool):
    """The latest and the previous snapshot of each school (one query, a window function)."""
    qs = CensusSnapshot.objects.filter(school_id__in=school_ids)
    if census_date is not None:
        qs = qs.filter(census_date__lte=census_date)
    columns = ["school_id", "census_date", "number_on_roll", "ehcp", "sen_support", "rank"]
    qs = qs.annotate(
        rank=Window(RowNumber(), partition_by=[F("school_id")], order_by=F("census_date").desc()))
    if breakdowns:
        # The JSON as text, decoded below: JSONField's per-value decoding costs about 25
        # microseconds a value, several milliseconds for a trust of 100 schools.
        qs = qs.annotate(by_need_text=Cast("by_need", models.TextField()),
                         by_year_group_text=Cast("by_year_group", models.TextField()))
        columns += ["by_need_text", "by_year_group_text"]
    rows = (
        qs.filter(rank__lte=2)
        .order_by()  # no join to the school for the model's default ordering
        .values_list(*columns)
    )
    for row in rows:
        snap = dict(zip(columns[:6], row[:6], strict=True))
        # Breakdowns are shown for the latest census only.
        latest = breakdowns and snap["rank"] == 1
        snap["by_need"] = json.loads(row[6]) if latest and row[6] else {}
        snap["by_year_group"] = json.loads(row[7]) if latest and row[7] else {}
        yield snap


def school_table(
    school_ids: Iterable[int], census_date: datetime.date | None = None, *,
    breakdowns: bool = True,
) -> SchoolTable:
    """The trust table (3 queries: schools, snapshots, national averages). `breakdowns`: read
    each school's needs and year groups too."""
    rows = _school_rows(school_ids)
    by_id = {r.school_id: r for r in rows}
    nationals = national_averages()
    for snap in _latest_two_snapshots(list(by_id), census_date, breakdowns):
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
    return SchoolTable(
        rows=rows,
        census_date=max((r.census_date for r in with_census), default=None),
        totals=Figures.total(r.figures for r in with_census),
        previous_totals=Figures.total(with_previous) if with_previous else None,
        by_phase=phase_totals(rows, nationals),
        nationals=nationals,
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
        CensusSnapshot.objects.filter(school_id__in=list(school_ids))
        .values_list("census_date", flat=True).distinct().order_by("-census_date")
    )


# --- Trends --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    census_date: datetime.date
    figures: Figures


def trend(school_ids: Iterable[int], until: datetime.date | None = None) -> list[TrendPoint]:
    """Summed counts at each census, oldest first (one GROUP BY query)."""
    qs = CensusSnapshot.objects.filter(school_id__in=list(school_ids))
    if until is not None:
        qs = qs.filter(census_date__lte=until)
    rows = (
        qs.values("census_date")
        .annotate(nor=Sum("number_on_roll"), e=Sum("ehcp"), k=Sum("sen_support"),
                  n=models.Count("school_id"))
        .order_by("census_date")
    )
    return [TrendPoint(r["census_date"], Figures(r["nor"], r["e"], r["k"], r["n"])) for r in rows]


# --- Cross-trust ---------------------------------------------------------------------------


@dataclass
class TrustColumn:
    trust_id: int
    name: str
    slug: str
    figures: Figures
    by_phase: list[PhaseTotal]
    funding: object = None  # funding.selectors.FundingTotals, when read
    cases: dict = field(default_factory=dict)  # opened / closed / open_now, when read


def trust_columns(table: SchoolTable) -> list[TrustColumn]:
    """Each trust's totals (summed counts) from a table holding several trusts' schools."""
    grouped: dict[int, list[SchoolRow]] = {}
    for row in table.rows:
        grouped.setdefault(row.trust_id, []).append(row)
    out = []
    for rows in grouped.values():
        with_census = [r for r in rows if r.figures is not None]
        phases: dict[str, list[Figures]] = {}
        for r in with_census:
            phases.setdefault(r.national_phase, []).append(r.figures)
        out.append(TrustColumn(
            rows[0].trust_id, rows[0].trust_name, rows[0].trust_slug,
            Figures.total(r.figures for r in with_census),
            [PhaseTotal(p, Figures.total(f), table.nationals.get(p)) for p, f in sorted(phases.items())],
        ))
    out.sort(key=lambda c: c.name)
    return out


def filter_and_sort(
    rows: list[SchoolRow], *, trust: str = "", la: str = "", phase: str = "", sort: str = "name"
) -> list[SchoolRow]:
    """Rows of a cross-trust table filtered by trust slug, LA name and phase, then sorted by
    one of SORT_KEYS ("-key" for descending). Unknown values are ignored."""
    out = [
        r for r in rows
        if (not trust or r.trust_slug == trust)
        and (not la or r.la_name == la)
        and (not phase or r.phase == phase)
    ]
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, descending = "name", False
    out.sort(key=lambda r: r.sort_value(key), reverse=descending)
    return out


# --- Plain-English summary ------------------------------------------------------------------


def _fmt_pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value}%"


def summary_sentences(table: SchoolTable, trust_name: str) -> list[str]:
    """The summary page of a board pack, in plain English, from the same figures as the table."""
    t = table.totals
    if not t.schools:
        return [f"No census figures have been recorded for {trust_name}'s schools yet."]
    school_word = "school" if t.schools == 1 else "schools"
    out = [
        f"Across {trust_name}'s {t.schools} {school_word} ({t.number_on_roll:,} pupils on roll), "
        f"{t.ehcp:,} pupils ({_fmt_pct(t.ehcp_pct)}) have an EHC plan and {t.sen_support:,} "
        f"({_fmt_pct(t.sen_support_pct)}) receive SEN Support: {t.total_send:,} pupils with SEND "
        f"({_fmt_pct(t.total_pct)})."
    ]
    for group in table.by_phase:
        f, n = group.figures, group.national
        count = f"{f.schools} {group.national_phase} {'school' if f.schools == 1 else 'schools'}"
        if n is None:
            out.append(f"{count.capitalize()}: EHCP {_fmt_pct(f.ehcp_pct)}, SEN Support "
                       f"{_fmt_pct(f.sen_support_pct)}, total SEND {_fmt_pct(f.total_pct)} "
                       f"(no national average recorded for {group.national_phase}).")
            continue
        out.append(
            f"{count.capitalize()}: EHCP {_fmt_pct(f.ehcp_pct)} against {n.ehcp_pct}% nationally "
            f"for {group.national_phase}; SEN Support {_fmt_pct(f.sen_support_pct)} against "
            f"{n.sen_support_pct}%; total SEND {_fmt_pct(f.total_pct)} against {n.total_pct}%."
        )
    p = table.previous_totals
    if p is not None and p.number_on_roll:
        out.append(
            f"At the previous census of the {p.schools} {'school' if p.schools == 1 else 'schools'} "
            f"with earlier figures, EHCP was {_fmt_pct(p.ehcp_pct)} and total SEND "
            f"{_fmt_pct(p.total_pct)}."
        )
    national_flags = [r for r in table.rows if any(f.kind == "national" for f in r.flags)]
    change_flags = [r for r in table.rows if any(f.kind == "change" for f in r.flags)]
    if national_flags:
        out.append(
            f"{len(national_flags)} of {t.schools} {school_word} differ from the national figure "
            f"by {_setting_points('REPORTS_FLAG_NATIONAL_POINTS')} points or more: "
            + _flag_list(national_flags, "national") + "."
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
        return "; ".join(
            f"{r.name} ({', '.join(f.text for f in r.flags if f.kind == kind)})" for r in rows
        )
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
    previous censuses, with needs and year groups (4 queries)."""
    table = school_table([school_id], census_date)
    row = table.rows[0]
    history = trend([school_id], until=row.census_date or census_date)
    return SchoolProfile(
        row=row,
        history=history,
        census_dates=census_dates([school_id]),
        needs=needs_breakdown([row.by_need], suppress=suppress),
        year_groups=year_group_breakdown([row.by_year_group], suppress=suppress),
    )


# --- Funding, casework, EHCP timeliness and the Head of SEND's time --------------------------
# The figures themselves belong to the funding and casework apps' selectors; what is here
# chooses the period, groups them for the dashboards and the board pack, and adds the one
# figure no selector has (cases opened and closed by kind per term).


FundingSummary = funding_selectors.FundingSummary
FundingTotals = funding_selectors.FundingTotals


def funding_position(school_ids: Iterable[int], today: datetime.date | None = None,
                     financial_year: int | None = None, *,
                     read: freshness.Reader = freshness.afresh) -> FundingSummary:
    """Claimed, awarded (expected), received, shortfall, gap and unclaimed per school, per LA
    and in total for the financial year (default: the current one with banding tables), its
    parts read through `read` (funding.selectors.funding_summary)."""
    year = financial_year if financial_year is not None else \
        funding_selectors.default_financial_year(today)
    return funding_selectors.funding_summary(school_ids, year, today, read=read)


def funding_by_trust(summary: FundingSummary) -> dict[int, FundingTotals]:
    """The summary's school rows added up per trust (sums of the same figures)."""
    out: dict[int, FundingTotals] = {}
    for row in summary.schools:
        out.setdefault(row.school.trust_id, FundingTotals()).add(row.totals)
    return out


IMPACT_KINDS = (Case.Kind.TRIBUNAL_APPEAL, Case.Kind.CHANGE_OF_PLACEMENT, Case.Kind.SUSPENSION,
                Case.Kind.COMPLAINT)
_TERM_ORDER = {case_dates.Term.AUTUMN: 0, case_dates.Term.SPRING: 1, case_dates.Term.SUMMER: 2}


def term_key(day: datetime.date) -> tuple[int, int]:
    """(academic year start, 0 autumn / 1 spring / 2 summer) of a day."""
    return case_dates.academic_year_start(day), _TERM_ORDER[case_dates.term_of(day)]


def term_ranges(start: datetime.date, end: datetime.date
                ) -> list[tuple[tuple[int, int], datetime.date, datetime.date]]:
    """Each term from start's to end's (term_key), with its first and last day between start
    and end: autumn 1 September to 31 December, spring to Easter Sunday, summer to 31 August
    (casework.deadlines.term_of)."""
    out = []
    key, last = term_key(start), term_key(end)
    while key <= last:
        year, index = key
        easter = case_dates.easter_sunday(year + 1)
        first_day, last_day = (
            (datetime.date(year, 9, 1), datetime.date(year, 12, 31)),
            (datetime.date(year + 1, 1, 1), easter),
            (easter + datetime.timedelta(days=1), datetime.date(year + 1, 8, 31)),
        )[index]
        out.append((key, max(first_day, start), min(last_day, end)))
        key = (year, index + 1) if index < 2 else (year + 1, 0)
    return out


def term_label(key: tuple[int, int]) -> str:
    year, index = key
    name = ("Autumn", "Spring", "Summer")[index]
    return f"{name} {year if index == 0 else year + 1}"


def casework_period(end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The previous and the current academic year up to `end`: six terms at most."""
    return datetime.date(case_dates.academic_year_start(end) - 1, 9, 1), end


@dataclass
class CaseKindRow:
    kind: str
    label: str
    impact: bool
    opened: list[int]  # per term, in the order of CaseworkByKind.terms
    closed: list[int]
    open_now: int = 0

    @property
    def total_opened(self) -> int:
        return sum(self.opened)

    @property
    def total_closed(self) -> int:
        return sum(self.closed)


@dataclass
class CaseworkByKind:
    start: datetime.date
    end: datetime.date
    terms: list[str]
    rows: list[CaseKindRow]

    @property
    def opened_by_term(self) -> list[int]:
        return [sum(r.opened[i] for r in self.rows) for i in range(len(self.terms))]

    @property
    def closed_by_term(self) -> list[int]:
        return [sum(r.closed[i] for r in self.rows) for i in range(len(self.terms))]

    @property
    def total_opened(self) -> int:
        return sum(r.total_opened for r in self.rows)

    @property
    def total_closed(self) -> int:
        return sum(r.total_closed for r in self.rows)

    @property
    def open_now(self) -> int:
        return sum(r.open_now for r in self.rows)

    def row(self, kind: str) -> CaseKindRow:
        return next(r for r in self.rows if r.kind == kind)


def casework_by_kind(school_ids: Iterable[int], start: datetime.date, end: datetime.date
                     ) -> CaseworkByKind:
    """Cases opened and closed per academic term between start and end, by kind, with the
    impact measures (tribunals, changes of placement, suspensions, complaints) first, and the
    cases open now. One GROUP BY query (a count per term, by kind) whatever the number of
    schools or cases."""
    terms = term_ranges(start, end)
    kinds = sorted(Case.Kind.choices, key=lambda c: (c[0] not in IMPACT_KINDS,
                                                     IMPACT_KINDS.index(c[0])
                                                     if c[0] in IMPACT_KINDS else 0))
    rows = {value: CaseKindRow(value, label, value in IMPACT_KINDS, [0] * len(terms),
                               [0] * len(terms))
            for value, label in kinds}
    closed = Case.Status.CLOSED
    counts = {"open_now": models.Count("pk", filter=~models.Q(status=closed))}
    for i, (_key, first, last) in enumerate(terms):
        counts[f"opened_{i}"] = models.Count("pk", filter=models.Q(opened_on__range=(first, last)))
        counts[f"closed_{i}"] = models.Count("pk", filter=models.Q(status=closed,
                                                                   closed_on__range=(first, last)))
    for found in (Case.objects.filter(school_id__in=list(school_ids)).order_by()
                  .values("kind").annotate(**counts)):
        row = rows[found["kind"]]
        row.opened = [found[f"opened_{i}"] for i in range(len(terms))]
        row.closed = [found[f"closed_{i}"] for i in range(len(terms))]
        row.open_now = found["open_now"]
    return CaseworkByKind(start, end, [term_label(key) for key, _, _ in terms], list(rows.values()))


def casework_by_trust(school_ids: Iterable[int], start: datetime.date, end: datetime.date
                      ) -> dict[int, dict[str, int]]:
    """Per trust: cases opened and closed between start and end, and open now (one query)."""
    closed = Case.Status.CLOSED
    rows = (Case.objects.filter(school_id__in=list(school_ids)).order_by()
            .values("school__trust_id")
            .annotate(opened=models.Count("pk", filter=models.Q(opened_on__range=(start, end))),
                      closed=models.Count("pk", filter=models.Q(status=closed,
                                                                closed_on__range=(start, end))),
                      open_now=models.Count("pk", filter=~models.Q(status=closed))))
    return {r["school__trust_id"]: {"opened": r["opened"], "closed": r["closed"],
                                    "open_now": r["open_now"]} for r in rows}


@dataclass
class DueKind:
    label: str
    count: Count
    overdue: Count
    due_soon: Count


@dataclass
class SchoolCasework:
    kinds: list[DueKind]
    next_items: list  # casework.selectors.DueItem: no pupil names in them
    total: Count
    overdue: Count


NEXT_DUE_ITEMS = 8


def school_casework(school_id: int, today: datetime.date, *, suppress: bool) -> SchoolCasework:
    """Open cases and pending statutory steps of one school, counted by kind (overdue, due
    within 7 days), and the next dated items (four queries: the casework due list)."""
    items = casework_selectors.due_list(school_ids=[school_id], today=today)
    counts: dict[str, list[int]] = {}
    for item in items:
        c = counts.setdefault(item.kind_label, [0, 0, 0])
        c[0] += 1
        state = item.status.state if item.status else None
        c[1] += state == case_dates.State.LATE
        c[2] += state == case_dates.State.DUE
    return SchoolCasework(
        kinds=[DueKind(label, Count.of(n, suppress), Count.of(late, suppress),
                       Count.of(soon, suppress))
               for label, (n, late, soon) in sorted(counts.items())],
        next_items=[i for i in items if i.due is not None][:NEXT_DUE_ITEMS],
        total=Count.of(len(items), suppress),
        overdue=Count.of(sum(c[1] for c in counts.values()), suppress),
    )


@dataclass
class Timeliness:
    rows: list  # casework.selectors.LATimeliness, one per LA
    total: object  # the same for every LA together


def ehcp_timeliness(school_ids: Iterable[int], start: datetime.date, end: datetime.date,
                    today: datetime.date) -> Timeliness:
    """Per LA (the casework selector) and for all LAs together: final plans issued between start
    and end, within 20 weeks, median and 90th percentile of weeks, open past 20 weeks."""
    rows = casework_selectors.la_timeliness(school_ids=school_ids, start=start, end=end,
                                            today=today)
    total = casework_selectors.LATimeliness(0, "All local authorities")
    for row in rows:
        total.plans_issued += row.plans_issued
        total.within_20_weeks += row.within_20_weeks
        total.open_past_20_weeks += row.open_past_20_weeks
        total.days_taken += row.days_taken
    total.median_weeks = casework_selectors.weeks(casework_selectors.median(total.days_taken))
    total.p90_weeks = casework_selectors.weeks(
        casework_selectors.percentile_nearest_rank(total.days_taken, 90))
    return Timeliness(rows, total)


@dataclass
class Training:
    rows: list[dict]  # school name, laestab, sessions, hours, staff
    sessions: int
    hours: Decimal
    staff: int


def training_delivered(trust_ids: Iterable[int], start: datetime.date, end: datetime.date
                       ) -> Training:
    rows = casework_selectors.training_by_school(trust_ids=trust_ids, start=start, end=end)
    return Training(rows, sum(r["sessions"] for r in rows),
                    sum((r["hours"] or Decimal(0) for r in rows), Decimal(0)),
                    sum(r["staff"] or 0 for r in rows))


@dataclass
class SplitColumn:
    label: str
    trust_id: int | None  # None: the other trusts together (not visible to the reader)


@dataclass
class SplitLine:
    label: str
    hours: list[Decimal]
    total: Decimal
    pct: list[Decimal | None]


@dataclass
class TimeSplit:
    person: str
    arrangement: str
    columns: list[SplitColumn]
    agreed: list[Decimal | None]
    months: list[SplitLine]
    year_to_date: SplitLine
    academic_year: str


def _fold(row, columns: list[SplitColumn], hidden: list[int]) -> SplitLine:
    hours = [row.hours.get(c.trust_id, Decimal(0)) if c.trust_id is not None
             else sum((row.hours.get(t, Decimal(0)) for t in hidden), Decimal(0)) for c in columns]
    return SplitLine(row.label, hours, row.total, [pct_of_hours(h, row.total) for h in hours])


pct_of_hours = pct


def time_splits(trust_ids: Iterable[int], visible_trust_ids: Iterable[int],
                today: datetime.date) -> list[TimeSplit]:
    """How the time of each Head of SEND of these trusts is split between the trusts they work
    for this academic year (casework.selectors.activity_split). Trusts the reader may not see
    are added together as "Other trusts" and never named. Two queries, then four per Head of
    SEND (a handful of people, whatever the number of schools)."""
    wanted, visible = set(trust_ids), set(visible_trust_ids)
    person_trusts: dict[int, set[int]] = {}
    for user_id, trust_id in (Membership.objects.filter(role=Role.HEAD_OF_SEND,
                                                        trust__isnull=False)
                              .filter(user__memberships__role=Role.HEAD_OF_SEND,
                                      user__memberships__trust_id__in=wanted)
                              .order_by().distinct().values_list("user_id", "trust_id")):
        person_trusts.setdefault(user_id, set()).add(trust_id)
    if not person_trusts:
        return []
    year = case_dates.academic_year_start(today)
    out = []
    for person in User.objects.filter(pk__in=list(person_trusts)).order_by("full_name", "email"):
        split = casework_selectors.activity_split(trust_ids=person_trusts[person.pk],
                                                  person=person, year_start=year, today=today)
        shown = [t for t in split.trusts if t.pk in visible]
        hidden = [t.pk for t in split.trusts if t.pk not in visible]
        columns = [SplitColumn(t.name, t.pk) for t in shown]
        if hidden:
            columns.append(SplitColumn("Other trusts", None))
        agreed = [(split.agreed.get(c.trust_id, Decimal(0)) if c.trust_id is not None
                   else sum((split.agreed.get(t, Decimal(0)) for t in hidden), Decimal(0))
                   ).quantize(ONE_PLACE, rounding=ROUND_HALF_UP) for c in columns]
        out.append(TimeSplit(
            person=person.full_name or person.email, arrangement=split.arrangement,
            columns=columns, agreed=agreed,
            months=[_fold(m, columns, hidden) for m in split.months],
            year_to_date=_fold(split.year_to_date, columns, hidden),
            academic_year=case_dates.academic_year_label(year),
        ))
    return out


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def funding_sentences(summary: FundingSummary) -> list[str]:
    t = summary.total
    out = [
        f"In the financial year {summary.label} (to {summary.reference_date:%-d %B %Y}), "
        f"{_n(t.claims_submitted, 'claim')} for top-up funding worth {money(t.claimed_value)} a "
        f"year were made ({t.claims_awarded:,} awarded, {t.claims_pending:,} awaiting a "
        f"decision, {t.claims_refused:,} refused). Awards are expected to bring "
        f"{money(t.expected)} in the year; {money(t.received)} has been received, a shortfall "
        f"of {money(t.shortfall)}.",
        f"The costed provision of pupils costs {money(t.provision_cost)} against "
        f"{money(t.funding_for_costed)} of funding for them: a funding gap of {money(t.gap)}.",
    ]
    if t.unclaimed:
        out.append(f"{_n(t.unclaimed, 'pupil')} may be eligible for funding with no live claim "
                   f"({t.unclaimed_ehcp:,} with an EHC plan, {t.unclaimed_sen_support:,} at SEN "
                   "Support with costed provision above the notional threshold).")
    else:
        out.append("No pupil appears eligible for top-up funding without a live claim.")
    return out


def timeliness_sentences(timeliness: Timeliness, start: datetime.date, end: datetime.date
                         ) -> list[str]:
    t = timeliness.total
    period = f"between {start:%-d %B %Y} and {end:%-d %B %Y}"
    if not t.plans_issued:
        out = [f"No final EHC plan was issued {period} for a request from these schools."]
    else:
        per_la = "; ".join(
            f"{r.local_authority} {r.within_20_weeks} of {r.plans_issued} ({_fmt_pct(r.within_pct)}"
            f", median {r.median_weeks} weeks)" for r in timeliness.rows if r.plans_issued)
        out = [f"{_n(t.plans_issued, 'final EHC plan')} {'was' if t.plans_issued == 1 else 'were'} "
               f"issued {period}; {t.within_20_weeks:,} ({_fmt_pct(t.within_pct)}) within the "
               f"20-week limit, median {t.median_weeks} weeks: {per_la}."]
    if t.open_past_20_weeks:
        out.append(f"{_n(t.open_past_20_weeks, 'request')} for an assessment "
                   f"{'is' if t.open_past_20_weeks == 1 else 'are'} still open after 20 weeks.")
    return out


def casework_sentences(casework: CaseworkByKind) -> list[str]:
    if not casework.total_opened and not casework.total_closed and not casework.open_now:
        return ["No cases were recorded for these schools."]
    impact = "; ".join(
        f"{r.label.lower()}s {r.total_opened:,} opened, {r.total_closed:,} closed"
        for r in casework.rows if r.impact)
    out = [f"Since {casework.start:%-d %B %Y}, {_n(casework.total_opened, 'case')} "
           f"{'was' if casework.total_opened == 1 else 'were'} opened and "
           f"{casework.total_closed:,} closed ({impact}); {casework.open_now:,} "
           f"{'is' if casework.open_now == 1 else 'are'} open now."]
    opened = casework.opened_by_term
    if len(opened) >= 2:
        a, b = opened[-2], opened[-1]
        trend = "more than" if b > a else ("fewer than" if b < a else "the same as")
        out.append(f"{casework.terms[-1]} so far: {_n(b, 'case')} opened, {trend} the "
                   f"{a:,} of {casework.terms[-2]}.")
    return out


def activity_sentences(training: Training, splits: list[TimeSplit]) -> list[str]:
    out = []
    if training.sessions:
        out.append(f"{_n(training.sessions, 'training session')} ({training.hours.normalize():f} "
                   f"hours) reached {_n(training.staff, 'member', 'members')} of staff in "
                   f"{_n(len(training.rows), 'school')}.")
    else:
        out.append("No training was recorded in the period.")
    for split in splits:
        ytd = split.year_to_date
        parts = ", ".join(
            f"{c.label} {h.normalize():f} hours ({_fmt_pct(p)}; agreed {_fmt_pct(a)})"
            for c, h, p, a in zip(split.columns, ytd.hours, ytd.pct, split.agreed, strict=True))
        out.append(f"{split.person} logged {ytd.total.normalize():f} hours in "
                   f"{split.academic_year} so far: {parts}; the agreed split is "
                   f"\"{split.arrangement}\"." if ytd.total else
                   f"{split.person} has logged no hours in {split.academic_year} yet.")
    return out
