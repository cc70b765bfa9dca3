"""The DfE common transfer file (CTF): reading one safely, and writing the part of one that the
SEN register holds.

What a CTF looks like (element names and order as the DfE's CTF specification gives them):

    CTfile
      Header: DocumentName, CTFversion, DateTime, DocumentQualifier, [DataDescriptor],
              [SupplierID], SourceSchool (LEA, Estab, SchoolName, AcademicYear),
              DestSchool (LEA, Estab)
      CTFpupilData
        Pupil: UPN, [UniqueLearnerNumber], [UCI], Surname, Forename, DOB, Sex (Gender before
               CTF 25), BasicDetails (... NCyearActual ...), ..., SENhistory (SEN: StartDate,
               SENprovision; SENneeds: SENneed: SENtype, SENrank), ...

Reading: the file is refused whole (CTFError) before any element is looked at if it is too
large, has a DTD (so no entity, no entity expansion bomb, no external entity: defusedxml), is
not well formed, is not a CTF, is of a CTF version this service does not read, or is addressed
to another school. Each pupil is then checked; any problem is a `PupilError` and the import is
refused (all or nothing). Elements this service does not keep (addresses, contacts,
attendance, assessments) are never read.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET  # noqa: S405 - used only to build, never to parse

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.conf import settings
from django.utils.text import capfirst

from pupils import upn as upn_module
from pupils.census import GENDER_CODES, YEAR_GROUP_SPELLINGS
from pupils.models import ON_REGISTER, Need, Provision, needs_problems

# The DfE publishes one CTF version a year (CTF 26 from September 2026). A school receives files
# from MIS still on the previous one for a while, so both are read; files are written in the
# current one.
READ_VERSIONS = ("26", "25")
WRITE_VERSION = "26.0"
DOCUMENT_NAME = "Common Transfer File"
SUPPLIER_ID = "SEND Portal"
# The DfE's code for "destination not known" (a CTF sent to the lost pupils database).
UNKNOWN_LEA, UNKNOWN_ESTAB = "MMM", "MMMM"
PROVISIONS = (Provision.EHC_PLAN.value, Provision.SEN_SUPPORT.value, Provision.NO_SEN.value)
NEEDS = frozenset(Need.values)
# The register keeps a primary and a secondary need: SENneed ranks 1 and 2.
KEPT_RANKS = 2


class CTFError(Exception):
    """The file as a whole is refused; the message is for the user."""


@dataclass(frozen=True)
class PupilError:
    pupil: int  # the pupil's place in the file, from 1
    element: str
    reason: str

    def as_dict(self) -> dict:
        return {"pupil": self.pupil, "element": self.element, "reason": self.reason}

    def __str__(self) -> str:
        return f"pupil {self.pupil} in the file, {self.element}: {self.reason}"


@dataclass(frozen=True)
class Header:
    version: str
    created: str
    qualifier: str
    source_lea: str
    source_estab: str
    source_name: str
    academic_year: str
    dest_lea: str
    dest_estab: str

    @property
    def source_laestab(self) -> str:
        return f"{self.source_lea}{self.source_estab}"

    @property
    def dest_laestab(self) -> str:
        return f"{self.dest_lea}{self.dest_estab}"

    @property
    def destination_known(self) -> bool:
        return (self.dest_lea, self.dest_estab) != (UNKNOWN_LEA, UNKNOWN_ESTAB)


@dataclass
class CtfPupil:
    """One pupil as read from the file. `provision` is that of the latest SEN record."""

    position: int
    upn: str
    surname: str
    forename: str
    date_of_birth: datetime.date | None
    gender: str
    year_group: str
    history: list[tuple[datetime.date, str]] = field(default_factory=list)
    needs: list[tuple[int, str]] = field(default_factory=list)  # (rank, type), by rank

    @property
    def provision(self) -> str:
        return self.history[-1][1] if self.history else Provision.NO_SEN

    @property
    def has_send(self) -> bool:
        return self.provision in ON_REGISTER

    @property
    def primary_need(self) -> str:
        return self.needs[0][1] if self.needs else ""

    @property
    def secondary_need(self) -> str:
        return self.needs[1][1] if len(self.needs) > 1 else ""

    @property
    def needs_not_kept(self) -> list[str]:
        return [t for _, t in self.needs[KEPT_RANKS:]]


@dataclass
class ParsedCtf:
    file_name: str
    file_size: int
    sha256: str
    header: Header
    pupils: list[CtfPupil]
    errors: list[PupilError]

    @property
    def is_valid(self) -> bool:
        return not self.errors


def max_bytes() -> int:
    return settings.TRANSFERS_CTF_MAX_BYTES


def check_size(size: int) -> None:
    if size == 0:
        raise CTFError("The file is empty.")
    if size > max_bytes():
        raise CTFError(
            f"The file is too large: the largest common transfer file accepted is "
            f"{max_bytes() // 1_048_576} MB."
        )


def _local(tag) -> str:
    # Tags without their namespace: some MIS write the CTF elements in a namespace.
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, name: str):
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element, name: str) -> list:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element, name: str) -> str:
    child = _child(element, name) if element is not None else None
    return (child.text or "").strip() if child is not None else ""


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def read_tree(raw: bytes):
    """The parsed document, or CTFError. No DTD of any kind is accepted: a CTF has none, and
    every entity attack (billion laughs, external entities) needs one."""
    check_size(len(raw))
    try:
        return safe_fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CTFError(
            "The file declares a document type or entities, which a common transfer "
            "file never does: it was refused unread."
        ) from None
    except (ParseError, ValueError, UnicodeError):
        raise CTFError(
            "The file is not well-formed XML: it may be damaged or not a common transfer file."
        ) from None


def read_header(root) -> Header:
    if _local(root.tag) != "CTfile":
        raise CTFError("This is not a common transfer file (its first element is not CTfile).")
    header = _child(root, "Header")
    if header is None:
        raise CTFError("The file has no Header: it is not a complete common transfer file.")
    version = _text(header, "CTFversion")
    if version.split(".")[0] not in READ_VERSIONS:
        readable = " and ".join(f"CTF {v}" for v in READ_VERSIONS)
        raise CTFError(
            f"The file is CTF version {version[:10] or 'not given'}; this service "
            f"reads {readable}. Ask the sending school for a file of the current "
            "version."
        )
    source, dest = _child(header, "SourceSchool"), _child(header, "DestSchool")
    return Header(
        version=version,
        created=_text(header, "DateTime")[:25],
        qualifier=_text(header, "DocumentQualifier")[:20],
        source_lea=_text(source, "LEA")[:3],
        source_estab=_text(source, "Estab")[:4],
        source_name=_text(source, "SchoolName")[:200],
        academic_year=_text(source, "AcademicYear")[:4],
        dest_lea=_text(dest, "LEA")[:3],
        dest_estab=_text(dest, "Estab")[:4],
    )


def check_destination(header: Header, laestab: str) -> None:
    """Refuse a file addressed to another school. One whose destination is not known (the
    DfE's MMM/MMMM) may be imported by the school the pupil arrived at."""
    if not header.destination_known:
        return
    if header.dest_laestab != laestab:
        raise CTFError(
            f"This file is addressed to another school (LA {header.dest_lea or 'not given'}, "
            f"establishment {header.dest_estab or 'not given'}), not to this one ({laestab}). "
            "Nothing was imported. Ask the sending school to send it to the right school."
        )


def _read_pupil(position: int, element, errors: list[PupilError]) -> CtfPupil:
    def fail(name: str, reason: str) -> None:
        errors.append(PupilError(position, name, reason))

    upn_text = _text(element, "UPN").upper()
    try:
        upn = upn_module.validate(upn_text).value
    except upn_module.InvalidUPN as exc:
        upn = upn_text[:13]
        fail("UPN", str(exc) if upn_text else "The UPN is missing.")
    surname, forename = _text(element, "Surname"), _text(element, "Forename")
    for name, value in (("Surname", surname), ("Forename", forename)):
        if not value:
            fail(name, f"The {name.lower()} is missing.")
        elif len(value) > 100:
            fail(name, f"The {name.lower()} is longer than 100 characters.")
    dob = _date(_text(element, "DOB"))
    if dob is None:
        fail("DOB", "The date of birth is missing or not a date (YYYY-MM-DD).")
    elif not datetime.date(1990, 1, 1) <= dob <= datetime.date.today():
        fail("DOB", "The date of birth is not a pupil's.")
    sex_text = (_text(element, "Sex") or _text(element, "Gender")).upper()
    gender = GENDER_CODES.get(sex_text, "")
    if not gender:
        fail(
            "Sex",
            f"'{sex_text[:10]}' is not a sex code (M or F)." if sex_text else "The pupil's sex is missing.",
        )
    year_text = _text(_child(element, "BasicDetails"), "NCyearActual").upper()
    year_group = YEAR_GROUP_SPELLINGS.get(year_text, "")
    pupil = CtfPupil(position, upn, surname[:100], forename[:100], dob, gender, year_group)

    history = _child(element, "SENhistory")
    records = []
    for sen in _children(history, "SEN"):
        start = _date(_text(sen, "StartDate"))
        provision = _text(sen, "SENprovision").upper()
        if start is None:
            fail("SEN/StartDate", "An SEN record has no start date (YYYY-MM-DD).")
        elif provision not in PROVISIONS:
            fail("SEN/SENprovision", f"'{provision[:10]}' is not an SEN provision code (E, K or N).")
        else:
            records.append((start, provision))
    # Oldest first; for records on the same day the file's order stands.
    pupil.history = sorted(records, key=lambda r: r[0])
    ranks = set()
    for need in _children(_child(history, "SENneeds"), "SENneed"):
        kind, rank_text = _text(need, "SENtype").upper(), _text(need, "SENrank")
        if kind not in NEEDS:
            fail("SENneed/SENtype", f"'{kind[:10]}' is not a type of need.")
            continue
        if not rank_text.isdigit() or int(rank_text) < 1 or int(rank_text) in ranks:
            fail("SENneed/SENrank", f"'{rank_text[:10]}' is not a rank (1, 2, ...) used once.")
            continue
        ranks.add(int(rank_text))
        pupil.needs.append((int(rank_text), kind))
    pupil.needs.sort()

    if pupil.has_send:
        # The register's rules for a pupil with SEND (DESIGN §3).
        if not year_group:
            fail(
                "BasicDetails/NCyearActual",
                f"'{year_text[:10]}' is not a year group."
                if year_text
                else "The year group (NCyearActual) is missing.",
            )
        # The needs ranked 1 and 2 are the primary and secondary needs.
        for _field, reason in needs_problems(pupil.provision, pupil.primary_need, pupil.secondary_need):
            fail("SENneeds", f"{capfirst(reason)}.")
    return pupil


def parse(raw: bytes, *, file_name: str, laestab: str) -> ParsedCtf:
    """Read a CTF sent to the school `laestab`. Raises CTFError for a file refused whole."""
    root = read_tree(raw)
    header = read_header(root)
    check_destination(header, laestab)
    data = _child(root, "CTFpupilData")
    elements = _children(data, "Pupil")
    if not elements:
        raise CTFError("The file has no pupils in it (no CTFpupilData/Pupil).")
    errors: list[PupilError] = []
    pupils = []
    for n, element in enumerate(elements, start=1):
        found: list[PupilError] = []
        pupil = _read_pupil(n, element, found)
        # A pupil without SEN is not stored, so only a fault in their SEN records (which might
        # hide SEN) stops the import.
        errors += [e for e in found if pupil.has_send or e.element.startswith("SEN")]
        pupils.append(pupil)
    seen: dict[str, int] = {}
    for p in (p for p in pupils if p.has_send):
        if p.upn in seen:
            errors.append(PupilError(p.position, "UPN", f"The same UPN as pupil {seen[p.upn]} in the file."))
        seen.setdefault(p.upn, p.position)
    return ParsedCtf(
        file_name=file_name,
        file_size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        header=header,
        pupils=pupils,
        errors=errors,
    )


# --- Writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingPupil:
    upn: str
    surname: str
    forename: str
    date_of_birth: datetime.date
    gender: str
    year_group: str
    history: tuple[tuple[datetime.date, str], ...]
    needs: tuple[str, ...]  # by rank


def academic_year(on: datetime.date) -> int:
    """The year the academic year began: a file written on 1 August 2026 or later says 2026."""
    return on.year if on.month >= 8 else on.year - 1


def _add(parent, name: str, text: str | None = None):
    element = ET.SubElement(parent, name)
    if text is not None:
        element.text = text
    return element


def build(
    *,
    source_laestab: str,
    source_name: str,
    dest_laestab: str | None,
    pupils: list[OutgoingPupil],
    now: datetime.datetime,
) -> bytes:
    """A CTF (version WRITE_VERSION) holding each pupil's identity, year group and SEN
    elements. It is a partial CTF: the register holds no addresses, contacts, attendance or
    assessments, so the sending MIS's own CTF remains the full record."""
    root = ET.Element("CTfile")
    header = _add(root, "Header")
    _add(header, "DocumentName", DOCUMENT_NAME)
    _add(header, "CTFversion", WRITE_VERSION)
    _add(header, "DateTime", now.strftime("%Y-%m-%dT%H:%M:%S"))
    _add(header, "DocumentQualifier", "partial")
    _add(header, "SupplierID", SUPPLIER_ID)
    source = _add(header, "SourceSchool")
    _add(source, "LEA", source_laestab[:3])
    _add(source, "Estab", source_laestab[3:])
    _add(source, "SchoolName", source_name)
    _add(source, "AcademicYear", str(academic_year(now.date())))
    dest = _add(header, "DestSchool")
    _add(dest, "LEA", dest_laestab[:3] if dest_laestab else UNKNOWN_LEA)
    _add(dest, "Estab", dest_laestab[3:] if dest_laestab else UNKNOWN_ESTAB)
    data = _add(root, "CTFpupilData")
    for p in pupils:
        pupil = _add(data, "Pupil")
        _add(pupil, "UPN", p.upn)
        _add(pupil, "Surname", p.surname)
        _add(pupil, "Forename", p.forename)
        _add(pupil, "DOB", p.date_of_birth.isoformat())
        _add(pupil, "Sex", p.gender)
        basic = _add(pupil, "BasicDetails")
        _add(basic, "NCyearActual", p.year_group)
        if p.history or p.needs:
            history = _add(pupil, "SENhistory")
            for start, provision in p.history:
                sen = _add(history, "SEN")
                _add(sen, "StartDate", start.isoformat())
                _add(sen, "SENprovision", provision)
            if p.needs:
                needs = _add(history, "SENneeds")
                for rank, kind in enumerate(p.needs, start=1):
                    need = _add(needs, "SENneed")
                    _add(need, "SENtype", kind)
                    _add(need, "SENrank", str(rank))
    ET.indent(root)
    # The declaration as MIS write it (ElementTree's own uses single quotes).
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(root, encoding="unicode").encode("utf-8")
        + b"\n"
    )
