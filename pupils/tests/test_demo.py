import pytest

from pupils import demo as pupils_demo
from pupils import upn
from pupils.models import CensusImport, CensusSnapshot, NationalAverage, Pupil, RegisterEvent
from trusts.demo import read_reference
from trusts.models import School

pytestmark = pytest.mark.django_db


def test_every_schools_latest_census_matches_the_reference_file(demo):
    reference = read_reference("schools_2025.csv")
    assert len(reference) == 16
    for row in reference:
        latest = CensusSnapshot.objects.filter(school__laestab=row["laestab"]).latest()
        assert latest.census_date.isoformat() == "2025-10-02"
        assert (latest.number_on_roll, latest.ehcp, latest.sen_support) == (
            int(row["number_on_roll"]), int(row["ehcp"]), int(row["sen_support"])), row["school"]
        on_register = Pupil.objects.filter(school=latest.school, left_school_on__isnull=True)
        assert on_register.filter(provision="E").count() == latest.ehcp
        assert on_register.filter(provision="K").count() == latest.sen_support


def test_two_earlier_censuses_give_trends(demo):
    dates = CensusSnapshot.objects.order_by("census_date").values_list("census_date", flat=True)
    dates = sorted(set(dates))
    assert [d.isoformat() for d in dates] == ["2024-10-03", "2025-01-16", "2025-10-02"]
    assert CensusSnapshot.objects.count() == 48
    differing = 0
    for school in School.objects.all():
        figures = {tuple(s) for s in CensusSnapshot.objects.filter(school=school)
                   .values_list("number_on_roll", "ehcp", "sen_support")}
        differing += len(figures) > 1
    assert differing >= 12
    assert RegisterEvent.objects.filter(kind="ehc_plan_issued", date="2025-10-02").exists()
    assert RegisterEvent.objects.filter(kind="left_school").exists()
    assert CensusImport.objects.filter(status="imported").count() == 6  # a file per trust and census


def test_demo_pupils_have_valid_upns_and_some_southend_pupils_live_in_essex(demo):
    assert all(upn.is_valid(u) for u in Pupil.objects.values_list("upn", flat=True))
    essex_at_southend = Pupil.objects.filter(school__local_authority__code=882,
                                             home_local_authority__code=881)
    assert essex_at_southend.count() >= 10
    assert not Pupil.objects.filter(school__local_authority__code=883,
                                    home_local_authority__code=881).exists()


def test_national_averages_come_from_the_reference_file(demo):
    primary = NationalAverage.objects.get(phase="primary")
    assert str(primary.ehcp_pct) == "3.5" and str(primary.total_send_pct) == "18.3"


def test_a_second_seed_imports_nothing(demo):
    before = CensusImport.objects.count()
    lines = pupils_demo.seed()
    assert CensusImport.objects.count() == before
    assert "0 school censuses imported (48 already there)" in lines[0]
