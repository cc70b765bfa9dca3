"""The demo data, layer by layer: each app seeds its own part in `<app>/demo.py`
(a `seed(today) -> list[str]` returning summary lines), lowest layer first. Every demo date is
counted from one `today`, so that the demo looks live on the day it is loaded."""

import datetime
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.utils import timezone

from trusts import demo as trusts_demo

LAYERS_ABOVE_TRUSTS = ["pupils", "provision", "support", "funding", "casework", "reports"]


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)
    users: list = field(default_factory=list)


def run_all(today: datetime.date | None = None) -> Summary:
    today = today or timezone.localdate()
    summary = Summary()
    counts = trusts_demo.seed_reference()
    summary.lines.append(", ".join(f"{n} {what}" for what, n in counts.items()))
    summary.users = trusts_demo.seed_users()
    for app in LAYERS_ABOVE_TRUSTS:
        if find_spec(f"{app}.demo") is not None:
            summary.lines.extend(import_module(f"{app}.demo").seed(today=today))
    return summary
