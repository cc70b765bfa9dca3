"""core.bulk: rows inserted by COPY read back as bulk_create would have written them, in one
statement that query counts see."""

import datetime

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import EHCPlan
from core import bulk
from pupils.models import CensusSnapshot, Provision
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_inserted_rows_hold_every_kind_of_value_given_and_the_defaults():
    school = SchoolFactory()
    snapshots = [
        CensusSnapshot(
            school=school,
            census_date=datetime.date(2025, 10, 2),
            number_on_roll=210,
            ehcp=6,
            sen_support=31,
            by_need={"ASD": {"E": 3, "K": 7}},
            by_year_group={"R": {"E": 1, "K": 2, "N": 27}},
        ),
        CensusSnapshot(
            school=school, census_date=datetime.date(2026, 1, 15), number_on_roll=205, ehcp=0, sen_support=4
        ),
    ]

    with CaptureQueriesContext(connection) as queries:
        assert bulk.insert(CensusSnapshot, snapshots) == 2

    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("COPY ")
    autumn, spring = CensusSnapshot.objects.filter(school=school).order_by("census_date")
    assert (autumn.number_on_roll, autumn.ehcp, autumn.sen_support) == (210, 6, 31)
    assert autumn.by_need == {"ASD": {"E": 3, "K": 7}}
    assert autumn.by_year_group == {"R": {"E": 1, "K": 2, "N": 27}}
    assert (spring.ehcp, spring.sen_support, spring.by_need, spring.by_year_group) == (0, 4, {}, {})


def test_inserted_rows_get_their_ids_and_creation_times_from_the_database():
    pupil = PupilFactory(provision=Provision.EHC_PLAN)
    before = timezone.now()
    plan = EHCPlan(
        pupil=pupil,
        school=pupil.school,
        local_authority=pupil.school.local_authority,
        made_from_register=True,
        phase_transfer_year=2027,
    )

    bulk.insert(EHCPlan, [plan])

    stored = EHCPlan.objects.get(pupil=pupil)
    assert stored.pk is not None
    assert stored.made_from_register and stored.phase_transfer_year == 2027
    assert stored.issue_date is None and stored.owner_id is None and not stored.phase_transfer_post_16
    assert before <= stored.created_at <= timezone.now()


def test_nothing_to_insert_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert bulk.insert(CensusSnapshot, []) == 0
    assert queries.captured_queries == []


def test_values_are_sent_as_held_only_where_django_would_send_them_unchanged():
    class Upper(models.CharField):  # a project's own field: its preparation may change values
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    held = {
        "an integer": models.PositiveIntegerField(),
        "text": models.CharField(max_length=5),
        "a date": models.DateField(),
        "a school": CensusSnapshot._meta.get_field("school"),
    }
    prepared = {
        "a date set on save": models.DateField(auto_now_add=True),
        "a time": models.DateTimeField(),
        "a sum of money": models.DecimalField(max_digits=9, decimal_places=2),
        "JSON": CensusSnapshot._meta.get_field("by_need"),
        "a project's own field": Upper(max_length=5),
    }

    assert [what for what, field in held.items() if not bulk._as_held(field)] == []
    assert [what for what, field in prepared.items() if bulk._as_held(field)] == []
