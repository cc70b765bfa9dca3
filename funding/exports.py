"""CSV and XLSX exports of funding figures, built with django-import-export and safe to open in
a spreadsheet: a text cell that starts with =, +, -, @, a tab or a carriage return is prefixed
with an apostrophe so that it is shown as text and never run as a formula. Money is exported as
numbers, which cannot carry a formula."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX

from trusts.exports import FormulaSafeExportMixin

FORMATS = {"csv": CSV, "xlsx": XLSX}


class SafeResource(FormulaSafeExportMixin, resources.Resource):
    pass


def _money(name: str, header: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=header)


@dataclass
class Row:
    """One exported line (a school, an LA or a pupil)."""

    name: str
    group: str
    claims: int
    claimed: Decimal
    expected: Decimal
    received: Decimal
    shortfall: Decimal
    provision_cost: Decimal | None
    gap: Decimal | None
    unclaimed: int | str
    status: str = ""
    expected_to_date: Decimal | None = None


class TotalsResource(SafeResource):
    name = fields.Field(attribute="name", column_name="Name")
    group = fields.Field(attribute="group", column_name="Kind")
    claims = fields.Field(attribute="claims", column_name="Claims submitted")
    claimed = _money("claimed", "Claimed (annual value, GBP)")
    expected = _money("expected", "Awarded: expected income (GBP)")
    expected_to_date = _money("expected_to_date", "Awarded: expected to date (GBP)")
    received = _money("received", "Received (GBP)")
    shortfall = _money("shortfall", "Shortfall (GBP)")
    provision_cost = _money("provision_cost", "Cost of costed provision (GBP)")
    gap = _money("gap", "Funding gap (GBP)")
    unclaimed = fields.Field(attribute="unclaimed", column_name="Unclaimed pupils")

    class Meta:
        fields = (
            "name",
            "group",
            "claims",
            "claimed",
            "expected",
            "expected_to_date",
            "received",
            "shortfall",
            "provision_cost",
            "gap",
            "unclaimed",
        )


class PupilResource(SafeResource):
    name = fields.Field(attribute="name", column_name="Pupil")
    group = fields.Field(attribute="group", column_name="Home LA")
    status = fields.Field(attribute="status", column_name="Claims")
    claimed = _money("claimed", "Claimed (annual value, GBP)")
    expected = _money("expected", "Expected income (GBP)")
    received = _money("received", "Received (GBP)")
    shortfall = _money("shortfall", "Shortfall (GBP)")
    provision_cost = _money("provision_cost", "Cost of provision (GBP)")
    gap = _money("gap", "Funding gap (GBP)")
    unclaimed = fields.Field(attribute="unclaimed", column_name="Unclaimed")

    class Meta:
        fields = (
            "name",
            "group",
            "status",
            "claimed",
            "expected",
            "received",
            "shortfall",
            "provision_cost",
            "gap",
            "unclaimed",
        )


def totals_rows(summary, *, schools: bool = True) -> list[Row]:
    rows = []
    if schools:
        for r in summary.schools:
            rows.append(_totals_row(f"{r.school.name} ({r.school.laestab})", "School", r.totals))
    for r in summary.local_authorities:
        rows.append(_totals_row(r.local_authority.name, "Local authority", r.totals))
    rows.append(_totals_row("Total", "Total", summary.total))
    return rows


def _totals_row(name, group, t) -> Row:
    return Row(
        name,
        group,
        t.claims_submitted,
        t.claimed_value,
        t.expected,
        t.received,
        t.shortfall,
        t.provision_cost,
        t.gap,
        t.unclaimed,
        expected_to_date=t.expected_to_date,
    )


def pupil_rows(lines) -> list[Row]:
    rows = []
    for line in lines:
        claimed = sum(
            (c.requested_band.annual_value for c in line.claims if c.status != "draft"), Decimal("0.00")
        )
        rows.append(
            Row(
                line.pupil.full_name,
                line.pupil.home_local_authority.name,
                len(line.claims),
                claimed,
                line.expected,
                line.received,
                line.shortfall,
                line.annual_cost,
                line.gap,
                line.unclaimed_reason,
                status=", ".join(c.get_status_display() for c in line.claims),
            )
        )
    return rows


def render(resource: SafeResource, rows: list[Row], fmt: str) -> tuple[bytes | str, str, str]:
    """(content, content type, extension)."""
    file_format = FORMATS[fmt]()
    dataset = resource.export(rows)
    return file_format.export_data(dataset), file_format.get_content_type(), file_format.get_extension()
