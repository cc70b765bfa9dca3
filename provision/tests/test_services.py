"""The writes of the provision map: what each refuses (changing nothing), who may write, and that
the funding figures built on the costs change in the same transaction."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from funding import figures
from funding import services as funding_services
from provision import selectors, services
from provision.models import Delivery, Enrolment, Intervention, Kind
from provision.signals import provision_changed
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import SchoolFactory, headteacher, senco

from .factories import EnrolmentFactory, InterventionFactory

pytestmark = pytest.mark.django_db
d = datetime.date
TODAY = d(2026, 11, 20)


def make(school, **kw):
    values = {
        "name": "Reading group",
        "kind": Kind.SMALL_GROUP,
        "staff_role": "Teaching assistant",
        "sessions_per_week": D(3),
        "minutes_per_session": 30,
        "group_size": 4,
        **kw,
    }
    return services.intervention_create(actor=None, school=school, **values)


def provision_cost(school) -> D:
    return figures.summary([school.pk], 2026, TODAY).total.provision_cost


def test_a_senco_adds_an_intervention_and_a_headteacher_may_not():
    school = SchoolFactory()
    intervention = make(school)
    assert intervention.active and intervention.school == school
    services.intervention_create(
        actor=senco(school),
        school=school,
        name="ELSA",
        kind=Kind.ONE_TO_ONE,
        staff_role="ELSA",
        sessions_per_week=D(1),
        minutes_per_session=30,
    )
    with pytest.raises(PermissionDenied):
        services.intervention_create(
            actor=headteacher(school),
            school=school,
            name="x",
            kind=Kind.EXTERNAL,
            staff_role="x",
            sessions_per_week=D(1),
            minutes_per_session=30,
        )
    with pytest.raises(PermissionDenied):
        services.intervention_create(
            actor=senco(SchoolFactory()),
            school=school,
            name="x",
            kind=Kind.EXTERNAL,
            staff_role="x",
            sessions_per_week=D(1),
            minutes_per_session=30,
        )
    assert Intervention.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "  "}, "name"),
        ({"staff_role": ""}, "staff role"),
        ({"kind": "lecture"}, "1:1"),
        ({"sessions_per_week": D(61)}, "Sessions a week"),
        ({"minutes_per_session": 0}, "Minutes"),
        ({"weeks": D(53)}, "Weeks a year"),
        ({"group_size": 0}, "Group size"),
        ({"kind": Kind.ONE_TO_ONE, "group_size": 3}, "group size of 1"),
        ({"hourly_cost": D("-1")}, "negative"),
    ],
)
def test_nonsense_figures_are_refused_with_a_reason_and_nothing_is_written(change, message):
    with pytest.raises(ValidationError, match=message):
        make(SchoolFactory(), **change)
    assert not Intervention.objects.exists()


def test_enrolling_costs_the_pupil_into_the_funding_gap_in_the_same_transaction():
    school = SchoolFactory()
    pupil = PupilFactory(school=school, provision=Provision.EHC_PLAN)
    # 1:1, 5 hours a week at £20 an hour over 38 weeks: £3,800 a year.
    intervention = make(
        school,
        kind=Kind.ONE_TO_ONE,
        group_size=1,
        sessions_per_week=D(5),
        minutes_per_session=60,
        hourly_cost=D(20),
        weeks=D(38),
    )
    assert provision_cost(school) == D("0.00")
    enrolment = services.enrolment_create(
        actor=None, intervention=intervention, pupil=pupil, start_date=d(2026, 9, 1)
    )
    assert provision_cost(school) == D("3800.00")
    services.intervention_update(actor=None, intervention=intervention, sessions_per_week=D(10))
    assert provision_cost(school) == D("7600.00")
    services.enrolment_end(actor=None, enrolment=enrolment, end_date=d(2026, 11, 1), today=TODAY)
    assert provision_cost(school) == D("0.00")
    assert figures.verify() == []


def test_a_failed_write_takes_the_figures_back_with_it():
    school = SchoolFactory()
    pupil = PupilFactory(school=school, provision=Provision.EHC_PLAN)
    figures.school_refresh(school_id=school.pk)  # the factory wrote the pupil directly
    intervention = make(school, hourly_cost=D(20))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enrolment_create(
            actor=None, intervention=intervention, pupil=pupil, start_date=d(2026, 9, 1)
        )
        raise RuntimeError
    assert provision_cost(school) == D("0.00") and figures.verify() == []


def test_changing_the_schools_rates_changes_interventions_that_take_them():
    school = SchoolFactory()
    pupil = PupilFactory(school=school)
    own = make(school, hourly_cost=D("16.00"), weeks=D(38))
    standard = make(school, name="Standard", hourly_cost=None, weeks=None)
    for intervention in (own, standard):
        services.enrolment_create(
            actor=None, intervention=intervention, pupil=pupil, start_date=d(2026, 9, 1)
        )
    # 3 x 30 min x 38 weeks / 4 = 14.25 hours each: at £16.00 and at 12.21 x 1.3 = £15.873.
    assert selectors.annual_costs_by_pupil([school.pk]) == {pupil.pk: D("228.00") + D("226.19")}
    funding_services.funding_settings_update(
        actor=None,
        school=school,
        hourly_rate=D("14.00"),
        on_cost_percent=D("25"),
        weeks_per_year=D(39),
        notional_threshold=D(6000),
    )
    # 3 x 30 min x 39 weeks / 4 = 14.625 hours at £17.50.
    assert selectors.annual_costs_by_pupil([school.pk]) == {pupil.pk: D("228.00") + D("255.94")}
    assert provision_cost(school) == D("483.94") and figures.verify() == []


def test_only_pupils_of_the_school_on_the_register_are_enrolled_once():
    school = SchoolFactory()
    intervention = make(school)
    pupil = PupilFactory(school=school)
    services.enrolment_create(actor=None, intervention=intervention, pupil=pupil, start_date=d(2026, 9, 1))
    for other, message in [
        (pupil, "already enrolled"),
        (PupilFactory(), "not at this intervention's school"),
        (PupilFactory(school=school, provision=Provision.NO_SEN, primary_need=""), "register"),
        (PupilFactory(school=school, left_school_on=d(2026, 7, 20)), "register"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.enrolment_create(
                actor=None, intervention=intervention, pupil=other, start_date=d(2026, 9, 1)
            )
    assert Enrolment.objects.count() == 1


def test_an_enrolment_ends_once_on_a_day_that_has_come():
    enrolment = EnrolmentFactory(start_date=d(2026, 9, 7))
    for end, message in [(d(2026, 9, 1), "before the enrolment started"), (d(2026, 12, 1), "in the future")]:
        with pytest.raises(ValidationError, match=message):
            services.enrolment_end(actor=None, enrolment=enrolment, end_date=end, today=TODAY)
    services.enrolment_end(
        actor=None, enrolment=enrolment, end_date=d(2026, 11, 2), exit_score=D(31), today=TODAY
    )
    with pytest.raises(ValidationError, match="already ended"):
        services.enrolment_end(actor=None, enrolment=enrolment, end_date=d(2026, 11, 3), today=TODAY)
    enrolment.refresh_from_db()
    assert (enrolment.end_date, enrolment.exit_score) == (d(2026, 11, 2), D(31))


def test_an_exit_score_needs_an_entry_score():
    enrolment = EnrolmentFactory()
    with pytest.raises(ValidationError, match="entry score"):
        services.enrolment_record_measures(
            actor=None, enrolment=enrolment, entry_score=None, exit_score=D(40)
        )
    services.enrolment_record_measures(
        actor=None,
        enrolment=enrolment,
        entry_score=D(30),
        exit_score=D(36),
        notes=" Reads with more confidence ",
    )
    enrolment.refresh_from_db()
    assert (enrolment.change, enrolment.notes) == (D(6), "Reads with more confidence")


def test_a_session_is_recorded_for_pupils_enrolled_on_its_day():
    enrolment = EnrolmentFactory(start_date=d(2026, 9, 7))
    intervention = enrolment.intervention
    late = EnrolmentFactory(intervention=intervention, start_date=d(2026, 10, 1))
    elsewhere = EnrolmentFactory()
    for attended, day, message in [
        ([late], d(2026, 9, 14), "not enrolled on the session's date"),
        ([elsewhere], d(2026, 9, 14), "not enrolled in this intervention"),
        ([enrolment], d(2026, 12, 1), "in the future"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.delivery_record(
                actor=None, intervention=intervention, date=day, minutes=30, attended=attended, today=TODAY
            )
    session = services.delivery_record(
        actor=None,
        intervention=intervention,
        date=d(2026, 9, 14),
        minutes=30,
        attended=[enrolment],
        today=TODAY,
    )
    assert list(session.attended.all()) == [enrolment]
    services.delivery_remove(actor=None, delivery=session)
    assert not Delivery.objects.exists()


def test_an_intervention_with_pupils_enrolled_cannot_be_retired():
    enrolment = EnrolmentFactory()
    with pytest.raises(ValidationError, match="still enrolled"):
        services.intervention_update(actor=None, intervention=enrolment.intervention, active=False)
    services.enrolment_end(actor=None, enrolment=enrolment, end_date=TODAY, today=TODAY)
    services.intervention_update(actor=None, intervention=enrolment.intervention, active=False)
    with pytest.raises(ValidationError, match="retired"):
        services.enrolment_create(
            actor=None, intervention=enrolment.intervention, pupil=enrolment.pupil, start_date=TODAY
        )


def test_only_changes_to_costs_tell_the_funding_app():
    sent = []

    def receiver(sender, school_ids, **kwargs):
        sent.append(school_ids)

    provision_changed.connect(receiver)
    try:
        intervention = InterventionFactory()
        services.intervention_update(actor=None, intervention=intervention, description="New")
        assert sent == []
        services.intervention_update(actor=None, intervention=intervention, group_size=2)
        assert sent == [frozenset({intervention.school_id})]
    finally:
        provision_changed.disconnect(receiver)
