"""The Head of SEND hands a leaving SENCO's open work to a colleague: chooses the person, sees
every open record named and counted, chooses the colleague and the reason, checks the answers,
ends the SENCO's role and hands over (headless Chromium, live server)."""

import datetime as dt

import pytest
from django.conf import settings

from casework import services as cw
from casework.models import Case, EHCPlan, EHCRequest
from conftest import browser_login
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support.models import SupportPlan
from support.tests.factories import current_plan
from trusts.models import Membership
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


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def named(user, name: str):
    user.full_name = name
    user.save()
    return user


def test_the_head_of_send_hands_a_leaving_senco_s_work_to_a_colleague(page):
    trust = TrustFactory(name="Oak Learning Trust")
    school = SchoolFactory(trust=trust, name="Holy Cross Test Primary")
    SchoolFactory(trust=trust, name="St Anne's Test Primary")
    leaving = named(senco(school), "Lena Leaving")
    colleague = named(senco(school), "Cara Colleague")
    hos = named(head_of_send(trust), "Hana Head")
    amira = PupilFactory(school=school, forename="Amira", surname="Test-Pupil")
    ben = PupilFactory(school=school, forename="Ben", surname="Example", provision=Provision.EHC_PLAN)
    case = cw.case_open(
        actor=leaving,
        school=school,
        kind="complaint",
        title="Complaint",
        owner=leaving,
        opened_on=dt.date(2025, 9, 1),
        pupil=amira,
    )
    request = cw.ehc_request_create(
        actor=leaving, pupil=amira, requested_by="school", request_date=dt.date(2025, 9, 1)
    )
    plan = cw.ehc_plan_create(actor=leaving, pupil=ben, issue_date=dt.date(2024, 9, 1))
    support = current_plan(amira, leaving)

    browser_login(page, hos.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Hand over work").first.click()
    page.wait_for_url("**/handover/*/")
    people = page.locator("#people").inner_text()
    assert "Lena Leaving" in people and "Cara Colleague" in people
    shot(page, "handover-people")

    page.get_by_role("link", name="Hand over Lena Leaving's work").click()
    page.wait_for_url(f"**/handover/{trust.slug}/{leaving.pk}/")
    assert "Open work: 4 records" in page.locator("#work").inner_text()
    assert "Amira Test-Pupil – Complaint opened 1 Sep 2025" in page.locator("#work-cases").inner_text()
    assert "Ben Example – EHC plan issued 1 Sep 2024" in page.locator("#work-ehc_plans").inner_text()
    shot(page, "handover-person")

    page.get_by_role("button", name="Continue").click()  # nothing chosen
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select who takes the work on" in summary
    assert "Select why the work is handed over" in summary
    shot(page, "handover-errors")
    page.get_by_label("Cara Colleague – SENCO, Holy Cross Test Primary").check()
    page.get_by_label("Leaving the school or trust").check()
    page.get_by_label("Also end Lena Leaving's role").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check/")
    answers = page.locator("#check-answers").inner_text()
    assert "Cases: 1" in answers and "EHC plans and annual reviews: 1" in answers
    assert "Cara Colleague" in answers and "Leaving the school or trust" in answers
    assert Case.objects.get(pk=case.pk).owner == leaving  # nothing written yet
    shot(page, "handover-check")

    page.get_by_role("button", name="Hand over the work").click()
    page.wait_for_url(f"**/handover/{trust.slug}/")
    assert (
        "Lena Leaving's open work is handed over." in page.locator(".govuk-notification-banner").inner_text()
    )
    shot(page, "handover-done")
    for model, obj in ((Case, case), (EHCRequest, request), (EHCPlan, plan), (SupportPlan, support)):
        assert model.objects.get(pk=obj.pk).owner == colleague
    assert not Membership.objects.filter(user=leaving).exists()

    page.goto(f"/casework/cases/{case.pk}/")
    assert "Handed over from Lena Leaving to Cara Colleague" in page.content()
    shot(page, "handover-case-timeline")
