"""The trustee board pack as a PDF: the dashboard's sections, a cover and page headers, drawn
by WeasyPrint and written by core.pdf (tagged PDF/UA, resources only from the app's own static
folder).

Every school of the trust is in the pack's tables (the schools against the national averages,
and funding by school); the bar charts show the schools furthest from the national figure and
say how many are left out. The pack has stylesheets of its own (static/css/board_pack.css, and
board_pack_ua.css in place of WeasyPrint's user agent stylesheet), with only the rules its
templates use: WeasyPrint matches every element against every rule."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone

from core import pdf as core_pdf
from core.collection import cycle_collection_paused
from core.pdf import CSS, HTML, STATIC_DIR, StaticOnlyFetcher
from trusts.models import Trust

from . import sections

# Schools per bar chart (EHCP %, total SEND %): those furthest from the national figure, the
# chart saying how many more are in the table. Each bar is three texts WeasyPrint shapes one
# by one; the table above the charts lists every school.
PACK_CHART_SCHOOLS = 15


def render_html(
    trust: Trust,
    census_date: datetime.date | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> str:
    report = sections.trust_report(trust, census_date, period)
    report.chart_limit = PACK_CHART_SCHOOLS
    report.funding_school_limit = None  # every school of the trust
    return render_to_string(
        "reports/board_pack.html",
        {
            "trust": trust,
            "report": report,
            "sections": sections.trust_sections(report),
            "generated_at": timezone.localtime(),
        },
    )


def render_pdf(
    trust: Trust,
    census_date: datetime.date | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The pack's PDF, in three steps; `progress` is told the share done (40 once the figures
    are gathered, 80 once the pages are laid out) before each of the next two."""
    report = progress or (lambda done: None)
    with no_cycle_collection():
        html = render_html(trust, census_date, period)
        report(40)
        document = core_pdf.html(html, html_class=PackHTML).render()
        report(80)
        return core_pdf.write_pdf(document)


# Python's cycle collector paused while a pack is drawn. WeasyPrint makes a few hundred thousand
# objects for a 100-school pack and keeps them until the PDF is written; every full collection
# on the way walks all of them again (a fifth of the drawing time).
no_cycle_collection = cycle_collection_paused


class PackHTML(HTML):
    """A board pack's HTML, drawn with the pack's user agent stylesheet
    (static/css/board_pack_ua.css) in place of WeasyPrint's HTML5 one: the same rules for the
    elements the pack uses, without the hundred others every element is tested against (forms,
    ruby, bidi, footnotes). `_ua_stylesheets` is WeasyPrint's own hook for it (its HTML class
    defines it for this); the tests check that a pack is drawn through it."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [pack_ua_stylesheet()]


@functools.cache
def pack_ua_stylesheet() -> CSS:
    path = STATIC_DIR / "css" / "board_pack_ua.css"
    return CSS(
        string=path.read_text(encoding="utf-8"), base_url=path.as_uri(), url_fetcher=StaticOnlyFetcher()
    )


def warm_up() -> None:
    """Draw a one-line PDF, so that WeasyPrint's libraries and the fonts are loaded before the
    first board pack (about half a second the first pack would otherwise spend)."""
    core_pdf.write_pdf(core_pdf.html(WARM_UP_HTML, html_class=PackHTML))


# The pack's stylesheet, bold and plain text, a table and an SVG chart with text: each loads
# something the first pack would otherwise load.
WARM_UP_HTML = """<!DOCTYPE html><html lang="en-GB"><head><title>SEND Portal</title>
<link rel="stylesheet" href="css/board_pack.css"></head><body>
<h2 class="govuk-heading-m">SEND Portal</h2><table class="govuk-table"><tr>
<th class="govuk-table__header">School</th><td class="govuk-table__cell">1.5%</td></tr></table>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20" font-family="DejaVu Sans"
role="img"><title>EHCP</title><text x="0" y="15" font-weight="bold">EHCP</text>
<rect x="50" y="5" width="40" height="10"/></svg></body></html>"""
