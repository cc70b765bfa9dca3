"""Reading CTF files: the published layout, the previous version, and every way a file is
refused whole before anything is read from it."""

import datetime

import pytest

from transfers import ctf
from transfers.ctf import CTFError
from transfers.tests.conftest import ctf_xml, fixture_bytes, pupil_xml


def test_a_ctf_26_is_read_for_identity_year_group_sen_history_and_ranked_needs():
    parsed = ctf.parse(fixture_bytes("ctf26_to_8811001.xml"), file_name="a.xml", laestab="8811001")
    assert parsed.is_valid, parsed.errors
    assert parsed.header.version == "26.0"
    assert parsed.header.source_laestab == "8812001"
    assert parsed.header.source_name == "St Anne's Catholic Primary School"
    amara, leo, ella = parsed.pupils
    assert (amara.upn, amara.surname, amara.forename) == ("K881200114001", "Okafor", "Amara")
    assert amara.date_of_birth == datetime.date(2016, 3, 14)
    assert (amara.gender, amara.year_group) == ("F", "5")
    assert amara.history == [(datetime.date(2021, 9, 6), "K"), (datetime.date(2023, 3, 14), "E")]
    assert amara.provision == "E"
    # Ranked by SENrank, not by the order in the file.
    assert (amara.primary_need, amara.secondary_need) == ("ASD", "SLCN")
    assert (leo.provision, leo.primary_need, leo.secondary_need) == ("K", "SEMH", "")
    assert not ella.has_send


def test_a_ctf_25_with_gender_instead_of_sex_is_read_and_needs_below_rank_2_are_named():
    parsed = ctf.parse(fixture_bytes("ctf25_to_8811001.xml"), file_name="b.xml", laestab="8811001")
    assert parsed.is_valid, parsed.errors
    (tom,) = parsed.pupils
    assert tom.gender == "M"
    assert (tom.primary_need, tom.secondary_need, tom.needs_not_kept) == ("SPLD", "MLD", ["OTH"])


def test_elements_in_a_namespace_are_read_by_their_names():
    raw = ctf_xml(pupil_xml("Z881200114002")).replace(
        b"<CTfile>", b'<CTfile xmlns="http://www.example.test/ctf">'
    )
    parsed = ctf.parse(raw, file_name="ns.xml", laestab="8811001")
    assert parsed.is_valid and parsed.pupils[0].primary_need == "SEMH"


BILLION_LAUGHS = """<!DOCTYPE CTfile [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
"""
EXTERNAL_ENTITY = '<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
EXTERNAL_DTD = '<!DOCTYPE CTfile SYSTEM "http://attacker.example.test/ctf.dtd">\n'


@pytest.mark.parametrize(
    "raw, message",
    [
        (
            ctf_xml(pupil_xml("Z881200114002", surname="&lol4;"), prolog=BILLION_LAUGHS),
            "declares a document type or entities",
        ),
        (
            ctf_xml(pupil_xml("Z881200114002", surname="&xxe;"), prolog=EXTERNAL_ENTITY),
            "declares a document type or entities",
        ),
        (ctf_xml(pupil_xml("Z881200114002"), prolog=EXTERNAL_DTD), "declares a document type"),
        (b"<CTfile><Header>", "not well-formed XML"),
        (b"\xff\xfe\x00garbage", "not well-formed XML"),
        (b"UPN,Surname\nK881200114001,Okafor\n", "not well-formed XML"),
        (b"<census><Header/></census>", "not a common transfer file"),
        (b"<CTfile><CTFpupilData/></CTfile>", "has no Header"),
        (
            ctf_xml(pupil_xml("Z881200114002"), version="24.0"),
            "CTF version 24.0; this service reads CTF 26 and CTF 25",
        ),
        (
            ctf_xml(pupil_xml("Z881200114002"), dest=("883", "2001")),
            "addressed to another school (LA 883, establishment 2001)",
        ),
        (ctf_xml(""), "no pupils in it"),
        (b"", "empty"),
    ],
)
def test_a_hostile_malformed_or_misaddressed_file_is_refused_whole(raw, message):
    with pytest.raises(CTFError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ctf.parse(raw, file_name="bad.xml", laestab="8811001")


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(settings, monkeypatch):
    settings.TRANSFERS_CTF_MAX_BYTES = 1000
    monkeypatch.setattr(ctf, "safe_fromstring", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(CTFError, match="too large"):
        ctf.parse(b"<CTfile>" + b" " * 1000 + b"</CTfile>", file_name="big.xml", laestab="8811001")


def test_a_file_whose_destination_is_not_known_may_be_imported_by_the_school_it_reaches():
    parsed = ctf.parse(
        ctf_xml(pupil_xml("Z881200114002"), dest=("MMM", "MMMM")), file_name="lost.xml", laestab="8811001"
    )
    assert parsed.is_valid and not parsed.header.destination_known


def test_each_pupil_problem_is_reported_with_the_pupils_place_in_the_file():
    pupils = "".join(
        [
            pupil_xml("A881200114001"),  # wrong check letter
            pupil_xml("Z881200114002", needs=("XYZ",)),
            pupil_xml("Z881200115003", provision="E", needs=("NSA",)),
            pupil_xml("N881200115004", provision="Q"),
            pupil_xml("K881200114001", year="15", sex="Y", dob="17/07/2017"),
            pupil_xml("K881200114001", needs=()),
        ]
    )
    parsed = ctf.parse(ctf_xml(pupils), file_name="errors.xml", laestab="8811001")
    found = {(e.pupil, e.element) for e in parsed.errors}
    assert found == {
        (1, "UPN"),
        (2, "SENneed/SENtype"),
        (2, "SENneeds"),
        (3, "SENneeds"),
        (4, "SEN/SENprovision"),
        (5, "BasicDetails/NCyearActual"),
        (5, "Sex"),
        (5, "DOB"),
        (6, "SENneeds"),
        (6, "UPN"),
    }, parsed.errors
    assert not parsed.is_valid
    reasons = " ".join(e.reason for e in parsed.errors)
    assert "NSA (no specialist assessment) is only valid with SEN Support" in reasons
    assert "The same UPN as pupil 5 in the file" in reasons


def test_a_fault_in_a_pupil_without_sen_does_not_stop_the_others():
    no_sen = (
        "<Pupil><UPN>X</UPN><Surname>Walsh</Surname><Forename>Ella</Forename>"
        "<DOB>23/11/2017</DOB><Sex>F</Sex><BasicDetails><NCyearActual>4</NCyearActual>"
        "</BasicDetails></Pupil>"
    )
    parsed = ctf.parse(ctf_xml(pupil_xml("Z881200114002") + no_sen), file_name="c.xml", laestab="8811001")
    assert parsed.is_valid, parsed.errors
    assert [p.has_send for p in parsed.pupils] == [True, False]
