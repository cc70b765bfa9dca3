"""What each dashboard page shows, kept in the figures cache (trusts.freshness) until a table it
was computed from changes.

A dashboard of a 100-school trust reads thousands of rows and draws a dozen charts: around a
hundred milliseconds of work whose result stays the same until someone records a change. Each
function here computes a page's figures (and, where the page is the same for every reader,
its sections' HTML) from ids, reading every object it shows from the database inside the
computation, so that the tables it depends on are the tables it read. The reader's
permissions and the date go into the cache key; the access checks themselves stay in the
views and run on every request.

The cache holds three levels. A page's whole content is one entry, read when nothing it shows
has changed. Inside it, each part of the page (the trust page's register, funding, timeliness,
casework and activity; the school page's register, casework and funding; the cross-trust
page's trust columns and table of schools) is drawn and kept on its own, and inside those each
set of figures (the school table, funding, casework by kind, ...) is an entry of its own. So
when a page must be drawn again after a change, only the figures that read the changed table
are computed again and only their part is drawn again: a case opened recomputes and redraws
the casework, not the census, funding or training.

What a reader is shown depends on their roles only through the parameters derived here
(`school_page_options`, `dashboard_trust_ids`, `cross_trust_ids`), which the views and
`refresh_pages` both use. `refresh_pages` (a periodic task) goes through every page some user
may open and computes again what changed or is getting old, so that people meet pages from the
cache rather than computed from nothing.

The board pack and the exports do not come through here: they compute their figures afresh.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from trusts import access, freshness
from trusts.access import Capability
from trusts.models import School, Trust, User

from . import metrics, sections


@dataclass(frozen=True)
class DashboardPage:
    sections_html: SafeString
    census_dates: list[datetime.date]
    census_date: datetime.date | None  # the census shown (each school's latest up to it)


def trust_page(trust_id: int, census_date: datetime.date | None, *,
               visible_trust_ids: frozenset[int] | set[int], today: datetime.date
               ) -> DashboardPage:
    """The trust dashboard's sections. `visible_trust_ids`: the trusts the reader may see (the
    Head of SEND's time split names only those). Each part of the report (sections.TRUST_PARTS)
    is drawn and cached on its own; the page joins them under the summary of them all."""
    visible = tuple(sorted(visible_trust_ids))

    def compute() -> DashboardPage:
        parts = [trust_page_part(trust_id, part, census_date, visible_trust_ids=visible,
                                 today=today) for part in sections.TRUST_PARTS]
        summary = sections.summary_of([s for p in parts for s in p.sentences])
        drawn = sorted([(SUMMARY_PLACE, _draw_section(summary))]
                       + [numbered for p in parts for numbered in p.sections])
        register = parts[sections.TRUST_PARTS.index(sections.REGISTER)]
        return DashboardPage(mark_safe("".join(html for _position, html in drawn)),  # noqa: S308 - drawn by templates
                             register.census_dates, register.census_date)

    return freshness.cached("trust-dashboard", (trust_id, census_date, visible, today), compute)


# The summary's place among the sections: each part has its sentences of it, and the page draws
# it once from them all.
SUMMARY_PLACE = sections.TRUST_SECTIONS.index(sections.summary_section)


@dataclass(frozen=True)
class TrustPagePart:
    sentences: list[str]  # its part of the summary
    sections: list[tuple[int, str]]  # (place in sections.TRUST_SECTIONS, drawn section)
    census_dates: list[datetime.date]
    census_date: datetime.date | None  # the census shown (the register part only)


def trust_page_part(trust_id: int, part: str, census_date: datetime.date | None, *,
                    visible_trust_ids: tuple[int, ...], today: datetime.date) -> TrustPagePart:
    """One part of the trust dashboard (sections.TRUST_PARTS): its sections drawn, and its
    sentences of the summary. Only the register depends on the census chosen: the other parts
    of a page for an earlier census are those of the latest."""
    if part != sections.REGISTER:
        census_date = None

    def compute() -> TrustPagePart:
        trust = Trust.objects.get(pk=trust_id)
        report = sections.trust_report(trust, census_date, sections.financial_year_to_date(today),
                                       links=True, visible_trust_ids=set(visible_trust_ids),
                                       read=freshness.cached, parts=(part,))
        numbered = sections.numbered_trust_sections(report)
        return TrustPagePart(
            sentences=sections.summary_sentences(report),
            sections=[(position, _draw_section(section, trust.slug))
                      for position, section in numbered if position != SUMMARY_PLACE],
            census_dates=report.census_dates,
            census_date=report.table.census_date if report.table is not None else None,
        )

    params = (trust_id, census_date, today) + ((visible_trust_ids,) if part == sections.ACTIVITY
                                               else ())
    return freshness.cached(f"trust-page-{part}", params, compute)


def _draw_section(section: sections.Section, trust_slug: str = "") -> str:
    """`trust_slug`: a trust's table of schools, with links to its exports."""
    return render_to_string("reports/_section.html", {"section": section,
                                                      "trust_slug": trust_slug})


