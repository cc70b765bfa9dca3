"""Cases, EHC needs assessment requests and plans made directly (history from before the
portal, or a test's hand-built set). The services keep the figures; rows made here skip the
services, so each factory writes its school's figures again after creating the row."""

import datetime as dt

import factory

from casework import figures
from casework.models import Case, EHCPlan, EHCRequest
from pupils.tests.factories import PupilFactory


class _KeepsFigures(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def kept_figures(obj, create, extracted, **kwargs):
        if create:
            figures.school_refresh(school_id=obj.school_id)


class CaseFactory(_KeepsFigures):
    class Meta:
        model = Case

    # school and owner are given by the test.
    kind = Case.Kind.COMPLAINT
    title = "Hand-built case"
    opened_on = dt.date(2025, 9, 1)


class EHCRequestFactory(_KeepsFigures):
    class Meta:
        model = EHCRequest

    pupil = factory.SubFactory(PupilFactory)
    school = factory.LazyAttribute(lambda o: o.pupil.school)
    local_authority = factory.LazyAttribute(lambda o: o.pupil.home_local_authority)
    requested_by = EHCRequest.RequestedBy.SCHOOL
    request_date = dt.date(2025, 1, 6)


class EHCPlanFactory(_KeepsFigures):
    class Meta:
        model = EHCPlan

    pupil = factory.SubFactory(PupilFactory)
    school = factory.LazyAttribute(lambda o: o.pupil.school)
    local_authority = factory.LazyAttribute(lambda o: o.pupil.home_local_authority)
    issue_date = dt.date(2024, 9, 1)
