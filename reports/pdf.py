"""The trustee board pack as a PDF: the dashboard's sections, a cover and page headers, drawn
by WeasyPrint. Resources are fetched only from the app's own static folder (no network, no
file outside it)."""

from __future__ import annotations

import datetime
import mimetypes
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from trusts.models import Trust

from . import sections

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
# Schools listed in the pack's funding table by school (those with the largest shortfall). A
# hundred rows of nine money columns take about a second to lay out and say little to trustees
# that the totals by LA do not; the trust dashboard and its funding pages list every school.
PACK_FUNDING_SCHOOLS = 20


class StaticOnlyFetcher(URLFetcher):
    """Serves file:// URLs inside the app's static folder; refuses everything else."""

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise ValueError(f"Board packs load no external resources: {url}")
        path = Path(url2pathname(parsed.path)).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise ValueError(f"Board packs load only the app's static files: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": content_type})


def render_html(
    trust: Trust, census_date: datetime.date | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> str:
    report = sections.trust_report(trust, census_date, period)
    report.chart_limit = sections.CHART_ROWS
    report.funding_school_limit = PACK_FUNDING_SCHOOLS
    return render_to_string("reports/board_pack.html", {
        "trust": trust,
        "report": report,
        "sections": sections.trust_sections(report),
        "generated_at": timezone.localtime(),
    })


def render_pdf(
    trust: Trust, census_date: datetime.date | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> bytes:
    html = render_html(trust, census_date, period)
    return HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()
    ).write_pdf()


def warm_up() -> None:
    """Draw a one-line PDF, so that WeasyPrint's libraries and the fonts are loaded before the
    first board pack (about half a second the first pack would otherwise spend)."""
    HTML(string=WARM_UP_HTML, base_url=STATIC_DIR.as_uri() + "/",
         url_fetcher=StaticOnlyFetcher()).write_pdf()


# The pack's stylesheet, bold and plain text, a table and an SVG chart with text: each loads
# something the first pack would otherwise load.
WARM_UP_HTML = """<!DOCTYPE html><html><head><link rel="stylesheet" href="css/board_pack.css">
</head><body><h2 class="govuk-heading-m">SEND Portal</h2><table class="govuk-table"><tr>
<th class="govuk-table__header">School</th><td class="govuk-table__cell">1.5%</td></tr></table>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20" font-family="DejaVu Sans">
<text x="0" y="15" font-weight="bold">EHCP</text><rect x="50" y="5" width="40" height="10"/>
</svg></body></html>"""
