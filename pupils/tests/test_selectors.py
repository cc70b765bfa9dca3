import datetime
from types import SimpleNamespace

import pytest

from pupils import selectors, services
from pupils.models import CensusSnapshot, Pupil, RegisterEvent
from trusts import audit
from trusts.models import School

from .conftest import CENSUS_DATE, census_csv, school_file
from .factories import CensusSnapshotFactory, PupilFactory

pytestmark = pytest.mark.django_db


def test_latest_snapshots_picks_each_schools_newest_census(school, other_trust_school):
    CensusSnapshotFactory(school=school, census_date=datetime.date(2024, 10, 3), number_on_roll=190)
    CensusSnapshotFactory(school=school, census_date=datetime.date(2025, 10, 2), number_on_roll=210)
    CensusSnapshotFactory(school=other_trust_school, census_date=datetime.date(2025, 1, 16))
    latest = selectors.latest_snapshots([school.pk, other_trust_school.pk])
    assert latest[school.pk].number_on_roll == 210
    assert latest[other_trust_school.pk].census_date == datetime.date(2025, 1, 16)
    earlier = selectors.latest_snapshots([school.pk], on_or_before=datetime.date(2025, 1, 31))
    assert earlier[school.pk].number_on_roll == 190
    assert selectors.latest_snapshots([]) == {}
    assert [s.census_date.year for s in selectors.snapshots_for_schools([school.pk])] == [2024, 2025]
    assert selectors.census_dates([school.pk, other_trust_school.pk])[0] == datetime.date(2025, 10, 2)


def test_pupils_on_register_leaves_out_leavers_and_pupils_without_sen(school):
    on = PupilFactory(school=school, provision="E", primary_need="ASD")
    PupilFactory(school=school, provision="N", primary_need="")
    PupilFactory(school=school, provision="K", left_school_on=datetime.date(2025, 10, 2))
    assert list(selectors.pupils_on_register([school.pk])) == [on]
    assert selectors.year_groups_on_register(school) == ["4"]


def test_the_orm_path_for_other_databases_imports_the_same(school, monkeypatch):
    """SQLite (the embedded demo) has no COPY: bulk_create(update_conflicts=True) does the work."""
    monkeypatch.setattr(services, "connection", SimpleNamespace(vendor="sqlite", queries_logged=False))
    services.census_import(
        actor=None,
        raw=census_csv(school_file(8, 12)),
        file_name="c.csv",
        census_date=CENSUS_DATE,
        school=school,
        allowed_schools=School.objects.filter(pk=school.pk),
    )
    assert Pupil.objects.count() == 8 and RegisterEvent.objects.count() == 8
    assert CensusSnapshot.objects.get().number_on_roll == 20
    assert set(RegisterEvent.objects.values_list("pupil__school", flat=True)) == {school.pk}


def test_an_audit_entry_about_a_record_in_a_school_carries_its_trust_and_school():
    pupil = PupilFactory()
    expected = {"trust_id": pupil.school.trust_id, "school_id": pupil.school_id}
    assert audit.tenant_of(pupil) == expected
    # Through its parent: a register event belongs to its pupil's school.
    assert audit.tenant_of(RegisterEvent(pupil=pupil)) == expected


@pytest.mark.parametrize(
    ("provision", "left", "now"),
    [
        ("E", None, True),
        ("K", None, True),
        ("N", None, False),
        ("K", datetime.date(2025, 7, 18), False),
    ],
)
def test_on_the_sen_register_now_means_a_plan_or_sen_support_and_still_at_the_school(provision, left, now):
    pupil = Pupil(provision=provision, left_school_on=left)
    assert pupil.on_register_now is now
    assert pupil.on_register is (provision != "N")
