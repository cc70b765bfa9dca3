"""The SEN information report as a PDF, drawn by WeasyPrint from its own print stylesheet
(static/css/inforeport_print.css, not the site's CSS) and written by core.pdf: tagged PDF/UA,
resources only from the app's static folder, its title and language from <title> and
<html lang>. A draft says so on every page; an approved report gives its approval date."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .selectors import ReportView


def report_pdf(view: ReportView) -> bytes:
    # core.pdf loads WeasyPrint: only when a PDF is drawn, not when the views are imported.
    from core import pdf as core_pdf

    html = render_to_string(
        "inforeports/pdf/report.html",
        {
            "view": view,
            "report": view.report,
            "school": view.report.school,
            "generated_at": timezone.localtime(),
        },
    )
    return core_pdf.write_pdf(core_pdf.html(html))
