"""The census importer, in four steps used by both the browser upload and `import_census`:

    parse   bytes or file -> header -> rows, read in chunks (file-level: CensusFileError)
    validate each row into a pupil with SEND, a count, or row errors (line, column, reason)
    diff    against the stored register: new, provision changed, need changed, left, unchanged
    apply   one transaction of bulk statements (services.census_import)

Plain `csv` and dictionaries: only pupils with SEND are kept as objects; every other row is a
UPN (for duplicates and leavers) and a count. The file is never held whole, nor its text: one
pass over its bytes for the size, SHA-256 and encoding, a second through the csv module. The
checks of cells with few distinct values (codes, dates of birth, year groups, schools) are
made once per distinct value. No database access happens here except in
`diff()` (one query for the stored pupils, one for later censuses), so the number of SQL
statements does not depend on the number of rows.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import BinaryIO

from django.conf import settings
from django.db.models import Max

from core.collection import cycle_collection_paused
from core.csvfiles import utf8_or_cp1252
from core.years import academic_year_first_day

from . import upn as upn_module
from .models import ON_REGISTER, CensusSnapshot, Need, Provision, Pupil, RegisterEvent, needs_problems

# --- Columns ---------------------------------------------------------------------------------

COLUMN_LABELS = {
    "upn": "UPN",
    "surname": "Surname",
    "forename": "Forename",
    "dob": "DOB",
    "gender": "Gender",
    "year_group": "YearGroup",
    "provision": "SENProvision",
    "primary_need": "PrimaryNeed",
    "secondary_need": "SecondaryNeed",
    "school": "School",
    "home_la": "HomeLA",
}
REQUIRED = ("upn", "surname", "forename", "dob", "gender", "year_group", "provision", "primary_need")

# Header names as school MIS exports spell them (compared without case, spaces or punctuation).
ALIASES = {
    "upn": ["upn", "unique pupil number", "pupil upn", "upn number"],
    "surname": ["surname", "legal surname", "last name", "family name", "pupil surname"],
    "forename": [
        "forename",
        "legal forename",
        "first name",
        "given name",
        "forenames",
        "legal forenames",
        "pupil forename",
    ],
    "dob": ["dob", "date of birth", "birth date", "birthdate", "d.o.b."],
    "gender": ["gender", "sex"],
    "year_group": [
        "yeargroup",
        "year group",
        "year",
        "nc year",
        "nc year actual",
        "ncyearactual",
        "national curriculum year",
        "curriculum year",
        "year grp",
    ],
    "provision": [
        "senprovision",
        "sen provision",
        "sen status",
        "provision",
        "sen",
        "sen provision code",
        "senprovisioncode",
    ],
    "primary_need": [
        "primaryneed",
        "primary need",
        "sen primary need",
        "primary sen need",
        "sen need 1",
        "sen type 1",
        "need",
        "sen need",
        "type of need",
    ],
    "secondary_need": [
        "secondaryneed",
        "secondary need",
        "sen secondary need",
        "secondary sen need",
        "sen need 2",
        "sen type 2",
    ],
    "school": [
        "laestab",
        "la estab",
        "school",
        "urn",
        "school urn",
        "school laestab",
        "dfe number",
        "dfes number",
        "dfe",
        "estab",
        "school number",
    ],
    "home_la": [
        "homela",
        "home la",
        "home local authority",
        "la of residence",
        "home la code",
        "resident la",
        "home authority",
    ],
}


def header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_ALIAS_TO_FIELD = {header_key(a): f for f, names in ALIASES.items() for a in names}

# --- Codes -----------------------------------------------------------------------------------

PROVISION_CODES = {
    "E": "E",
    "EHCP": "E",
    "EHC PLAN": "E",
    "K": "K",
    "SEN SUPPORT": "K",
    "N": "N",
    "NO SEN": "N",
    "": "N",  # MIS exports leave the code blank for pupils without SEN
}
NEED_CODES = frozenset(Need.values)
GENDER_CODES = {
    "M": "M",
    "MALE": "M",
    "F": "F",
    "FEMALE": "F",
    "U": "U",
    "X": "U",
    "UNKNOWN": "U",
    "NOT KNOWN": "U",
    "OTHER": "U",
}
YEAR_GROUPS = ("N1", "N2", "R") + tuple(str(n) for n in range(1, 15))
# Age on 1 September at the start of the school year for each year group (Reception: 4).
YEAR_GROUP_AGE = {"N1": 2, "N2": 3, "R": 4, **{str(n): n + 4 for n in range(1, 15)}}
YEAR_GROUP_TOLERANCE = 2  # pupils taught out of their year group are common in SEND


def _year_group_spellings() -> dict[str, str]:
    out: dict[str, str] = {}
    for g in YEAR_GROUPS:
        for form in (g, f"Y{g}", f"YR{g}", f"Y {g}", f"YEAR {g}", f"YEAR{g}", f"0{g}"):
            out[form] = g
    out.update({"RECEPTION": "R", "YR": "R", "REC": "R", "NURSERY 1": "N1", "NURSERY 2": "N2"})
    return out


YEAR_GROUP_SPELLINGS = _year_group_spellings()

# --- Results ---------------------------------------------------------------------------------


class CensusFileError(Exception):
    """The file as a whole is refused (not a CSV, empty, too large, a column missing...)."""


@dataclass(slots=True)
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.reason}"


@dataclass(slots=True)
class SendRow:
    """A valid row of a pupil with SEND (E or K)."""

    line: int
    school_id: int
    upn: str
    surname: str
    forename: str
    date_of_birth: datetime.date
    gender: str
    year_group: str
    provision: str
    primary_need: str
    secondary_need: str
    home_la_id: int | None  # None: keep the stored one, or the school's LA for a new pupil


@dataclass
class SchoolCounts:
    number_on_roll: int = 0
    ehcp: int = 0
    sen_support: int = 0
    by_need: dict[str, dict[str, int]] = field(default_factory=dict)
    by_year_group: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SchoolRef:
    """What the importer needs to know about a school the user may import for."""

    id: int
    laestab: str
    urn: str | None
    name: str
    local_authority_id: int


@dataclass
class ParsedCensus:
    census_date: datetime.date
    file_name: str
    file_size: int
    sha256: str
    rows: int = 0
    send_rows: dict[int, dict[str, SendRow]] = field(default_factory=dict)  # school -> upn -> row
    no_sen_upns: dict[int, set[str]] = field(default_factory=dict)  # school -> UPNs with N
    counts: dict[int, SchoolCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    error_rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as found

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0 and self.rows > 0

    @property
    def school_ids(self) -> list[int]:
        return sorted(self.counts)


# --- Parse -------------------------------------------------------------------------------------

# The file is read twice in chunks of this size, never held whole: once for its size, SHA-256,
# encoding and line count, then row by row through the csv module.
CHUNK_BYTES = 1 << 20
_SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# The five bytes Windows-1252 leaves undefined.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def file_facts(raw: bytes) -> tuple[int, str]:
    return len(raw), hashlib.sha256(raw).hexdigest()


def check_upload(file_name: str, size: int, max_bytes: int | None = None) -> None:
    """The checks that need only the name and size (before the file is read)."""
    max_bytes = settings.PUPILS_CENSUS_MAX_BYTES if max_bytes is None else max_bytes
    if not file_name.lower().endswith(".csv"):
        raise CensusFileError(
            "The file must be a CSV file (.csv). Save the census from your MIS or spreadsheet "
            "as 'CSV UTF-8' and upload that."
        )
    if size == 0:
        raise CensusFileError("The file is empty.")
    if size > max_bytes:
        raise CensusFileError(
            f"The file is {size / 1_048_576:.1f} MB; the largest census file accepted is "
            f"{max_bytes / 1_048_576:.0f} MB."
        )


def _check_start(head: bytes) -> None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CensusFileError("The file is saved as UTF-16. Save it as 'CSV UTF-8' and try again.")
    if head.startswith(_SPREADSHEET_SIGNATURES):
        raise CensusFileError(
            "This is a spreadsheet (Excel) file, not a CSV. Save it as 'CSV UTF-8' and upload that."
        )


_NOT_TEXT = "The file is not a CSV text file."
_UNKNOWN_ENCODING = "The file's text encoding is not UTF-8 or Windows-1252. Save it as 'CSV UTF-8'."


def decode(raw: bytes) -> str:
    """UTF-8 with or without a byte-order mark, else Windows-1252."""
    _check_start(raw)
    if b"\x00" in raw:
        raise CensusFileError(_NOT_TEXT)
    text = utf8_or_cp1252(raw)
    if text is None:
        raise CensusFileError(_UNKNOWN_ENCODING)
    return text


@dataclass
class FileScan:
    """What one pass over the bytes tells: enough to read the rows in a second pass."""

    size: int
    sha256: str
    encoding: str  # "utf-8-sig" (drops a byte-order mark) or "cp1252"
    start: int  # where the text starts (after a byte-order mark)
    lines: int
    blank: bool  # only white space


def scan(stream: BinaryIO, size: int) -> FileScan:
    """Size, SHA-256 and encoding of a file in one pass of fixed-size chunks (the same checks
    and messages as decode(), without holding the file or its text)."""
    stream.seek(0)
    chunk = stream.read(CHUNK_BYTES)
    _check_start(chunk)
    bom = chunk.startswith(codecs.BOM_UTF8)
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = cp1252_ok = True
    blank = True
    lines = 0
    read = 0
    first = True
    while chunk:
        read += len(chunk)
        digest.update(chunk)
        if b"\x00" in chunk:
            raise CensusFileError(_NOT_TEXT)
        lines += chunk.count(b"\n")
        if utf8_ok:
            try:
                text = utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
            else:
                if first:
                    text = text.removeprefix("\ufeff")
                if blank and text and not text.isspace():
                    blank = False
        if cp1252_ok and not chunk.isascii():
            cp1252_ok = _CP1252_UNDEFINED.search(chunk) is None
        if not utf8_ok and blank and cp1252_ok:
            text = chunk.decode("cp1252")
            if first and bom:
                text = text[len(codecs.BOM_UTF8) :]
            if text and not text.isspace():
                blank = False
        first = False
        chunk = stream.read(CHUNK_BYTES)
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok:
        encoding, start = "utf-8-sig", 0
    elif cp1252_ok:
        encoding, start = "cp1252", len(codecs.BOM_UTF8) if bom else 0
    else:
        raise CensusFileError(_UNKNOWN_ENCODING)
    if read != size:
        raise CensusFileError("The file changed while it was being read.")
    return FileScan(size, digest.hexdigest(), encoding, start, lines, blank)


def _binary(raw: bytes | BinaryIO) -> tuple[BinaryIO, int]:
    """A seekable binary stream over bytes (not copied) or an open file, and its size."""
    stream = io.BytesIO(raw) if isinstance(raw, bytes | bytearray | memoryview) else raw
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return stream, size


def match_header(header: list[str]) -> dict[str, int]:
    """Map each known field to its column index; refuse duplicates and missing columns."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        f = _ALIAS_TO_FIELD.get(header_key(name))
        if f is None:
            continue  # extra columns (ethnicity, FSM...) are ignored
        if f in found:
            raise CensusFileError(
                f"Two columns mean {COLUMN_LABELS[f]}: '{header[found[f]].strip()}' and "
                f"'{name.strip()}'. Remove one of them."
            )
        found[f] = index
    missing = [COLUMN_LABELS[f] for f in REQUIRED if f not in found]
    if missing:
        raise CensusFileError(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}. "
            f"Expected a header like: {','.join(list(COLUMN_LABELS.values())[:9])}."
        )
    return found


