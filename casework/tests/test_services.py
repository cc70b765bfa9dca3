"""Services: EHC steps and the register, cases and their append-only timeline, activity."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from casework import services
from casework.models import (
    ActivityShare,
    AppendOnlyError,
    Case,
    CaseNote,
    EHCPlan,
    EHCRequest,
)
from pupils.models import Provision, RegisterEvent

pytestmark = pytest.mark.django_db
D = dt.date


def _request(world, day=None):
    return services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=day or D(2025, 1, 10)
    )


def test_a_request_goes_to_the_pupils_home_la_by_default(world):
    r = _request(world)
    assert r.local_authority == world.pupil_a.home_local_authority
    assert r.school == world.school_a and r.owner == world.senco_a


def test_issuing_the_final_plan_moves_the_pupil_to_e_with_a_register_event(world):
    r = _request(world)
    for step, day, result in [
        ("decision", D(2025, 2, 14), "assess"),
        ("draft_plan", D(2025, 4, 1), ""),
        ("parents_comments", D(2025, 4, 10), ""),
        ("outcome", D(2025, 5, 20), "issued"),
    ]:
        r = services.ehc_request_record_step(
            actor=world.senco_a, request=r, step=step, date=day, result=result
        )
    world.pupil_a.refresh_from_db()
    assert world.pupil_a.provision == Provision.EHC_PLAN
    event = RegisterEvent.objects.get(pupil=world.pupil_a)
    assert (event.kind, event.source, event.actor, event.from_provision, event.to_provision) == (
        "ehc_plan_issued",
        "manual",
        world.senco_a,
        "K",
        "E",
    )
    plan = EHCPlan.objects.get(request=r)
    assert plan.issue_date == D(2025, 5, 20)
    assert [s.status.state for s in r.steps(D(2025, 6, 1))] == ["met", "met", "met"]


def test_a_refusal_ends_the_request_and_later_steps_are_refused(world):
    r = _request(world)
    services.ehc_request_record_step(
        actor=world.senco_a, request=r, step="decision", date=D(2025, 3, 1), result="refuse"
    )
    r.refresh_from_db()
    assert [s.key for s in r.steps(D(2025, 3, 2))] == ["decision"]
    assert r.steps(D(2025, 3, 2))[0].status.days_late == 8  # due 21 Feb, done 1 Mar
    with pytest.raises(ValidationError):
        services.ehc_request_record_step(
            actor=world.senco_a, request=r, step="draft_plan", date=D(2025, 3, 5)
        )


def test_a_step_date_before_the_request_or_in_the_future_changes_nothing(world):
    r = _request(world)
    for day in (D(2025, 1, 9), dt.date.today() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.ehc_request_record_step(
                actor=world.senco_a, request=r, step="decision", date=day, result="assess"
            )
    r.refresh_from_db()
    assert r.decision == "" and r.decision_date is None


def test_a_second_request_in_progress_is_refused(world):
    _request(world)
    with pytest.raises(ValidationError):
        _request(world, D(2025, 2, 1))
    assert EHCRequest.objects.count() == 1


def test_a_pupil_who_left_the_school_gets_no_new_request_or_plan_there(world):
    world.pupil_a.left_school_on = D(2025, 1, 5)
    world.pupil_a.save()
    with pytest.raises(ValidationError, match="left the school on 5 January 2025"):
        _request(world)
    with pytest.raises(ValidationError, match="their new school records new requests and plans"):
        services.ehc_plan_create(actor=world.senco_a, pupil=world.pupil_a, issue_date=D(2024, 9, 1))
    assert not EHCRequest.objects.exists() and not EHCPlan.objects.exists()


def test_not_issuing_shows_the_16_week_step(world):
    r = _request(world)
    services.ehc_request_record_step(
        actor=world.senco_a, request=r, step="decision", date=D(2025, 2, 1), result="assess"
    )
    services.ehc_request_record_step(
        actor=world.senco_a, request=r, step="outcome", date=D(2025, 5, 9), result="not_issued"
    )
    r.refresh_from_db()
    last = r.steps(D(2025, 6, 1))[-1]
    assert last.key == "not_issued" and last.status.due == D(2025, 5, 2)
    assert last.status.days_late == 7
    world.pupil_a.refresh_from_db()
    assert world.pupil_a.provision == Provision.SEN_SUPPORT


def _case(world, **kw):
    args = {
        "actor": world.senco_a,
        "school": world.school_a,
        "kind": "complaint",
        "title": "Complaint about transport",
        "owner": world.senco_a,
        "opened_on": D(2025, 9, 1),
    }
    args.update(kw)
    return services.case_open(**args)


def test_opening_a_case_with_a_note_starts_its_timeline(world):
    case = _case(world, note="Parent phoned.")
    assert list(case.notes.values_list("text", flat=True)) == ["Parent phoned."]


def test_case_notes_cannot_be_changed_or_deleted(world):
    case = _case(world, note="First")
    note = case.notes.get()
    note.text = "Changed"
    with pytest.raises(AppendOnlyError):
        note.save()
    with pytest.raises(AppendOnlyError):
        note.delete()
    with pytest.raises(AppendOnlyError):
        CaseNote.objects.filter(pk=note.pk).update(text="Changed")
    with pytest.raises(AppendOnlyError):
        CaseNote.objects.filter(pk=note.pk).delete()
    assert CaseNote.objects.get(pk=note.pk).text == "First"


def test_closing_needs_an_outcome_and_writes_it_to_the_timeline(world):
    case = _case(world)
    with pytest.raises(ValidationError):
        services.case_close(actor=world.senco_a, case=case, outcome=" ")
    services.case_close(
        actor=world.senco_a, case=case, outcome="Resolved at stage 1", closed_on=D(2025, 9, 20)
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_on == D(2025, 9, 20)
    assert case.notes.last().text == "Closed. Outcome: Resolved at stage 1"
    with pytest.raises(ValidationError):
        services.case_close(actor=world.senco_a, case=case, outcome="Again")


def test_a_suspension_needs_a_pupil_and_school_days(world):
    with pytest.raises(ValidationError):
        _case(world, kind="suspension")
    with pytest.raises(ValidationError):
        _case(world, kind="suspension", pupil=world.pupil_a)
    case = _case(
        world, kind="suspension", pupil=world.pupil_a, suspension_start=D(2025, 9, 10), suspension_days=3
    )
    assert case.suspension_days == 3


def test_a_pupil_of_another_school_is_refused(world):
    with pytest.raises(ValidationError):
        _case(world, pupil=world.pupil_b)
    assert not Case.objects.exists()


def test_tribunal_case_computes_the_appeal_deadline_and_due_next(world):
    case = _case(world, kind="tribunal_appeal", decision_letter_date=D(2025, 6, 12))
    assert case.appeal_deadline == D(2025, 9, 1)  # 12 August moved to 1 September
    assert case.due_next(D(2025, 6, 20)) == ("Appeal deadline", D(2025, 9, 1))
    services.case_update(
        actor=world.senco_a,
        case=case,
        status="open",
        appeal_lodged_on=D(2025, 7, 1),
        hearing_date=D(2025, 11, 3),
    )
    case.refresh_from_db()
    assert case.due_next(D(2025, 7, 2)) == ("Tribunal hearing", D(2025, 11, 3))
    assert "Appeal lodged: 01 Jul 2025" in case.notes.last().text


def test_activity_for_two_trusts_is_shared_equally_to_the_hundredth(world):
    entry = services.activity_log(
        actor=world.hos,
        kind="la_forum",
        date=D(2025, 10, 1),
        hours=Decimal("2.25"),
        trusts=[world.trust_a, world.trust_b],
    )
    shares = sorted(ActivityShare.objects.filter(entry=entry).values_list("hours", flat=True))
    assert shares == [Decimal("1.12"), Decimal("1.13")]
    assert sum(shares) == Decimal("2.25")


def test_training_needs_school_topic_and_staff(world):
    with pytest.raises(ValidationError):
        services.activity_log(
            actor=world.hos, kind="training", date=D(2025, 10, 1), hours=Decimal(2), trusts=[world.trust_a]
        )
    with pytest.raises(ValidationError):  # a school of the other trust
        services.activity_log(
            actor=world.hos,
            kind="training",
            date=D(2025, 10, 1),
            hours=Decimal(2),
            trusts=[world.trust_a],
            school=world.school_b,
            topic="Autism",
            staff_trained=12,
        )


def test_the_owner_must_manage_the_schools_cases(world):
    with pytest.raises(ValidationError):
        _case(world, owner=world.senco_b)
    with pytest.raises(ValidationError):
        _case(world, owner=world.head_a)  # a headteacher reads cases but does not manage them
    case = _case(world, owner=world.hos)
    with pytest.raises(ValidationError):
        services.case_update(actor=world.hos, case=case, status="open", owner=world.senco_b)
    services.case_update(actor=world.hos, case=case, status="waiting", owner=world.senco_a)
    case.refresh_from_db()
    assert case.owner == world.senco_a and case.status == "waiting"
    assert "Owner:" in case.notes.last().text and "Waiting on others" in case.notes.last().text
