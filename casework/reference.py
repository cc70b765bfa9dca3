"""Reference data for casework: each reference LA's rules for annual reviews
(data/reference/la_review_rules.csv), created only where the LA has none, so a platform admin's
change in the admin is kept and a second run changes nothing."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

from django.conf import settings

from trusts.models import LocalAuthority

from . import services
from .models import LAReviewRules

REFERENCE_FILE = Path(settings.BASE_DIR) / "data" / "reference" / "la_review_rules.csv"


def load(today: datetime.date | None = None, path: Path = REFERENCE_FILE) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    las = {la.code: la for la in LocalAuthority.objects.filter(review_rules__isnull=True)}
    made = 0
    for row in rows:
        la = las.get(int(row["la_code"]))
        if la is None:
            continue
        services.la_review_rules_save(
            actor=None,
            rules=LAReviewRules(
                local_authority=la,
                request_reports_weeks=int(row["request_reports_weeks"]),
                circulate_weeks=int(row["circulate_weeks"]),
                report_days=int(row["report_days"]),
                forms=row["forms"].strip(),
                forms_url=row["forms_url"].strip(),
            ),
        )
        made += 1
    return [
        f"Annual review rules of {made} LA{'s' if made != 1 else ''} added "
        f"({len(rows)} in the reference file)"
    ]
