"""core.prepared: a read whose SQL is written once gives the rows the ORM gives, for every
call's values, and a definition whose values would not reach the SQL as given is refused on
first use."""

import datetime

import pytest
from django.db import connection
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django_scopes import ScopeError, scope, scopes_disabled

from core.prepared import PreparedRead, PreparedReadError
from pupils.models import CensusSnapshot
from trusts.models import School
from trusts.scoping import scoped_ids
from trusts.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

OCTOBER, JANUARY, MAY = datetime.date(2025, 10, 2), datetime.date(2026, 1, 15), datetime.date(2026, 5, 21)


def _snapshots(school_ids: list[int], up_to: datetime.date, least_ehcp: int):
    return (
        CensusSnapshot.objects.with_scope(school=school_ids)
        .filter(census_date__lte=up_to, ehcp__gte=least_ehcp)
        .values_list("school_id")
        .annotate(roll=Sum("number_on_roll"), ehcp=Sum("ehcp"), last=F("school__name"))
        .order_by("school_id")
    )


@pytest.fixture
def schools():
    made = [SchoolFactory(name="Alpha"), SchoolFactory(name="Beta"), SchoolFactory(name="Gamma")]
    with scopes_disabled():
        for i, school in enumerate(made):
            for census, ehcp in ((OCTOBER, 2 + i), (JANUARY, 4 + i), (MAY, 6 + i)):
                CensusSnapshot.objects.create(
                    school=school, census_date=census, number_on_roll=100 * (i + 1), ehcp=ehcp, sen_support=10
                )
    return made


def test_rows_are_the_orms_rows_for_every_calls_values(schools):
    read = PreparedRead(_snapshots)
    ids = [s.pk for s in schools]
    calls = [
        {"school_ids": ids, "up_to": JANUARY, "least_ehcp": 0},
        {"school_ids": ids[:2], "up_to": MAY, "least_ehcp": 5},
        {"school_ids": ids[2:], "up_to": OCTOBER, "least_ehcp": 0},
        {"school_ids": [], "up_to": MAY, "least_ehcp": 0},
        {"school_ids": ids, "up_to": MAY, "least_ehcp": 100},
    ]
    for values in calls:
        assert read.rows(**values) == list(_snapshots(**values))
    assert read.rows(**calls[0]) == [
        (ids[0], 200, 6, "Alpha"),
        (ids[1], 400, 8, "Beta"),
        (ids[2], 600, 10, "Gamma"),
    ]


def test_the_sql_is_written_once_and_sent_with_each_calls_values(schools):
    built = []

    def snapshots(**values):
        built.append(values)
        return _snapshots(**values)

    read = PreparedRead(snapshots)
    ids = [s.pk for s in schools]
    read.rows(school_ids=ids, up_to=JANUARY, least_ehcp=0)
    first_builds = len(built)

    with CaptureQueriesContext(connection) as queries:
        rows = read.rows(school_ids=ids[:1], up_to=OCTOBER, least_ehcp=0)

    assert len(built) == first_builds  # not built again
    assert rows == [(ids[0], 100, 2, "Alpha")]
    assert len(queries.captured_queries) == 1
    assert str(OCTOBER) in queries.captured_queries[0]["sql"]


def test_values_rows_are_dicts_of_the_columns(schools):
    read = PreparedRead(
        lambda school_ids: School.objects.filter(pk__any_of=school_ids).order_by("name").values("pk", "name")
    )

    assert read.rows(school_ids=[schools[1].pk, schools[0].pk]) == [
        {"pk": schools[0].pk, "name": "Alpha"},
        {"pk": schools[1].pk, "name": "Beta"},
    ]


def test_each_shape_has_its_own_sql(schools):
    def snapshots(up_to_given: bool, school_ids, up_to=None):
        qs = CensusSnapshot.objects.with_scope(school=school_ids).all()
        if up_to_given:
            qs = qs.filter(census_date__lte=up_to)
        return qs.order_by("census_date").values_list("census_date").distinct()

    read = PreparedRead(snapshots)
    ids = [s.pk for s in schools]

    assert read.rows(shape=(True,), school_ids=ids, up_to=JANUARY) == [(OCTOBER,), (JANUARY,)]
    assert read.rows(shape=(False,), school_ids=ids) == [(OCTOBER,), (JANUARY,), (MAY,)]


def test_a_value_computed_from_a_parameter_is_refused(schools):
    def next_day(school_ids, up_to):
        # Would be frozen at the first call's date.
        return _snapshots(school_ids, up_to + datetime.timedelta(days=1), 0)

    with pytest.raises(PreparedReadError, match="next_day: parameter .* is computed from a value"):
        PreparedRead(next_day).rows(school_ids=[schools[0].pk], up_to=JANUARY)


def test_a_shape_that_depends_on_a_value_is_refused(schools):
    def by_length(school_ids):
        # One condition per id: the SQL changes with the number of ids.
        return School.objects.filter(pk__in=school_ids).values_list("pk")

    with pytest.raises(PreparedReadError, match="by_length: the SQL's shape depends on a value"):
        PreparedRead(by_length).rows(school_ids=[schools[0].pk])


def test_a_value_that_never_reaches_the_sql_is_refused(schools):
    def ignores_least(school_ids, least_ehcp):
        return _snapshots(school_ids, MAY, 0)

    with pytest.raises(PreparedReadError, match="least_ehcp not sent to the SQL as given"):
        PreparedRead(ignores_least).rows(school_ids=[schools[0].pk], least_ehcp=3)


def test_a_filter_from_the_requests_scope_is_refused(schools):
    def in_scope(up_to):
        # The scope's schools would be frozen at the first request's: the schools must be a
        # parameter (with_scope(school=...)).
        return CensusSnapshot.objects.filter(census_date__lte=up_to).values_list("school_id")

    with scope(school=[schools[0].pk]), pytest.raises(PreparedReadError, match="tenant scope"):
        PreparedRead(in_scope).rows(up_to=MAY)


@pytest.mark.parametrize("value", [None, True, (1, 2), {1, 2}])
def test_none_flags_tuples_and_sets_are_refused_as_values(schools, value):
    with pytest.raises(TypeError, match="shape|no stand-in"):
        PreparedRead(_snapshots).rows(school_ids=[schools[0].pk], up_to=MAY, least_ehcp=value)


def test_scoped_ids_are_the_schools_the_scope_allows(schools):
    ids = [s.pk for s in schools]
    with scope(school=ids[:2]):
        assert scoped_ids([*ids, ids[0]]) == sorted(ids[:2])
    with scopes_disabled():
        assert scoped_ids(reversed(ids)) == sorted(ids)
    with scope(), pytest.raises(ScopeError):  # a scope without schools: outside any
        scoped_ids(ids)
