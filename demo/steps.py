"""Reference data, then the demo on top, layer by layer, lowest layer first.

Reference data (what a real deployment loads too, `load_reference`): each app's
`<app>/reference.py`, a `load(today) -> list[str]` returning summary lines. It adds only what is
missing and creates no user and no pupil.

The demo (`seed_demo`, which loads the reference data first): the demo users, then each app's
`<app>/demo.py`, a `seed(today) -> list[str]`. Every demo date is counted from one `today`, so
that the demo looks live on the day it is loaded."""

import datetime
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.utils import timezone

from trusts import demo as trusts_demo

REFERENCE_LAYERS = ["trusts", "pupils", "funding", "casework", "evidence"]
LAYERS_ABOVE_TRUSTS = [
    "pupils",
    "provision",
    "support",
    "funding",
    "casework",
    "evidence",
    "inforeports",
    "reports",
]


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)
    users: list = field(default_factory=list)


def load_reference(today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    lines = []
    for app in REFERENCE_LAYERS:
        lines.extend(import_module(f"{app}.reference").load(today=today))
    return lines


def run_all(today: datetime.date | None = None) -> Summary:
    today = today or timezone.localdate()
    summary = Summary(lines=load_reference(today))
    summary.users = trusts_demo.seed_users()
    for app in LAYERS_ABOVE_TRUSTS:
        if find_spec(f"{app}.demo") is not None:
            summary.lines.extend(import_module(f"{app}.demo").seed(today=today))
    return summary
