"""Exporting a CTF: valid against the schema kept in the repository, filled from the register,
audited, and imported by the next school with the same needs and history."""

import datetime
from pathlib import Path
from xml.etree import ElementTree as ET  # noqa: S405 - reading our own output in a test

import pytest
import xmlschema
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from pupils import services as pupil_services
from pupils.models import Pupil
from pupils.tests.factories import PupilFactory
from transfers import ctf, services
from transfers.tests.conftest import fixture_bytes
from trusts.tests.factories import senco

pytestmark = pytest.mark.django_db
SCHEMA = xmlschema.XMLSchema(Path(ctf.__file__).parent / "schema" / "ctf-sen-subset.xsd")
NOW = datetime.datetime(2026, 12, 3, 10, 30, tzinfo=datetime.UTC)


def _pupil_with_history(school):
    user = senco(school)
    pupil = pupil_services.pupil_add_to_register(
        actor=user,
        school=school,
        upn="K881200114001",
        surname="Okafor",
        forename="Amara",
        date_of_birth=datetime.date(2016, 3, 14),
        gender="F",
        year_group="5",
        primary_need="ASD",
        secondary_need="SLCN",
        on=datetime.date(2021, 9, 6),
    )
    pupil_services.pupil_record_ehc_plan_issued(actor=user, pupil=pupil, on=datetime.date(2023, 3, 14))
    pupil.refresh_from_db()
    return pupil, user


def test_an_export_is_valid_against_the_schema_and_carries_the_register(school):
    pupil, user = _pupil_with_history(school)
    content, count = services.ctf_export(
        actor=user, school=school, upns=[pupil.upn], dest_laestab="8823004", now=NOW
    )
    assert count == 1
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>')
    SCHEMA.validate(content)
    root = ET.fromstring(content)  # noqa: S314 - our own output
    assert [e.tag for e in root.find("Header")] == [
        "DocumentName",
        "CTFversion",
        "DateTime",
        "DocumentQualifier",
        "SupplierID",
        "SourceSchool",
        "DestSchool",
    ]
    assert root.findtext("Header/CTFversion") == "26.0"
    assert root.findtext("Header/DateTime") == "2026-12-03T10:30:00"
    assert root.findtext("Header/SourceSchool/AcademicYear") == "2026"
    assert (root.findtext("Header/SourceSchool/LEA"), root.findtext("Header/SourceSchool/Estab")) == (
        "881",
        "1001",
    )
    assert (root.findtext("Header/DestSchool/LEA"), root.findtext("Header/DestSchool/Estab")) == (
        "882",
        "3004",
    )
    p = root.find("CTFpupilData/Pupil")
    assert [e.tag for e in p] == ["UPN", "Surname", "Forename", "DOB", "Sex", "BasicDetails", "SENhistory"]
    assert p.findtext("BasicDetails/NCyearActual") == "5"
    assert [(s.findtext("StartDate"), s.findtext("SENprovision")) for s in p.findall("SENhistory/SEN")] == [
        ("2021-09-06", "K"),
        ("2023-03-14", "E"),
    ]
    assert [
        (n.findtext("SENtype"), n.findtext("SENrank")) for n in p.findall("SENhistory/SENneeds/SENneed")
    ] == [("ASD", "1"), ("SLCN", "2")]


def test_an_export_without_a_destination_uses_the_dfe_code_for_not_known(school):
    pupil, user = _pupil_with_history(school)
    content, _ = services.ctf_export(actor=user, school=school, upns=[pupil.upn], now=NOW)
    SCHEMA.validate(content)
    root = ET.fromstring(content)  # noqa: S314
    assert root.findtext("Header/DestSchool/LEA") == "MMM"
    assert root.findtext("Header/DestSchool/Estab") == "MMMM"


def test_names_are_escaped_and_a_formula_like_name_stays_text(school):
    PupilFactory(school=school, upn="Z881200114002", surname="O'Brien <Smith> & Co", forename="=HYPERLINK(1)")
    content, _ = services.ctf_export(actor=None, school=school, upns=["Z881200114002"], now=NOW)
    SCHEMA.validate(content)
    root = ET.fromstring(content)  # noqa: S314
    assert root.findtext("CTFpupilData/Pupil/Surname") == "O'Brien <Smith> & Co"


