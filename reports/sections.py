"""The sections of the dashboards and of the board pack: one function per section, each
turning figures from `reports.metrics` into a template and its context. The dashboard pages and
the PDF render the same section templates (templates/reports/sections/), so a figure and its
chart are drawn by one piece of code.

Adding a section (funding by LA and school, casework by kind, EHCP timeliness by LA, training
and the Head of SEND's time split) is one function here returning a `Section` from the owning
app's selectors, one template in templates/reports/sections/, and one entry in TRUST_SECTIONS
or SCHOOL_SECTIONS. A section function returns None when it has nothing to show.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString

from trusts.models import School, Trust

from . import charts, metrics

CHART_ROWS = 30  # bars per chart, so that a chart fits on one PDF page


@dataclass
class Section:
    key: str
    title: str
    template: str
    context: dict = field(default_factory=dict)


def financial_year_to_date(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """1 April of the current financial year to today."""
    today = today or timezone.localdate()
    start_year = today.year if today.month >= 4 else today.year - 1
    return datetime.date(start_year, 4, 1), today


def census_label(date: datetime.date | None) -> str:
    return "no census" if date is None else f"{date:%-d %b %Y}"


# --- A trust (or several trusts' schools) -------------------------------------------------


@dataclass
class TrustReport:
    title: str
    table: metrics.SchoolTable
    trend: list[metrics.TrendPoint]
    census_dates: list[datetime.date]
    trust: Trust | None = None
    chosen_census: datetime.date | None = None
    period: tuple[datetime.date, datetime.date] = field(default_factory=financial_year_to_date)
    suppress: bool = True  # small counts below school level as "fewer than 5"


def trust_report(
    trust: Trust, census_date: datetime.date | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> TrustReport:
    """Everything the trust dashboard and the board pack show about the register (5 queries)."""
    school_ids = list(School.objects.filter(trust=trust).values_list("pk", flat=True))
    table = metrics.school_table(school_ids, census_date)
    return TrustReport(
        title=trust.name,
        trust=trust,
        table=table,
        trend=metrics.trend(school_ids, until=table.census_date),
        census_dates=metrics.census_dates(school_ids),
        chosen_census=census_date,
        period=period or financial_year_to_date(),
    )


def _bar_charts(key: str, what: str, attr: str, nat_attr: str, rows: list[metrics.SchoolRow]
                ) -> list[SafeString]:
    out = []
    for start in range(0, len(rows), CHART_ROWS):
        chunk = rows[start:start + CHART_ROWS]
        part = f" (schools {start + 1} to {start + len(chunk)})" if len(rows) > CHART_ROWS else ""
        bars = [
            charts.Bar(
                r.name,
                getattr(r.figures, attr) if r.figures else None,
                getattr(r.national, nat_attr) if r.national else None,
            )
            for r in chunk
        ]
        out.append(charts.bar_chart(
            chart_id=f"chart-{key}-{start // CHART_ROWS + 1}",
            title=f"{what} by school against the national average{part}",
            desc=f"{what} of each school as a bar, with the national figure for the school's "
                 "phase as a dashed mark. The same figures are in the table of schools.",
            bars=bars,
        ))
    return out


def summary_section(report: TrustReport) -> Section:
    return Section("summary", "Summary", "reports/sections/summary.html", {
        "sentences": metrics.summary_sentences(report.table, report.title),
        "table": report.table,
    })


def school_table_section(report: TrustReport) -> Section:
    rows = report.table.rows
    return Section("schools", "Schools against the national averages", "reports/sections/schools.html", {
        "table": report.table,
        "rows": rows,
        "show_trust": len({r.trust_id for r in rows}) > 1,
        "flag_national": settings.REPORTS_FLAG_NATIONAL_POINTS,
        "flag_change": settings.REPORTS_FLAG_CHANGE_POINTS,
        "charts": _bar_charts("ehcp", "EHCP %", "ehcp_pct", "ehcp_pct", rows)
        + _bar_charts("total", "Total SEND %", "total_pct", "total_pct", rows),
    })


def trend_chart(chart_id: str, title: str, points: list[metrics.TrendPoint],
                national: metrics.National | None = None) -> SafeString:
    labels = [f"{p.census_date:%b %Y}" for p in points]
    return charts.line_chart(
        chart_id=chart_id,
        title=title,
        desc="EHCP, SEN Support and total SEND as a percentage of pupils on roll at each census"
             + (", with the national figures as dotted lines" if national else "")
             + ". The same figures are in the table below the chart.",
        labels=labels,
        series=[
            charts.Series("EHCP", [p.figures.ehcp_pct for p in points],
                          national.ehcp_pct if national else None),
            charts.Series("SEN Support", [p.figures.sen_support_pct for p in points],
                          national.sen_support_pct if national else None),
            charts.Series("Total SEND", [p.figures.total_pct for p in points],
                          national.total_pct if national else None),
        ],
    )


def trend_section(report: TrustReport) -> Section | None:
    if not report.trend:
        return None
    return Section("trends", "Trends over censuses", "reports/sections/trends.html", {
        "points": report.trend,
        "chart": trend_chart("chart-trend", f"{report.title}: pupils with SEND at each census",
                             report.trend),
    })


def needs_section(report: TrustReport) -> Section | None:
    rows = metrics.needs_breakdown([r.by_need for r in report.table.rows if r.has_census],
                                   suppress=report.suppress)
    if not rows:
        return None
    return Section("needs", "Primary needs", "reports/sections/needs.html",
                   {"rows": rows, "suppress": report.suppress})


def year_groups_section(report: TrustReport) -> Section | None:
    rows = metrics.year_group_breakdown(
        [r.by_year_group for r in report.table.rows if r.has_census], suppress=report.suppress)
    if not rows:
        return None
    return Section("year-groups", "Year groups", "reports/sections/year_groups.html",
                   {"rows": rows, "suppress": report.suppress})


TRUST_SECTIONS: list[Callable[[TrustReport], Section | None]] = [
    summary_section,
    school_table_section,
    trend_section,
    needs_section,
    year_groups_section,
]


def trust_sections(report: TrustReport) -> list[Section]:
    return [s for s in (build(report) for build in TRUST_SECTIONS) if s is not None]


# --- One school ------------------------------------------------------------------------------


def school_figures_section(profile: metrics.SchoolProfile) -> Section:
    row = profile.row
    chart = None
    if row.figures is not None:
        chart = charts.bar_chart(
            chart_id="chart-school",
            title=f"{row.name}: pupils with SEND against the national average",
            desc="EHCP, SEN Support and total SEND as a percentage of pupils on roll, with the "
                 f"national figure for {row.national_phase} schools as a dashed mark.",
            bars=[
                charts.Bar(label, getattr(row.figures, attr),
                           getattr(row.national, nat_attr) if row.national else None)
                for _key, label, attr, nat_attr in metrics.MEASURES
            ],
            label_width=120,
        )
    return Section("figures", "Pupils with SEND", "reports/sections/school_figures.html",
                   {"row": row, "chart": chart})


def school_trend_section(profile: metrics.SchoolProfile) -> Section | None:
    if not profile.history:
        return None
    return Section("trends", "Over the censuses", "reports/sections/trends.html", {
        "points": profile.history,
        "chart": trend_chart("chart-trend", f"{profile.row.name}: pupils with SEND at each census",
                             profile.history, profile.row.national),
    })


def school_needs_section(profile: metrics.SchoolProfile) -> Section | None:
    if not profile.needs:
        return None
    return Section("needs", "Primary needs", "reports/sections/needs.html",
                   {"rows": profile.needs})


def school_year_groups_section(profile: metrics.SchoolProfile) -> Section | None:
    if not profile.year_groups:
        return None
    return Section("year-groups", "Year groups", "reports/sections/year_groups.html",
                   {"rows": profile.year_groups})


SCHOOL_SECTIONS: list[Callable[[metrics.SchoolProfile], Section | None]] = [
    school_figures_section,
    school_trend_section,
    school_needs_section,
    school_year_groups_section,
]


def school_sections(profile: metrics.SchoolProfile) -> list[Section]:
    return [s for s in (build(profile) for build in SCHOOL_SECTIONS) if s is not None]