def _parse_date(text: str) -> datetime.date | None:
    """YYYY-MM-DD or DD/MM/YYYY (also D/M/YYYY); None if neither or impossible."""
    try:
        if "/" in text:
            day, month, year = text.split("/")
            if len(year) != 4:
                return None
            return datetime.date(int(year), int(month), int(day))
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return None


def parse_census_date(text: str) -> datetime.date:
    value = _parse_date(text.strip())
    if value is None:
        raise CensusFileError(f"'{text}' is not a census date (use YYYY-MM-DD or DD/MM/YYYY).")
    return value


# Row checks that depend only on a few cells are written as functions of those cells' raw text
# returning (values..., problems); parse() remembers each answer, so a value met again (a year
# group, a date of birth, a provision code) costs one dictionary look-up. Problems are
# (column, reason) pairs, in the order the row's errors are reported.
Problems = tuple[tuple[str, str], ...]
_OK: Problems = ()


def _check_needs(prov_cell: str, need1_cell: str, need2_cell: str) -> tuple[str | None, str, str, Problems]:
    problems: list[tuple[str, str]] = []
    prov_raw = prov_cell.strip().upper()
    provision = PROVISION_CODES.get(prov_raw)
    if provision is None:
        problems.append(("provision", f"'{prov_raw[:10]}' is not a provision code (E, K or N)"))
    need1 = need1_cell.strip().upper()
    need2 = need2_cell.strip().upper()
    if need1 and need1 not in NEED_CODES:
        problems.append(("primary_need", f"'{need1[:10]}' is not a need code"))
    if need2 and need2 not in NEED_CODES:
        problems.append(("secondary_need", f"'{need2[:10]}' is not a need code"))
    if provision == "N":
        if need1:
            problems.append(("primary_need", "a need is given for a pupil without SEN (N)"))
        if need2:
            problems.append(("secondary_need", "a need is given for a pupil without SEN (N)"))
    elif provision is not None:
        problems += needs_problems(provision, need1, need2)
    return provision, need1, need2, tuple(problems) or _OK


