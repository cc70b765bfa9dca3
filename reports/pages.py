"""What each dashboard page shows, composed from the figures each app keeps (DESIGN §5).

The register's figures come from the census snapshots (pupils.figures), funding's from its
summary rows per school, LA and financial year (funding.figures), casework's, EHC
timeliness's and the Head of SEND's activity from theirs (casework.figures). Each read is a
fixed number of queries over those summary rows, so a page costs the same whatever the number
of claims, cases or pupils, and grows only with the rows it shows (its schools). Nothing is
cached: a page is computed on every request from rows the writes keep current, so there is
nothing to invalidate and no reader-dependent key to get wrong.

What a reader is shown depends on their roles only through the parameters derived here
(`school_page_options`, `dashboard_trust_ids`, `cross_trust_ids`); the access checks
themselves run in the views.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from casework import figures as casework_figures
from funding import figures as funding_figures
from funding import selectors as funding_selectors
from pupils import figures as register
from trusts import access
from trusts.access import Capability
from trusts.models import Trust

from . import sections


@dataclass(frozen=True)
class DashboardPage:
    sections_html: SafeString
    census_dates: list[datetime.date]
    census_date: datetime.date | None  # the census shown (each school's latest up to it)


# Schools per bar chart on the trust dashboard: one chart per measure, of the schools furthest
# from the national figure, saying how many more the table lists. Four charts of a hundred bars
# each were slow to read and to draw, and showed little the table does not.
WEB_CHART_SCHOOLS = sections.CHART_ROWS


def _draw_section(section: sections.Section, trust_slug: str = "") -> str:
    """`trust_slug`: a trust's table of schools, with links to its exports."""
    return render_to_string("reports/_section.html", {"section": section, "trust_slug": trust_slug})


def trust_page(
    trust: Trust,
    census_date: datetime.date | None,
    *,
    visible_trust_ids: frozenset[int] | set[int],
    today: datetime.date,
) -> DashboardPage:
    """The trust dashboard's sections. `visible_trust_ids`: the trusts the reader may see (the
    Head of SEND's time split names only those)."""
    report = sections.trust_report(
        trust,
        census_date,
        sections.financial_year_to_date(today),
        links=True,
        visible_trust_ids=set(visible_trust_ids),
    )
    report.chart_limit = WEB_CHART_SCHOOLS
    html = "".join(_draw_section(section, trust.slug) for section in sections.trust_sections(report))
    return DashboardPage(
        mark_safe(html),  # noqa: S308 - drawn by templates
        report.census_dates,
        report.table.census_date,
    )


def school_page(
    school_id: int,
    census_date: datetime.date | None,
    *,
    suppress: bool,
    show_funding: bool,
    case_links: bool,
    today: datetime.date,
) -> DashboardPage:
    """The school dashboard's sections. `suppress`: small counts below school level shown as
    "fewer than 5" (a reader who may not see pupils); `show_funding` and `case_links` as the
    reader's permissions allow."""
    profile = register.school_profile(school_id, census_date, suppress=suppress)
    drawn = [_draw_section(s) for build in sections.SCHOOL_SECTIONS if (s := build(profile)) is not None]
    casework = casework_figures.school_due(school_id, today, suppress=suppress)
    case_html = [_draw_section(sections.school_casework_section(casework, links=case_links))]
    funding_html = []
    if show_funding:
        summary = funding_figures.summary(
            [school_id],
            funding_selectors.default_financial_year(today),
            today,
            names=sections.funding_names(profile.row),
        )
        funding_html = [_draw_section(sections.school_funding_section(summary))]
    html = "".join(sections.school_page_order(drawn, case_html, funding_html))
    return DashboardPage(
        mark_safe(html),  # noqa: S308 - drawn by templates
        profile.census_dates,
        profile.row.census_date,
    )


# --- The cross-trust page ---------------------------------------------------------------------


@dataclass
class TrustColumn:
    """One trust of the cross-trust page: its register totals (summed counts), funding and
    casework."""

    trust_id: int
    name: str
    slug: str
    figures: register.Figures
    by_phase: list[register.PhaseTotal]
    funding: funding_figures.FundingTotals = field(default_factory=lambda: funding_figures.FundingTotals())
    cases: dict = field(default_factory=lambda: {"opened": 0, "closed": 0, "open_now": 0})


def trust_columns(table: register.SchoolTable) -> list[TrustColumn]:
    """Each trust's totals (summed counts) from a table holding several trusts' schools."""
    grouped: dict[int, list[register.SchoolRow]] = {}
    for row in table.rows:
        grouped.setdefault(row.trust_id, []).append(row)
    out = []
    for rows in grouped.values():
        with_census = [r for r in rows if r.figures is not None]
        out.append(
            TrustColumn(
                rows[0].trust_id,
                rows[0].trust_name,
                rows[0].trust_slug,
                register.Figures.total(r.figures for r in with_census if r.figures is not None),
                register.phase_totals(with_census, table.nationals),
            )
        )
    out.sort(key=lambda c: c.name)
    return out


