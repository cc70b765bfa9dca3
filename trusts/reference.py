"""Reference data for this layer: the local authorities, trusts and schools of
data/reference. Loaded by `load_reference` (a real deployment) and by `seed_demo` before its
demo data. Adds what is missing and never changes a row already there, so a school renamed by
`import_gias` or an LA edited in the admin stays as it is, and a second run changes nothing."""

import csv
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from .models import LocalAuthority, School, Trust

REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"


def read_reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_schools() -> dict[str, int]:
    for row in read_reference("local_authorities.csv"):
        LocalAuthority.objects.get_or_create(
            code=int(row["la_code"]),
            defaults={"name": row["name"], "funding_unit": row["funding_unit"], "notes": row["notes"]},
        )
    las = {la.code: la for la in LocalAuthority.objects.all()}
    for row in read_reference("schools_2025.csv"):
        trust, _ = Trust.objects.get_or_create(slug=slugify(row["trust"]), defaults={"name": row["trust"]})
        School.objects.get_or_create(
            laestab=row["laestab"],
            defaults={
                "name": row["school"],
                "phase": row["phase"],
                "local_authority": las[int(row["la_code"])],
                "trust": trust,
            },
        )
    return {"local authorities": len(las), "trusts": Trust.objects.count(), "schools": School.objects.count()}


def load(today=None) -> list[str]:
    counts = load_schools()
    return [", ".join(f"{n} {what}" for what, n in counts.items())]