def _birth_checker(census_date: datetime.date):
    term_start = academic_year_first_day(census_date)

    def check(dob_cell: str, yg_cell: str) -> tuple[datetime.date | None, str | None, Problems]:
        problems: list[tuple[str, str]] = []
        dob_raw = dob_cell.strip()
        dob = _parse_date(dob_raw)
        age = -1
        if dob is not None:
            age = term_start.year - dob.year - ((term_start.month, term_start.day) < (dob.month, dob.day))
        dob_ok = False
        if dob is None:
            problems.append(
                (
                    "dob",
                    "the date of birth is missing"
                    if not dob_raw
                    else "the date of birth is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
                )
            )
        elif dob > census_date:
            problems.append(("dob", "the date of birth is after the census date"))
        elif not 1 <= age <= 25:
            problems.append(("dob", f"the date of birth gives an impossible age ({age}) at school"))
        else:
            dob_ok = True
        yg_raw = yg_cell.strip().upper()
        year_group = YEAR_GROUP_SPELLINGS.get(yg_raw)
        if year_group is None:
            problems.append(
                (
                    "year_group",
                    f"'{yg_raw[:10]}' is not a year group (N1, N2, R, 1 to 14)"
                    if yg_raw
                    else "the year group is missing",
                )
            )
        elif dob_ok and abs(YEAR_GROUP_AGE[year_group] - age) > YEAR_GROUP_TOLERANCE:
            problems.append(
                (
                    "year_group",
                    f"year group {year_group} does not fit the date of birth (age {age} on 1 September)",
                )
            )
        return dob, year_group, tuple(problems) or _OK

    return check


