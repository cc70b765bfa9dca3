"""The sections of the dashboards and of the board pack: one function per section, each
turning figures the apps keep (pupils.figures, funding.figures, casework.figures) into a
template and its context. The dashboard pages and
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
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from casework import figures as casework_figures
from core import years
from core.numbers import money, pct_text
from funding import figures as funding_figures
from funding import selectors as funding_selectors
from pupils import figures as register
from trusts.models import Trust

from . import charts
from .templatetags.reports import num

CHART_ROWS = 30  # bars per chart, so that a chart fits on one PDF page


@dataclass
class Section:
    key: str
    title: str
    template: str
    context: dict = field(default_factory=dict)


def financial_year_to_date(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """1 April of the current financial year to today."""
    return years.financial_year_to_date(today or timezone.localdate())


def census_label(date: datetime.date | None) -> str:
    return "no census" if date is None else f"{date:%-d %b %Y}"


# --- A trust (or several trusts' schools) -------------------------------------------------


@dataclass
class TrustReport:
    title: str
    table: register.SchoolTable
    trend: list[register.TrendPoint] = field(default_factory=list)
    census_dates: list[datetime.date] = field(default_factory=list)
    trust: Trust | None = None
    period: tuple[datetime.date, datetime.date] = field(default_factory=financial_year_to_date)
    suppress: bool = True  # small counts below school level as "fewer than 5"
    links: bool = False  # school names link to their dashboards (pages, not the PDF)
    # At most this many schools per chart measure, those furthest from the national figure
    # (the PDF: every chart costs about half a second to draw there). None: every school.
    chart_limit: int | None = None
    # At most this many schools in the funding table by school, those with the largest
    # shortfall. None: every school.
    funding_school_limit: int | None = None
    funding: funding_figures.FundingSummary | None = None
    timeliness: casework_figures.Timeliness | None = None
    casework: casework_figures.CaseworkByKind | None = None
    training: casework_figures.Training | None = None
    time_splits: list[casework_figures.TimeSplit] = field(default_factory=list)


def trust_report(
    trust: Trust,
    census_date: datetime.date | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
    *,
    links: bool = False,
    visible_trust_ids: set[int] | frozenset[int] | None = None,
) -> TrustReport:
    """Everything the trust dashboard and the board pack show, read from the figures each app
    keeps: the register at `census_date` (default: each school's latest), funding for the
    financial year of the period's end, EHC timeliness, training and the Head of SEND's time
    over the period (default: the financial year to date), casework over the previous and
    current academic years. A fixed number of queries whatever the number of schools, pupils,
    claims or cases. `visible_trust_ids`: the trusts the reader may see, named in the time
    split (default: this trust only, as for trustees)."""
    period = period or financial_year_to_date()
    start, end = period
    table = register.school_table(census_date=census_date, trust_ids=[trust.pk], history=True)
    ids = [r.school_id for r in table.rows]
    report = TrustReport(
        title=trust.name,
        trust=trust,
        table=table,
        period=period,
        links=links,
        trend=table.trend,
        census_dates=table.census_dates,
    )
    report.funding = funding_figures.summary(
        ids, funding_selectors.default_financial_year(end), end, names=funding_names(table)
    )
    report.timeliness = casework_figures.timeliness(ids, start, end, end)
    report.casework = casework_figures.by_kind(ids, *casework_figures.casework_period(end))
    report.training = casework_figures.training([trust.pk], start, end)
    visible = sorted(visible_trust_ids or {trust.pk})
    report.time_splits = casework_figures.time_splits([trust.pk], visible, end)
    return report


def funding_names(rows: register.SchoolTable | register.SchoolRow) -> list[funding_figures.SchoolName]:
    """The funding tables' school names from the register's rows, already read."""
    listed = rows.rows if isinstance(rows, register.SchoolTable) else [rows]
    return [funding_figures.SchoolName(r.school_id, r.name, r.laestab, r.trust_id, r.la_name) for r in listed]


def _furthest_from_national(
    rows: list[register.SchoolRow], attr: str, nat_attr: str, limit: int
) -> list[register.SchoolRow]:
    def distance(r: register.SchoolRow):
        if r.figures is None or r.national is None or getattr(r.figures, attr) is None:
            return -1
        return abs(getattr(r.figures, attr) - getattr(r.national, nat_attr))

    # Schools equally far from it are taken by name, so the cut is the same on every run.
    by_name = sorted(rows, key=lambda r: (r.name.lower(), r.school_id))
    keep = {id(r) for r in sorted(by_name, key=distance, reverse=True)[:limit]}
    return [r for r in rows if id(r) in keep]


def _bar_charts(
    key: str, what: str, attr: str, nat_attr: str, rows: list[register.SchoolRow], limit: int | None = None
) -> list[SafeString]:
    out = []
    selection = ""
    if limit is not None and len(rows) > limit:
        selection = f" (the {limit} furthest from it; {len(rows) - limit} not shown)"
        rows = _furthest_from_national(rows, attr, nat_attr, limit)
    for start in range(0, len(rows), CHART_ROWS):
        chunk = rows[start : start + CHART_ROWS]
        part = f" (schools {start + 1} to {start + len(chunk)})" if len(rows) > CHART_ROWS else ""
        bars = [
            charts.Bar(
                r.name,
                getattr(r.figures, attr) if r.figures else None,
                getattr(r.national, nat_attr) if r.national else None,
            )
            for r in chunk
        ]
        out.append(
            charts.bar_chart(
                chart_id=f"chart-{key}-{start // CHART_ROWS + 1}",
                title=f"{what} by school against the national average{selection}{part}",
                desc=f"{what} of each school as a bar, with the national figure for the school's "
                "phase as a dashed mark. The same figures are in the table of schools.",
                bars=bars,
            )
        )
    return out


_NUM = '<td class="govuk-table__cell portal-numeric">'
_TEXT = '<td class="govuk-table__cell">'


def school_rows_html(rows: list[register.SchoolRow], *, show_trust: bool, links: bool) -> SafeString:
    """The body of the schools table. Built here rather than in the template: a Django template
    takes about 10 ms for 100 rows of twelve formatted cells, this well under 1 ms. Every text
    from the database is escaped; numbers are formatted here."""
    # Reversed only for links: the board pack's process would load the whole URLconf for it.
    school_url = reverse("reports:school", args=["0000000"]).replace("0000000", "{}") if links else ""
    # The PDF's narrow column takes the short words (explained under the table).
    words = (
        {"national": "vs national", "change": "since last census"}
        if links
        else {"national": "vs nat.", "change": "since last"}
    )
    out = []
    for r in rows:
        name = escape(r.name)
        if links:
            name = f'<a class="govuk-link" href="{escape(school_url.format(r.laestab))}">{name}</a>'
        cells = [f'<th scope="row" class="govuk-table__header">{name}</th>']
        if show_trust:
            cells.append(f"{_TEXT}{escape(r.trust_name)}</td>")
        cells.append(f"{_TEXT}{escape(r.la_name)}</td>{_TEXT}{escape(r.phase_label)}</td>")
        f = r.figures
        if f is None:
            cells.append('<td class="govuk-table__cell portal-muted" colspan="8">No census figures yet</td>')
        else:
            cells.append(
                f"{_NUM}{f.number_on_roll:,}</td>{_NUM}{f.ehcp:,}</td>{_NUM}{pct_text(f.ehcp_pct)}</td>"
                f"{_NUM}{f.sen_support:,}</td>{_NUM}{pct_text(f.sen_support_pct)}</td>"
                f"{_NUM}{f.total_send:,}</td>{_NUM}{pct_text(f.total_pct)}</td>"
            )
            flags = "<br>".join(
                f'<span class="report-flag report-flag--{flag.kind}">{escape(flag.measure)} '
                f"{'+' if flag.points >= 0 else '−'}{abs(flag.points)} "
                f"{words[flag.kind]}</span>"
                for flag in r.flags
            )
            cells.append(f'<td class="govuk-table__cell report-flags">{flags}</td>')
        out.append(f'<tr class="govuk-table__row" data-school="{escape(r.laestab)}">{"".join(cells)}</tr>')
    return mark_safe("\n".join(out))  # noqa: S308 - every text from the database is escaped


def schools_section(
    title: str,
    table: register.SchoolTable,
    rows: list[register.SchoolRow],
    *,
    links: bool,
    charts_too: bool = True,
    show_trust: bool | None = None,
    chart_limit: int | None = None,
) -> Section:
    if show_trust is None:
        show_trust = len({r.trust_id for r in rows}) > 1
    rows_html = school_rows_html(rows, show_trust=show_trust, links=links)
    return Section(
        "schools",
        title,
        "reports/sections/schools.html",
        {
            "table": table,
            "rows": rows,
            "rows_html": rows_html,
            "show_trust": show_trust,
            "flag_national": settings.REPORTS_FLAG_NATIONAL_POINTS,
            "flag_change": settings.REPORTS_FLAG_CHANGE_POINTS,
            "charts": (
                _bar_charts("ehcp", "EHCP %", "ehcp_pct", "ehcp_pct", rows, chart_limit)
                + _bar_charts("total", "Total SEND %", "total_pct", "total_pct", rows, chart_limit)
            )
            if charts_too
            else [],
        },
    )


def summary_sentences(report: TrustReport) -> list[str]:
    """The plain-English summary of the figures the report holds."""
    sentences = register.summary_sentences(report.table, report.title)
    if report.funding is not None:
        sentences += funding_figures.funding_sentences(report.funding)
    if report.timeliness is not None:
        sentences += casework_figures.timeliness_sentences(report.timeliness, *report.period)
    if report.casework is not None:
        sentences += casework_figures.casework_sentences(report.casework)
    if report.training is not None:
        sentences += casework_figures.activity_sentences(report.training, report.time_splits)
    return sentences


def summary_section(report: TrustReport) -> Section:
    return Section(
        "summary", "Summary", "reports/sections/summary.html", {"sentences": summary_sentences(report)}
    )


def funding_section(report: TrustReport) -> Section | None:
    if report.funding is None:
        return None
    schools = report.funding.schools
    limit = report.funding_school_limit
    if limit is not None and len(schools) > limit:
        largest = sorted(schools, key=lambda r: (-r.totals.shortfall, -r.totals.gap, r.school.name))[:limit]
        keep = {id(r) for r in largest}
        schools = [r for r in schools if id(r) in keep]
    return Section(
        "funding",
        f"Top-up funding {report.funding.label}",
        "reports/sections/funding.html",
        {
            "summary": report.funding,
            "columns": FUNDING_COLUMNS,
            "la_rows_html": funding_rows_html(
                [(r.local_authority.name, r.totals) for r in report.funding.local_authorities]
            ),
            "total_row_html": funding_rows_html([("Total", report.funding.total)], total=True),
            "schools": schools,
            "school_rows_html": funding_rows_html([(r.school.name, r.totals) for r in schools]),
            "schools_left_out": len(report.funding.schools) - len(schools),
        },
    )


# The columns of the funding tables after the first (the LA or school), as funding_rows_html
# draws them.
FUNDING_COLUMNS = (
    "Claims",
    "Claimed (a year)",
    "Awarded (expected in the year)",
    "Expected to date",
    "Received",
    "Shortfall",
    "Provision cost",
    "Funding gap",
    "Unclaimed pupils",
)


def funding_rows_html(
    lines: list[tuple[str, funding_figures.FundingTotals]], *, total: bool = False
) -> SafeString:
    """Rows of the funding tables: a label, then claims, money and unclaimed pupils. Built here
    for the reason school_rows_html gives (a template include per row of 100 schools takes
    about 6 ms)."""
    row_class = "govuk-table__row report-total" if total else "govuk-table__row"
    out = []
    for label, t in lines:
        cells = "".join(
            f"{_NUM}{money(v)}</td>"
            for v in (
                t.claimed_value,
                t.expected,
                t.expected_to_date,
                t.received,
                t.shortfall,
                t.provision_cost,
                t.gap,
            )
        )
        out.append(
            f'<tr class="{row_class}"><th scope="row" class="govuk-table__header">'
            f"{escape(label)}</th>{_NUM}{t.claims_submitted:,}</td>{cells}"
            f"{_NUM}{t.unclaimed:,}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - the only text, the label, is escaped


def timeliness_section(report: TrustReport) -> Section | None:
    if report.timeliness is None:
        return None
    return Section(
        "timeliness",
        "EHC needs assessments: timeliness by local authority",
        "reports/sections/timeliness.html",
        {"timeliness": report.timeliness, "period": report.period},
    )


def casework_section(report: TrustReport) -> Section | None:
    if report.casework is None:
        return None
    return Section(
        "casework",
        "Casework opened and closed by kind",
        "reports/sections/casework.html",
        {"casework": report.casework},
    )


def training_section(report: TrustReport) -> Section | None:
    if report.training is None:
        return None
    return Section(
        "training",
        "Training delivered",
        "reports/sections/training.html",
        {
            "training": report.training,
            "period": report.period,
            "rows_html": training_rows_html(report.training.rows),
        },
    )


def training_rows_html(rows: list[dict]) -> SafeString:
    """The training table's body: a row per school (a hundred in a large trust), built here for
    the reason school_rows_html is."""
    out = []
    for r in rows:
        name = escape(r["school__name"] or "Not for one school")
        out.append(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{name}</th>'
            f"{_NUM}{r['sessions'] or 0:,}</td>{_NUM}{_hours(r['hours'])}</td>"
            f"{_NUM}{num(r['staff'])}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - the one text from the database is escaped


def _hours(value) -> str:
    """Hours as the templates' floatformat:"-2" shows them: 3.5 -> "3.50", 4 -> "4"."""
    if value is None:
        return "–"
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(int(value)) if value == value.to_integral_value() else f"{value:f}"


def time_split_section(report: TrustReport) -> Section | None:
    if not report.time_splits:
        return None
    return Section(
        "time-split",
        "The Head of SEND's time between trusts",
        "reports/sections/time_split.html",
        {"splits": report.time_splits},
    )


def school_table_section(report: TrustReport) -> Section:
    return schools_section(
        "Schools against the national averages",
        report.table,
        report.table.rows,
        links=report.links,
        chart_limit=report.chart_limit,
    )


def trend_chart(
    chart_id: str, title: str, points: list[register.TrendPoint], national: register.National | None = None
) -> SafeString:
    labels = [f"{p.census_date:%b %Y}" for p in points]
    return charts.line_chart(
        chart_id=chart_id,
        title=title,
        desc="EHCP, SEN Support and total SEND as a percentage of pupils on roll at each census"
        + (", with the national figures as dotted lines" if national else "")
        + ". The same figures are in the table below the chart.",
        labels=labels,
        series=[
            charts.Series(
                "EHCP", [p.figures.ehcp_pct for p in points], national.ehcp_pct if national else None
            ),
            charts.Series(
                "SEN Support",
                [p.figures.sen_support_pct for p in points],
                national.sen_support_pct if national else None,
            ),
            charts.Series(
                "Total SEND", [p.figures.total_pct for p in points], national.total_pct if national else None
            ),
        ],
    )


def trend_section(report: TrustReport) -> Section | None:
    if not report.trend:
        return None
    return Section(
        "trends",
        "Trends over censuses",
        "reports/sections/trends.html",
        {
            "points": report.trend,
            "chart": trend_chart(
                "chart-trend", f"{report.title}: pupils with SEND at each census", report.trend
            ),
        },
    )


def needs_section(report: TrustReport) -> Section | None:
    rows = register.needs_breakdown(
        [r.by_need for r in report.table.rows if r.has_census], suppress=report.suppress
    )
    if not rows:
        return None
    return Section(
        "needs", "Primary needs", "reports/sections/needs.html", {"rows": rows, "suppress": report.suppress}
    )


def year_groups_section(report: TrustReport) -> Section | None:
    rows = register.year_group_breakdown(
        [r.by_year_group for r in report.table.rows if r.has_census], suppress=report.suppress
    )
    if not rows:
        return None
    return Section(
        "year-groups",
        "Year groups",
        "reports/sections/year_groups.html",
        {"rows": rows, "suppress": report.suppress},
    )


TRUST_SECTIONS: list[Callable[[TrustReport], Section | None]] = [
    summary_section,
    school_table_section,
    trend_section,
    funding_section,
    timeliness_section,
    casework_section,
    training_section,
    time_split_section,
    needs_section,
    year_groups_section,
]


def trust_sections(report: TrustReport) -> list[Section]:
    """The sections with something to show, in the order of the page and the pack."""
    return [s for build in TRUST_SECTIONS if (s := build(report)) is not None]


# --- One school ------------------------------------------------------------------------------


def school_figures_section(profile: register.SchoolProfile) -> Section:
    row = profile.row
    chart = None
    if row.figures is not None:
        chart = charts.bar_chart(
            chart_id="chart-school",
            title=f"{row.name}: pupils with SEND against the national average",
            desc="EHCP, SEN Support and total SEND as a percentage of pupils on roll, with the "
            f"national figure for {row.national_phase} schools as a dashed mark.",
            bars=[
                charts.Bar(
                    label,
                    getattr(row.figures, attr),
                    getattr(row.national, nat_attr) if row.national else None,
                )
                for _key, label, attr, nat_attr in register.MEASURES
            ],
            label_width=120,
        )
    return Section(
        "figures", "Pupils with SEND", "reports/sections/school_figures.html", {"row": row, "chart": chart}
    )


def school_trend_section(profile: register.SchoolProfile) -> Section | None:
    if not profile.history:
        return None
    return Section(
        "trends",
        "Over the censuses",
        "reports/sections/trends.html",
        {
            "points": profile.history,
            "chart": trend_chart(
                "chart-trend",
                f"{profile.row.name}: pupils with SEND at each census",
                profile.history,
                profile.row.national,
            ),
        },
    )


def school_needs_section(profile: register.SchoolProfile) -> Section | None:
    if not profile.needs:
        return None
    return Section("needs", "Primary needs", "reports/sections/needs.html", {"rows": profile.needs})


def school_year_groups_section(profile: register.SchoolProfile) -> Section | None:
    if not profile.year_groups:
        return None
    return Section(
        "year-groups", "Year groups", "reports/sections/year_groups.html", {"rows": profile.year_groups}
    )


SCHOOL_SECTIONS: list[Callable[[register.SchoolProfile], Section | None]] = [
    school_figures_section,
    school_trend_section,
    school_needs_section,
    school_year_groups_section,
]


def school_casework_section(casework: casework_figures.SchoolCasework, *, links: bool) -> Section:
    return Section(
        "casework",
        "Open cases and statutory steps due",
        "reports/sections/school_casework.html",
        {"casework": casework, "links": links},
    )


def school_funding_section(summary: funding_figures.FundingSummary) -> Section:
    return Section(
        "funding",
        f"Top-up funding {summary.label}",
        "reports/sections/school_funding.html",
        {"summary": summary, "totals": summary.total},
    )


def school_page_order(register: list[str], casework: list[str], funding: list[str]) -> list[str]:
    """The school page's drawn sections in order: the school's figures, then its casework and
    funding (where the reader may see them), then the rest of the register."""
    return register[:1] + casework + funding + register[1:]
