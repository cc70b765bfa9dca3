"""The import on PostgreSQL: each outcome, all-or-nothing, idempotence, the record kept."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pupils import services
from pupils.census import CensusFileError
from pupils.models import CensusImport, CensusSnapshot, Pupil, RegisterEvent
from trusts.models import School
from trusts.tests.factories import UserFactory

from .conftest import CENSUS_DATE, census_csv, make_upn, row, school_file

pytestmark = pytest.mark.django_db
SPRING = datetime.date(2026, 1, 15)


def run(
    school, rows, *, date=CENSUS_DATE, actor=None, name="census.csv", allowed=None, confirmed_leavers=None
):
    return services.census_import(
        actor=actor,
        raw=census_csv(rows),
        file_name=name,
        census_date=date,
        school=school,
        allowed_schools=allowed or School.objects.filter(pk=school.pk),
        confirmed_leavers=confirmed_leavers,
    )


def check(school, rows, *, date=CENSUS_DATE):
    return services.census_check(
        raw=census_csv(rows),
        file_name="census.csv",
        census_date=date,
        school=school,
        allowed_schools=School.objects.filter(pk=school.pk),
    )


def test_a_first_import_stores_only_pupils_with_send_and_writes_the_snapshot(school):
    actor = UserFactory()
    outcome = run(school, school_file(10, 40), actor=actor)
    assert outcome.applied
    assert Pupil.objects.count() == 10
    assert set(Pupil.objects.values_list("provision", flat=True)) == {"E", "K"}
    assert Pupil.objects.filter(home_local_authority=school.local_authority).count() == 10
    snap = CensusSnapshot.objects.get(school=school, census_date=CENSUS_DATE)
    assert (snap.number_on_roll, snap.ehcp, snap.sen_support) == (50, 2, 8)
    assert snap.by_need == {"ASD": {"E": 1, "K": 5}, "SEMH": {"E": 1, "K": 3}}
    assert snap.by_year_group == {"4": {"E": 2, "K": 8, "N": 40}}
    assert outcome.summary["totals"]["new"] == 10
    events = RegisterEvent.objects.all()
    assert (
        sorted(events.values_list("kind", flat=True)) == ["ehc_plan_issued"] * 2 + ["entered_sen_support"] * 8
    )
    assert {(e.source, e.actor_id, e.date) for e in events} == {("census", actor.pk, CENSUS_DATE)}
    record = CensusImport.objects.get()
    assert (record.uploaded_by, record.status, record.rows, record.file_name) == (
        actor,
        "imported",
        50,
        "census.csv",
    )
    assert record.file_size == len(census_csv(school_file(10, 40)))
    assert len(record.sha256) == 64 and record.imported_at is not None


def test_each_kind_of_change_is_found_in_the_dry_run_and_applied_by_the_import(school):
    run(
        school,
        [
            row(1, "K", "ASD"),
            row(2, "K", "SEMH"),
            row(3, "E", "ASD"),
            row(4, "K", "MLD"),
            row(5, "K", "SPLD"),
            row(6, "N"),
        ],
    )
    later = [
        row(1, "E", "ASD"),  # provision changed K -> E
        row(2, "K", "SLCN"),  # need changed
        row(3, "E", "ASD", year_group="5", dob="2015-05-17"),  # unchanged, details updated
        row(4, "N"),  # left the register
        # 5 is not in the file: left the school
        row(6, "K", "HI"),  # new to the register (was N, not stored)
        row(7, "N"),
    ]
    dry = check(school, later, date=SPRING)
    expected = {
        "number_on_roll": 6,
        "ehcp": 2,
        "sen_support": 2,
        "new": 1,
        "provision_changed": 1,
        "need_changed": 1,
        "left_register": 1,
        "left_school": 1,
        "unchanged": 1,
        "details_updated": 1,
    }
    assert dry.summary["totals"] == expected
    assert not CensusSnapshot.objects.filter(census_date=SPRING).exists()  # nothing written
    assert RegisterEvent.objects.count() == 5

    assert dry.summary["leavers_to_confirm"] == 1  # 1 of 5 with SEND: more than a tenth
    outcome = run(school, later, date=SPRING, confirmed_leavers=1)
    assert outcome.summary["totals"] == expected
    by_upn = {p.upn: p for p in Pupil.objects.all()}
    assert by_upn[make_upn(1)].provision == "E"
    assert by_upn[make_upn(2)].primary_need == "SLCN"
    assert by_upn[make_upn(3)].year_group == "5"
    assert (by_upn[make_upn(4)].provision, by_upn[make_upn(4)].primary_need) == ("N", "")
    assert by_upn[make_upn(5)].left_school_on == SPRING and by_upn[make_upn(5)].provision == "K"
    assert by_upn[make_upn(6)].provision == "K" and make_upn(7) not in by_upn
    kinds = {(e.pupil.upn, e.kind) for e in RegisterEvent.objects.filter(date=SPRING)}
    assert kinds == {
        (make_upn(1), "ehc_plan_issued"),
        (make_upn(2), "need_changed"),
        (make_upn(4), "left_register"),
        (make_upn(5), "left_school"),
        (make_upn(6), "entered_sen_support"),
    }
    need = RegisterEvent.objects.get(kind="need_changed")
    assert (need.from_need, need.to_need) == ("SEMH", "SLCN")


def test_importing_the_same_file_again_changes_nothing(school):
    rows = school_file(20, 80)
    run(school, rows)
    before = (
        list(Pupil.objects.values()),
        list(RegisterEvent.objects.values()),
        list(CensusSnapshot.objects.values()),
    )
    outcome = run(school, rows)
    after = (
        list(Pupil.objects.values()),
        list(RegisterEvent.objects.values()),
        list(CensusSnapshot.objects.values()),
    )
    assert after == before
    assert outcome.summary["totals"]["unchanged"] == 20
    assert outcome.summary["totals"]["new"] == 0
    assert CensusImport.objects.filter(status="imported").count() == 2  # both attempts recorded


def test_one_bad_row_in_ten_thousand_writes_nothing(school):
    rows = school_file(1500, 8500)
    rows[7345]["UPN"] = "A801200005001"
    outcome = run(school, rows)
    assert not outcome.applied
    assert Pupil.objects.count() == 0 and RegisterEvent.objects.count() == 0
    assert not CensusSnapshot.objects.exists()
    record = CensusImport.objects.get()
    assert record.status == "invalid" and record.error_count == 1
    assert record.errors == [
        {"line": 7347, "column": "UPN", "reason": "UPN check letter is wrong (expected B)"}
    ]


def test_a_failure_while_writing_rolls_everything_back(school, monkeypatch):
    run(school, school_file(5, 5))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CensusSnapshot.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        run(school, [row(1, "E", "ASD"), row(50, "K", "HI")], date=SPRING, confirmed_leavers=4)
    assert Pupil.objects.filter(upn=make_upn(50)).count() == 0
    assert not RegisterEvent.objects.filter(date=SPRING).exists()
    assert Pupil.objects.filter(left_school_on__isnull=False).count() == 0


def test_a_census_older_than_one_already_imported_is_refused(school):
    run(school, school_file(3, 3), date=SPRING)
    with pytest.raises(CensusFileError, match="A later census has already been imported"):
        run(school, school_file(3, 3), date=CENSUS_DATE)


def test_rows_for_schools_the_user_may_not_import_for_are_errors(school, other_trust_school):
    rows = [row(1), row(2, School=other_trust_school.laestab)]
    outcome = run(school, rows)
    assert not outcome.applied
    assert [e.reason for e in outcome.errors] == ["you may not import for school 8833101"]
    assert Pupil.objects.count() == 0


def test_a_file_with_a_school_column_fills_each_schools_snapshot(school, other_trust_school):
    rows = [
        row(1, School=school.laestab),
        row(2, "N", School=school.urn),
        row(3, "E", "ASD", School=other_trust_school.laestab, HomeLA="881"),
    ]
    run(school, rows, allowed=School.objects.filter(pk__in=[school.pk, other_trust_school.pk]))
    assert CensusSnapshot.objects.get(school=school).number_on_roll == 2
    assert CensusSnapshot.objects.get(school=other_trust_school).ehcp == 1
    moved = Pupil.objects.get(school=other_trust_school)
    assert moved.home_local_authority == school.local_authority  # lives in Essex


def test_statement_count_does_not_grow_with_rows(school):
    run(school, school_file(10, 10))
    # Each census replaces the last one's pupils: 10 recorded as having left each time.
    with CaptureQueriesContext(connection) as small:
        run(school, school_file(10, 10, start=100), date=SPRING, confirmed_leavers=10)
    run(school, school_file(10, 10), date=datetime.date(2026, 5, 21), confirmed_leavers=10)
    with CaptureQueriesContext(connection) as large:
        run(school, school_file(600, 1500, start=5000), date=datetime.date(2026, 10, 1), confirmed_leavers=10)
    assert Pupil.objects.filter(left_school_on__isnull=True, provision__in="EK").count() == 600
    # The kept funding figures the import brings up to date write a statement per kind of
    # change they find (rows to add, change or remove), never one per pupil.
    assert len(small.captured_queries) - 2 <= len(large.captured_queries) <= len(small.captured_queries) + 2


def test_the_command_dry_run_prints_the_changes_and_writes_nothing(school, tmp_path):
    path = tmp_path / "autumn.csv"
    path.write_bytes(census_csv(school_file(4, 6)))
    out = StringIO()
    call_command(
        "import_census",
        str(path),
        "--school",
        school.laestab,
        "--date",
        "2025-10-02",
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert "New to the register: 4" in text and "Number on roll: 10" in text
    assert "Dry run: nothing was written." in text
    assert not Pupil.objects.exists() and not CensusImport.objects.exists()


def test_the_command_imports_by_urn_and_fails_with_row_errors(school, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(census_csv(school_file(4, 6)))
    call_command(
        "import_census", str(good), "--school", school.urn, "--date", "2025-10-02", stdout=StringIO()
    )
    assert Pupil.objects.count() == 4
    bad = tmp_path / "bad.csv"
    bad.write_bytes(census_csv([row(1), row(2, "Q")]))
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 error\(s\) in 1 row\(s\); nothing was imported"):
        call_command(
            "import_census",
            str(bad),
            "--school",
            school.laestab,
            "--date",
            "2026-01-15",
            stdout=StringIO(),
            stderr=err,
        )
    assert "line 3, SENProvision: 'Q' is not a provision code" in err.getvalue()
    assert not CensusSnapshot.objects.filter(census_date=SPRING).exists()


def test_the_command_refuses_an_unknown_school_or_a_bad_file(school, tmp_path):
    path = tmp_path / "census.txt"
    path.write_bytes(census_csv([row(1)]))
    with pytest.raises(CommandError, match="must be a CSV file"):
        call_command("import_census", str(path), "--school", school.laestab, "--date", "2025-10-02")
    with pytest.raises(CommandError, match="No school with LAESTAB or URN 9999999"):
        call_command("import_census", str(path), "--school", "9999999", "--date", "2025-10-02")
    with pytest.raises(CommandError, match="not a census date"):
        call_command("import_census", str(path), "--school", school.laestab, "--date", "2.10.2025")


def test_the_command_with_an_actor_is_limited_to_their_schools_and_records_them(
    school, other_trust_school, tmp_path
):
    from trusts.tests.factories import data_admin

    admin = data_admin(school.trust)
    path = tmp_path / "autumn.csv"
    path.write_bytes(census_csv(school_file(3, 3)))
    with pytest.raises(CommandError, match="No school with LAESTAB or URN 8833101 that you may"):
        call_command(
            "import_census",
            str(path),
            "--school",
            other_trust_school.laestab,
            "--date",
            "2025-10-02",
            "--actor",
            admin.email,
        )
    call_command(
        "import_census",
        str(path),
        "--school",
        school.laestab,
        "--date",
        "2025-10-02",
        "--actor",
        admin.email,
        stdout=StringIO(),
    )
    assert CensusImport.objects.get().uploaded_by == admin
    assert set(RegisterEvent.objects.values_list("actor", flat=True)) == {admin.pk}


# --- A file that would record many pupils as having left ---------------------------------------


def _forty_on_the_register(school):
    run(school, school_file(40, 10))  # 40 pupils with SEND: numbers 0 to 39


def test_the_check_counts_and_names_the_pupils_who_would_be_recorded_as_having_left(school):
    _forty_on_the_register(school)
    dry = check(school, school_file(5, 0), date=SPRING)  # a 5-row file: 35 would "leave"
    [s] = dry.summary["schools"]
    assert (s["left_school"], s["on_register_before"], s["leavers_pct"]) == (35, 40, "87.5")
    assert s["leavers_confirm"] is True
    assert dry.summary["leavers_to_confirm"] == 35
    left = {p.pk for p in Pupil.objects.filter(upn__in=[make_upn(n) for n in range(5, 40)])}
    assert set(s["leaver_ids"]) == left
    assert sorted(f"{x.surname}" for x in dry.diff.leavers[school.pk])[:2] == ["Surname10", "Surname11"]


def test_an_import_recording_over_a_tenth_as_leavers_needs_that_number_confirmed(school):
    _forty_on_the_register(school)
    before = list(Pupil.objects.order_by("pk").values())
    for confirmed in (None, 34, 36):
        with pytest.raises(services.LeaversNotConfirmed) as refused:
            services.census_import(
                actor=None,
                raw=census_csv(school_file(5, 0)),
                file_name="census.csv",
                census_date=SPRING,
                school=school,
                allowed_schools=School.objects.filter(pk=school.pk),
                confirmed_leavers=confirmed,
            )
        assert refused.value.leavers == 35
        assert "35 pupils with SEND" in str(refused.value)
    assert list(Pupil.objects.order_by("pk").values()) == before
    assert not CensusSnapshot.objects.filter(census_date=SPRING).exists()
    assert CensusImport.objects.count() == 1  # only the first census's record
    outcome = services.census_import(
        actor=None,
        raw=census_csv(school_file(5, 0)),
        file_name="census.csv",
        census_date=SPRING,
        school=school,
        allowed_schools=School.objects.filter(pk=school.pk),
        confirmed_leavers=35,
    )
    assert outcome.applied
    assert Pupil.objects.filter(left_school_on=SPRING).count() == 35
    assert outcome.record.summary["leavers_confirmed"] == 35


def test_a_tenth_of_the_register_leaving_needs_no_confirmation(school):
    _forty_on_the_register(school)
    rows = school_file(40, 10)
    del rows[36:40]  # 4 of 40 leave: 10%, not more
    dry = check(school, rows, date=SPRING)
    assert dry.summary["leavers_to_confirm"] == 0
    assert run(school, rows, date=SPRING).applied
    assert Pupil.objects.filter(left_school_on=SPRING).count() == 4


def test_a_first_census_leaves_nobody_and_needs_no_confirmation(school):
    dry = check(school, school_file(5, 5))
    assert dry.summary["leavers_to_confirm"] == 0
    assert dry.summary["schools"][0]["on_register_before"] == 0


def test_the_command_dry_run_names_the_leavers_and_says_how_to_confirm(school, tmp_path):
    _forty_on_the_register(school)
    path = tmp_path / "spring.csv"
    path.write_bytes(census_csv(school_file(5, 0)))
    out = StringIO()
    call_command(
        "import_census",
        str(path),
        "--school",
        school.laestab,
        "--date",
        "2026-01-15",
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert "35 pupils with SEND would be recorded as having left" in text
    assert "Surname5, Forename5" in text and "Surname39, Forename39" in text
    assert "--confirm-leavers 35" in text
    assert "Dry run: nothing was written." in text
    assert not CensusSnapshot.objects.filter(census_date=SPRING).exists()


def test_the_command_refuses_unconfirmed_leavers_writes_nothing_and_says_how_to_confirm(school, tmp_path):
    _forty_on_the_register(school)
    path = tmp_path / "spring.csv"
    path.write_bytes(census_csv(school_file(5, 0)))
    args = ["import_census", str(path), "--school", school.laestab, "--date", "2026-01-15"]
    err = StringIO()
    with pytest.raises(CommandError, match="--confirm-leavers 35") as refused:
        call_command(*args, stdout=StringIO(), stderr=err)
    assert "Nothing was imported" in str(refused.value)
    assert "Surname5, Forename5" in err.getvalue()
    with pytest.raises(CommandError, match="not the 30 confirmed"):
        call_command(*args, "--confirm-leavers", "30", stdout=StringIO(), stderr=StringIO())
    assert not CensusSnapshot.objects.filter(census_date=SPRING).exists()
    assert Pupil.objects.filter(left_school_on__isnull=False).count() == 0
    out = StringIO()
    call_command(*args, "--confirm-leavers", "35", stdout=out)
    assert "Imported" in out.getvalue()
    assert Pupil.objects.filter(left_school_on=SPRING).count() == 35
