"""A plan for parents and a one-page profile as PDFs, drawn by WeasyPrint from the app's own
print stylesheet (static/css/support_print.css, not the site's CSS). Resources are fetched only
from the app's static folder: no network, no file outside it. Titles and the language are set
from each document's <title> and <html lang>."""

from __future__ import annotations

import datetime as dt
import mimetypes
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from .models import OnePageProfile, SupportPlan

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves file:// URLs inside the app's static folder; refuses everything else."""

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme != "file":
                raise ValueError(f"Support plan PDFs load no external resources: {url}")
            path = Path(url2pathname(parsed.path)).resolve()
            if not path.is_relative_to(STATIC_DIR) or not path.is_file():
                raise ValueError(f"Support plan PDFs load only the app's static files: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                      headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def _document(template: str, context: dict):
    from weasyprint import HTML

    html = render_to_string(template, {**context, "generated_at": timezone.localtime()})
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/",
                url_fetcher=_fetcher()).render()


def _write(template: str, context: dict) -> bytes:
    return _document(template, context).write_pdf()


def plan_html_context(plan: SupportPlan, today: dt.date) -> dict:
    review = selectors.plan_review(plan)
    return {
        "plan": plan, "pupil": plan.pupil, "school": plan.school,
        "outcomes": selectors.plan_outcomes(plan),
        "review": review,
        "delivery": selectors.delivery_rows(plan, review, today),
        "delivery_end": plan.closed_on or min(today, plan.review_due),
        "followed": selectors.followed_review(plan),
        "today": today,
    }


def plan_pdf(plan: SupportPlan, *, today: dt.date) -> bytes:
    """The plan as parents read it: plain headings, the outcomes in a table, the review."""
    return _write("support/pdf/plan.html", plan_html_context(plan, today))


# Type sizes (points) tried in turn until the profile fits one page: most profiles print at the
# first; the longest parts allowed (services.PROFILE_PART_MAX_CHARS, _LINES) fit at the last.
PROFILE_TYPE_SIZES = (10, 9, 8, 7)


def profile_pdf(profile: OnePageProfile) -> bytes:
    """The profile on one A4 page, its type made smaller if its parts are long."""
    context = {"profile": profile, "pupil": profile.pupil, "school": profile.pupil.school}
    for size in PROFILE_TYPE_SIZES:
        document = _document("support/pdf/profile.html", {**context, "type_size": size})
        if len(document.pages) == 1:
            break
    return document.write_pdf()
