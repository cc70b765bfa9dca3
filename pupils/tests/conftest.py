import datetime

import pytest

from pupils import upn as upn_module
from pupils.census import SchoolRef
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory

from .reference import Reference, make_reference

HEADER = [
    "UPN",
    "Surname",
    "Forename",
    "DOB",
    "Gender",
    "YearGroup",
    "SENProvision",
    "PrimaryNeed",
    "SecondaryNeed",
]
CENSUS_DATE = datetime.date(2025, 10, 2)


def make_upn(n: int, la: int = 881) -> str:
    return upn_module.make(la, 1000 + (n // 1000) % 9000, 20, n % 1000)


def row(
    n: int,
    provision: str = "K",
    need: str = "SLCN",
    need2: str = "",
    *,
    year_group: str = "4",
    dob: str = "2016-05-17",
    gender: str = "F",
    surname: str | None = None,
    **extra,
) -> dict:
    return {
        "UPN": extra.pop("upn", make_upn(n)),
        "Surname": surname or f"Surname{n}",
        "Forename": f"Forename{n}",
        "DOB": dob,
        "Gender": gender,
        "YearGroup": year_group,
        "SENProvision": provision,
        "PrimaryNeed": need if provision != "N" else "",
        "SecondaryNeed": need2,
        **extra,
    }


def census_csv(
    rows: list[dict],
    header: list[str] | None = None,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
) -> bytes:
    """A census file as a MIS writes it (CRLF line ends; values with commas quoted)."""
    header = header or list(dict.fromkeys([*HEADER, *[k for r in rows for k in r]]))

    def cell(value) -> str:
        value = str(value)
        return f'"{value}"' if any(c in value for c in ',"\n') else value

    lines = [",".join(header)]
    for r in rows:
        lines.append(",".join(cell(r.get(h, "")) for h in header))
    text = newline.join(lines) + newline
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def school_file(n_send: int, n_none: int, *, start: int = 0) -> list[dict]:
    rows = [row(start + i, "E" if i % 5 == 0 else "K", "ASD" if i % 3 else "SEMH") for i in range(n_send)]
    rows += [row(start + n_send + i, "N") for i in range(n_none)]
    return rows


@pytest.fixture
def school(db):
    la = LocalAuthorityFactory(code=881, name="Essex")
    return SchoolFactory(
        laestab="8811001", urn="111001", local_authority=la, trust=TrustFactory(name="Assisi Test Trust")
    )


@pytest.fixture
def other_trust_school(db):
    la = LocalAuthorityFactory(code=883, name="Thurrock")
    return SchoolFactory(
        laestab="8833101", urn="133101", local_authority=la, trust=TrustFactory(name="Christus Test Trust")
    )


def refs(*schools) -> list[SchoolRef]:
    return [SchoolRef(s.pk, s.laestab, s.urn, s.name, s.local_authority_id) for s in schools]


@pytest.fixture
def reference(db) -> Reference:
    """Both trusts' reference schools with their autumn 2025 and spring 2025 censuses."""
    return make_reference()
