import datetime
from decimal import Decimal

import factory

from provision.models import Delivery, Enrolment, Intervention, Kind
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import SchoolFactory


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Reading catch-up {n}")
    kind = Kind.SMALL_GROUP
    area_of_need = "SPLD"
    staff_role = "Teaching assistant"
    sessions_per_week = Decimal("3")
    minutes_per_session = 30
    weeks = Decimal("38")
    group_size = 4
    hourly_cost = Decimal("16.00")
    measure_scale = "Reading age (months)"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    intervention = factory.SubFactory(InterventionFactory)
    pupil = factory.SubFactory(PupilFactory, school=factory.SelfAttribute("..intervention.school"))
    start_date = datetime.date(2026, 9, 7)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery
        skip_postgeneration_save = True

    intervention = factory.SubFactory(InterventionFactory)
    date = datetime.date(2026, 9, 14)
    minutes = 30

    @factory.post_generation
    def attended(self, create, extracted, **kwargs):
        if create and extracted:
            self.attended.set(extracted)


TA_SUPPORT = "Teaching assistant support"


def ta_support(
    pupil, hours, *, weeks=None, hourly_cost=None, description: str = "", start_date=datetime.date(2025, 4, 1)
):
    """A pupil's 1:1 teaching-assistant support at `hours` a week, in an intervention of its own
    (as a migrated costed line is): the pupil's earlier support changed to the new hours when
    there is one. Through the services, so the funding figures follow."""
    from provision import services

    existing = (
        Enrolment.objects.filter(pupil=pupil, end_date__isnull=True, intervention__name=TA_SUPPORT)
        .select_related("intervention")
        .first()
    )
    if existing is not None:
        services.intervention_update(
            actor=None,
            intervention=existing.intervention,
            sessions_per_week=Decimal(hours),
            weeks=weeks,
            hourly_cost=hourly_cost,
        )
        return existing
    intervention = services.intervention_create(
        actor=None,
        school=pupil.school,
        name=TA_SUPPORT,
        kind=Kind.ONE_TO_ONE,
        staff_role="Teaching assistant",
        sessions_per_week=Decimal(hours),
        minutes_per_session=60,
        group_size=1,
        weeks=weeks,
        hourly_cost=hourly_cost,
        description=description,
    )
    return services.enrolment_create(
        actor=None, intervention=intervention, pupil=pupil, start_date=start_date
    )
