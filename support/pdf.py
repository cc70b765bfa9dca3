"""A plan for parents and a one-page profile as PDFs, drawn by WeasyPrint from the app's own
print stylesheet (static/css/support_print.css, not the site's CSS) and written by core.pdf:
tagged PDF/UA, resources only from the app's static folder, titles and the language from each
document's <title> and <html lang>."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from .models import OnePageProfile, SupportPlan


def _document(template: str, context: dict):
    # core.pdf loads WeasyPrint: only when a PDF is drawn, not when the views are imported.
    from core import pdf as core_pdf

    html = render_to_string(template, {**context, "generated_at": timezone.localtime()})
    return core_pdf.html(html).render()


def _write(document) -> bytes:
    from core import pdf as core_pdf

    return core_pdf.write_pdf(document)


def plan_html_context(plan: SupportPlan, today: dt.date) -> dict:
    review = selectors.plan_review(plan)
    return {
        "plan": plan,
        "pupil": plan.pupil,
        "school": plan.school,
        "outcomes": selectors.plan_outcomes(plan),
        "review": review,
        "delivery": selectors.delivery_rows(plan, review, today),
        "delivery_end": plan.closed_on or min(today, plan.review_due),
        "followed": selectors.followed_review(plan),
        "today": today,
    }


def plan_pdf(plan: SupportPlan, *, today: dt.date) -> bytes:
    """The plan as parents read it: plain headings, the outcomes in a table, the review."""
    return _write(_document("support/pdf/plan.html", plan_html_context(plan, today)))


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
    return _write(document)
