"""The year's SEN information report from start to publication (headless Chromium, live
server): the Head of SEND writes the trust's template, the SENCO starts the school's draft and
writes a section, reads what changed since last year, the headteacher approves it, and anyone
reads the public page and its PDF without signing in."""

import datetime as dt
import io
import subprocess

import pytest
from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled
from pypdf import PdfReader

from conftest import browser_login
from inforeports.models import InfoReport
from inforeports.tests.factories import approved_report
from pupils.models import Provision
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from trusts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    SchoolFactory,
    TrustFactory,
    head_of_send,
    headteacher,
    senco,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test" / "inforeports"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in_as(page, user) -> None:
    page.context.clear_cookies()
    browser_login(page, user.email, TEST_PASSWORD, TEST_TOTP_SECRET)


def test_a_report_is_written_approved_and_published(page):
    today = timezone.localdate()
    this_year = today.year if today.month >= 9 else today.year - 1
    trust = TrustFactory(name="Assisi Test Trust")
    school = SchoolFactory(trust=trust, name="Holy Cross Test Primary")
    hos, sam, hannah = head_of_send(trust), senco(school), headteacher(school)
    for user, name in ((hos, "Helen O'Sullivan"), (sam, "Sam Cole"), (hannah, "Hannah Croft")):
        user.full_name = name
        user.save()
    pupil = PupilFactory(school=school, forename="Zebedee", surname="Quill", provision=Provision.EHC_PLAN)
    CensusSnapshotFactory(
        school=school,
        census_date=today - dt.timedelta(days=30),
        number_on_roll=214,
        ehcp=3,
        sen_support=34,
        by_need={"SLCN": {"E": 2, "K": 14}, "SEMH": {"E": 1, "K": 12}, "SPLD": {"E": 0, "K": 8}},
    )
    approved_report(
        school,
        academic_year=this_year - 1,
        approved_on=dt.date(this_year - 1, 11, 14),
        parents="We hold a coffee morning for parents every term.",
    )

    # The Head of SEND writes the trust's policy.
    sign_in_as(page, hos)
    page.goto("/information-reports/")
    page.get_by_role("link", name="Write the template for Assisi Test Trust").click()
    page.get_by_label("The kinds of special educational needs we provide for").fill(
        "Our schools provide for all four broad areas of need in the SEND Code of Practice."
    )
    page.get_by_label("Working with parents and carers").fill(
        "Parents are part of every review of their child's support."
    )
    page.get_by_role("button", name="Save the template").click()
    assert "was saved" in page.locator(".govuk-notification-banner").inner_text()
    shot(page, "1-template")

    # The SENCO starts this year's draft and rewrites one section.
    sign_in_as(page, sam)
    page.goto(f"/information-reports/schools/{school.laestab}/")
    label = f"{this_year} to {this_year + 1}"
    page.get_by_role("button", name=f"Start the draft for {label}").click()
    page.wait_for_url("**/information-reports/*/")
    assert "Our schools provide for all four broad areas" in page.locator("#section-kinds").inner_text()
    page.locator("#section-parents").get_by_role("link", name="Change the school's text").click()
    page.get_by_label("The school's text").fill("")
    page.get_by_label("The school's text").fill(
        "We hold a coffee morning for parents every half term, and a drop-in with the SENCO each Friday."
    )
    page.get_by_role("button", name="Save the section").click()
    assert "was saved" in page.locator(".govuk-notification-banner").inner_text()
    figures = page.locator("#figures-provision").inner_text()
    assert "fewer than 5" in figures and "34" in figures and "withheld" in figures
    shot(page, "2-draft")
    page.get_by_role("link", name="see what changed since").click()
    changes = page.locator("main").inner_text()
    assert "a drop-in with the SENCO each Friday" in changes and "Changed" in changes
    assert "not shown (small numbers)" in page.locator("#figure-changes").inner_text()
    shot(page, "3-changes")

    # The headteacher approves it.
    sign_in_as(page, hannah)
    with scopes_disabled():
        report = InfoReport.objects.get(school=school, academic_year=this_year)
    page.goto(f"/information-reports/{report.pk}/")
    page.get_by_role("link", name="Approve the report").click()
    page.get_by_role("button", name="Approve and publish").click()
    assert "Confirm that you have read the report" in page.locator(".govuk-error-summary").inner_text()
    shot(page, "4-approve-error")
    page.get_by_label("I have read the report and approve it").check()
    page.get_by_role("button", name="Approve and publish").click()
    assert "is published" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("link", name="Change the school's text").count() == 0
    shot(page, "5-approved")
    with scopes_disabled():
        report.refresh_from_db()
    assert report.approved_on == today and report.approved_by == hannah

    # Anyone reads it without signing in: the page and its PDF.
    page.context.clear_cookies()
    page.goto(f"/sen-information-report/{school.laestab}/")
    main = page.locator("main").inner_text()
    assert f"SEN information report {label}" in main
    assert f"{today.day} {today:%B %Y}, by Hannah Croft" in main
    assert "a drop-in with the SENCO each Friday" in main
    assert pupil.forename not in page.content() and pupil.surname not in page.content()
    shot(page, "6-public")
    response = page.request.get(f"/sen-information-report/{school.laestab}/report.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    document = response.body()
    (SHOTS / "report.pdf").write_bytes(document)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document)).pages)
    assert f"{today.day} {today:%B %Y}, by Hannah Croft" in text and "DRAFT" not in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "2",
            str(SHOTS / "report.pdf"),
            str(SHOTS / "7-pdf"),
        ],
        check=True,
    )
