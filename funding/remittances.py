"""Reading an LA remittance CSV: one payment per row, matched to a pupil of the school by UPN.

Header (case- and space-insensitive): `UPN,Amount,Date,Reference` (aliases: "Pupil UPN",
"Amount Paid", "Payment Date", "Remittance Reference"). UTF-8 with or without BOM, or
Windows-1252; dates as YYYY-MM-DD or DD/MM/YYYY; amounts with or without "£" and thousands
commas. Parsing only: funding.services.payments_import checks and writes."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core import bounds

ALIASES = {
    "upn": "upn",
    "pupilupn": "upn",
    "amount": "amount",
    "amountpaid": "amount",
    "amountgbp": "amount",
    "paid": "amount",
    "date": "date",
    "paymentdate": "date",
    "paidon": "date",
    "receivedon": "date",
    "reference": "reference",
    "remittancereference": "reference",
    "ref": "reference",
}
REQUIRED = ("upn", "amount", "date")
MAX_BYTES = 2_000_000


class RemittanceFileError(ValueError):
    pass


@dataclass
class RemittanceRow:
    line: int
    upn: str
    amount: Decimal | None
    date: datetime.date | None
    reference: str
    error: str = ""


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise RemittanceFileError("The file is too large for a remittance (2 MB at most).")
    if b"\x00" in data:
        raise RemittanceFileError("The file is not a text (CSV) file: it contains NUL characters.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_amount(text: str) -> Decimal | None:
    cleaned = text.strip().replace("£", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def read(data: bytes) -> list[RemittanceRow]:
    reader = csv.reader(io.StringIO(decode(data)))
    try:
        header = next(reader)
    except StopIteration:
        raise RemittanceFileError("The file is empty.") from None
    columns = {ALIASES.get("".join(h.lower().split()).replace("_", "")): i for i, h in enumerate(header)}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise RemittanceFileError(
            f"The file needs the columns UPN, Amount and Date (missing: {', '.join(missing)})."
        )
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(name: str, cells=cells) -> str:
            i = columns.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        row = RemittanceRow(
            number,
            cell("upn").upper(),
            parse_amount(cell("amount")),
            parse_date(cell("date")),
            cell("reference")[:100],
        )
        if not row.upn:
            row.error = "No UPN."
        elif row.amount is None or row.amount <= 0 or row.amount != row.amount.quantize(Decimal("0.01")):
            row.error = f"Amount {cell('amount')!r} is not a sum of money above zero."
        elif problem := bounds.money_problem(row.amount, "The amount"):
            row.error = f"{problem} (the row says {cell('amount')!r})."
        elif row.date is None:
            row.error = f"Date {cell('date')!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)."
        elif problem := bounds.date_problem(row.date, "The date"):
            row.error = f"{problem} (the row says {cell('date')!r})."
        rows.append(row)
    return rows
