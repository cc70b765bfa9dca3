"""The reference schools of both trusts with their 2025 census counts, built from
data/reference/schools_2025.csv, a previous census for trends and flags, and the national
averages from data/reference/national_averages.csv."""

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from pupils.models import NationalAverage
from pupils.tests.factories import CensusSnapshotFactory
from trusts.models import School, Trust
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory

REFERENCE = Path(settings.BASE_DIR) / "data" / "reference"
AUTUMN_2025 = datetime.date(2025, 10, 2)
SPRING_2025 = datetime.date(2025, 1, 16)
LA_NAMES = {881: "Essex", 882: "Southend-on-Sea", 883: "Thurrock"}
NEEDS = ["ASD", "SEMH", "SLCN", "MLD", "SPLD"]


def read(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def spread(total: int, keys: list[str]) -> dict[str, int]:
    """`total` shared out over `keys` deterministically (earlier keys get the remainder)."""
    base, extra = divmod(total, len(keys))
    return {k: base + (1 if i < extra else 0) for i, k in enumerate(keys)}


def by_need(ehcp: int, sen_support: int) -> dict:
    e, k = spread(ehcp, NEEDS), spread(sen_support, NEEDS)
    return {need: {"E": e[need], "K": k[need]} for need in NEEDS}


def by_year_group(phase: str, nor: int, ehcp: int, sen_support: int) -> dict:
    years = (
        ["7", "8", "9", "10", "11"]
        if phase == "secondary"
        else (["R", "1", "2"] if phase == "infant" else ["R", "1", "2", "3", "4", "5", "6"])
    )
    roll, e, k = spread(nor, years), spread(ehcp, years), spread(sen_support, years)
    return {y: {"E": e[y], "K": k[y], "N": roll[y] - e[y] - k[y]} for y in years}


def previous_counts(nor: int, ehcp: int, sen_support: int, laestab: str) -> tuple[int, int, int]:
    # St Thomas More High School had 20 fewer pupils with an EHC plan in spring; the others
    # one fewer at SEN Support (a small change that flags nothing).
    if laestab == "8824001":
        return nor - 6, ehcp - 20, sen_support
    return nor - 2, ehcp, max(sen_support - 1, 0)


@dataclass
class Reference:
    trusts: dict[str, Trust]
    schools: dict[str, School]  # by LAESTAB
    rows: list[dict[str, str]]

    @property
    def assisi(self) -> Trust:
        return self.trusts["assisi-catholic-trust"]

    @property
    def christus(self) -> Trust:
        return self.trusts["christus-catholic-trust"]


def make_reference(previous: bool = True) -> Reference:
    for row in read("national_averages.csv"):
        NationalAverage.objects.get_or_create(
            phase=row["phase"],
            defaults={
                "ehcp_pct": row["ehcp_pct"],
                "sen_support_pct": row["sen_support_pct"],
                "total_send_pct": row["total_send_pct"],
            },
        )
    trusts: dict[str, Trust] = {}
    schools: dict[str, School] = {}
    rows = read("schools_2025.csv")
    for row in rows:
        slug = slugify(row["trust"])
        if slug not in trusts:
            trusts[slug] = TrustFactory(name=row["trust"], slug=slug)
        la_code = int(row["la_code"])
        la = LocalAuthorityFactory(code=la_code, name=LA_NAMES[la_code])
        school = SchoolFactory(
            name=row["school"],
            laestab=row["laestab"],
            phase=row["phase"],
            local_authority=la,
            trust=trusts[slug],
        )
        schools[row["laestab"]] = school
        nor, e, k = int(row["number_on_roll"]), int(row["ehcp"]), int(row["sen_support"])
        CensusSnapshotFactory(
            school=school,
            census_date=AUTUMN_2025,
            number_on_roll=nor,
            ehcp=e,
            sen_support=k,
            by_need=by_need(e, k),
            by_year_group=by_year_group(row["phase"], nor, e, k),
        )
        if previous:
            pn, pe, pk = previous_counts(nor, e, k, row["laestab"])
            CensusSnapshotFactory(
                school=school,
                census_date=SPRING_2025,
                number_on_roll=pn,
                ehcp=pe,
                sen_support=pk,
                by_need=by_need(pe, pk),
                by_year_group=by_year_group(row["phase"], pn, pe, pk),
            )
    return Reference(trusts, schools, rows)
