"""The Head of SEND works through a long due list (filters by trust and status, pages
through, sorts), then records an activity and corrects it (headless Chromium against the live
server, desktop width)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from casework.models import ActivityCorrection, ActivityShare, Case
from conftest import browser_login
from trusts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    SchoolFactory,
    TrustFactory,
    head_of_send,
    senco,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_the_head_of_send_filters_pages_and_sorts_the_due_list(page):
    assisi, christus = TrustFactory(name="Assisi Test Trust"), TrustFactory(name="Christus T")
    schools = [
        SchoolFactory(trust=assisi, name=n) for n in ("Holy Cross Test Primary", "St Alban's Test Primary")
    ]
    other = SchoolFactory(trust=christus, name="St Mary's Test Primary")
    hos = head_of_send(assisi, christus)
    hos.full_name = "Hana Head"
    hos.save()
    owners = {s.pk: senco(s) for s in [*schools, other]}
    today = dt.date.today()
    rows = []
    # Assisi: 60 overdue or due this week and 20 later; Christus: 30 due this week.
    for i in range(80):
        school = schools[i % 2]
        due = today + dt.timedelta(days=(i % 10) - 3 if i < 60 else 20 + i % 7)
        rows.append(
            Case(
                school=school,
                owner=owners[school.pk],
                kind=Case.Kind.COMPLAINT,
                title=f"Complaint {i:02d}",
                opened_on=today - dt.timedelta(days=40),
                next_action_due=due,
            )
        )
    rows += [
        Case(
            school=other,
            owner=owners[other.pk],
            kind=Case.Kind.COMPLAINT,
            title=f"Christus complaint {i:02d}",
            opened_on=today,
            next_action_due=today + dt.timedelta(days=2),
        )
        for i in range(30)
    ]
    Case.objects.bulk_create(rows)

    browser_login(page, hos.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Due list").first.click()
    page.wait_for_url("**/casework/due/")
    assert "110 items" in page.locator("#list-count").inner_text()
    assert page.locator("#due-table tbody tr").count() == 50
    page.get_by_label("Trust").select_option(label="Assisi Test Trust")
    page.get_by_label("Status").select_option("soon")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**/casework/due/?trust={assisi.pk}&*due=soon*")
    count = page.locator("#list-count").inner_text()
    # Due from 3 days ago to 6 days ahead, of the first 60: 3 in 10 overdue, 7 in 10 this week.
    assert "60 items, 18 overdue, 42 due within 7 days match the filters." in count, count
    assert "Showing 1 to 50." in count
    texts = page.locator("#due-table tbody").inner_text()
    assert "Christus" not in texts and "Assisi Test Trust" in texts
    page.screenshot(path=str(SHOTS / "casework-due-list-filtered.png"), full_page=True)

    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**page=2")
    assert page.locator("#due-table tbody tr").count() == 10
    assert "Showing 51 to 60." in page.locator("#list-count").inner_text()

    page.locator("#due-table thead").get_by_role("link", name="School").click()
    page.wait_for_url("**sort=school**")
    assert f"trust={assisi.pk}" in page.url and "due=soon" in page.url
    header = page.locator("#due-table th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending" and "School" in header.inner_text()
    first_school = page.locator("#due-table tbody tr").first.locator("td").nth(5).inner_text()
    assert first_school == "Holy Cross Test Primary"
    page.locator("#due-table thead").get_by_role("link", name="School").click()
    page.wait_for_url("**sort=-school**")
    assert page.locator("#due-table th[aria-sort]").get_attribute("aria-sort") == "descending"
    first_school = page.locator("#due-table tbody tr").first.locator("td").nth(5).inner_text()
    assert first_school == "St Alban's Test Primary"
    # Within a school, equal values are listed by name A to Z.
    names = page.locator("#due-table tbody tr td:nth-child(4) a").all_inner_texts()[:3]
    assert names == sorted(names), names
    page.screenshot(path=str(SHOTS / "casework-due-list-sorted.png"), full_page=True)


def test_a_head_of_send_records_an_activity_and_corrects_it(page):
    assisi, christus = TrustFactory(name="Assisi Test Trust"), TrustFactory(name="Christus T")
    school = SchoolFactory(trust=christus, name="St Mary's Test Primary")
    SchoolFactory(trust=assisi, name="Holy Cross Test Primary")
    hos = head_of_send(assisi, christus)
    hos.full_name = "Hana Head"
    hos.save()
    day = dt.date.today() - dt.timedelta(days=1)

    browser_login(page, hos.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Activity log").first.click()
    page.wait_for_url("**/casework/activity/")
    log = page.locator("form.casework-form")
    # Neither trust is ticked: a visit to one school is not split between both by default.
    assert log.get_by_label("Assisi Test Trust").is_checked() is False
    assert log.get_by_label("Christus T").is_checked() is False
    log.get_by_label("Kind").select_option("school_visit")
    date = log.get_by_role("group", name="Date", exact=True)
    for box, part in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        date.get_by_label(box, exact=True).fill(str(part))
    log.get_by_label("Hours").fill("3")
    log.get_by_label("School").select_option(label=f"{school}")
    log.get_by_label("Notes").fill("Observed the nurture group")
    log.get_by_role("button", name="Log the activity").click()
    page.wait_for_url("**/casework/activity/")
    assert "logged" in page.locator(".govuk-notification-banner, [role=alert], main").first.inner_text()
    row = page.locator("#entries tbody tr").first
    assert "Christus T" in row.inner_text() and "Assisi" not in row.inner_text()
    page.screenshot(path=str(SHOTS / "casework-activity-logged.png"), full_page=True)

    row.get_by_role("link").first.click()
    page.wait_for_url("**/casework/activity/*/")
    assert "Not corrected" in page.locator("#history").inner_text()
    page.get_by_role("link", name="Correct this entry").click()
    page.wait_for_url("**/correct/")
    page.get_by_label("Hours").fill("2.5")
    page.get_by_label("What was wrong (optional)").fill("Left at half past two")
    page.screenshot(path=str(SHOTS / "casework-activity-correct-form.png"), full_page=True)
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_url("**/casework/activity/*/")
    history = page.locator("#history").inner_text()
    assert "Left at half past two" in history and "3.00" in history and "2.50" in history
    assert "Hana Head" in history
    assert "2.50" in page.locator("#entry").inner_text()
    page.screenshot(path=str(SHOTS / "casework-activity-corrected.png"), full_page=True)
    correction = ActivityCorrection.objects.get()
    assert correction.before["hours"] == "3.00"
    assert list(ActivityShare.objects.values_list("trust__name", "hours")) == [
        ("Christus T", Decimal("2.50"))
    ]
