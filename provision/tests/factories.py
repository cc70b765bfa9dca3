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
