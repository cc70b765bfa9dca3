"""The SEN information report as the public reads it: no sign-in, for any school with an
approved report (a school without one answers 404, the same as one that does not exist).

Only what was frozen at approval is shown: the policy and school text and the suppressed
counts (selectors.published_report reads the one report with a scope of its school alone;
the visitor's own scope, empty when signed out, reaches nothing else). No pupil, no draft,
nothing of the register is read here."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import pdf, selectors


def _published(laestab: str):
    report = selectors.published_report(laestab)
    if report is None:
        raise Http404("This school has not published an SEN information report here.")
    return report


@require_GET
def report(request, laestab: str):
    published = _published(laestab)
    response = render(
        request,
        "inforeports/public_report.html",
        {
            "report": published,
            "school": published.school,
            "view": selectors.report_view(published),
        },
    )
    # Public, but not for ever: a new approval replaces it.
    response.setdefault("Cache-Control", "public, max-age=300")
    return response


# Drawing the PDF takes a second or more of a worker; on a page anyone may ask for, each
# approved version is drawn once an hour at most. An approved report is frozen and a new
# version is a new row, so the row's id (with its approval, belt and braces) names the content.
PUBLIC_PDF_SECONDS = 3600


def _public_pdf(published) -> bytes:
    approved = published.approved_at or published.approved_on
    # isoformat: no spaces, so the key suits any cache backend.
    key = f"inforeports:public-pdf:{published.pk}:{approved.isoformat() if approved else ''}"
    drawn: bytes | None = cache.get(key)
    if drawn is None:
        drawn = pdf.report_pdf(selectors.report_view(published))
        cache.set(key, drawn, PUBLIC_PDF_SECONDS)
    return drawn


@require_GET
def report_pdf(request, laestab: str):
    published = _published(laestab)
    response = HttpResponse(_public_pdf(published), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="sen-information-report-{published.school.laestab}-{published.academic_year}.pdf"'
    )
    return response