def _check_gender(cell: str) -> tuple[str | None, Problems]:
    gender = GENDER_CODES.get(cell.strip().upper())
    return gender, (_OK if gender is not None else (("gender", "the gender must be M, F or U"),))


def _check_codes(prov_cell: str, need1_cell: str, need2_cell: str, gender_cell: str) -> tuple:
    """The provision, needs and gender of a row (the cells whose values are a few codes), and
    whether they are all valid."""
    provision, need1, need2, need_problems = _check_needs(prov_cell, need1_cell, need2_cell)
    gender, gender_problems = _check_gender(gender_cell)
    return (
        provision,
        need1,
        need2,
        need_problems,
        gender,
        gender_problems,
        not (need_problems or gender_problems),
    )


def _school_checker(by_code: dict[str, int], known: set[str], default_school_id: int | None):
    def check(cell: str) -> tuple[int | None, Problems]:
        code = cell.strip().replace("/", "").replace("-", "")
        if code:
            school_id = by_code.get(code)
            if school_id is None:
                return None, (
                    (
                        "school",
                        f"you may not import for school {code}"
                        if code in known
                        else f"no school has the LAESTAB or URN {code}",
                    ),
                )
            return school_id, _OK
        if default_school_id is None:
            return None, (("school", "no school given (fill the column or choose a school)"),)
        return default_school_id, _OK

    return check


# No garbage collection meanwhile: reading a census makes some hundred thousand objects (each
# row's cells, the UPNs, the rows with SEND) and no reference cycles, so collections would only
# walk them again and again (about a third of the time of reading the rows).
no_collections = cycle_collection_paused


