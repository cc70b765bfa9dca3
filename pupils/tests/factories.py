import datetime

import factory

from pupils import upn
from pupils.models import CensusSnapshot, Gender, Need, Provision, Pupil
from trusts.tests.factories import SchoolFactory


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: upn.make(881, 9000 + (n // 1000) % 1000, 20, n % 1000))
    surname = factory.Sequence(lambda n: f"Surname{n}")
    forename = factory.Sequence(lambda n: f"Forename{n}")
    date_of_birth = datetime.date(2016, 5, 17)
    gender = Gender.FEMALE
    year_group = "4"
    home_local_authority = factory.LazyAttribute(lambda o: o.school.local_authority)
    provision = Provision.SEN_SUPPORT
    primary_need = Need.SLCN


class CensusSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CensusSnapshot

    school = factory.SubFactory(SchoolFactory)
    census_date = datetime.date(2025, 10, 2)
    number_on_roll = 200
    ehcp = 5
    sen_support = 20
