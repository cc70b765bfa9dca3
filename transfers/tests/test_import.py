"""Importing a CTF: through the pupils app's services, all or nothing, idempotent, with the
register's history and the figures kept on it following."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.models import EHCPlan
from pupils.models import Provision, Pupil, RegisterEvent
from pupils.tests.factories import PupilFactory
from reports.figures_check import figures_verify
from transfers import services
from transfers.ctf import CTFError
from transfers.models import TransferImport
from transfers.tests.conftest import FILES, ctf_xml, fixture_bytes, pupil_xml
from trusts.tests.factories import senco

pytestmark = pytest.mark.django_db


def _import(school, raw, actor=None, dry_run=False):
    return services.ctf_import(actor=actor, school=school, raw=raw, file_name="t.xml", dry_run=dry_run)


def test_the_check_shows_what_would_change_and_writes_nothing(school):
    check = services.ctf_check(school=school, raw=fixture_bytes("ctf26_to_8811001.xml"), file_name="a.xml")
    assert check.counts == {"new": 2, "changed": 0, "unchanged": 0, "no_send": 1}
    assert check.lines[0]["changes"] == [
        "Joins the register at EHC plan, needs ASD and SLCN.",
        "2 SEN records added to the history.",
    ]
    assert not Pupil.objects.exists() and not TransferImport.objects.exists()


def test_an_import_brings_pupils_with_send_onto_the_register_with_their_history(school):
    user = senco(school)
    check = _import(school, fixture_bytes("ctf26_to_8811001.xml"), actor=user)
    assert check.changes == 2
    amara = Pupil.objects.get(school=school, upn="K881200114001")
    assert (amara.surname, amara.forename, amara.date_of_birth) == (
        "Okafor",
        "Amara",
        datetime.date(2016, 3, 14),
    )
    assert (amara.gender, amara.year_group, amara.provision) == ("F", "5", Provision.EHC_PLAN)
    assert (amara.primary_need, amara.secondary_need) == ("ASD", "SLCN")
    assert amara.home_local_authority == school.local_authority
    events = list(amara.events.order_by("date"))
    assert [(e.date, e.kind, e.from_provision, e.to_provision) for e in events] == [
        (datetime.date(2021, 9, 6), RegisterEvent.Kind.ENTERED_SEN_SUPPORT, "", "K"),
        (datetime.date(2023, 3, 14), RegisterEvent.Kind.EHC_PLAN_ISSUED, "K", "E"),
    ]
    assert all(e.actor == user for e in events)
    assert events[0].note == ("From the common transfer file of St Anne's Catholic Primary School (8812001)")
    # The pupil without SEN is not stored (data minimisation).
    assert not Pupil.objects.filter(upn="Z881200115003").exists()
    assert TransferImport.objects.get().status == TransferImport.Status.IMPORTED


def test_the_figures_kept_on_the_register_follow_an_import(school):
    _import(school, fixture_bytes("ctf26_to_8811001.xml"))
    # The EHC plan record that the casework app keeps for every pupil at E.
    amara = Pupil.objects.get(upn="K881200114001")
    assert EHCPlan.objects.filter(pupil=amara).exists()
    check = figures_verify()
    assert not check.differences, check.differences


def test_the_same_file_imported_twice_changes_nothing_the_second_time(school):
    _import(school, fixture_bytes("ctf26_to_8811001.xml"))
    events = RegisterEvent.objects.count()
    check = _import(school, fixture_bytes("ctf26_to_8811001.xml"))
    assert check.counts == {"new": 0, "changed": 0, "unchanged": 2, "no_send": 1}
    assert RegisterEvent.objects.count() == events


def test_a_pupil_already_at_the_school_is_updated_and_the_change_is_in_their_history(school):
    pupil = PupilFactory(
        school=school,
        upn="Z881200114002",
        surname="Price",
        forename="Leo",
        date_of_birth=datetime.date(2017, 7, 1),
        gender="M",
        year_group="3",
        provision="K",
        primary_need="SLCN",
    )
    check = services.ctf_check(school=school, raw=fixture_bytes("ctf26_to_8811001.xml"), file_name="a.xml")
    line = check.lines[1]
    assert line["status"] == "changed" and line["pupil_id"] == pupil.pk
    assert line["changes"] == [
        "Year group changes.",
        "Needs SLCN to SEMH.",
        "1 SEN record added to the history.",
    ]
    _import(school, fixture_bytes("ctf26_to_8811001.xml"))
    pupil.refresh_from_db()
    assert (pupil.year_group, pupil.primary_need) == ("4", "SEMH")
    today = datetime.date.today()
    assert list(pupil.events.order_by("date").values_list("kind", "date", "to_need")) == [
        (RegisterEvent.Kind.ENTERED_SEN_SUPPORT, datetime.date(2024, 1, 10), ""),
        (RegisterEvent.Kind.NEED_CHANGED, today, "SEMH"),
    ]


def test_a_leaver_who_comes_back_rejoins_the_register(school):
    pupil = PupilFactory(
        school=school,
        upn="Z881200114002",
        provision="N",
        primary_need="",
        left_school_on=datetime.date(2025, 7, 20),
    )
    _import(school, fixture_bytes("ctf26_to_8811001.xml"))
    pupil.refresh_from_db()
    assert pupil.left_school_on is None and pupil.provision == "K"


def test_a_file_with_a_pupil_problem_writes_nothing(school):
    raw = ctf_xml(pupil_xml("Z881200114002") + pupil_xml("K881200114001", needs=("XYZ",)))
    check = _import(school, raw)
    assert not check.parsed.is_valid
    assert not Pupil.objects.exists() and not RegisterEvent.objects.exists()
    assert not TransferImport.objects.exists()


def test_a_failure_half_way_rolls_the_whole_import_back(school, monkeypatch):
    from pupils import services as pupil_services

    original = pupil_services.send_register_changed

    def fail(school_ids):
        original(school_ids)
        raise RuntimeError("receiver failed")

    monkeypatch.setattr(pupil_services, "send_register_changed", fail)
    with pytest.raises(RuntimeError):
        _import(school, fixture_bytes("ctf26_to_8811001.xml"))
    assert not Pupil.objects.exists() and not TransferImport.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        ctf_xml(pupil_xml("Z881200114002"), dest=("881", "1002")),
        ctf_xml(
            pupil_xml("Z881200114002"), prolog='<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        ),
    ],
)
def test_a_refused_file_writes_nothing(school, raw):
    with pytest.raises(CTFError):
        _import(school, raw)
    assert not Pupil.objects.exists() and not TransferImport.objects.exists()


def test_the_import_is_in_the_audit_log_without_personal_data(school):
    user = senco(school)
    _import(school, fixture_bytes("ctf26_to_8811001.xml"), actor=user)
    amara = Pupil.objects.get(upn="K881200114001")
    entry = LogEntry.objects.get(
        object_pk=str(amara.pk), action=LogEntry.Action.CREATE, content_type__model="pupil"
    )
    assert "Okafor" not in str(entry.changes) and "K881200114001" not in str(entry.changes)
    assert entry.additional_data["school_id"] == school.pk


# --- The command -------------------------------------------------------------------------------


def test_import_ctf_dry_run_prints_the_changes_and_writes_nothing(school, capsys):
    call_command("import_ctf", str(FILES / "ctf26_to_8811001.xml"), "--school", "8811001", "--dry-run")
    out = capsys.readouterr().out
    assert "CTF 26.0 from St Anne's Catholic Primary School (8812001)" in out
    assert "Joins the register: 2" in out and "Dry run: nothing was written." in out
    assert not Pupil.objects.exists()


def test_import_ctf_imports(school, capsys):
    call_command("import_ctf", str(FILES / "ctf25_to_8811001.xml"), "--school", "8811001")
    assert "Imported: 1 pupil record(s) changed." in capsys.readouterr().out
    assert Pupil.objects.get().primary_need == "SPLD"


def test_import_ctf_refuses_a_file_for_another_school_and_exits_non_zero(school, next_school):
    with pytest.raises(CommandError, match="addressed to another school"):
        call_command("import_ctf", str(FILES / "ctf26_to_8811001.xml"), "--school", "8823004")
    assert not Pupil.objects.exists()


def test_import_ctf_lists_pupil_problems_and_exits_non_zero(school, tmp_path, capsys):
    path = tmp_path / "bad.xml"
    path.write_bytes(ctf_xml(pupil_xml("A881200114001")))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_ctf", str(path), "--school", "8811001")
    assert "Pupil 1 in the file, UPN" in capsys.readouterr().err
    assert not Pupil.objects.exists()


def test_import_ctf_as_a_user_is_limited_to_schools_where_they_edit_the_register(school, next_school):
    user = senco(next_school)
    with pytest.raises(CommandError, match="that you may import for"):
        call_command(
            "import_ctf", str(FILES / "ctf26_to_8811001.xml"), "--school", "8811001", "--actor", user.email
        )