def parse(
    raw: bytes | BinaryIO,
    *,
    file_name: str,
    census_date: datetime.date,
    schools: Iterable[SchoolRef],
    known_school_codes: Iterable[str] = (),
    default_school_id: int | None = None,
    local_authorities: dict[str, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = None,
    max_errors: int | None = None,
) -> ParsedCensus:
    """Read and validate a census file: its bytes, or a seekable binary file (read in chunks,
    never held whole). `schools` are those the user may import for; `known_school_codes` every
    LAESTAB/URN in the system (to tell "unknown" from "not yours"); `local_authorities` maps LA
    code and lower-case name to id for the optional HomeLA column."""
    stream, size = _binary(raw)
    del raw
    check_upload(file_name, size, max_bytes)
    max_errors = settings.PUPILS_CENSUS_MAX_ERRORS if max_errors is None else max_errors
    facts = scan(stream, size)
    if facts.blank:
        raise CensusFileError("The file is empty.")
    total_lines = max(facts.lines, 1)
    stream.seek(facts.start)
    text = io.TextIOWrapper(stream, encoding=facts.encoding, newline="")
    try:
        with no_collections():
            return _read_rows(
                csv.reader(text),
                facts,
                file_name=file_name,
                census_date=census_date,
                schools=schools,
                known_school_codes=known_school_codes,
                default_school_id=default_school_id,
                local_authorities=local_authorities or {},
                progress=progress,
                max_errors=max_errors,
                total_lines=total_lines,
            )
    except UnicodeDecodeError:
        raise CensusFileError("The file changed while it was being read.") from None
    finally:
        text.detach()  # the caller's file stays open


def _read_rows(
    reader,
    facts: FileScan,
    *,
    file_name: str,
    census_date: datetime.date,
    schools: Iterable[SchoolRef],
    known_school_codes: Iterable[str],
    default_school_id: int | None,
    local_authorities: dict[str, int],
    progress: Callable[[int, int], None] | None,
    max_errors: int,
    total_lines: int,
) -> ParsedCensus:
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise CensusFileError("The file has no header row.") from None
    cols = match_header(header)

    by_code: dict[str, int] = {}
    for s in schools:
        by_code[s.laestab] = s.id
        if s.urn:
            by_code[s.urn] = s.id
    las = local_authorities

    out = ParsedCensus(
        census_date=census_date,
        file_name=file_name,
        file_size=facts.size,
        sha256=facts.sha256,
        columns={f: header[i].strip() for f, i in cols.items()},
    )
    errors = out.errors
    error_count = 0
    error_rows = 0
    send_rows = out.send_rows
    no_sen = out.no_sen_upns
    counts = out.counts
    # Per school: its counts, its UPNs without SEN, its rows with SEND.
    seen: dict[str, int] = {}
    i_upn, i_sur, i_fore, i_dob, i_gen, i_yg, i_prov, i_need = (cols[f] for f in REQUIRED)
    i_need2 = cols.get("secondary_need")
    i_school = cols.get("school")
    i_la = cols.get("home_la")
    width = max(cols.values()) + 1
    upn_problem = upn_module.problem
    label = COLUMN_LABELS
    rows = 0

    school_of = _school_checker(by_code, set(known_school_codes), default_school_id)
    no_column = (
        (default_school_id, _OK)
        if default_school_id is not None
        else (None, (("school", "no school given (add a school column or choose a school)"),))
    )
    birth_of = _birth_checker(census_date)
    # Remembered answers of the checks (see _check_needs): one entry per distinct input.
    school_answers: dict[str, tuple] = {}
    code_answers: dict[tuple[str, str, str, str], tuple] = {}
    birth_answers: dict[tuple[str, str], tuple] = {}
    # Valid rows counted by (school, year group, provision, primary need); pupils without SEND
    # kept as UPNs per school, pupils with SEND as rows per school.
    tally: dict[tuple, int] = {}
    tally_get = tally.get
    school_sets: dict[int, tuple[set[str], dict[str, SendRow]]] = {}
    codes_of: Callable[[list[str]], tuple[str, ...]]
    if i_need2 is not None:
        codes_of = itemgetter(i_prov, i_need, i_need2, i_gen)
    else:
        codes_of = itemgetter(i_prov, i_need, i_gen)
    birth_cells_of = itemgetter(i_dob, i_yg)

    def fail(line: int, column: str, reason: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < max_errors:
            errors.append(RowError(line, label[column], reason))

    try:
        for fields in reader:
            line = reader.line_num
            if len(fields) < width:
                if not any(f.strip() for f in fields):
                    continue  # blank line
                fields = fields + [""] * (width - len(fields))
            rows += 1
            if progress is not None and rows % 5000 == 0:
                progress(line, total_lines)

            if i_school is None:
                school_id, school_problems = no_column
            else:
                cell = fields[i_school]
                answer = school_answers.get(cell)
                if answer is None:
                    answer = school_answers[cell] = school_of(cell)
                school_id, school_problems = answer
            upn = fields[i_upn]
            upn_reason = upn_problem(upn)
            if upn_reason is not None:
                # A valid UPN as written needs no normalising: only others are normalised.
                normal = "".join(upn.split()).upper()
                if normal != upn:
                    upn = normal
                    upn_reason = upn_problem(upn)
            if upn_reason is None:
                first = seen.setdefault(upn, line)
                if first != line:
                    upn_reason = f"the same UPN is on line {first}"
            key = codes_of(fields)
            answer = code_answers.get(key)
            if answer is None:
                answer = code_answers[key] = (
                    _check_codes(*key) if i_need2 is not None else (_check_codes(key[0], key[1], "", key[2]))
                )
            provision, need1, need2, need_problems, gender, gender_problems, codes_ok = answer
            key = birth_cells_of(fields)
            answer = birth_answers.get(key)
            if answer is None:
                answer = birth_answers[key] = birth_of(*key)
            dob, year_group, birth_problems = answer

            if (
                provision == "N"
                and codes_ok
                and upn_reason is None
                and not school_problems
                and not birth_problems
            ):
                # A valid pupil without SEN (most rows): a count and a UPN.
                assert school_id is not None  # a row whose school is unknown has school_problems
                key = (school_id, year_group, "N", "")
                tally[key] = tally_get(key, 0) + 1
                sets = school_sets.get(school_id)
                if sets is None:
                    sets = school_sets[school_id] = (set(), {})
                sets[0].add(upn)
                continue
            problems = school_problems + need_problems + birth_problems + gender_problems
            if provision == "E" or provision == "K":
                surname = fields[i_sur].strip()
                forename = fields[i_fore].strip()
                if not surname:
                    problems += (("surname", "the surname is missing"),)
                elif len(surname) > 100:
                    problems += (("surname", "the surname is longer than 100 characters"),)
                if not forename:
                    problems += (("forename", "the forename is missing"),)
                elif len(forename) > 100:
                    problems += (("forename", "the forename is longer than 100 characters"),)
                home_la_id = None
                if i_la is not None:
                    la_raw = fields[i_la].strip()
                    if la_raw:
                        home_la_id = las.get(la_raw.lower())
                        if home_la_id is None:
                            problems += (
                                ("home_la", f"'{la_raw[:30]}' is not a local authority code or name"),
                            )

            if problems or upn_reason is not None:
                # Reported in the row's column order: school, UPN, then the others.
                if school_problems:
                    fail(line, *school_problems[0])
                if upn_reason is not None:
                    fail(line, "upn", upn_reason)
                for column, reason in problems[len(school_problems) :]:
                    fail(line, column, reason)
                error_rows += 1
                continue
            assert school_id is not None  # a row whose school is unknown has school_problems

            key = (school_id, year_group, provision, need1)
            tally[key] = tally_get(key, 0) + 1
            sets = school_sets.get(school_id)
            if sets is None:
                sets = school_sets[school_id] = (set(), {})
            sets[1][upn] = SendRow(
                line,
                school_id,
                upn,
                surname,
                forename,
                dob,
                gender,
                year_group,
                provision,
                need1,
                need2,
                home_la_id,
            )
    except csv.Error as exc:
        raise CensusFileError(
            f"The file is not a well-formed CSV near line {reader.line_num}: {exc}."
        ) from None

    for (school_id, year_group, provision, need1), n in tally.items():
        c = counts.get(school_id)
        if c is None:
            c = counts[school_id] = SchoolCounts()
            no_sen[school_id], send_rows[school_id] = school_sets[school_id]
        c.number_on_roll += n
        yg = c.by_year_group.get(year_group)
        if yg is None:
            yg = c.by_year_group[year_group] = {"E": 0, "K": 0, "N": 0}
        yg[provision] += n
        if provision == "N":
            continue
        if provision == "E":
            c.ehcp += n
        else:
            c.sen_support += n
        bn = c.by_need.get(need1)
        if bn is None:
            bn = c.by_need[need1] = {"E": 0, "K": 0}
        bn[provision] += n
    out.rows = rows
    out.error_count = error_count
    out.error_rows = error_rows
    if rows == 0:
        raise CensusFileError("The file has a header but no pupil rows.")
    if progress is not None:
        progress(total_lines, total_lines)
    return out


# --- Diff ---------------------------------------------------------------------------------------

_PUPIL_FIELDS = (
    "id",
    "school_id",
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "gender",
    "year_group",
    "home_local_authority_id",
    "provision",
    "primary_need",
    "secondary_need",
    "left_school_on",
)
# The columns of a pupil row written by the import (diff() builds tuples in this order).
PUPIL_COLUMNS = (
    "school_id",
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "gender",
    "year_group",
    "home_local_authority_id",
    "provision",
    "primary_need",
    "secondary_need",
    "left_school_on",
)
UPDATE_FIELDS = [
    "surname",
    "forename",
    "date_of_birth",
    "gender",
    "year_group",
    "home_local_authority",
    "provision",
    "primary_need",
    "secondary_need",
    "left_school_on",
    "updated_at",
]
SUMMARY_KEYS = (
    "number_on_roll",
    "ehcp",
    "sen_support",
    "new",
    "provision_changed",
    "need_changed",
    "left_register",
    "left_school",
    "unchanged",
    "details_updated",
)
SUMMARY_LABELS = {
    "number_on_roll": "Number on roll",
    "ehcp": "EHC plans",
    "sen_support": "SEN Support",
    "new": "New to the register",
    "provision_changed": "Provision changed",
    "need_changed": "Need changed",
    "left_register": "Left the register (now no SEN)",
    "left_school": "Left the school (not in the file)",
    "unchanged": "Unchanged on the register",
    "details_updated": "Other details updated (year group, name...)",
}


# A file that would record more than this share of a school's pupils with SEND as having left
# (missing from the file) is more likely a part of the census than the school's whole roll:
# its import needs that number of leavers confirmed.
LEAVERS_CONFIRM_ABOVE_PCT = 10


def leavers_need_confirmation(leavers: int, on_register: int) -> bool:
    """More than LEAVERS_CONFIRM_ABOVE_PCT % of the school's pupils with SEND would leave."""
    return leavers * 100 > LEAVERS_CONFIRM_ABOVE_PCT * on_register


@dataclass(frozen=True, slots=True)
class Leaver:
    """A pupil with SEND on the register and not in the file: recorded as having left."""

    pupil_id: int
    surname: str
    forename: str
    year_group: str
    provision: str

    def __str__(self) -> str:
        year = {"R": "Reception", "N1": "Nursery 1", "N2": "Nursery 2"}.get(
            self.year_group, f"year {self.year_group}"
        )
        return f"{self.surname}, {self.forename} ({year}, {self.provision})"


@dataclass
class CensusDiff:
    census_date: datetime.date
    pupils: list[tuple] = field(default_factory=list)  # PUPIL_COLUMNS to insert or update
    # (index into pupils, kind, from_provision, to_provision, from_need, to_need, note)
    events: list[tuple[int, str, str, str, str, str, str]] = field(default_factory=list)
    by_school: dict[int, dict[str, int]] = field(default_factory=dict)
    snapshots: list[CensusSnapshot] = field(default_factory=list)
    later_censuses: dict[int, datetime.date] = field(default_factory=dict)
    # Per school: pupils with SEND on the register before this census, and those of them the
    # file records as having left (by surname and forename).
    on_register_before: dict[int, int] = field(default_factory=dict)
    leavers: dict[int, list[Leaver]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(s[k] for s in self.by_school.values()) for k in SUMMARY_KEYS}

    def leavers_confirm(self, school_id: int) -> bool:
        return leavers_need_confirmation(
            len(self.leavers.get(school_id, ())), self.on_register_before.get(school_id, 0)
        )

    @property
    def leavers_to_confirm(self) -> int:
        """The number of pupils recorded as having left that the import must be told, when
        any school of the file would lose more than its share; 0 when none would."""
        if any(self.leavers_confirm(sid) for sid in self.by_school):
            return sum(len(v) for v in self.leavers.values())
        return 0


class LeaversNotConfirmed(CensusFileError):
    """The import would record more pupils as having left than it may without their number
    confirmed (or a number was confirmed that is not theirs): nothing was imported."""

    def __init__(self, message: str, *, leavers: int, confirmed: int | None, listed: list[Leaver]):
        super().__init__(message)
        self.leavers = leavers
        self.confirmed = confirmed
        self.listed = listed


LEFT_REGISTER = RegisterEvent.Kind.LEFT_REGISTER
LEFT_SCHOOL = RegisterEvent.Kind.LEFT_SCHOOL


def _entry_kind(old: str, new: str) -> str:
    if new == Provision.EHC_PLAN:
        return RegisterEvent.Kind.EHC_PLAN_ISSUED
    if new == Provision.SEN_SUPPORT and old not in (Provision.EHC_PLAN,):
        return RegisterEvent.Kind.ENTERED_SEN_SUPPORT
    if new == Provision.NO_SEN:
        return RegisterEvent.Kind.LEFT_REGISTER
    return RegisterEvent.Kind.PROVISION_CHANGED


def diff(parsed: ParsedCensus, *, school_la: dict[int, int]) -> CensusDiff:
    """Compare the parsed file with the stored register of its schools (two queries).
    `school_la` maps each school id to its LA id (the default home LA of a new pupil)."""
    date = parsed.census_date
    out = CensusDiff(census_date=date)
    school_ids = parsed.school_ids
    out.later_censuses = dict(
        CensusSnapshot.objects.filter(school_id__in=school_ids, census_date__gt=date)
        .values("school_id")
        .annotate(latest=Max("census_date"))
        .values_list("school_id", "latest")
    )
    stored: dict[int, dict[str, tuple]] = {sid: {} for sid in school_ids}
    for row in Pupil.objects.filter(school_id__in=school_ids).values_list(*_PUPIL_FIELDS).order_by():
        stored[row[1]][row[2]] = row
    pupils = out.pupils
    events = out.events

    for sid in school_ids:
        s = dict.fromkeys(SUMMARY_KEYS, 0)
        leavers = out.leavers[sid] = []
        out.on_register_before[sid] = sum(
            1 for old in stored[sid].values() if old[9] in ON_REGISTER and old[12] is None
        )
        counts = parsed.counts[sid]
        s["number_on_roll"] = counts.number_on_roll
        s["ehcp"] = counts.ehcp
        s["sen_support"] = counts.sen_support
        rows = parsed.send_rows[sid]
        no_sen = parsed.no_sen_upns[sid]
        for upn, r in rows.items():
            old = stored[sid].get(upn)
            home_la = r.home_la_id
            if old is None or old[12] is not None or old[9] not in ON_REGISTER:
                # New to the register: never stored, back at the school, or back from N.
                prev = old[9] if old is not None and old[12] is None else ""
                s["new"] += 1
                events.append(
                    (len(pupils), _entry_kind(prev, r.provision), prev, r.provision, "", r.primary_need, "")
                )
            else:
                changed_provision = old[9] != r.provision
                changed_need = old[10] != r.primary_need or old[11] != r.secondary_need
                if changed_provision:
                    s["provision_changed"] += 1
                    events.append(
                        (
                            len(pupils),
                            _entry_kind(old[9], r.provision),
                            old[9],
                            r.provision,
                            old[10],
                            r.primary_need,
                            "",
                        )
                    )
                elif changed_need:
                    s["need_changed"] += 1
                    note = ""
                    if old[11] != r.secondary_need:
                        note = f"Secondary need {old[11] or 'none'} to {r.secondary_need or 'none'}"
                    events.append(
                        (len(pupils), RegisterEvent.Kind.NEED_CHANGED, "", "", old[10], r.primary_need, note)
                    )
                else:
                    s["unchanged"] += 1
                if home_la is None:
                    home_la = old[8]
                details = (r.surname, r.forename, r.date_of_birth, r.gender, r.year_group, home_la)
                if not (changed_provision or changed_need):
                    if details == tuple(old[3:9]):
                        continue
                    s["details_updated"] += 1
            pupils.append(
                (
                    sid,
                    upn,
                    r.surname,
                    r.forename,
                    r.date_of_birth,
                    r.gender,
                    r.year_group,
                    home_la or (old[8] if old is not None else school_la[sid]),
                    r.provision,
                    r.primary_need,
                    r.secondary_need,
                    None,
                )
            )
        for upn, old in stored[sid].items():
            if upn in rows:
                continue
            in_file = upn in no_sen
            if old[9] in ON_REGISTER and old[12] is None:
                if in_file:
                    s["left_register"] += 1
                    events.append((len(pupils), LEFT_REGISTER, old[9], "N", old[10], "", ""))
                    provision, need1, need2, left = Provision.NO_SEN, "", "", None
                else:
                    s["left_school"] += 1
                    leavers.append(Leaver(old[0], old[3], old[4], old[7], old[9]))
                    events.append((len(pupils), LEFT_SCHOOL, old[9], "", old[10], "", ""))
                    provision, need1, need2, left = old[9], old[10], old[11], date
            elif in_file and old[12] is not None:
                # Back at the school without SEN: no longer "left", nothing on the register.
                provision, need1, need2, left = old[9], old[10], old[11], None
                if old[9] in ON_REGISTER:
                    s["left_register"] += 1
                    events.append((len(pupils), LEFT_REGISTER, old[9], "N", old[10], "", ""))
                    provision, need1, need2 = Provision.NO_SEN, "", ""
            else:
                continue
            pupils.append((sid, upn, *old[3:9], provision, need1, need2, left))
        leavers.sort(key=lambda x: (x.surname.lower(), x.forename.lower(), x.pupil_id))
        out.by_school[sid] = s
        out.snapshots.append(
            CensusSnapshot(
                school_id=sid,
                census_date=date,
                number_on_roll=counts.number_on_roll,
                ehcp=counts.ehcp,
                sen_support=counts.sen_support,
                by_need=dict(sorted(counts.by_need.items())),
                by_year_group={g: counts.by_year_group[g] for g in YEAR_GROUPS if g in counts.by_year_group},
            )
        )
    return out