def test_each_exported_pupil_is_in_the_audit_log(school):
    pupil, user = _pupil_with_history(school)
    services.ctf_export(actor=user, school=school, upns=[pupil.upn], now=NOW)
    entry = LogEntry.objects.get(
        action=LogEntry.Action.ACCESS, object_pk=str(pupil.pk), content_type__model="pupil"
    )
    assert entry.actor == user
    assert entry.additional_data["export"] == "Common transfer file"
    assert entry.additional_data["school_id"] == school.pk
    assert pupil.upn not in str(entry.changes) and "Okafor" not in str(entry.changes)


def test_an_unknown_upn_exports_nothing(school):
    _pupil_with_history(school)
    with pytest.raises(services.UnknownPupils):
        services.ctf_export(actor=None, school=school, upns=["K881200114001", "Z881200114002"])
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_file_the_app_exports_imports_into_another_school_with_the_same_record(school, next_school):
    pupil, user = _pupil_with_history(school)
    content, _ = services.ctf_export(
        actor=user, school=school, upns=[pupil.upn], dest_laestab=next_school.laestab, now=NOW
    )
    services.ctf_import(actor=None, school=next_school, raw=content, file_name="out.xml")
    arrived = Pupil.objects.get(school=next_school, upn=pupil.upn)
    for name in (
        "surname",
        "forename",
        "date_of_birth",
        "gender",
        "year_group",
        "provision",
        "primary_need",
        "secondary_need",
    ):
        assert getattr(arrived, name) == getattr(pupil, name), name
    history = list(arrived.events.order_by("date").values_list("date", "to_provision"))
    assert history == list(pupil.events.order_by("date").values_list("date", "to_provision"))
    # And back out of the next school: the same SEN elements again.
    again, _ = services.ctf_export(
        actor=None, school=next_school, upns=[pupil.upn], dest_laestab=school.laestab, now=NOW
    )
    assert ET.fromstring(again).find("CTFpupilData/Pupil/SENhistory") is not None  # noqa: S314
    assert _sen(again) == _sen(content)


def _sen(content: bytes) -> str:
    root = ET.fromstring(content)  # noqa: S314
    return ET.tostring(root.find("CTFpupilData/Pupil/SENhistory"), encoding="unicode")


def test_the_fixture_files_import_and_export_valid(school, next_school):
    services.ctf_import(
        actor=None, school=school, raw=fixture_bytes("ctf26_to_8811001.xml"), file_name="a.xml"
    )
    content, count = services.ctf_export(
        actor=None, school=school, upns=["K881200114001", "Z881200114002"], now=NOW
    )
    assert count == 2
    SCHEMA.validate(content)


# --- The command -------------------------------------------------------------------------------


def test_export_ctf_writes_the_file(school, tmp_path, capsys):
    pupil, _ = _pupil_with_history(school)
    out = tmp_path / "leavers.xml"
    call_command(
        "export_ctf",
        "--school",
        school.laestab,
        "--upn",
        pupil.upn,
        "--output",
        str(out),
        "--dest",
        "8823004",
    )
    SCHEMA.validate(out.read_bytes())
    assert "Wrote" in capsys.readouterr().out


def test_export_ctf_refuses_an_unknown_upn_and_writes_no_file(school, tmp_path):
    out = tmp_path / "leavers.xml"
    with pytest.raises(CommandError, match="not a pupil of"):
        call_command("export_ctf", "--school", school.laestab, "--upn", "Z881200114002", "--output", str(out))
    assert not out.exists()


def test_export_ctf_as_a_user_of_another_trust_finds_no_school(school, next_school, tmp_path):
    pupil, _ = _pupil_with_history(school)
    with pytest.raises(CommandError, match="that you may export from"):
        call_command(
            "export_ctf",
            "--school",
            school.laestab,
            "--upn",
            pupil.upn,
            "--output",
            str(tmp_path / "x.xml"),
            "--actor",
            senco(next_school).email,
        )
