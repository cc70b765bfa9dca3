"""An evidence pack as a PDF for the LA, drawn by WeasyPrint from the app's print stylesheet
(static/css/evidence_print.css) and written by core.pdf: tagged PDF/UA, resources only from the
app's static folder, its title and language from the document's <title> and <html lang>."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from .models import EvidencePack


def pack_context(pack: EvidencePack) -> dict:
    if pack.is_sent:
        sections, missing = selectors.from_snapshot(pack), []
        for s in sections:
            missing.extend(s.missing)
    else:
        assembled = selectors.assemble_pack(pack)
        sections, missing = assembled.sections, assembled.missing
    return {
        "pack": pack,
        "pupil": pack.pupil,
        "school": pack.school,
        "template": pack.template,
        "sections": sections,
        "missing": missing,
    }


def pack_pdf(pack: EvidencePack) -> bytes:
    # core.pdf loads WeasyPrint: only when a PDF is drawn, not when the views are imported.
    from core import pdf as core_pdf

    html = render_to_string(
        "evidence/pdf/pack.html", {**pack_context(pack), "generated_at": timezone.localtime()}
    )
    return core_pdf.write_pdf(core_pdf.html(html))