def school_page(school_id: int, census_date: datetime.date | None, *, suppress: bool,
                show_funding: bool, case_links: bool, today: datetime.date) -> DashboardPage:
    """The school dashboard's sections. `suppress`: small counts below school level shown as
    "fewer than 5" (a reader who may not see pupils); `show_funding` and `case_links` as the
    reader's permissions allow. The register, casework and funding sections are drawn and
    cached apart, so a case opened draws the casework again and nothing else."""

    def register() -> tuple[list[str], list[datetime.date], datetime.date | None]:
        profile = freshness.cached("school-profile", (school_id, census_date, suppress),
                                   lambda: metrics.school_profile(school_id, census_date,
                                                                  suppress=suppress))
        drawn = [_draw_section(s) for build in sections.SCHOOL_SECTIONS
                 if (s := build(profile)) is not None]
        return drawn, profile.census_dates, profile.row.census_date

    def casework() -> list[str]:
        figures = freshness.cached("school-casework", (school_id, today, suppress),
                                   lambda: metrics.school_casework(school_id, today,
                                                                   suppress=suppress))
        return [_draw_section(sections.school_casework_section(figures, links=case_links))]

    def funding() -> list[str]:
        figures = freshness.cached(
            "funding-position", ((school_id,), today),
            lambda: metrics.funding_position((school_id,), today=today, read=freshness.cached))
        return [_draw_section(sections.school_funding_section(figures))]

    def compute() -> DashboardPage:
        drawn, census_dates, shown = freshness.cached(
            "school-page-register", (school_id, census_date, suppress), register)
        case_html = freshness.cached("school-page-casework", (school_id, today, suppress,
                                                              case_links), casework)
        funding_html = freshness.cached("school-page-funding", (school_id, today),
                                        funding) if show_funding else []
        html = "".join(sections.school_page_order(drawn, case_html, funding_html))
        return DashboardPage(mark_safe(html), census_dates, shown)  # noqa: S308 - drawn by templates

    return freshness.cached("school-dashboard",
                            (school_id, census_date, suppress, show_funding, case_links, today),
                            compute)


def _cross_trust_table(school_ids: tuple[int, ...]
                       ) -> tuple[metrics.SchoolTable, dict[int, str]]:
    """Every school of these trusts at its latest census, with its row of the table drawn (by
    school id)."""

    def compute() -> tuple[metrics.SchoolTable, dict[int, str]]:
        # No needs or year groups: the page does not show them, and a smaller entry is quicker
        # to read back from the cache.
        table = metrics.school_table(school_ids, breakdowns=False)
        return table, {r.school_id: sections.school_rows_html([r], show_trust=True, links=True)
                       for r in table.rows}

    return freshness.cached("cross-trust-table", (school_ids,), compute)


