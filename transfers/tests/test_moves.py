"""A pupil moving between two schools of the deployment: released by the sending school,
received by the other, with their records; the sender keeps its records, read-only."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from casework import services as casework_services
from casework.models import AnnualReview, EHCPlan
from provision.tests.factories import EnrolmentFactory, InterventionFactory
from pupils.models import Provision, Pupil, RegisterEvent
from pupils.tests.factories import PupilFactory
from reports.figures_check import figures_verify
from support import services as support_services
from support.models import OnePageProfile, SupportPlan
from support.tests.factories import current_plan, profile, reviewed_plan
from transfers import services
from transfers.models import PupilMove
from transfers.services import MoveError
from trusts.tests.factories import SchoolFactory, senco

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender(school):
    return senco(school)


@pytest.fixture
def receiver(next_school):
    return senco(next_school)


@pytest.fixture
def pupil(school, sender):
    pupil = PupilFactory(
        school=school, provision=Provision.SEN_SUPPORT, surname="Okafor", forename="Amara", year_group="6"
    )
    RegisterEvent.objects.create(
        pupil=pupil,
        kind=RegisterEvent.Kind.ENTERED_SEN_SUPPORT,
        date=dt.date(2024, 1, 10),
        source="manual",
        to_provision=Provision.SEN_SUPPORT,
        to_need="SLCN",
    )
    return pupil


def test_a_release_waits_for_the_receiving_school_and_gives_it_nothing_yet(pupil, sender, next_school):
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    assert move.status == PupilMove.Status.RELEASED and move.released_by == sender
    assert not Pupil.objects.filter(school=next_school).exists()
    pupil.refresh_from_db()
    assert pupil.left_school_on is None  # still on the sending school's register


def test_a_pupil_cannot_be_released_twice_nor_to_their_own_school(pupil, sender, school, next_school):
    with pytest.raises(MoveError):
        services.pupil_move_release(actor=sender, pupil=pupil, to_school=school)
    services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    with pytest.raises(MoveError, match="already been released"):
        services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)


def test_receiving_moves_the_register_and_copies_the_records(pupil, sender, receiver, school, next_school):
    reviewed_plan(pupil, sender)
    current_plan(pupil, sender, starts_on=dt.date.today() - dt.timedelta(days=5))
    profile(pupil, sender)
    profile(pupil, sender, my_needs="Reading is hard. Noise worries me.")
    enrolment = EnrolmentFactory(
        pupil=pupil,
        intervention=InterventionFactory(school=school, name="Lexia reading"),
        start_date=dt.date(2026, 1, 5),
    )
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)

    assert services.pupil_move_receive(actor=receiver, move=move) is True

    assert move.status == PupilMove.Status.RECEIVED and move.received_by == receiver
    new = move.received_pupil
    assert new.school == next_school and new.upn == pupil.upn and new.left_school_on is None
    assert new.provision == Provision.SEN_SUPPORT and new.primary_need == pupil.primary_need
    assert new.events.filter(note__startswith=f"Joined from {school.name}").exists()
    pupil.refresh_from_db()
    assert pupil.left_school_on == dt.date.today()
    assert pupil.events.filter(kind=RegisterEvent.Kind.LEFT_SCHOOL).count() == 1
    # The receiving school's copies: both plans, closed and marked, and the latest profile.
    copies = SupportPlan.objects.filter(pupil=new).order_by("starts_on")
    assert [c.status for c in copies] == ["closed", "closed"]
    assert {c.school_id for c in copies} == {next_school.pk}
    assert all(c.received_from == school.name for c in copies)
    assert copies[0].review.next_steps == "Carry on with key words."
    assert copies[1].outcomes.count() == 1
    [copied_profile] = OnePageProfile.objects.filter(pupil=new)
    assert copied_profile.my_needs == "Reading is hard. Noise worries me."
    assert move.provision_history[0]["intervention"] == "Lexia reading"
    assert move.summary["support_plans"] == 2 and move.summary["profiles"] == 1
    # The sending school keeps its own records, as they were.
    assert SupportPlan.objects.filter(pupil=pupil, school=school).count() == 2
    assert OnePageProfile.objects.filter(pupil=pupil).count() == 2
    enrolment.refresh_from_db()
    assert enrolment.pupil_id == pupil.pk and enrolment.end_date == dt.date.today()
    assert move.provision_history[0]["end_date"] is None  # going on until the move


def test_the_sending_schools_open_plan_is_read_only_once_the_pupil_has_left(
    pupil, sender, receiver, next_school
):
    plan = current_plan(pupil, sender)
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    services.pupil_move_receive(actor=receiver, move=move)
    with pytest.raises(ValidationError, match="has left the school"):
        support_services.plan_update_assessment(
            actor=sender,
            plan=plan,
            needs="Changed",
            strengths="",
            tried_before="",
            pupil_views="",
            parent_views="",
        )
    with pytest.raises(ValidationError):
        support_services.plan_start(
            actor=sender,
            pupil=pupil,
            starts_on=dt.date.today(),
            review_due=dt.date.today() + dt.timedelta(weeks=6),
        )
    with pytest.raises(ValidationError, match="has left the school"):
        profile(pupil, sender, my_needs="Changed after the move.")


def test_the_ehc_plan_and_its_reviews_follow_the_pupil_and_the_figures_agree(
    school, next_school, sender, receiver
):
    pupil = PupilFactory(school=school, provision=Provision.EHC_PLAN, primary_need="ASD")
    plan = casework_services.ehc_plan_create(actor=sender, pupil=pupil, issue_date=dt.date(2024, 3, 1))
    review = casework_services.annual_review_record(
        actor=sender, plan=plan, meeting_date=dt.date(2025, 2, 20)
    )
    casework_services.annual_review_record_decision(
        actor=sender, review=review, decision="maintain", date=dt.date(2025, 3, 1)
    )
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    services.pupil_move_receive(actor=receiver, move=move)

    plan.refresh_from_db()
    assert plan.ceased_on == dt.date.today() and plan.reviews.count() == 1  # the sender's history
    [live] = EHCPlan.objects.filter(pupil=move.received_pupil, ceased_on__isnull=True)
    assert live.school == next_school and live.issue_date == dt.date(2024, 3, 1)
    assert list(live.reviews.values_list("meeting_date", "la_decision")) == [
        (dt.date(2025, 2, 20), "maintain")
    ]
    assert AnnualReview.objects.count() == 2
    # One live plan for the child across the deployment.
    assert EHCPlan.objects.filter(ceased_on__isnull=True).count() == 1
    assert figures_verify().differences == []


def test_receiving_twice_changes_nothing(pupil, sender, receiver, next_school):
    profile(pupil, sender)
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    assert services.pupil_move_receive(actor=receiver, move=move) is True
    assert services.pupil_move_receive(actor=receiver, move=move) is False
    assert Pupil.objects.filter(school=next_school).count() == 1
    assert OnePageProfile.objects.filter(pupil__school=next_school).count() == 1


def test_a_cancelled_release_cannot_be_received(pupil, sender, receiver, next_school):
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    assert services.pupil_move_cancel(actor=sender, move=move) is True
    assert services.pupil_move_cancel(actor=sender, move=move) is False
    assert services.pupil_move_receive(actor=receiver, move=move) is False
    assert not Pupil.objects.filter(school=next_school).exists()
    # Released again after the cancellation.
    services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)


def test_a_failure_during_receipt_changes_nothing(pupil, sender, receiver, next_school):
    profile(pupil, sender)
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    with (
        mock.patch("casework.services.ehc_plan_move", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.pupil_move_receive(actor=receiver, move=move)
    move.refresh_from_db()
    pupil.refresh_from_db()
    assert move.status == PupilMove.Status.RELEASED and pupil.left_school_on is None
    assert not Pupil.objects.filter(school=next_school).exists()
    assert not OnePageProfile.objects.filter(pupil__school=next_school).exists()


def test_a_pupil_returning_to_a_school_rejoins_their_old_record(pupil, sender, school, next_school, receiver):
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    services.pupil_move_receive(actor=receiver, move=move)
    back = services.pupil_move_release(actor=receiver, pupil=move.received_pupil, to_school=school)
    services.pupil_move_receive(actor=sender, move=back)
    assert back.received_pupil == pupil
    pupil.refresh_from_db()
    assert pupil.left_school_on is None and Pupil.objects.filter(upn=pupil.upn).count() == 2


def test_the_figures_agree_after_a_move_between_trusts(pupil, sender, receiver, school, next_school):
    SchoolFactory()  # a third school, untouched
    EnrolmentFactory(
        pupil=pupil, intervention=InterventionFactory(school=school), start_date=dt.date(2026, 1, 5)
    )
    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    services.pupil_move_receive(actor=receiver, move=move)
    assert figures_verify().differences == []


def test_the_receiving_school_sees_the_records_only_once_it_has_received_them(
    pupil, sender, receiver, next_school, school
):
    from django_scopes import scope

    reviewed_plan(pupil, sender)
    profile(pupil, sender)

    def seen_by_receiver() -> tuple[int, int, int]:
        with scope(school=[next_school.pk]):
            return (Pupil.objects.count(), SupportPlan.objects.count(), OnePageProfile.objects.count())

    move = services.pupil_move_release(actor=sender, pupil=pupil, to_school=next_school)
    assert seen_by_receiver() == (0, 0, 0)
    services.pupil_move_receive(actor=receiver, move=move)
    assert seen_by_receiver() == (1, 1, 1)
    with scope(school=[next_school.pk]):
        assert not Pupil.objects.filter(pk=pupil.pk).exists()  # the sender's row stays theirs
    with scope(school=[school.pk]):
        assert SupportPlan.objects.count() == 1 and Pupil.objects.get().pk == pupil.pk
