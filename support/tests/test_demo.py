"""The demo plans and profiles: the cases the SENCO's home page counts, dated from today, and
nothing new on a second run."""

import datetime as dt

import pytest
from django.apps import apps

from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support import demo as support_demo
from support import selectors
from support.models import OnePageProfile, SupportPlan
from trusts.models import School

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def rows() -> dict:
    return {
        model._meta.label: sorted(map(str, model.objects.values_list()))
        for model in apps.get_app_config("support").get_models()
    }


def test_the_demo_gives_both_schools_each_kind_of_plan_and_is_idempotent(demo_people):
    schools = list(School.objects.filter(laestab__in=support_demo.SCHOOLS))
    assert len(schools) == 2
    for school in schools:
        for i in range(7):
            PupilFactory(
                school=school,
                provision=Provision.SEN_SUPPORT,
                primary_need=["SLCN", "SEMH", "ASD", "SPLD", "MLD", "HI", "OTH"][i],
            )
    lines = support_demo.seed()
    first = rows()
    assert support_demo.seed() == ["support: 0 SEN support plans and 0 one-page profile versions added"]
    assert rows() == first and lines != support_demo.seed()
    for school in schools:
        counts = selectors.task_counts(school_ids=[school.pk], today=TODAY)
        # of seven: the third (reviewed, next cycle not started), the fifth (a draft), and the
        # sixth and seventh (nothing yet)
        assert (counts.overdue, counts.due_soon, counts.without_plan) == (1, 1, 4)
        plans = SupportPlan.objects.filter(school=school)
        assert plans.filter(status="closed").count() == 2
        assert plans.filter(status="draft").count() == 1
        following = plans.get(follows__isnull=False)
        assert following.status == "current" and following.review_due < TODAY
        assert OnePageProfile.objects.filter(pupil__school=school).count() == 4  # one has two
