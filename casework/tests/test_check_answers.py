"""Only the questions that apply, and check your answers before a statutory step is recorded."""

import datetime as dt
import re

import pytest

from casework import services
from casework.models import AnnualReview, Case, EHCRequest

D = dt.date
pytestmark = pytest.mark.django_db


def _inputs(body: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', body))


def test_opening_a_case_asks_its_kind_first_then_only_that_kinds_questions(client, world):
    client.force_login(world.senco_a)
    url = f"/casework/schools/{world.school_a.laestab}/cases/new/"
    first = client.get(url).content.decode()
    assert "What kind of case is it?" in first and 'name="title"' not in first
    appeal = _inputs(client.get(url, {"kind": "tribunal_appeal"}).content.decode())
    suspension = _inputs(client.get(url, {"kind": "suspension"}).content.decode())
    complaint = _inputs(client.get(url, {"kind": "complaint"}).content.decode())
    assert "decision_letter_date_day" in appeal and "suspension_days" not in appeal
    assert "suspension_days" in suspension and "hearing_date_day" not in suspension
    assert not {
        n for n in complaint if n.startswith(("suspension", "hearing", "decision_letter", "mediation"))
    }
    # The pupil chosen on the pupil page is carried through the kind question.
    kind_page = client.get(url, {"pupil": world.pupil_a.pk}).content.decode()
    assert f'name="pupil" value="{world.pupil_a.pk}"' in kind_page


def test_a_suspension_needs_its_pupil_and_days_before_anything_is_written(client, world):
    client.force_login(world.senco_a)
    url = f"/casework/schools/{world.school_a.laestab}/cases/new/?kind=suspension"
    response = client.post(
        url, {"kind": "suspension", "title": "S", "owner": world.senco_a.pk, "opened_on": "2025-06-12"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    for message in (
        "Select the pupil",
        "Enter the first day of the suspension",
        "Enter the number of school days of suspension",
    ):
        assert message in body


def test_an_assessment_step_asks_only_its_own_questions(client, world):
    client.force_login(world.senco_a)
    req = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=D(2025, 1, 6)
    )
    detail = client.get(f"/casework/ehc-requests/{req.pk}/").content.decode()
    assert 'value="decision"' in detail and 'value="outcome"' not in detail
    decision = client.get(f"/casework/ehc-requests/{req.pk}/steps/decision/").content.decode()
    assert "Agreed to assess" in decision and "Final plan issued" not in decision
    assert 'type="date"' not in decision
    # The draft plan comes after the decision to assess: not before.
    response = client.get(f"/casework/ehc-requests/{req.pk}/steps/draft_plan/")
    assert response.status_code == 302
    services.ehc_request_record_step(
        actor=world.senco_a, request=req, step="decision", date=D(2025, 2, 10), result="assess"
    )
    draft = client.get(f"/casework/ehc-requests/{req.pk}/steps/draft_plan/").content.decode()
    assert _inputs(draft) == {"csrfmiddlewaretoken", "date_day", "date_month", "date_year"}
    missing = client.get(f"/casework/ehc-requests/{req.pk}/steps/", {"step": ""})
    assert missing.status_code == 400 and "Select the step to record" in missing.content.decode()


def test_a_step_is_recorded_only_once_its_answers_are_checked(client, world):
    client.force_login(world.senco_a)
    req = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=D(2025, 1, 6)
    )
    url = f"/casework/ehc-requests/{req.pk}/steps/decision/"
    response = client.post(
        url, {"date_day": "10", "date_month": "2", "date_year": "2025", "result": "refuse"}
    )
    assert response["Location"] == url + "check/"
    req.refresh_from_db()
    assert req.decision == ""  # nothing written yet
    check = client.get(url + "check/").content.decode()
    assert "<title>Check your answers" in check
    assert "10 February 2025" in check and "Refused to assess" in check
    assert f'href="{url}#id_date_0"' in check and f'href="{url}#id_result_0"' in check
    assert "stops the 6-week clock" in check
    # Change: the question comes back with the answers in it; the new answer is checked again.
    change = client.get(url).content.decode()
    assert 'value="10"' in change and re.search(r'value="refuse" checked', change)
    client.post(url, {"date_day": "10", "date_month": "2", "date_year": "2025", "result": "assess"})
    assert "Agreed to assess" in client.get(url + "check/").content.decode()
    response = client.post(url + "check/")
    assert response["Location"] == f"/casework/ehc-requests/{req.pk}/"
    req.refresh_from_db()
    assert (req.decision, req.decision_date) == ("assess", D(2025, 2, 10))
    # The answers are gone once recorded: the check page sends back to the questions.
    assert client.get(url + "check/").status_code == 302


def test_a_step_the_service_would_refuse_is_refused_on_the_form_not_after_checking(client, world):
    client.force_login(world.senco_a)
    req = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=D(2025, 1, 6)
    )
    url = f"/casework/ehc-requests/{req.pk}/steps/decision/"
    response = client.post(url, {"date_day": "1", "date_month": "1", "date_year": "2025", "result": "assess"})
    assert response.status_code == 400
    assert "This date is before the request was made." in response.content.decode()
    assert client.get(url + "check/").status_code == 302
    req.refresh_from_db()
    assert req.decision == ""


