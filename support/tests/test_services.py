"""The rules of a support plan cycle: one open cycle per pupil, a draft made current, the
review checked then recorded, and closed cycles kept read-only."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support import services
from support.models import OnePageProfile, Outcome, PlanReview, SupportPlan

from .factories import current_plan, draft_plan, profile, reviewed_plan

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_a_plan_starts_as_a_draft_led_by_the_person_who_started_it(world):
    plan = services.plan_start(
        actor=world.senco_a, pupil=world.pupil_a, starts_on=TODAY, review_due=TODAY + dt.timedelta(weeks=12)
    )
    assert plan.status == SupportPlan.Status.DRAFT
    assert plan.owner == world.senco_a and plan.school == world.school_a
    assert plan.follows is None and plan.outcomes.count() == 0


def test_a_pupil_has_one_open_cycle_at_a_time(world):
    draft_plan(world.pupil_a, world.senco_a)
    with pytest.raises(ValidationError, match="already has a plan in progress"):
        services.plan_start(
            actor=world.senco_a,
            pupil=world.pupil_a,
            starts_on=TODAY,
            review_due=TODAY + dt.timedelta(days=60),
        )
    assert SupportPlan.objects.filter(pupil=world.pupil_a).count() == 1


def test_the_database_also_refuses_a_second_open_cycle(world):
    plan = current_plan(world.pupil_a, world.senco_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportPlan.objects.create(
            pupil=plan.pupil,
            school=plan.school,
            owner=world.senco_a,
            starts_on=TODAY,
            review_due=TODAY + dt.timedelta(days=5),
        )


def test_only_a_pupil_on_the_register_can_have_a_plan(world):
    gone = PupilFactory(school=world.school_a, provision=Provision.NO_SEN)
    left = PupilFactory(school=world.school_a, left_school_on=TODAY)
    for pupil in (gone, left):
        with pytest.raises(ValidationError, match="on the SEN register"):
            services.plan_start(
                actor=world.senco_a, pupil=pupil, starts_on=TODAY, review_due=TODAY + dt.timedelta(days=60)
            )
    ehc = PupilFactory(school=world.school_a, provision=Provision.EHC_PLAN)
    assert services.plan_start(
        actor=world.senco_a, pupil=ehc, starts_on=TODAY, review_due=TODAY + dt.timedelta(days=60)
    ).pk


@pytest.mark.parametrize(
    ("start", "review", "field"),
    [
        (TODAY, TODAY, "review_due"),
        (TODAY, TODAY - dt.timedelta(days=1), "review_due"),
        (TODAY, TODAY + dt.timedelta(days=400), "review_due"),
        (TODAY + dt.timedelta(days=400), TODAY + dt.timedelta(days=500), "starts_on"),
    ],
)
def test_dates_that_make_no_cycle_are_refused_with_a_message_on_the_field(world, start, review, field):
    with pytest.raises(ValidationError) as error:
        services.plan_start(actor=world.senco_a, pupil=world.pupil_a, starts_on=start, review_due=review)
    assert field in error.value.error_dict
    assert not SupportPlan.objects.exists()


def test_the_lead_must_be_someone_who_may_write_the_schools_plans(world):
    with pytest.raises(ValidationError, match="lead"):
        services.plan_start(
            actor=world.senco_a,
            pupil=world.pupil_a,
            starts_on=TODAY,
            review_due=TODAY + dt.timedelta(days=60),
            owner=world.head_a,
        )
    with pytest.raises(ValidationError, match="lead"):
        services.plan_start(
            actor=world.senco_a,
            pupil=world.pupil_a,
            starts_on=TODAY,
            review_due=TODAY + dt.timedelta(days=60),
            owner=world.senco_b,
        )
    plan = services.plan_start(
        actor=world.senco_a,
        pupil=world.pupil_a,
        starts_on=TODAY,
        review_due=TODAY + dt.timedelta(days=60),
        owner=world.hos,
    )
    assert plan.owner == world.hos


def test_a_draft_becomes_current_only_with_needs_and_an_outcome(world):
    plan = services.plan_start(
        actor=world.senco_a, pupil=world.pupil_a, starts_on=TODAY, review_due=TODAY + dt.timedelta(days=60)
    )
    with pytest.raises(ValidationError) as error:
        services.plan_activate(actor=world.senco_a, plan=plan)
    assert error.value.messages == [
        "Describe the pupil's needs in the assessment.",
        "Add at least one outcome.",
    ]
    plan = current_plan(PupilFactory(school=world.school_a), world.senco_a)
    assert plan.status == SupportPlan.Status.CURRENT
    with pytest.raises(ValidationError, match="already the current plan"):
        services.plan_activate(actor=world.senco_a, plan=plan)


def test_outcomes_are_numbered_in_order_and_need_success_criteria(world):
    plan = draft_plan(world.pupil_a, world.senco_a, outcomes=2)
    assert list(plan.outcomes.values_list("position", flat=True)) == [1, 2]
    with pytest.raises(ValidationError) as error:
        services.outcome_add(
            actor=world.senco_a,
            plan=plan,
            description="Read more",
            success_criteria="  ",
            review_by=plan.review_due,
        )
    assert "success_criteria" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.outcome_add(
            actor=world.senco_a,
            plan=plan,
            description="Read more",
            success_criteria="Reads",
            review_by=plan.starts_on - dt.timedelta(1),
        )
    assert "review_by" in error.value.error_dict
    assert plan.outcomes.count() == 2


def test_a_current_plan_keeps_at_least_one_outcome(world):
    plan = current_plan(world.pupil_a, world.senco_a, outcomes=1)
    with pytest.raises(ValidationError, match="at least one outcome"):
        services.outcome_remove(actor=world.senco_a, outcome=plan.outcomes.get())
    assert plan.outcomes.count() == 1


def _results(plan, progress="achieved"):
    return {o.pk: services.OutcomeResult(progress, "Seen in class") for o in plan.outcomes.all()}


def test_the_review_is_saved_then_recorded_and_recording_closes_the_cycle(world):
    plan = current_plan(world.pupil_a, world.senco_a, outcomes=2)
    review = services.review_save(
        actor=world.senco_a,
        plan=plan,
        held_on=TODAY,
        next_steps="Move on to sentences.",
        pupil_views="",
        parent_views="Pleased.",
        results=_results(plan),
    )
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.CURRENT and not review.is_recorded
    # Saving again changes the answers (they are being checked), not the number of reviews.
    services.review_save(
        actor=world.senco_a,
        plan=plan,
        held_on=TODAY,
        next_steps="Sentences.",
        pupil_views="Good",
        parent_views="",
        results=_results(plan, "partly"),
    )
    assert PlanReview.objects.filter(plan=plan).count() == 1
    closed = services.review_record(actor=world.senco_a, plan=plan)
    assert closed.status == SupportPlan.Status.CLOSED and closed.closed_on == TODAY
    review = PlanReview.objects.get(plan=plan)
    assert review.is_recorded and review.recorded_by == world.senco_a
    assert review.next_steps == "Sentences."
    assert set(plan.outcomes.values_list("progress", flat=True)) == {"partly"}


def test_a_review_needs_every_outcome_rated_a_date_and_next_steps(world):
    plan = current_plan(world.pupil_a, world.senco_a, outcomes=2)
    first = plan.outcomes.first()
    with pytest.raises(ValidationError) as error:
        services.review_save(
            actor=world.senco_a,
            plan=plan,
            held_on=TODAY + dt.timedelta(1),
            next_steps="",
            pupil_views="",
            parent_views="",
            results={first.pk: services.OutcomeResult("achieved", "")},
        )
    assert set(error.value.error_dict) == {"held_on", "next_steps", f"progress_{plan.outcomes.last().pk}"}
    assert not PlanReview.objects.exists()
    assert not Outcome.objects.exclude(progress="").exists()


def test_a_draft_cannot_be_reviewed_and_a_plan_without_a_review_cannot_be_recorded(world):
    plan = draft_plan(world.pupil_a, world.senco_a)
    with pytest.raises(ValidationError, match="Only the current plan"):
        services.review_save(
            actor=world.senco_a,
            plan=plan,
            held_on=TODAY,
            next_steps="x",
            pupil_views="",
            parent_views="",
            results=_results(plan),
        )
    services.plan_activate(actor=world.senco_a, plan=plan)
    with pytest.raises(ValidationError, match="no review to record"):
        services.review_record(actor=world.senco_a, plan=plan)


def test_a_closed_cycle_refuses_every_change(world):
    plan = reviewed_plan(world.pupil_a, world.senco_a)
    outcome = plan.outcomes.first()
    before = (
        SupportPlan.objects.filter(pk=plan.pk).values().get(),
        list(Outcome.objects.filter(plan=plan).values()),
        PlanReview.objects.filter(plan=plan).values().get(),
    )
    attempts = [
        lambda: services.plan_update_details(
            actor=world.senco_a,
            plan=plan,
            starts_on=TODAY,
            review_due=TODAY + dt.timedelta(9),
            owner=world.senco_a,
        ),
        lambda: services.plan_update_assessment(
            actor=world.senco_a,
            plan=plan,
            needs="new",
            strengths="",
            tried_before="",
            pupil_views="",
            parent_views="",
        ),
        lambda: services.outcome_add(
            actor=world.senco_a, plan=plan, description="d", success_criteria="s", review_by=TODAY
        ),
        lambda: services.outcome_update(
            actor=world.senco_a, outcome=outcome, description="d", success_criteria="s", review_by=TODAY
        ),
        lambda: services.outcome_remove(actor=world.senco_a, outcome=outcome),
        lambda: services.plan_activate(actor=world.senco_a, plan=plan),
        lambda: services.plan_discard(actor=world.senco_a, plan=plan),
        lambda: services.review_save(
            actor=world.senco_a,
            plan=plan,
            held_on=TODAY,
            next_steps="x",
            pupil_views="",
            parent_views="",
            results=_results(plan),
        ),
        lambda: services.review_record(actor=world.senco_a, plan=plan),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="past cycles are kept as they were"):
            attempt()
    after = (
        SupportPlan.objects.filter(pk=plan.pk).values().get(),
        list(Outcome.objects.filter(plan=plan).values()),
        PlanReview.objects.filter(plan=plan).values().get(),
    )
    assert after == before


def test_a_stale_copy_of_a_plan_closed_meanwhile_is_refused_too(world):
    plan = current_plan(world.pupil_a, world.senco_a)
    stale = SupportPlan.objects.get(pk=plan.pk)
    reviewed = SupportPlan.objects.get(pk=plan.pk)
    services.review_save(
        actor=world.senco_a,
        plan=reviewed,
        held_on=TODAY,
        next_steps="x",
        pupil_views="",
        parent_views="",
        results=_results(reviewed),
    )
    services.review_record(actor=world.senco_a, plan=reviewed)
    assert stale.status == SupportPlan.Status.CURRENT  # this copy has not seen the review
    with pytest.raises(ValidationError, match="past cycles"):
        services.plan_update_assessment(
            actor=world.senco_a,
            plan=stale,
            needs="changed",
            strengths="",
            tried_before="",
            pupil_views="",
            parent_views="",
        )


def test_the_next_cycle_starts_from_the_last_review(world):
    last = current_plan(
        world.pupil_a,
        world.senco_a,
        outcomes=2,
        starts_on=TODAY - dt.timedelta(days=100),
        review_due=TODAY - dt.timedelta(days=10),
    )
    first, second = last.outcomes.all()
    services.review_save(
        actor=world.senco_a,
        plan=last,
        held_on=TODAY - dt.timedelta(days=9),
        next_steps="Keep going with outcome 2.",
        pupil_views="",
        parent_views="",
        results={
            first.pk: services.OutcomeResult("achieved", "All 20 words"),
            second.pk: services.OutcomeResult("not_yet", "Still guessing"),
        },
    )
    services.review_record(actor=world.senco_a, plan=last)
    new_review = TODAY + dt.timedelta(weeks=12)
    plan = services.plan_start(
        actor=world.senco_a, pupil=world.pupil_a, starts_on=TODAY, review_due=new_review
    )
    assert plan.follows == last and plan.status == SupportPlan.Status.DRAFT
    assert (plan.needs, plan.strengths) == (last.needs, last.strengths)
    carried = list(plan.outcomes.all())
    assert [(o.description, o.progress, o.evidence, o.review_by) for o in carried] == [
        (second.description, "", "", new_review)
    ]
    # The past cycle is untouched by the new one.
    second.refresh_from_db()
    assert (second.progress, second.evidence) == ("not_yet", "Still guessing")


def test_only_a_draft_can_be_deleted(world):
    plan = draft_plan(world.pupil_a, world.senco_a)
    services.plan_discard(actor=world.senco_a, plan=plan)
    assert not SupportPlan.objects.exists() and not Outcome.objects.exists()
    plan = current_plan(world.pupil_a, world.senco_a)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.plan_discard(actor=world.senco_a, plan=plan)


def test_each_save_of_a_profile_adds_a_version_and_keeps_the_earlier_ones(world):
    first = profile(world.pupil_a, world.senco_a)
    second = profile(world.pupil_a, world.senco_a, how_to_support="Let me sit near the front.")
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.how_to_support == "Give me a minute to think before I answer."
    same, created = services.profile_save(
        actor=world.senco_a, pupil=world.pupil_a, **{f: getattr(second, f) for f in services.PROFILE_FIELDS}
    )
    assert (same.pk, created) == (second.pk, False)
    assert OnePageProfile.objects.filter(pupil=world.pupil_a).count() == 2


def test_a_profile_part_too_long_for_one_page_is_refused(world):
    too_long = "x" * (services.PROFILE_PART_MAX_CHARS + 1)
    many_lines = "\n".join(["line"] * (services.PROFILE_PART_MAX_LINES + 1))
    for value in (too_long, many_lines, "   "):
        with pytest.raises(ValidationError) as error:
            profile(world.pupil_a, world.senco_a, my_needs=value)
        assert "my_needs" in error.value.error_dict
    assert not OnePageProfile.objects.exists()


def test_every_change_of_a_plan_is_in_the_audit_log_with_the_childs_words_masked(world):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    plan = current_plan(world.pupil_a, world.senco_a, outcomes=1)
    outcome = plan.outcomes.get()
    services.review_save(
        actor=world.senco_a,
        plan=plan,
        held_on=TODAY,
        next_steps="Next",
        pupil_views="",
        parent_views="",
        results={outcome.pk: services.OutcomeResult("achieved", "Secret words")},
    )
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Outcome), object_pk=str(outcome.pk)
    )
    update = entries.filter(action=LogEntry.Action.UPDATE).latest("pk")
    assert "progress" in update.changes_dict and "evidence" in update.changes_dict
    assert "Secret words" not in str(update.changes)
    assert update.additional_data == {"trust_id": world.trust_a.pk, "school_id": world.school_a.pk}
    plan_entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SupportPlan), object_pk=str(plan.pk)
    )
    assert plan_entries.filter(action=LogEntry.Action.CREATE).exists()
    assert "Finds reading aloud hard." not in str(list(plan_entries.values_list("changes", flat=True)))
