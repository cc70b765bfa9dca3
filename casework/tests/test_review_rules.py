"""Annual reviews run to each LA's rules: the rules and their statutory limits, the steps of the
next review on the plan's page and the due list (with their owner), the report to the LA, the
admin saving through the service, the reference data."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from casework import deadlines as dl
from casework import figures, selectors, services
from casework.models import Deadline, LAReviewRules
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import with_totp

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.date.today()


def _plan(world, *, issued_days_ago=300, pupil=None):
    return services.ehc_plan_create(
        actor=world.senco_a,
        pupil=pupil or world.pupil_a,
        issue_date=TODAY - dt.timedelta(days=issued_days_ago),
    )


def _rules(la, **kw):
    values = {"request_reports_weeks": 8, "circulate_weeks": 3, "report_days": 10, "forms": "AR forms", **kw}
    return services.la_review_rules_save(actor=None, rules=LAReviewRules(local_authority=la, **values))


def _items(plan):
    return {r.what: r.due for r in Deadline.objects.filter(target="plan", target_id=plan.pk)}


def test_rules_keep_to_the_statutory_limits(world):
    la = world.pupil_a.home_local_authority
    for bad, field in (
        ({"circulate_weeks": 1}, "circulate_weeks"),
        ({"request_reports_weeks": 2, "circulate_weeks": 3}, "request_reports_weeks"),
        ({"report_days": 15}, "report_days"),
        ({"report_days": 0}, "report_days"),
    ):
        with pytest.raises(ValidationError) as e:
            _rules(la, **bad)
        assert field in e.value.message_dict
    assert not LAReviewRules.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        LAReviewRules.objects.create(local_authority=la, circulate_weeks=1)
    rules = _rules(la, circulate_weeks=2, report_days=14)  # the limits themselves are allowed
    assert rules.rules == dl.ReviewRules(8, 2, 14)


def test_the_next_review_s_steps_are_on_the_due_list_with_the_plan_s_owner(world):
    plan = _plan(world)
    due = dl.annual_review_due(plan.issue_date)
    items = _items(plan)  # no rules for the LA: the defaults
    assert items[dl.REQUEST_REPORTS] == due - dt.timedelta(weeks=6)
    assert items[dl.CIRCULATE_REPORTS] == due - dt.timedelta(weeks=2)
    _rules(plan.local_authority)
    items = _items(plan)  # the LA's rules move the steps on every due list at once
    assert items[dl.REQUEST_REPORTS] == due - dt.timedelta(weeks=8)
    assert items[dl.CIRCULATE_REPORTS] == due - dt.timedelta(weeks=3)
    listed = [
        i
        for i in selectors.due_list(school_ids=[world.school_a.pk], today=TODAY)
        if i.ref == f"Plan {plan.pk}"
    ]
    assert {i.what: i.due for i in listed} == items
    assert {i.owner_id for i in listed} == {world.senco_a.pk}
    assert figures.verify() == []


def test_a_planned_meeting_dates_the_steps_and_done_steps_leave_the_due_list(world):
    plan = _plan(world)
    _rules(plan.local_authority)
    meeting = TODAY + dt.timedelta(days=60)
    services.annual_review_prepare(
        actor=world.senco_a,
        plan=plan,
        next_meeting_on=meeting,
        reports_requested_on=TODAY,
        reports_circulated_on=None,
    )
    items = _items(plan)
    assert dl.REQUEST_REPORTS not in items
    assert items[dl.CIRCULATE_REPORTS] == meeting - dt.timedelta(weeks=3)
    assert figures.verify() == []
    with pytest.raises(ValidationError) as e:
        services.annual_review_prepare(
            actor=world.senco_a,
            plan=plan,
            next_meeting_on=meeting,
            reports_requested_on=None,
            reports_circulated_on=TODAY,
        )
    assert "reports_requested_on" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.annual_review_prepare(
            actor=world.senco_a,
            plan=plan,
            next_meeting_on=plan.issue_date,
            reports_requested_on=None,
            reports_circulated_on=None,
        )
    assert "next_meeting_on" in e.value.message_dict


def test_the_review_report_is_due_within_the_la_s_days_and_recording_the_meeting_resets_the_steps(world):
    plan = _plan(world, issued_days_ago=360)
    _rules(plan.local_authority)
    services.annual_review_prepare(
        actor=world.senco_a,
        plan=plan,
        next_meeting_on=TODAY - dt.timedelta(days=2),
        reports_requested_on=TODAY - dt.timedelta(days=60),
        reports_circulated_on=TODAY - dt.timedelta(days=25),
    )
    review = services.annual_review_record(
        actor=world.senco_a, plan=plan, meeting_date=TODAY - dt.timedelta(days=2)
    )
    plan.refresh_from_db()
    assert plan.next_meeting_on is None and plan.reports_requested_on is None
    items = _items(plan)
    assert items[dl.REPORT_TO_LA] == review.meeting_date + dt.timedelta(days=10)
    next_due = dl.annual_review_due(review.meeting_date)
    assert items[dl.REQUEST_REPORTS] == next_due - dt.timedelta(weeks=8)
    with pytest.raises(ValidationError):
        services.annual_review_report_sent(
            actor=world.senco_a, review=review, sent_on=review.meeting_date - dt.timedelta(days=1)
        )
    services.annual_review_report_sent(actor=world.senco_a, review=review, sent_on=TODAY)
    assert dl.REPORT_TO_LA not in _items(plan)
    assert figures.verify() == []


def test_the_la_s_decision_ends_the_wait_for_the_report(world):
    plan = _plan(world, issued_days_ago=360)
    review = services.annual_review_record(
        actor=world.senco_a, plan=plan, meeting_date=TODAY - dt.timedelta(days=20)
    )
    assert _items(plan)[dl.REPORT_TO_LA] == review.meeting_date + dt.timedelta(days=14)
    services.annual_review_record_decision(
        actor=world.senco_a, review=review, decision="maintain", date=TODAY
    )
    assert dl.REPORT_TO_LA not in _items(plan)


def test_the_plan_page_shows_the_steps_and_the_la_s_forms(client, world):
    plan = _plan(world)
    _rules(plan.local_authority, forms_url="https://example.org/ar-forms")
    client.force_login(world.head_a)
    page = client.get(f"/casework/plans/{plan.pk}/").content.decode()
    assert "Request reports for the annual review" in page
    assert "https://example.org/ar-forms" in page
    assert 'id="preparation-form"' not in page  # headteachers read
    client.force_login(world.senco_a)
    page = client.get(f"/casework/plans/{plan.pk}/").content.decode()
    assert 'id="preparation-form"' in page


def test_the_steps_are_saved_from_the_plan_page_and_bad_dates_change_nothing(client, world):
    plan = _plan(world)
    client.force_login(world.senco_a)
    url = f"/casework/plans/{plan.pk}/review-steps/"
    future = TODAY + dt.timedelta(days=3)
    bad = client.post(
        url,
        {
            "reports_requested_on_day": future.day,
            "reports_requested_on_month": future.month,
            "reports_requested_on_year": future.year,
        },
    )
    assert bad.status_code == 400 and b"cannot be in the future" in bad.content
    plan.refresh_from_db()
    assert plan.reports_requested_on is None
    ok = client.post(
        url,
        {
            "reports_requested_on_day": TODAY.day,
            "reports_requested_on_month": TODAY.month,
            "reports_requested_on_year": TODAY.year,
        },
    )
    assert ok.status_code == 302
    plan.refresh_from_db()
    assert plan.reports_requested_on == TODAY
    client.force_login(world.senco_b)
    assert client.post(url, {}).status_code == 404
    assert client.post(f"/casework/plans/{plan.pk}/review-report/", {}).status_code == 404
    client.force_login(world.head_a)
    assert client.post(url, {}).status_code == 404


def test_the_report_is_recorded_from_the_plan_page(client, world):
    plan = _plan(world, issued_days_ago=360)
    services.annual_review_record(actor=world.senco_a, plan=plan, meeting_date=TODAY - dt.timedelta(days=3))
    client.force_login(world.senco_a)
    r = client.post(
        f"/casework/plans/{plan.pk}/review-report/",
        {"sent_on_day": TODAY.day, "sent_on_month": TODAY.month, "sent_on_year": TODAY.year},
    )
    assert r.status_code == 302
    assert plan.reviews.get().report_sent_on == TODAY


def test_the_admin_saves_rules_through_the_service(client, world, admin_user):
    plan = _plan(world)
    client.force_login(with_totp(admin_user))
    url = "/admin/casework/lareviewrules/add/"
    data = {
        "local_authority": plan.local_authority_id,
        "request_reports_weeks": 4,
        "circulate_weeks": 1,
        "report_days": 14,
        "forms": "",
        "forms_url": "",
    }
    r = client.post(url, data)
    assert r.status_code == 200 and not LAReviewRules.objects.exists()
    data["circulate_weeks"] = 3
    r = client.post(url, data)
    assert r.status_code == 302
    assert _items(plan)[dl.CIRCULATE_REPORTS] == (
        dl.annual_review_due(plan.issue_date) - dt.timedelta(weeks=3)
    )


def test_reference_data_loads_the_rules_once_and_keeps_an_admin_s_change(world):
    from casework import reference
    from trusts.models import LocalAuthority

    essex = LocalAuthority.objects.filter(code=881).first() or LocalAuthority.objects.create(
        code=881, name="Essex", funding_unit="band"
    )
    reference.load()
    rules = LAReviewRules.objects.get(local_authority=essex)
    rules.request_reports_weeks = 10
    services.la_review_rules_save(actor=None, rules=rules)
    reference.load()
    assert LAReviewRules.objects.get(local_authority=essex).request_reports_weeks == 10
    assert LAReviewRules.objects.filter(local_authority=essex).count() == 1


def test_the_reviews_list_takes_the_same_queries_for_2_and_30_plans(client, world):
    url = "/casework/reviews/?show=soon"
    client.force_login(world.hos)

    def plans(n):
        for i in range(n):
            pupil = PupilFactory(school=world.school_a if i % 2 else world.school_b)
            services.ehc_plan_create(
                actor=world.hos, pupil=pupil, issue_date=TODAY - dt.timedelta(days=300 + i)
            )

    plans(2)
    _rules(world.pupil_a.home_local_authority)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    plans(28)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