def _school_ids(trust_ids: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(School.objects.filter(trust_id__in=trust_ids).values_list("pk", flat=True))


def _cross_trust_columns(trust_ids: tuple[int, ...], today: datetime.date) -> str:
    """The trusts side by side: each trust's totals (summed counts), funding and casework,
    drawn from three cached sets of figures."""

    def compute() -> str:
        ids = _school_ids(trust_ids)
        # Read apart from the table, whose drawn rows would take milliseconds to read back.
        columns = freshness.cached("trust-columns", (ids,),
                                   lambda: metrics.trust_columns(_cross_trust_table(ids)[0]))
        funding_label, funding_by_trust = freshness.cached(
            "funding-by-trust", (ids, today), lambda: _funding_by_trust(ids, today))
        case_period = metrics.casework_period(today)
        cases_by_trust = freshness.cached("casework-by-trust", (ids, case_period),
                                          lambda: metrics.casework_by_trust(ids, *case_period))
        for column in columns:
            column.funding = funding_by_trust.get(column.trust_id, metrics.FundingTotals())
            column.cases = cases_by_trust.get(column.trust_id,
                                              {"opened": 0, "closed": 0, "open_now": 0})
        return render_to_string("reports/_cross_trust_columns.html", {
            "columns": columns, "funding_label": funding_label, "case_period": case_period,
            "phases": sorted({g.national_phase for c in columns for g in c.by_phase}),
        })

    return freshness.cached("cross-trust-columns", (trust_ids, today), compute)


def _funding_by_trust(school_ids: tuple[int, ...], today: datetime.date
                      ) -> tuple[str, dict[int, metrics.FundingTotals]]:
    funding = metrics.funding_position(school_ids, today=today, read=freshness.cached)
    return funding.label, metrics.funding_by_trust(funding)


CROSS_COLUMNS = [  # key, label, numeric
    ("name", "School", False), ("trust_name", "Trust", False), ("la_name", "LA", False),
    ("phase_label", "Phase", False), ("nor", "On roll", True), ("ehcp", "EHCP", True),
    ("ehcp_pct", "EHCP %", True), ("sen_support", "SEN Support", True),
    ("sen_support_pct", "SEN Support %", True), ("total", "Total SEND", True),
    ("total_pct", "Total %", True), ("flags", "Notable", False),
]
DEFAULT_SORT = "name"
CROSS_FILTERS = ("trust", "la", "phase")  # trust slug, LA name, phase


def cross_trust_body(trust_ids: list[int], *, filters: dict[str, str], sort: str,
                     today: datetime.date) -> SafeString:
    """The cross-trust page's content: the trusts side by side, then their schools filtered
    (trust slug, LA name, phase) and sorted (one of metrics.SORT_KEYS, "-key" descending). The
    two are drawn and cached apart, so a payment recorded draws the trusts' columns again, not
    the table of schools; the page as people first meet it, unfiltered, is kept whole too. A
    filtered or re-sorted table of schools is drawn per request from the cached figures."""
    ids = tuple(sorted(trust_ids))
    unfiltered = not any(filters.values()) and sort == DEFAULT_SORT

    def schools() -> str:
        table, row_html = _cross_trust_table(_school_ids(ids))
        return render_to_string("reports/_cross_trust_schools.html",
                                _cross_trust_schools_context(table, row_html, filters, sort))

    def compute() -> SafeString:
        table_html = freshness.cached("cross-trust-schools", (ids,), schools) if unfiltered \
            else schools()
        return mark_safe(_cross_trust_columns(ids, today) + table_html)  # noqa: S308 - drawn by templates

    if not unfiltered:
        return compute()
    return freshness.cached("cross-trust-page", (ids, today), compute)


def _cross_trust_schools_context(table: metrics.SchoolTable, row_html: dict[int, str],
                                 filters: dict[str, str], sort: str) -> dict:
    rows = metrics.filter_and_sort(table.rows, sort=sort, **filters)
    current_key, descending = sort.lstrip("-"), sort.startswith("-")
    chosen = {k: v for k, v in filters.items() if v}
    sort_columns = []
    for key, label, numeric in CROSS_COLUMNS:
        next_sort = f"-{key}" if key == current_key and not descending else key
        sort_columns.append({
            "key": key, "label": label, "numeric": numeric,
            "url": "?" + urlencode({**chosen, "sort": next_sort}),
            "aria_sort": ("descending" if descending else "ascending") if key == current_key else "",
        })
    shown = metrics.SchoolTable(
        rows=rows, census_date=table.census_date,
        totals=metrics.Figures.total(r.figures for r in rows if r.figures is not None),
        previous_totals=None,
        by_phase=metrics.phase_totals(rows, table.nationals), nationals=table.nationals,
    )
    return {
        "section": sections.schools_section("All schools", shown, rows, links=True,
                                            charts_too=False, show_trust=True,
                                            row_html=row_html),
        "sort_columns": sort_columns,
        "filters": filters,
        "trust_choices": sorted({(r.trust_slug, r.trust_name) for r in table.rows},
                                key=lambda c: c[1]),
        "la_choices": sorted({r.la_name for r in table.rows}),
        "phase_choices": sorted({(r.phase, r.phase_label) for r in table.rows}, key=lambda p: p[1]),
        "export_query": urlencode({**chosen, "sort": sort}),
    }


# --- What each reader is shown, and every page someone may open ------------------------------


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


@dataclass(frozen=True)
class Refreshed:
    trust_pages: int
    cross_trust_pages: int
    school_pages: int


def refresh_pages(*, max_age: float, today: datetime.date) -> Refreshed:
    """Every dashboard page an active user may open (the latest census, unfiltered, as first
    shown) read through the cache, computing again the figures whose tables changed or that
    were stored more than `max_age` seconds ago (trusts.freshness.refreshing); the rest stay.
    Pages that several readers see alike are read once."""
    trust_pages: set[tuple[int, tuple[int, ...]]] = set()
    cross_pages: set[tuple[int, ...]] = set()
    school_pages: set[tuple[int, tuple[tuple[str, bool], ...]]] = set()
    for user in User.objects.filter(is_active=True, memberships__isnull=False).distinct():
        visible = tuple(sorted(dashboard_trust_ids(user)))
        trust_pages |= {(trust_id, visible) for trust_id in visible}
        if (ids := cross_trust_ids(user)) is not None:
            cross_pages.add(tuple(ids))
        school_pages |= {(school_id, tuple(sorted(school_page_options(user, school_id).items())))
                         for school_id in access.school_ids_for(user, Capability.VIEW_SCHOOL)}
    with freshness.refreshing(max_age):
        for trust_id, visible in sorted(trust_pages):
            trust_page(trust_id, None, visible_trust_ids=set(visible), today=today)
        for ids in sorted(cross_pages):
            cross_trust_body(list(ids), filters=dict.fromkeys(CROSS_FILTERS, ""),
                             sort=DEFAULT_SORT, today=today)
        for school_id, options in sorted(school_pages):
            school_page(school_id, None, today=today, **dict(options))
    return Refreshed(len(trust_pages), len(cross_pages), len(school_pages))
