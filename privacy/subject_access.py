"""The subject-access export: a ZIP of one CSV file per section and a readable summary."""

from __future__ import annotations

import csv
import io
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from pupils.models import Pupil
from trusts.exports import neutralise

from .selectors import Section


def _csv(section: Section) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads UTF-8
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in section.header])
    for row in section.rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def build_zip(*, pupil: Pupil, sections: list[Section], generated_by: str) -> bytes:
    summary = render_to_string(
        "privacy/subject_access_summary.html",
        {
            "pupil": pupil,
            "sections": sections,
            "generated_by": generated_by,
            "generated_at": timezone.now(),
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.html", summary)
        for section in sections:
            archive.writestr(section.filename, _csv(section))
    return buffer.getvalue()
