"""The demo personas and what the reference data says each may see, worked out from the
reference files rather than from the access policy, so the tests check the policy against
an independent answer."""

import csv
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

REFERENCE = Path(settings.BASE_DIR) / "data" / "reference" / "schools_2025.csv"


def schools_by_trust() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(REFERENCE, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(slugify(row["trust"]), []).append(row["laestab"])
    return out


_BY_TRUST = schools_by_trust()
ALL_SCHOOLS = sorted(s for schools in _BY_TRUST.values() for s in schools)
ASSISI = sorted(_BY_TRUST["assisi-catholic-trust"])
CHRISTUS = sorted(_BY_TRUST["christus-catholic-trust"])

# demo e-mail -> the LAESTABs of the schools that persona may see
VISIBLE_SCHOOLS: dict[str, list[str]] = {
    "hos@demo.test": ALL_SCHOOLS,
    "csel.assisi@demo.test": ASSISI,
    "csel.christus@demo.test": CHRISTUS,
    "senco.holycross@demo.test": ["8833001"],
    "senco.stm@demo.test": ["8824001"],
    "head.holycross@demo.test": ["8833001"],
    "data.assisi@demo.test": ASSISI,
    "admin@demo.test": ALL_SCHOOLS,
}
