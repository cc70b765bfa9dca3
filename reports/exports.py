"""Dashboard tables as CSV and XLSX (django-import-export formats), safe to open in Excel:
a text cell beginning with =, +, -, @, a tab or a carriage return is prefixed with an apostrophe
so that it is shown as text, never run as a formula."""

from __future__ import annotations

from decimal import Decimal

import tablib
from django.http import Http404, HttpResponse
from import_export.formats.base_formats import CSV, XLSX

from pupils import figures as register
from trusts.exports import neutralise

FORMATS = {"csv": CSV, "xlsx": XLSX}


def _row(values: list) -> list:
    return [neutralise(v) for v in values]


def _figures(f: register.Figures | None) -> list:
    if f is None:
        return [None] * 7
    return [f.number_on_roll, f.ehcp, f.ehcp_pct, f.sen_support, f.sen_support_pct, f.total_send, f.total_pct]


FIGURE_HEADERS = ["On roll", "EHCP", "EHCP %", "SEN Support", "SEN Support %", "Total SEND", "Total SEND %"]


def school_table_dataset(table: register.SchoolTable, rows: list[register.SchoolRow]) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            "School",
            "LAESTAB",
            "Trust",
            "Local authority",
            "Phase",
            "Census",
            *FIGURE_HEADERS,
            "Notable",
        ]
    )
    for r in rows:
        data.append(
            _row(
                [
                    r.name,
                    r.laestab,
                    r.trust_name,
                    r.la_name,
                    r.phase_label,
                    r.census_date.isoformat() if r.census_date else "",
                    *_figures(r.figures),
                    "; ".join(f.text for f in r.flags),
                ]
            )
        )
    totals = register.Figures.total(r.figures for r in rows if r.figures is not None)
    data.append(_row([f"Total ({totals.schools} schools)", "", "", "", "", "", *_figures(totals), ""]))
    for phase, national in sorted(table.nationals.items()):
        data.append(
            _row(
                [
                    f"National average ({phase})",
                    "",
                    "",
                    "",
                    "",
                    "",
                    None,
                    None,
                    national.ehcp_pct,
                    None,
                    national.sen_support_pct,
                    None,
                    national.total_pct,
                    national.source_text,
                ]
            )
        )
    return data


def school_profile_dataset(profile: register.SchoolProfile) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            "Census",
            *FIGURE_HEADERS,
            "National EHCP %",
            "National SEN Support %",
            "National total SEND %",
        ]
    )
    n = profile.row.national
    nat: list[Decimal | None] = [n.ehcp_pct, n.sen_support_pct, n.total_pct] if n else [None, None, None]
    for point in profile.history:
        data.append(_row([point.census_date.isoformat(), *_figures(point.figures), *nat]))
    return data


def response(data: tablib.Dataset, fmt: str, filename: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format.")
    form = FORMATS[fmt]()
    # The format's own writer: cells were neutralised as rows were built (_row).
    content = form.get_format().export_set(data)
    if fmt == "csv":
        content = "\ufeff" + content  # so that Excel reads the file as UTF-8
    resp = HttpResponse(content, content_type=form.get_content_type())
    resp["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return resp
