"""The report as a PDF: tagged, titled, with its approval date, or marked as a draft; markup
printed as text; counts suppressed as on the page."""

import datetime as dt
import io
import os

import pytest
from django_scopes import scopes_disabled
from pypdf import PdfReader

from inforeports import pdf, selectors
from tests.pdf_checks import assert_accessible_pdf

from .factories import approved_report, draft_report, template

pytestmark = pytest.mark.django_db


def text_of(document: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document)).pages)


def keep(document: bytes, name: str) -> None:
    """A copy to look at (pdftoppm -png -r 60 FILE /tmp/x) when INFOREPORT_PDF_DIR is set."""
    folder = os.environ.get("INFOREPORT_PDF_DIR")
    if folder:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(document)


def test_an_approved_report_prints_its_approval_date_and_suppressed_counts(world, settings):
    settings.REPORTS_SMALL_COUNT_THRESHOLD = 5
    report = approved_report(
        world.school,
        academic_year=2025,
        approved_on=dt.date(2025, 11, 14),
        senco='Ms Cole <b>bold</b><img src="http://example.com/x.png">',
    )
    document = pdf.report_pdf(selectors.report_view(report))
    keep(document, "approved.pdf")
    tags = assert_accessible_pdf(document, title=f"SEN information report 2025 to 2026: {world.school.name}")
    assert tags.get("/Table", 0) >= 2 and tags.get("/H2", 0) >= 17
    text = text_of(document)
    assert "14 November 2025" in text and "Hannah Head" in text
    assert "<b>bold</b>" in text and "DRAFT" not in text
    assert "Our SENCO and how to contact them" in text
    # 6 EHC plans and 30 at SEN Support are shown; SPLD's 0 EHC plans too.
    assert "Education, health and care plan 6" in text.replace("\n", " ")


def test_a_draft_says_so_on_every_page(world):
    template(world.trust)
    report = draft_report(world.school, academic_year=2025)
    with scopes_disabled():
        document = pdf.report_pdf(selectors.report_view(report, today=dt.date(2025, 12, 1)))
    keep(document, "draft.pdf")
    reader = PdfReader(io.BytesIO(document))
    assert all("DRAFT – not approved" in page.extract_text() for page in reader.pages)
    assert "No census figures yet." in text_of(document)
