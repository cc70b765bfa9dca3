"""A small file in the shape of "Special educational needs in England"'s data file of pupils
by type of SEN provision (explore education statistics): its columns in its order, national,
regional and LA rows, several school types with and without their totals."""

import csv
import io

SEN_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_name",
    "region_code",
    "old_la_code",
    "la_name",
    "new_la_code",
    "phase_type_grouping",
    "type_of_establishment",
    "hospital_school",
    "total_pupils",
    "sen_support",
    "ehc_plan",
    "sen_support_percent",
    "ehc_plan_percent",
]


def sen_row(period, level, phase, kind, pupils, k, e, *, la=("", "", ""), hospital="Total"):
    region = ("East of England", "E12000006") if level != "National" else ("", "")
    return [
        period,
        "Academic year",
        level,
        "E92000001",
        "England",
        region[0],
        region[1],
        la[0],
        la[1],
        la[2],
        phase,
        kind,
        hospital,
        str(pupils),
        str(k),
        str(e),
        repr(k * 100 / pupils),
        repr(e * 100 / pupils),
    ]


def sen_file(path, rows=None, columns=SEN_COLUMNS):
    if rows is None:
        rows = [
            # Last year's national figures, which the newer year replaces.
            sen_row("202324", "National", "State-funded primary", "Total", 4600000, 620000, 120000),
            sen_row("202324", "National", "State-funded secondary", "Total", 3300000, 400000, 100000),
            # 2024/25: primary 4,500,000 pupils, 14.1% SEN support (634,500) and 3.0% EHC
            # (135,000); secondary 3,400,000, 12.4% (421,600) and 2.55% (86,700) -> 2.6%.
            sen_row(
                "202425",
                "National",
                "State-funded primary",
                "Academy converter",
                1500000,
                200000,
                40000,
                hospital="No",
            ),
            sen_row("202425", "National", "State-funded primary", "Total", 4500000, 634500, 135000),
            sen_row("202425", "National", "State-funded secondary", "Total", 3400000, 421600, 86700),
            sen_row("202425", "National", "State-funded special school", "Total", 160000, 2000, 157000),
            sen_row("202425", "National", "Total", "Total", 9000000, 1100000, 400000),
            sen_row(
                "202425",
                "Local authority",
                "State-funded primary",
                "Total",
                120000,
                15000,
                4000,
                la=("881", "Essex", "E10000012"),
            ),
        ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
