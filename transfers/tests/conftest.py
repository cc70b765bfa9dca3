from pathlib import Path

import pytest

from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory

FILES = Path(__file__).parent / "files"


def fixture_bytes(name: str) -> bytes:
    return (FILES / name).read_bytes()


def ctf_xml(
    pupils: str,
    *,
    version: str = "26.0",
    dest: tuple[str, str] = ("881", "1001"),
    source: tuple[str, str, str] = ("881", "2001", "St Anne's Catholic Primary School"),
    prolog: str = "",
) -> bytes:
    """A CTF in the published layout with the given Pupil elements."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<CTfile><Header>'
        f"<DocumentName>Common Transfer File</DocumentName><CTFversion>{version}</CTFversion>"
        "<DateTime>2026-11-20T09:14:02</DateTime><DocumentQualifier>full</DocumentQualifier>"
        f"<SourceSchool><LEA>{source[0]}</LEA><Estab>{source[1]}</Estab>"
        f"<SchoolName>{source[2]}</SchoolName><AcademicYear>2026</AcademicYear></SourceSchool>"
        f"<DestSchool><LEA>{dest[0]}</LEA><Estab>{dest[1]}</Estab></DestSchool></Header>"
        f"<CTFpupilData>{pupils}</CTFpupilData></CTfile>"
    ).encode()


def pupil_xml(
    upn: str,
    *,
    provision: str = "K",
    needs=("SEMH",),
    start: str = "2024-01-10",
    sex: str = "F",
    year: str = "4",
    dob: str = "2017-07-01",
    surname: str = "Price",
    forename: str = "Leo",
) -> str:
    needs_xml = "".join(
        f"<SENneed><SENtype>{n}</SENtype><SENrank>{i}</SENrank></SENneed>"
        for i, n in enumerate(needs, start=1)
    )
    return (
        f"<Pupil><UPN>{upn}</UPN><Surname>{surname}</Surname><Forename>{forename}</Forename>"
        f"<DOB>{dob}</DOB><Sex>{sex}</Sex><BasicDetails><NCyearActual>{year}</NCyearActual>"
        f"</BasicDetails><SENhistory><SEN><StartDate>{start}</StartDate>"
        f"<SENprovision>{provision}</SENprovision></SEN><SENneeds>{needs_xml}</SENneeds>"
        "</SENhistory></Pupil>"
    )


@pytest.fixture
def school(db):
    la = LocalAuthorityFactory(code=881, name="Essex")
    return SchoolFactory(
        laestab="8811001",
        name="Holy Family Catholic Primary",
        local_authority=la,
        trust=TrustFactory(name="Assisi Test Trust"),
    )


@pytest.fixture
def next_school(db, school):
    """Another school, in another trust, that pupils move on to."""
    return SchoolFactory(
        laestab="8823004",
        name="St Mary's Catholic Primary",
        local_authority=school.local_authority,
        trust=TrustFactory(name="Christus Test Trust"),
    )