def test_the_assessment_request_is_checked_before_it_starts_the_clock(client, world):
    client.force_login(world.senco_a)
    url = f"/casework/schools/{world.school_a.laestab}/ehc/requests/new/"
    response = client.post(
        url,
        {
            "pupil": world.pupil_a.pk,
            "requested_by": "parent",
            "request_date_day": "6",
            "request_date_month": "1",
            "request_date_year": "2025",
        },
    )
    assert response["Location"] == url + "check/"
    assert not EHCRequest.objects.exists()
    check = client.get(url + "check/").content.decode()
    assert world.pupil_a.full_name in check and "6 January 2025" in check
    assert "within 20 weeks" in check
    response = client.post(url + "check/")
    req = EHCRequest.objects.get()
    assert response["Location"] == f"/casework/ehc-requests/{req.pk}/"
    assert req.requested_by == "parent"


def test_the_annual_review_meeting_and_the_las_decision_are_checked_first(client, world):
    client.force_login(world.senco_a)
    plan = services.ehc_plan_create(actor=world.senco_a, pupil=world.pupil_a, issue_date=D(2024, 3, 1))
    base = f"/casework/plans/{plan.pk}/"
    response = client.post(
        base + "reviews/", {"meeting_date_day": "20", "meeting_date_month": "2", "meeting_date_year": "2025"}
    )
    assert response["Location"] == base + "reviews/check/"
    assert not AnnualReview.objects.exists()
    assert "20 February 2025" in client.get(base + "reviews/check/").content.decode()
    # Change returns to the plan page with the answer filled in.
    assert 'value="20"' in client.get(base).content.decode()
    client.post(base + "reviews/check/")
    review = AnnualReview.objects.get()
    response = client.post(
        base + "decision/",
        {"review": review.pk, "decision": "cease", "date_day": "10", "date_month": "3", "date_year": "2025"},
    )
    assert response["Location"] == base + "decision/check/"
    check = client.get(base + "decision/check/").content.decode()
    assert "Cease the plan" in check and "20 Feb 2025" in check
    review.refresh_from_db()
    assert review.la_decision == ""
    client.post(base + "decision/check/")
    review.refresh_from_db()
    assert (review.la_decision, review.la_decision_date) == ("cease", D(2025, 3, 10))


def test_a_headteacher_cannot_reach_the_check_pages(client, world):
    client.force_login(world.head_a)
    req = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=D(2025, 1, 6)
    )
    for url in (
        f"/casework/ehc-requests/{req.pk}/steps/decision/",
        f"/casework/ehc-requests/{req.pk}/steps/decision/check/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
    req.refresh_from_db()
    assert req.decision == ""


def test_a_case_that_is_not_an_appeal_is_not_asked_the_tribunals_dates(client, world):
    client.force_login(world.senco_a)
    complaint = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="Complaint",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
    )
    appeal = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="tribunal_appeal",
        title="Appeal",
        owner=world.senco_a,
        opened_on=D(2025, 9, 1),
    )
    assert "hearing_date_day" not in client.get(f"/casework/cases/{complaint.pk}/").content.decode()
    assert "hearing_date_day" in client.get(f"/casework/cases/{appeal.pk}/").content.decode()


def test_an_existing_plan_is_checked_before_it_starts_the_review_clock(client, world):
    from casework.models import EHCPlan

    client.force_login(world.senco_a)
    url = f"/casework/schools/{world.school_a.laestab}/ehc/plans/new/"
    response = client.post(
        url,
        {
            "pupil": world.pupil_a.pk,
            "issue_date_day": "3",
            "issue_date_month": "3",
            "issue_date_year": "2024",
        },
    )
    assert response["Location"] == url + "check/"
    assert not EHCPlan.objects.filter(issue_date__isnull=False).exists()
    check = client.get(url + "check/").content.decode()
    assert "3 March 2024" in check and "12 months from the issue date" in check
    school_page = f"/casework/schools/{world.school_a.laestab}/ehc/"
    assert f'href="{school_page}#id_issue_date_0"' in check
    response = client.post(url + "check/")
    plan = EHCPlan.objects.get(pupil=world.pupil_a)
    assert response["Location"] == f"/casework/plans/{plan.pk}/"
    assert plan.issue_date == D(2024, 3, 3)
