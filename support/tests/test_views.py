"""Support plan and profile pages through the access policy: who reads, who writes, 404 for
another school or trust, audit of every read, query counts of the lists, and bad input."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from provision.tests.factories import DeliveryFactory, EnrolmentFactory, InterventionFactory
from pupils.tests.factories import PupilFactory
from support.models import OnePageProfile, Outcome, PlanReview, SupportPlan

from .factories import current_plan, draft_plan, profile, reviewed_plan

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def objs(world):
    plan_a = current_plan(world.pupil_a, world.senco_a, outcomes=2)
    plan_b = current_plan(world.pupil_b, world.senco_b)
    return {
        "plan_a": plan_a,
        "plan_b": plan_b,
        "new_a": PupilFactory(school=world.school_a),
        "new_b": PupilFactory(school=world.school_b),
        "outcome_a": plan_a.outcomes.first(),
        "outcome_b": plan_b.outcomes.first(),
        "profile_a": profile(world.pupil_a, world.senco_a),
        "profile_b": profile(world.pupil_b, world.senco_b),
    }


def read_urls(o, world, side="a"):
    plan, pupil, prof = o[f"plan_{side}"], getattr(world, f"pupil_{side}"), o[f"profile_{side}"]
    school = world.school_a if side == "a" else world.school_b
    return [
        reverse("support:plan_detail", args=[plan.pk]),
        reverse("support:plan_pdf", args=[plan.pk]),
        reverse("support:school_plans", args=[school.laestab]),
        reverse("support:profile_detail", args=[pupil.pk]),
        reverse("support:profile_version", args=[prof.pk]),
        reverse("support:profile_pdf", args=[prof.pk]),
    ]


def write_urls(o, world, side="a"):
    plan, pupil = o[f"plan_{side}"], getattr(world, f"pupil_{side}")
    outcome = o[f"outcome_{side}"]
    return [
        reverse("support:plan_new", args=[o[f"new_{side}"].pk]),
        reverse("support:plan_details", args=[plan.pk]),
        reverse("support:plan_assessment", args=[plan.pk]),
        reverse("support:outcome_new", args=[plan.pk]),
        reverse("support:outcome_edit", args=[plan.pk, outcome.pk]),
        reverse("support:review_edit", args=[plan.pk]),
        reverse("support:profile_edit", args=[pupil.pk]),
    ]


def post_only_urls(o, side="a"):
    plan, outcome = o[f"plan_{side}"], o[f"outcome_{side}"]
    return [
        reverse("support:outcome_remove", args=[plan.pk, outcome.pk]),
        reverse("support:plan_activate", args=[plan.pk]),
        reverse("support:plan_discard", args=[plan.pk]),
        reverse("support:review_check", args=[plan.pk]),
    ]


def test_the_senco_and_the_head_of_send_read_and_write_their_schools_plans(client, world, objs):
    for user in (world.senco_a, world.hos):
        client.force_login(user)
        for url in read_urls(objs, world) + write_urls(objs, world):
            assert client.get(url).status_code == 200, (user, url)
        assert client.get(reverse("support:plan_list")).status_code == 200


def test_the_headteacher_reads_but_cannot_write(client, world, objs):
    client.force_login(world.head_a)
    for url in read_urls(objs, world):
        assert client.get(url).status_code == 200, url
    for url in write_urls(objs, world):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    for url in post_only_urls(objs):
        assert client.post(url, {}).status_code == 404, url
    body = client.get(reverse("support:plan_detail", args=[objs["plan_a"].pk])).content.decode()
    assert "Add an outcome" not in body and "Record the review" not in body
    assert "Change the assessment" not in body
    body = client.get(reverse("support:profile_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Update the profile" not in body


@pytest.mark.parametrize("persona", ["senco_a2", "senco_b", "executive", "data_admin"])
def test_others_get_404_for_every_page_and_change_nothing(client, world, objs, persona):
    client.force_login(getattr(world, persona))
    before = (SupportPlan.objects.count(), Outcome.objects.count(), OnePageProfile.objects.count())
    for url in read_urls(objs, world) + write_urls(objs, world):
        assert client.get(url).status_code == 404, url
    for url in write_urls(objs, world) + post_only_urls(objs):
        assert client.post(url, {"description": "x"}).status_code == 404, url
    assert (SupportPlan.objects.count(), Outcome.objects.count(), OnePageProfile.objects.count()) == before


def test_an_executive_has_no_plans_page_at_all(client, world, objs):
    client.force_login(world.executive)
    assert client.get(reverse("support:plan_list")).status_code == 404
    assert client.get(reverse("support:plan_list") + "?show=no_plan").status_code == 404


def test_the_plans_list_shows_only_the_users_schools(client, world, objs):
    client.force_login(world.senco_b)
    body = client.get(reverse("support:plan_list")).content.decode()
    assert "Bertie Brackley" in body and "Amira Khanova" not in body


def _views(obj):
    ct = ContentType.objects.get_for_model(obj)
    return LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk), action=LogEntry.Action.ACCESS)


def test_every_read_of_a_plan_or_profile_is_audited_with_who_and_the_trust(client, world, objs):
    plan, prof = objs["plan_a"], objs["profile_a"]
    client.force_login(world.head_a)
    client.get(reverse("support:plan_detail", args=[plan.pk]))
    client.get(reverse("support:profile_detail", args=[world.pupil_a.pk]))
    client.get(reverse("support:profile_version", args=[prof.pk]))
    entry = _views(plan).get()
    assert entry.actor == world.head_a
    assert entry.additional_data == {"trust_id": world.trust_a.pk, "school_id": world.school_a.pk}
    assert _views(prof).count() == 2
    assert "Amira" not in entry.object_repr


def test_pdf_downloads_are_audited_as_exports(client, world, objs):
    client.force_login(world.senco_a)
    response = client.get(reverse("support:plan_pdf", args=[objs["plan_a"].pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Khanova" not in response["Content-Disposition"]
    client.get(reverse("support:profile_pdf", args=[objs["profile_a"].pk]))
    plan_entry = _views(objs["plan_a"]).get()
    assert plan_entry.additional_data["export"] == "support plan PDF"
    assert _views(objs["profile_a"]).get().additional_data["export"] == "one-page profile PDF"


def test_starting_a_plan_through_the_form_with_govuk_date_boxes(client, world):
    client.force_login(world.senco_a)
    url = reverse("support:plan_new", args=[world.pupil_a.pk])
    response = client.post(
        url,
        {
            "starts_on_day": "1",
            "starts_on_month": "9",
            "starts_on_year": str(TODAY.year),
            "review_due_day": "",
            "review_due_month": "12",
            "review_due_year": str(TODAY.year),
            "owner": world.senco_a.pk,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Review date must include a day" in body
    assert 'href="#id_review_due_0"' in body and 'id="id_review_due_0"' in body
    assert not SupportPlan.objects.exists()
    response = client.post(
        url,
        {
            "starts_on_day": "1",
            "starts_on_month": "9",
            "starts_on_year": str(TODAY.year),
            "review_due_day": "31",
            "review_due_month": "2",
            "review_due_year": str(TODAY.year + 1),
            "owner": world.senco_a.pk,
        },
    )
    assert "Review date must be a real date" in response.content.decode()
    response = client.post(
        url,
        {
            "starts_on_day": "1",
            "starts_on_month": "9",
            "starts_on_year": str(TODAY.year),
            "review_due_day": "11",
            "review_due_month": "12",
            "review_due_year": str(TODAY.year),
            "owner": world.senco_a.pk,
        },
    )
    plan = SupportPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "support:plan_detail", args=[plan.pk]
    )
    assert plan.starts_on == dt.date(TODAY.year, 9, 1)
    assert plan.review_due == dt.date(TODAY.year, 12, 11)


def test_a_service_refusal_is_shown_on_the_form_and_changes_nothing(client, world, objs):
    client.force_login(world.senco_a)
    plan = objs["plan_a"]
    response = client.post(
        reverse("support:plan_details", args=[plan.pk]),
        {
            "starts_on_day": "1",
            "starts_on_month": "9",
            "starts_on_year": "2026",
            "review_due_day": "1",
            "review_due_month": "8",
            "review_due_year": "2026",
            "owner": world.senco_a.pk,
        },
    )
    assert response.status_code == 400
    assert "The review date must be after the start of the cycle." in response.content.decode()
    plan.refresh_from_db()
    assert plan.review_due != dt.date(2026, 8, 1)


def test_a_closed_cycle_has_no_change_links_and_its_edit_pages_send_back(client, world):
    plan = reviewed_plan(world.pupil_a, world.senco_a)
    client.force_login(world.senco_a)
    body = client.get(reverse("support:plan_detail", args=[plan.pk])).content.decode()
    assert "kept as it was" in body and "Add an outcome" not in body
    assert "Change the assessment" not in body and "Start the next cycle" not in body
    outcome = plan.outcomes.first()
    for url in (
        reverse("support:plan_assessment", args=[plan.pk]),
        reverse("support:outcome_edit", args=[plan.pk, outcome.pk]),
        reverse("support:review_edit", args=[plan.pk]),
    ):
        response = client.post(url, {"needs": "changed", "description": "changed"})
        assert response.status_code == 302
        assert response["Location"] == reverse("support:plan_detail", args=[plan.pk])
    plan.refresh_from_db()
    outcome.refresh_from_db()
    assert plan.needs == "Finds reading aloud hard." and outcome.description != "changed"


def test_the_review_goes_through_check_your_answers_before_it_closes_the_cycle(client, world):
    plan = current_plan(world.pupil_a, world.senco_a, outcomes=2)
    first, second = plan.outcomes.all()
    client.force_login(world.senco_a)
    data = {
        "held_on_day": str(TODAY.day),
        "held_on_month": str(TODAY.month),
        "held_on_year": str(TODAY.year),
        "next_steps": "New targets for spring.",
        "pupil_views": "I can read more words.",
        "parent_views": "",
        f"progress_{first.pk}": "achieved",
        f"evidence_{first.pk}": "20 of 20 words",
        f"evidence_{second.pk}": "Some",
    }
    response = client.post(reverse("support:review_edit", args=[plan.pk]), data)
    assert response.status_code == 400
    assert "Choose whether the outcome was achieved." in response.content.decode()
    data[f"progress_{second.pk}"] = "not_yet"
    response = client.post(reverse("support:review_edit", args=[plan.pk]), data)
    assert response["Location"] == reverse("support:review_check", args=[plan.pk])
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.CURRENT  # not closed until the answers are checked
    body = client.get(response["Location"]).content.decode()
    assert "Check your answers" in body and "20 of 20 words" in body and "Not yet achieved" in body
    response = client.post(reverse("support:review_check", args=[plan.pk]))
    assert response["Location"] == reverse("support:plan_detail", args=[plan.pk])
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.CLOSED and PlanReview.objects.get().is_recorded


def test_outcomes_link_to_the_pupils_provision_and_the_do_part_counts_sessions(client, world):
    intervention = InterventionFactory(
        school=world.school_a, name="Toe by Toe", sessions_per_week=5, weeks=52
    )
    enrolment = EnrolmentFactory(
        intervention=intervention, pupil=world.pupil_a, start_date=TODAY - dt.timedelta(days=27)
    )
    others = EnrolmentFactory(
        intervention=InterventionFactory(school=world.school_a), pupil=PupilFactory(school=world.school_a)
    )
    for days_ago in (20, 13, 6):
        DeliveryFactory(
            intervention=intervention, date=TODAY - dt.timedelta(days=days_ago), attended=[enrolment]
        )
    plan = draft_plan(world.pupil_a, world.senco_a, starts_on=TODAY - dt.timedelta(days=27), outcomes=0)
    client.force_login(world.senco_a)
    page = client.get(reverse("support:outcome_new", args=[plan.pk])).content.decode()
    assert "Toe by Toe" in page and others.intervention.name not in page
    response = client.post(
        reverse("support:outcome_new", args=[plan.pk]),
        {
            "description": "Read 50 words",
            "success_criteria": "Reads them in class",
            "review_by_day": str(plan.review_due.day),
            "review_by_month": str(plan.review_due.month),
            "review_by_year": str(plan.review_due.year),
            "enrolments": [enrolment.pk],
        },
    )
    assert response.status_code == 302
    assert list(Outcome.objects.get().enrolments.all()) == [enrolment]
    # Another pupil's enrolment is not a choice.
    response = client.post(
        reverse("support:outcome_new", args=[plan.pk]),
        {
            "description": "x",
            "success_criteria": "y",
            "review_by_day": "1",
            "review_by_month": "1",
            "review_by_year": str(TODAY.year + 1),
            "enrolments": [others.pk],
        },
    )
    assert response.status_code == 400 and Outcome.objects.count() == 1
    body = client.get(reverse("support:plan_detail", args=[plan.pk])).content.decode()
    row = re.search(r'id="delivery-table".*?</table>', body, re.S).group(0)
    assert "Toe by Toe" in row and ">20<" in row and "3 (15.0%)" in row


def test_the_list_pages_run_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.senco_a)
    for i in range(3):
        current_plan(
            PupilFactory(school=world.school_a), world.senco_a, review_due=TODAY + dt.timedelta(days=i - 2)
        )
    reviewed_plan(PupilFactory(school=world.school_a), world.senco_a)
    urls = [
        reverse("support:plan_list") + f"?show={s}"
        for s in ("current", "overdue", "due_soon", "draft", "closed", "no_plan")
    ]
    urls.append(reverse("support:school_plans", args=[world.school_a.laestab]))
    client.get(urls[0])  # the session's first page saves it
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    for i in range(6):
        current_plan(
            PupilFactory(school=world.school_a), world.senco_a, review_due=TODAY + dt.timedelta(days=i)
        )
        reviewed_plan(PupilFactory(school=world.school_a), world.senco_a)
        PupilFactory(school=world.school_a)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_the_plan_page_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.senco_a)
    from support import services

    intervention = InterventionFactory(school=world.school_a)
    plan = draft_plan(world.pupil_a, world.senco_a, outcomes=0)
    services.outcome_add(
        actor=world.senco_a,
        plan=plan,
        description="d",
        success_criteria="s",
        review_by=plan.review_due,
        enrolments=[EnrolmentFactory(intervention=intervention, pupil=world.pupil_a)],
    )
    url = reverse("support:plan_detail", args=[plan.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(5):
        enrolment = EnrolmentFactory(intervention=intervention, pupil=world.pupil_a)
        services.outcome_add(
            actor=world.senco_a,
            plan=plan,
            description="d",
            success_criteria="s",
            review_by=plan.review_due,
            enrolments=[enrolment],
        )
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_starting_a_second_plan_sends_the_senco_to_the_one_in_progress(client, world, objs):
    client.force_login(world.senco_a)
    response = client.get(reverse("support:plan_new", args=[world.pupil_a.pk]))
    assert response["Location"] == reverse("support:plan_detail", args=[objs["plan_a"].pk])
    assert SupportPlan.objects.filter(pupil=world.pupil_a).count() == 1


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_in_plans_and_profiles_is_shown_as_text(client, world):
    plan = draft_plan(world.pupil_a, world.senco_a, needs=HOSTILE)
    profile(world.pupil_a, world.senco_a, my_needs=HOSTILE)
    client.force_login(world.senco_a)
    for url in (
        reverse("support:plan_detail", args=[plan.pk]),
        reverse("support:profile_detail", args=[world.pupil_a.pk]),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
