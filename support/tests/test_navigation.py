"""What support plans show elsewhere: the pupil page's sections, the SENCO's home page tasks,
the school's page, and plan reviews on the due list (and so in the daily digest)."""

import datetime as dt

import pytest
from django.urls import reverse

from casework import selectors as casework_selectors
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support.navigation import home_tasks, plans_section, profile_section
from trusts.navigation import home_task_sources, pupil_sections

from .factories import current_plan, draft_plan, profile, reviewed_plan

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_the_sections_and_the_home_tasks_are_registered_with_their_keys_and_order():
    sections = {s.key: s for s in pupil_sections()}
    assert (sections["profile"].order, sections["support_plans"].order) == (35, 40)
    assert "support" in {s.key for s in home_task_sources()}


def test_the_plans_section_lists_the_open_plan_then_past_cycles_with_what_is_due(world):
    reviewed_plan(
        world.pupil_a,
        world.senco_a,
        starts_on=TODAY - dt.timedelta(days=200),
        review_due=TODAY - dt.timedelta(days=100),
    )
    plan = current_plan(
        world.pupil_a,
        world.senco_a,
        starts_on=TODAY - dt.timedelta(days=50),
        review_due=TODAY - dt.timedelta(days=2),
    )
    content = plans_section(world.pupil_a, world.senco_a, TODAY)
    first, second = content.records
    assert first.href == reverse("support:plan_detail", args=[plan.pk])
    assert first.status == "Review overdue" and "(reviewed)" in second.text
    assert content.due_next == f"Plan review due {plan.review_due.day} {plan.review_due:%B %Y}"
    assert content.actions == ()  # a plan is open: no second one can start


def test_the_plans_section_offers_to_start_a_plan_only_to_those_who_may_write(world):
    content = plans_section(world.pupil_a, world.senco_a, TODAY)
    assert content.records == () and content.actions == (
        ("Start a SEN support plan", reverse("support:plan_new", args=[world.pupil_a.pk])),
    )
    assert plans_section(world.pupil_a, world.head_a, TODAY).actions == ()
    reviewed_plan(world.pupil_a, world.senco_a)
    assert plans_section(world.pupil_a, world.senco_a, TODAY).actions[0][0] == "Start the next cycle"


@pytest.mark.parametrize("persona", ["executive", "data_admin", "senco_b", "senco_a2"])
def test_the_sections_are_hidden_from_those_who_may_not_see_plans(world, persona):
    user = getattr(world, persona)
    assert plans_section(world.pupil_a, user, TODAY) is None
    assert profile_section(world.pupil_a, user, TODAY) is None


def test_the_profile_section_shows_the_latest_version(world):
    content = profile_section(world.pupil_a, world.senco_a, TODAY)
    assert content.records == () and content.actions[0][0] == "Start a profile"
    profile(world.pupil_a, world.senco_a)
    profile(world.pupil_a, world.senco_a, my_needs="I find writing hard.")
    content = profile_section(world.pupil_a, world.senco_a, TODAY)
    assert content.records[0].text.startswith("One-page profile, version 2")
    assert content.actions[0][0] == "Update the profile"
    assert profile_section(world.pupil_a, world.head_a, TODAY).actions == ()


def test_the_sections_cost_one_query_each(world, django_assert_num_queries):
    current_plan(world.pupil_a, world.senco_a)
    reviewed_plan(PupilFactory(school=world.school_a), world.senco_a)
    profile(world.pupil_a, world.senco_a)
    for build in (plans_section, profile_section):
        build(world.pupil_a, world.senco_a, TODAY)  # grants worked out once per request
        with django_assert_num_queries(1):
            build(world.pupil_a, world.senco_a, TODAY)


def test_home_tasks_count_reviews_overdue_due_soon_and_pupils_without_a_plan(world):
    for days in (-3, -1, 0, 14, 15):
        current_plan(
            PupilFactory(school=world.school_a),
            world.senco_a,
            starts_on=TODAY - dt.timedelta(days=60),
            review_due=TODAY + dt.timedelta(days=days),
        )
    draft_plan(PupilFactory(school=world.school_a), world.senco_a)  # a draft is not a plan yet
    reviewed_plan(PupilFactory(school=world.school_a), world.senco_a)  # nor a past cycle
    PupilFactory(school=world.school_a, provision=Provision.EHC_PLAN)  # E: not counted
    current_plan(
        PupilFactory(school=world.school_b), world.senco_b, review_due=TODAY - dt.timedelta(days=1)
    )  # another trust's school
    tasks = {t.label: t for t in home_tasks(world.senco_a, [world.school_a, world.school_b], TODAY)}
    overdue = tasks["SEN support plan reviews overdue"]
    soon = tasks["SEN support plan reviews due in the next 14 days"]
    without = tasks["Pupils at SEN Support with no current plan"]
    # pupil_a, the draft's pupil and the past cycle's pupil have no current plan
    assert (overdue.count, soon.count, without.count) == (2, 2, 3)
    assert overdue.href == reverse("support:plan_list") + "?show=overdue"
    assert without.href == reverse("support:plan_list") + "?show=no_plan"
    assert home_tasks(world.executive, [world.school_a], TODAY) == []


def test_home_tasks_cost_two_queries(world, django_assert_num_queries):
    home_tasks(world.hos, [world.school_a, world.school_a2], TODAY)
    with django_assert_num_queries(2):
        home_tasks(world.hos, [world.school_a, world.school_a2], TODAY)


def test_plan_reviews_are_on_the_due_list_with_their_lead_and_no_pupil_name(world, client):
    plan = current_plan(world.pupil_a, world.senco_a, review_due=TODAY + dt.timedelta(days=3))
    draft_plan(PupilFactory(school=world.school_a), world.senco_a)
    reviewed_plan(PupilFactory(school=world.school_a), world.senco_a)
    items = casework_selectors.due_list(school_ids=[world.school_a.pk], today=TODAY)
    (item,) = [i for i in items if i.kind == casework_selectors.SUPPORT_PLAN_REVIEW]
    assert (item.due, item.owner_id, item.ref) == (
        plan.review_due,
        world.senco_a.pk,
        f"Support plan {plan.pk}",
    )
    assert item.url == reverse("support:plan_detail", args=[plan.pk])
    assert item.status.label == "Due in 3 days"
    assert "Amira" not in f"{item.what} {item.ref}"
    only = casework_selectors.due_list(
        school_ids=[world.school_a.pk], today=TODAY, kind=casework_selectors.SUPPORT_PLAN_REVIEW
    )
    assert [i.ref for i in only] == [item.ref]
    digest = casework_selectors.due_items_by_owner(today=TODAY)
    assert item.ref in [i.ref for i in digest[world.senco_a.pk]]
    client.force_login(world.hos)
    body = client.get(reverse("casework:due_list")).content.decode()
    assert f'data-ref="Support plan {plan.pk}"' in body and "SEN support plan review" in body
