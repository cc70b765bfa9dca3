"""An EHC plan record for every pupil recorded as E: made by the census import (and register
changes) in their transaction, marked "details to complete", with no invented review date, the
phase-transfer year worked out from the year group; idempotent, all-or-nothing, and outside the
EHC timeliness figures."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from casework import deadlines as dl
from casework import figures, selectors, services
from casework.models import Deadline, EHCPlan, FinalPlanCount
from pupils import services as pupils_services
from pupils.models import Pupil
from pupils.tests.conftest import census_csv, row
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from trusts.models import School
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory, senco

pytestmark = pytest.mark.django_db
D = dt.date
AUTUMN = D(2025, 10, 2)
SPRING = D(2026, 1, 15)


@pytest.fixture
def school(db):
    la = LocalAuthorityFactory(code=883, name="Thurrock")
    return SchoolFactory(
        laestab="8833901",
        local_authority=la,
        phase=School.Phase.PRIMARY,
        trust=TrustFactory(name="Christus Test Trust"),
    )


def run(school, rows, date=AUTUMN):
    return pupils_services.census_import(
        actor=None,
        raw=census_csv(rows),
        file_name="census.csv",
        census_date=date,
        school=school,
        allowed_schools=School.objects.filter(pk=school.pk),
    )


def autumn_rows():
    return [
        row(1, "E", "ASD", year_group="5", dob="2015-05-17"),
        row(2, "E", "SEMH", year_group="6", dob="2014-05-17"),
        row(3, "K", "MLD"),
        row(4, "N"),
    ]


def kept_rows():
    return sorted(Deadline.objects.values_list("ref", "what", "due", "owner_id"), key=repr)


def test_importing_a_census_makes_a_plan_record_for_each_new_e_pupil(school):
    assert run(school, autumn_rows()).applied
    plans = {p.pupil.year_group: p for p in EHCPlan.objects.select_related("pupil")}
    assert set(plans) == {"5", "6"}  # the two pupils at E, not the one at K
    for plan in plans.values():
        assert plan.made_from_register and plan.details_to_complete
        assert plan.owner is None and plan.ceased_on is None
        assert plan.local_authority == plan.pupil.home_local_authority
        assert plan.next_review_due(None) is None  # not invented
    # Worked out from the year group at the autumn 2025 census (2025/26): year 6 moves to
    # secondary school in September 2026, year 5 a year later.
    assert (plans["6"].phase_transfer_year, plans["6"].phase_transfer_post_16) == (2026, False)
    assert plans["5"].phase_transfer_year == 2027
    # On the SENCO's list of things to do, and on the due list without a date.
    assert selectors.plans_to_complete(school_ids=[school.pk]) == 2
    undated = Deadline.objects.filter(what=dl.REVIEW_DATE_UNKNOWN)
    assert undated.count() == 2 and not undated.filter(due__isnull=False).exists()
    assert figures.verify() == []


def test_importing_the_same_file_again_changes_nothing(school):
    run(school, autumn_rows())
    plans = list(EHCPlan.objects.order_by("pk").values())
    rows = kept_rows()
    assert run(school, autumn_rows()).applied
    assert list(EHCPlan.objects.order_by("pk").values()) == plans
    assert kept_rows() == rows
    changed = services.ehc_plans_follow_register(actor=None, school_ids=[school.pk])
    assert not changed.changed


def test_a_file_with_a_row_error_makes_no_plan_record(school):
    outcome = run(school, [*autumn_rows(), row(9, "E", "")])  # E needs a primary need
    assert not outcome.applied
    assert not EHCPlan.objects.exists() and not Pupil.objects.exists()


def test_an_import_that_fails_part_way_leaves_no_plan_record(school, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the figures could not be written")

    monkeypatch.setattr(figures, "schools_refresh", broken)
    with pytest.raises(RuntimeError):
        run(school, autumn_rows())
    assert not EHCPlan.objects.exists() and not Pupil.objects.exists()


def test_a_pupil_no_longer_at_e_loses_an_untouched_record_but_keeps_a_completed_one(school):
    user = senco(school)
    run(school, autumn_rows())
    first, second = EHCPlan.objects.select_related("pupil").order_by("pupil__upn")
    services.ehc_plan_complete(actor=user, plan=first, issue_date=D(2024, 5, 1))
    later = [
        row(1, "K", "ASD", year_group="5", dob="2015-05-17"),
        row(2, "K", "SEMH", year_group="6", dob="2014-05-17"),
        row(3, "K", "MLD"),
    ]
    run(school, later, date=SPRING)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.ceased_on is None  # someone entered it: theirs to close
    assert second.ceased_on == SPRING  # the census date the register stopped recording E
    assert figures.verify() == []


def test_a_senco_moving_a_pupil_to_e_makes_the_record_and_moving_back_ceases_it(school):
    user = senco(school)
    CensusSnapshotFactory(school=school, census_date=AUTUMN)
    pupil = PupilFactory(school=school, year_group="6")
    pupils_services.pupil_change_register(
        actor=user, pupil=pupil, provision="E", primary_need="ASD", on=D(2025, 11, 3)
    )
    plan = EHCPlan.objects.get(pupil=pupil)
    assert plan.details_to_complete and plan.phase_transfer_year == 2026
    pupil.refresh_from_db()
    pupils_services.pupil_change_register(
        actor=user, pupil=pupil, provision="K", primary_need="ASD", on=D(2025, 12, 1)
    )
    plan.refresh_from_db()
    assert plan.ceased_on == D(2025, 12, 1)
    pupil.refresh_from_db()
    pupils_services.pupil_change_register(
        actor=user, pupil=pupil, provision="E", primary_need="ASD", on=D(2025, 12, 5)
    )
    assert EHCPlan.objects.filter(pupil=pupil, ceased_on__isnull=True).count() == 1


def test_the_phase_transfer_follows_the_year_group_at_each_census(school):
    run(school, autumn_rows())
    plan = EHCPlan.objects.get(pupil__year_group="5")
    assert plan.phase_transfer_year == 2027
    # The next autumn census: the pupil is now in year 6, the move is still in 2027.
    next_autumn = [
        row(1, "E", "ASD", year_group="6", dob="2015-05-17"),
        row(2, "E", "SEMH", year_group="7", dob="2014-05-17"),
        row(3, "K", "MLD", year_group="5"),
        row(4, "N", year_group="5"),
    ]
    run(school, next_autumn, date=D(2026, 10, 1))
    plan.refresh_from_db()
    assert plan.phase_transfer_year == 2027
    assert figures.verify() == []


def test_entering_the_issue_date_dates_the_annual_review(school):
    user = senco(school)
    run(school, autumn_rows())
    plan = EHCPlan.objects.get(pupil__year_group="5")
    services.ehc_plan_complete(actor=user, plan=plan, issue_date=D(2025, 3, 10))
    plan.refresh_from_db()
    assert plan.issue_date == D(2025, 3, 10) and plan.owner == user
    assert not plan.details_to_complete
    row_ = Deadline.objects.get(ref=f"Plan {plan.pk}", position=0)
    assert (row_.what, row_.due, row_.owner_id) == (dl.REVIEW_MEETING, D(2026, 3, 10), user.pk)
    assert selectors.plans_to_complete(school_ids=[school.pk]) == 1
    assert figures.verify() == []
    with pytest.raises(ValidationError):  # already recorded
        services.ehc_plan_complete(actor=user, plan=plan, issue_date=D(2025, 3, 11))


def test_an_issue_date_in_the_future_or_after_the_first_review_is_refused(school):
    user = senco(school)
    run(school, autumn_rows())
    plan = EHCPlan.objects.get(pupil__year_group="5")
    with pytest.raises(ValidationError):
        services.ehc_plan_complete(actor=user, plan=plan, issue_date=D(2030, 1, 1), today=D(2026, 1, 1))
    services.annual_review_record(actor=user, plan=plan, meeting_date=D(2025, 9, 1))
    with pytest.raises(ValidationError):
        services.ehc_plan_complete(actor=user, plan=plan, issue_date=D(2025, 10, 1))
    plan.refresh_from_db()
    assert plan.issue_date is None


def test_recording_an_existing_plan_fills_the_record_made_from_the_register(school):
    user = senco(school)
    run(school, autumn_rows())
    pupil = Pupil.objects.get(year_group="6")
    plan = services.ehc_plan_create(actor=user, pupil=pupil, issue_date=D(2024, 2, 1))
    assert EHCPlan.objects.filter(pupil=pupil).count() == 1
    assert plan.made_from_register and plan.issue_date == D(2024, 2, 1)


def test_a_final_plan_issued_fills_the_record_and_counts_for_timeliness(school):
    user = senco(school)
    CensusSnapshotFactory(school=school, census_date=AUTUMN)
    pupil = PupilFactory(school=school, provision="E", primary_need="ASD")
    services.ehc_plans_follow_register(actor=None, school_ids=[school.pk])
    request = services.ehc_request_create(
        actor=user, pupil=pupil, requested_by="school", request_date=D(2025, 1, 6)
    )
    for step, date, result in (
        ("decision", D(2025, 2, 10), "assess"),
        ("draft_plan", D(2025, 4, 1), ""),
        ("outcome", D(2025, 5, 20), "issued"),
    ):
        request = services.ehc_request_record_step(
            actor=user, request=request, step=step, date=date, result=result
        )
    [plan] = EHCPlan.objects.filter(pupil=pupil)
    assert plan.request == request and plan.issue_date == D(2025, 5, 20)
    assert FinalPlanCount.objects.get().plans == 1


def test_plan_records_from_the_register_never_enter_the_timeliness_figures(school):
    today = D(2026, 3, 1)
    before = figures.timeliness([school.pk], D(2025, 4, 1), today, today)
    run(school, autumn_rows())
    after = figures.timeliness([school.pk], D(2025, 4, 1), today, today)
    assert after == before
    assert not FinalPlanCount.objects.exists()


def test_the_data_migration_makes_the_missing_records_and_keeps_the_figures_right(school):
    CensusSnapshotFactory(school=school, census_date=AUTUMN)
    at_e = PupilFactory.create_batch(3, school=school, provision="E", primary_need="ASD", year_group="6")
    PupilFactory(school=school)  # at SEN Support: no record
    services.ehc_plan_create(actor=senco(school), pupil=at_e[0], issue_date=D(2024, 1, 1))
    EHCPlan.objects.filter(pupil=at_e[0]).update(phase_transfer_year=2030)  # typed by hand
    migration = importlib.import_module("casework.migrations.0004_plan_records_for_every_e_pupil")
    migration.forwards(django_apps, None)
    assert EHCPlan.objects.filter(pupil__in=at_e, ceased_on__isnull=True).count() == 3
    assert EHCPlan.objects.filter(made_from_register=True).count() == 2
    assert set(EHCPlan.objects.values_list("phase_transfer_year", flat=True)) == {2026}
    assert figures.verify() == []
    migration.forwards(django_apps, None)  # again: nothing more
    assert EHCPlan.objects.count() == 3 and figures.verify() == []


@pytest.mark.parametrize(
    ("year_group", "phase", "expected"),
    [
        ("5", "primary", (2027, False)),
        ("6", "primary", (2026, False)),
        ("R", "infant", (2028, False)),
        ("2", "infant", (2026, False)),
        ("10", "secondary", (2027, True)),
        ("11", "secondary", (2026, True)),
        ("12", "secondary", None),
        ("3", "all_through", (2034, True)),
        ("N2", "nursery", (2026, False)),
        ("8", "middle", (2026, False)),
        ("13", "post_16", None),
        ("7", "primary", None),
    ],
)
def test_the_phase_transfer_rule(year_group, phase, expected):
    assert dl.phase_transfer(year_group, phase, AUTUMN) == expected
    # The day it is worked out does not matter: only the date of the record.
    assert dl.phase_transfer(year_group, phase, D(2026, 7, 31)) == expected


def test_the_command_makes_the_missing_records_once(school, capsys):
    from django.core.management import call_command

    PupilFactory.create_batch(2, school=school, provision="E", primary_need="ASD")
    call_command("ehc_plans_from_register", "--school", school.laestab)
    assert "2 plan records made" in capsys.readouterr().out
    call_command("ehc_plans_from_register")
    assert "0 plan records made, 0 ceased, 0 phase transfers" in capsys.readouterr().out
    assert figures.verify() == []
