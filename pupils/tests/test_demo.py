import datetime as dt

import pytest
from django.utils import timezone

from core.census_dates import census_days, previous_census
from pupils import demo as pupils_demo
from pupils import upn
from pupils.models import CensusImport, CensusSnapshot, NationalAverage, Pupil, RegisterEvent
from trusts.models import School
from trusts.reference import read_reference

pytestmark = pytest.mark.django_db


def test_every_schools_latest_census_matches_the_reference_file(demo):
    reference = read_reference("schools_2025.csv")
    assert len(reference) == 16
    for row in reference:
        latest = CensusSnapshot.objects.filter(school__laestab=row["laestab"]).latest()
        assert latest.census_date == previous_census(timezone.localdate()).date
        assert (latest.number_on_roll, latest.ehcp, latest.sen_support) == (
            int(row["number_on_roll"]),
            int(row["ehcp"]),
            int(row["sen_support"]),
        ), row["school"]
        on_register = Pupil.objects.filter(school=latest.school, left_school_on__isnull=True)
        assert on_register.filter(provision="E").count() == latest.ehcp
        assert on_register.filter(provision="K").count() == latest.sen_support


def test_earlier_censuses_give_trends(demo):
    dates = CensusSnapshot.objects.order_by("census_date").values_list("census_date", flat=True)
    dates = sorted(set(dates))
    assert dates == list(pupils_demo.demo_censuses(timezone.localdate()))
    assert CensusSnapshot.objects.count() == 16 * len(dates)
    differing = 0
    for school in School.objects.all():
        figures = {
            tuple(s)
            for s in CensusSnapshot.objects.filter(school=school).values_list(
                "number_on_roll", "ehcp", "sen_support"
            )
        }
        differing += len(figures) > 1
    assert differing >= 12
    assert RegisterEvent.objects.filter(kind="ehc_plan_issued", date=dates[-1]).exists()
    assert RegisterEvent.objects.filter(kind="left_school").exists()
    # a file per trust and census
    assert CensusImport.objects.filter(status="imported").count() == 2 * len(dates)


def test_demo_pupils_have_valid_upns_and_some_southend_pupils_live_in_essex(demo):
    assert all(upn.is_valid(u) for u in Pupil.objects.values_list("upn", flat=True))
    essex_at_southend = Pupil.objects.filter(
        school__local_authority__code=882, home_local_authority__code=881
    )
    assert essex_at_southend.count() >= 10
    assert not Pupil.objects.filter(
        school__local_authority__code=883, home_local_authority__code=881
    ).exists()


def test_national_averages_come_from_the_reference_file(demo):
    primary = NationalAverage.objects.get(phase="primary")
    assert str(primary.ehcp_pct) == "3.5" and str(primary.total_send_pct) == "18.3"


def test_a_second_seed_imports_nothing(demo):
    before = CensusImport.objects.count()
    lines = pupils_demo.seed()
    assert CensusImport.objects.count() == before
    there = CensusSnapshot.objects.count()
    assert f"0 school censuses imported ({there} already there)" in lines[0]


D = dt.date


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # December 2026: the autumn census of last school year up to this autumn's.
        (D(2026, 12, 3), [D(2025, 10, 2), D(2026, 1, 15), D(2026, 5, 21), D(2026, 10, 1)]),
        # On census day itself the latest is the one before (its returns are not in yet).
        (D(2027, 1, 21), [D(2025, 10, 2), D(2026, 1, 15), D(2026, 5, 21), D(2026, 10, 1)]),
        (
            D(2027, 6, 1),
            [D(2025, 10, 2), D(2026, 1, 15), D(2026, 5, 21), D(2026, 10, 1), D(2027, 1, 21), D(2027, 5, 20)],
        ),
    ],
)
def test_the_demo_censuses_run_up_to_the_latest_census_before_today(today, expected):
    assert list(pupils_demo.demo_censuses(today)) == expected
    days = {c.date for y in range(2025, 2028) for c in census_days(y)}
    assert set(expected) <= days


def test_the_demo_is_current_its_latest_census_the_last_before_today(db):
    from trusts import reference as trusts_reference

    trusts_reference.load_schools()
    pupils_demo.seed(today=D(2026, 12, 3))
    latest = CensusSnapshot.objects.latest().census_date
    assert latest == D(2026, 10, 1)
    # Pupils' ages follow the school year: a year 6 pupil in 2026-27 was born in 2015-16.
    year6 = Pupil.objects.filter(year_group="6", left_school_on__isnull=True).first()
    assert D(2015, 9, 1) <= year6.date_of_birth <= D(2016, 8, 31)


def test_a_later_run_adds_no_census_to_a_demo_loaded_earlier(db):
    from trusts import reference as trusts_reference

    trusts_reference.load_schools()
    pupils_demo.seed(today=D(2026, 12, 3))
    before = CensusSnapshot.objects.count()
    lines = pupils_demo.seed(today=D(2027, 6, 1))
    assert CensusSnapshot.objects.count() == before
    assert "0 school censuses imported" in lines[0]
