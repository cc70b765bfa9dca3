"""A small file in the shape of "Education, health and care plans"' timeliness data file
(explore education statistics): its columns in its order, national, regional and LA rows, the
"All EHC plans" breakdown and another, and the publication's "x" for a figure not given."""

import csv
import io

EHC_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
    "breakdown_topic",
    "breakdown",
    "plans_issued_den",
    "plans_issued_den_ex",
    "plans_issued_within_20_weeks",
    "plans_issued_20_weeks_ex",
    "pc_plans_issued_within_20_weeks",
    "pc_plans_issued_20_weeks_ex",
    "plans_issued_gt20weeks_ltyear",
    "plans_issued_gt20weeks_ltyear_ex",
    "pc_plans_issued_gt20weeks_ltyear",
    "pc_plans_issued_gt20weeks_ltyear_ex",
    "avg_weeks_issue_plan",
    "avg_weeks_issue_plan_exc",
]


def ehc_row(year, level, la, issued, within, pc, pc_ex, *, topic="All EHC plans"):
    code, name, new = la if la else ("", "", "")
    region = ("E12000006", "East of England") if level != "National" else ("", "")
    return [
        str(year),
        "Calendar year",
        level,
        "E92000001",
        "England",
        region[0],
        region[1],
        new,
        code,
        name,
        topic,
        topic,
        str(issued),
        str(issued),
        str(within),
        str(within),
        pc,
        pc_ex,
        "x",
        "x",
        "x",
        "x",
        "x",
        "x",
    ]


ESSEX = ("881", "Essex", "E10000012")
SOUTHEND = ("882", "Southend-on-Sea", "E06000033")
THURROCK = ("883", "Thurrock", "E06000034")
KENT = ("886", "Kent", "E10000016")


def ehc_file(path, rows=None, columns=EHC_COLUMNS):
    if rows is None:
        rows = [
            ehc_row(2024, "National", None, 57000, 26500, "46.4", "48.2"),
            ehc_row(2023, "Local authority", ESSEX, 2100, 105, "5", "5.2"),
            ehc_row(2024, "Local authority", ESSEX, 2300, 23, "1", "1.1"),
            ehc_row(2024, "Local authority", ESSEX, 400, 2, "0.5", "0.5", topic="Age under 5"),
            ehc_row(2024, "Local authority", SOUTHEND, 310, 9, "2.903225806", "3"),
            ehc_row(2024, "Local authority", THURROCK, 280, "x", "x", "x"),
            ehc_row(2024, "Local authority", KENT, 3900, 1443, "37", "38.1"),
        ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
