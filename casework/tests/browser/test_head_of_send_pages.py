"""The Head of SEND reads the demo casework: timeliness by LA, annual reviews, the activity
log with the split of hours, and an EHC request with its computed deadlines."""

import pytest
from django.conf import settings

from casework import demo as casework_demo
from casework.models import EHCRequest
from conftest import browser_login
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from trusts.models import School

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_the_head_of_send_reads_timeliness_reviews_and_the_activity_split(demo, page):
    for school in School.objects.all():
        if not school.pupils.exists():
            for i in range(7):
                PupilFactory(
                    school=school,
                    year_group="6",
                    provision=Provision.EHC_PLAN if i < 5 else Provision.SEN_SUPPORT,
                )
    casework_demo.seed()
    browser_login(page, "hos@demo.test", settings.DEMO_PASSWORD, settings.DEMO_TOTP_SECRET)

    page.get_by_role("link", name="EHC timeliness").first.click()
    page.wait_for_url("**/casework/timeliness/")
    essex = page.locator("#timeliness tr[data-la='Essex']")
    essex.wait_for()
    assert essex.count() == 1
    page.screenshot(path=str(SHOTS / "casework-timeliness.png"), full_page=True)

    page.goto("/casework/reviews/")
    assert page.locator("#reviews tbody tr").count() > 0

    page.get_by_role("link", name="Activity log").first.click()
    page.wait_for_url("**/casework/activity/")
    assert "Year to date" in page.locator("#split").inner_text()
    assert "Assisi Catholic Trust" in page.locator("#split").inner_text()
    page.screenshot(path=str(SHOTS / "casework-activity.png"), full_page=True)

    request = EHCRequest.objects.filter(outcome="").order_by("pk").first()
    page.goto(f"/casework/ehc-requests/{request.pk}/")
    assert page.locator("#steps tr[data-step='decision']").count() == 1
    page.screenshot(path=str(SHOTS / "casework-ehc-request.png"), full_page=True)
