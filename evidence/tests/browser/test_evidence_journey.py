"""A SENCO builds an EHC needs assessment request pack for a pupil whose home LA is not the
school's, sees what is missing, adds the outside professional, downloads the PDF, records the
pack as sent through check your answers, and sees the request with its 6-week clock (headless
Chromium, live server)."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework.models import EHCRequest
from conftest import browser_login
from evidence import reference
from evidence.models import EvidencePack
from evidence.tests.conftest import complete_record
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    LocalAuthorityFactory,
    SchoolFactory,
    senco,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("EVIDENCE_SCREENSHOTS", "media-test/evidence-shots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fill_date(page, field: str, day: dt.date) -> None:
    page.locator(f"#id_{field}_0").fill(str(day.day))
    page.locator(f"#id_{field}_1").fill(str(day.month))
    page.locator(f"#id_{field}_2").fill(str(day.year))


def test_a_senco_builds_sends_and_follows_an_ehc_request_pack(page, tmp_path):
    school = SchoolFactory(name="Holy Cross Test Primary")
    sam = senco(school)
    thurrock = LocalAuthorityFactory(code=883, name="Thurrock")
    reference.load_for(thurrock)
    pupil = PupilFactory(
        school=school,
        forename="Amira",
        surname="Test-Pupil",
        provision=Provision.SEN_SUPPORT,
        primary_need="SPLD",
        home_local_authority=thurrock,
    )
    # Two reviewed cycles, measured provision and a profile: no outside professional yet.
    complete_record(pupil, sam)
    from evidence.models import ProfessionalInvolvement

    ProfessionalInvolvement.objects.all().delete()
    today = dt.date.today()

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)

    # From the pupil page to the evidence packs.
    page.goto(f"/pupils/{pupil.pk}/")
    page.get_by_role("link", name="Evidence packs and outside professionals").click()
    page.wait_for_url(f"**/evidence/pupils/{pupil.pk}/")
    page.get_by_role("button", name="Start the pack").click()  # nothing chosen
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("EHC needs assessment request").check()
    page.get_by_role("button", name="Start the pack").click()
    page.wait_for_url("**/evidence/packs/*/")
    pack = EvidencePack.objects.get(pupil=pupil)
    assert pack.local_authority == thurrock

    # What is missing, in Thurrock's order.
    missing = page.locator("#missing-list").inner_text()
    assert "No involvement of outside professionals recorded" in missing
    assert "cycles" not in missing and "profile" not in missing
    headings = page.locator("section h3.govuk-heading-m").all_inner_texts()
    assert headings[:2] == ["1. Child's details", "2. Involvement of professionals"]
    shot(page, "evidence-1-missing")

    # Add the educational psychologist from the missing list.
    page.get_by_role("link", name="Add an outside professional").click()
    page.get_by_label("Educational psychologist").check()
    page.get_by_label("Name or service").fill("Thurrock Educational Psychology Service")
    fill_date(page, "started_on", today - dt.timedelta(days=90))
    page.get_by_label("What they found and advised").fill(
        "Working memory well below age expectations. Give one instruction at a time."
    )
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(f"**/evidence/pupils/{pupil.pk}/")
    page.get_by_role("link", name="EHC needs assessment request").first.click()
    assert page.locator("#nothing-missing").is_visible()
    shot(page, "evidence-2-complete")

    # The PDF for the LA.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the pack (PDF)").click()
    path = tmp_path / "pack.pdf"
    download.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Thurrock: request for statutory assessment" in text
    assert "Thurrock Educational Psychology Service" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "evidence-pack.pdf").write_bytes(path.read_bytes())

    # Record it as sent: a future date is refused, then check your answers.
    page.get_by_role("link", name="Record as sent").click()
    fill_date(page, "sent_on", today + dt.timedelta(days=1))
    page.get_by_role("button", name="Continue").click()
    assert "The date sent cannot be in the future" in page.locator(".govuk-error-summary").inner_text()
    fill_date(page, "sent_on", today)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/send/check/")
    assert "6 weeks" in page.locator(".govuk-warning-text").inner_text()
    shot(page, "evidence-3-check")
    assert not EHCRequest.objects.exists()
    page.get_by_role("button", name="Record as sent").click()
    page.wait_for_url(f"**/evidence/packs/{pack.pk}/")

    # The request and its clock.
    request = EHCRequest.objects.get(pupil=pupil)
    assert request.request_date == today and request.local_authority == thurrock
    steps = page.locator("#request-steps").inner_text()
    due = today + dt.timedelta(weeks=6)
    assert "Decision whether to assess (6 weeks)" in steps
    assert f"{due.day} {due:%B %Y}" in steps
    shot(page, "evidence-4-sent")
    page.get_by_role("link", name="See the request and record the LA's answers").click()
    page.wait_for_url(f"**/casework/ehc-requests/{request.pk}/")
    shot(page, "evidence-5-request")