CROSS_COLUMNS = [  # key, label, numeric
    ("name", "School", False),
    ("trust_name", "Trust", False),
    ("la_name", "LA", False),
    ("phase_label", "Phase", False),
    ("nor", "On roll", True),
    ("ehcp", "EHCP", True),
    ("ehcp_pct", "EHCP %", True),
    ("sen_support", "SEN Support", True),
    ("sen_support_pct", "SEN Support %", True),
    ("total", "Total SEND", True),
    ("total_pct", "Total %", True),
    ("flags", "Notable", False),
]
DEFAULT_SORT = "name"
CROSS_FILTERS = ("trust", "la", "phase")  # trust slug, LA name, phase


def cross_trust_body(
    trust_ids: list[int], *, filters: dict[str, str], sort: str, today: datetime.date
) -> SafeString:
    """The cross-trust page's content: the trusts side by side (register, funding and
    casework totals), then their schools filtered (trust slug, LA name, phase) and sorted (one
    of register.SORT_KEYS, "-key" descending)."""
    # No needs or year groups: the page does not show them.
    table = register.school_table(trust_ids=trust_ids, breakdowns=False)
    school_ids = [r.school_id for r in table.rows]
    columns = trust_columns(table)
    funding = funding_figures.summary(
        school_ids,
        funding_selectors.default_financial_year(today),
        today,
        names=sections.funding_names(table),
    )
    funding_by_trust = funding_figures.by_trust(funding)
    case_period = casework_figures.casework_period(today)
    cases_by_trust = casework_figures.by_trust(school_ids, *case_period)
    for column in columns:
        column.funding = funding_by_trust.get(column.trust_id, column.funding)
        column.cases = cases_by_trust.get(column.trust_id, column.cases)
    columns_html = render_to_string(
        "reports/_cross_trust_columns.html",
        {
            "columns": columns,
            "funding_label": funding.label,
            "case_period": case_period,
            "phases": sorted({g.national_phase for c in columns for g in c.by_phase}),
        },
    )
    schools_html = render_to_string(
        "reports/_cross_trust_schools.html", _cross_trust_schools_context(table, filters, sort)
    )
    return mark_safe(columns_html + schools_html)  # noqa: S308 - drawn by templates


def _cross_trust_schools_context(table: register.SchoolTable, filters: dict[str, str], sort: str) -> dict:
    rows = register.filter_and_sort(table.rows, sort=sort, **filters)
    current_key, descending = sort.lstrip("-"), sort.startswith("-")
    chosen = {k: v for k, v in filters.items() if v}
    sort_columns = []
    for key, label, numeric in CROSS_COLUMNS:
        next_sort = f"-{key}" if key == current_key and not descending else key
        sort_columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "url": "?" + urlencode({**chosen, "sort": next_sort}),
                "aria_sort": ("descending" if descending else "ascending") if key == current_key else "",
            }
        )
    shown = register.SchoolTable(
        rows=rows,
        census_date=table.census_date,
        totals=register.Figures.total(r.figures for r in rows if r.figures is not None),
        previous_totals=None,
        by_phase=register.phase_totals(rows, table.nationals),
        nationals=table.nationals,
    )
    return {
        "section": sections.schools_section(
            "All schools", shown, rows, links=True, charts_too=False, show_trust=True
        ),
        "sort_columns": sort_columns,
        "filters": filters,
        "trust_choices": sorted({(r.trust_slug, r.trust_name) for r in table.rows}, key=lambda c: c[1]),
        "la_choices": sorted({r.la_name for r in table.rows}),
        "phase_choices": sorted({(r.phase, r.phase_label) for r in table.rows}, key=lambda p: p[1]),
        "export_query": urlencode({**chosen, "sort": sort}),
    }


# --- What each reader is shown ----------------------------------------------------------------


def school_page_options(user, school_id: int) -> dict[str, bool]:
    """school_page's reader-dependent parameters for this user and school."""
    return {
        "suppress": not access.can(user, Capability.VIEW_PUPILS, school_id),
        "show_funding": access.can(user, Capability.VIEW_FUNDING, school_id),
        "case_links": access.can(user, Capability.VIEW_CASES, school_id),
    }


def dashboard_trust_ids(user) -> frozenset[int]:
    """The trusts whose dashboards the user may open, which are also the trusts the Head of
    SEND's time split may name for them (trust_page's `visible_trust_ids`)."""
    return access.trust_ids_for(user, Capability.VIEW_TRUST_DASHBOARD)


def cross_trust_ids(user) -> list[int] | None:
    """The trusts of the user's cross-trust page, or None: it is only for someone with a
    trust-dashboard role in several trusts."""
    trust_ids = dashboard_trust_ids(user)
    return sorted(trust_ids) if len(trust_ids) > 1 else None
