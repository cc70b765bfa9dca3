"""Reading the sector's published CSV files (Get Information about Schools extracts, explore
education statistics data files): UTF-8 with or without a byte-order mark, or Windows-1252 as
GIAS writes its extracts. Whole-file problems raise CSVFileError with a sentence for the user."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable
from pathlib import Path


class CSVFileError(Exception):
    """The file cannot be read as the CSV it should be; the message says why in plain words."""


def decode(raw: bytes) -> str:
    if not raw.strip():
        raise CSVFileError("The file is empty.")
    if b"\x00" in raw[:4096] or raw[:2] == b"PK":
        raise CSVFileError(
            "The file is not a CSV text file (a spreadsheet saved as .xlsx, or "
            "a zip that needs unpacking first?)."
        )
    text = utf8_or_cp1252(raw)
    if text is None:
        raise CSVFileError("The file's text encoding is neither UTF-8 nor Windows-1252.")
    return text


def utf8_or_cp1252(raw: bytes) -> str | None:
    """The text of a file in UTF-8 (with or without a byte-order mark) or else Windows-1252,
    the encodings schools' systems write; None when it is neither."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return None


def read_rows(
    path: Path | str, keep: Iterable[str] | None = None
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(line number, row), ...]) with surrounding spaces taken off every cell and
    header name. Blank lines are skipped; a row longer than the header is refused. `keep`: the
    only columns each row holds (GIAS's national extract has 50,000 rows of 130 columns)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CSVFileError(f"The file cannot be read: {exc.strerror or exc}.") from None
    text = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise CSVFileError("The file has no header row.") from None
    if len([h for h in header if h]) < 2:
        raise CSVFileError("The file's first line is not a header of comma-separated column names.")
    wanted = [(i, h) for i, h in enumerate(header) if keep is None or h in set(keep)]
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                raise CSVFileError(
                    f"Line {reader.line_num} has more cells than the header "
                    f"({len(values)} against {len(header)})."
                )
            rows.append(
                (reader.line_num, {h: (values[i].strip() if i < len(values) else "") for i, h in wanted})
            )
    except csv.Error as exc:
        raise CSVFileError(f"Line {reader.line_num} is not valid CSV: {exc}.") from None
    return header, rows


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_date(text: str) -> datetime.date | None:
    """DD-MM-YYYY (as GIAS writes dates), DD/MM/YYYY or YYYY-MM-DD; None for a blank cell.
    Raises ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    if m := _DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
        return datetime.date(year, month, day)
    return datetime.date.fromisoformat(text)
