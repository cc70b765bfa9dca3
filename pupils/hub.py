"""The register's parts of the pupil page (the hub) and of the SENCO's home page, registered in
PupilsConfig.ready through trusts.navigation like every other app's."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from core.census_dates import next_census
from trusts import access
from trusts.access import Capability as C
from trusts.navigation import HomeTask, PupilRecord, PupilSectionContent

from . import selectors

SOON_DAYS = 14  # the census is "due" from two weeks before census day


def _change(event) -> str:
    parts = []
    if event.from_provision or event.to_provision:
        parts.append(f"{event.from_provision or '–'} → {event.to_provision or '–'}")
    if event.from_need or event.to_need:
        parts.append(f"{event.from_need or '–'} → {event.to_need or '–'}")
    return "; ".join(parts)


def history_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's register history, oldest first: census imports and manual changes, with who
    made them. One query."""
    if not access.can(user, C.VIEW_PUPILS, pupil.school_id):
        return None
    records = []
    for event in selectors.pupil_history(pupil):
        source = event.get_source_display()
        if event.actor:
            source += f" by {selectors.user_label(event.actor)}"
        detail = " ".join(
            p
            for p in (_change(event) and f"{_change(event)}.", event.note and f"{event.note}.", f"{source}.")
            if p
        )
        records.append(
            PupilRecord(f"{event.date.day} {event.date:%b %Y}: {event.get_kind_display()}", "", "", detail)
        )
    return PupilSectionContent(records=tuple(records), empty="No changes recorded.")


def home_tasks(user, schools, today: dt.date) -> list[HomeTask]:
    """The next school census (DESIGN §3 dates, core.census_dates): a link to the census upload
    for those who import it, to the SEN register for those who keep it. No query."""
    if not schools:
        return []
    census = next_census(today)
    days = (census.date - today).days
    importable = [s for s in schools if access.can(user, C.IMPORT_CENSUS, s)]
    if importable:
        href = reverse("pupils:census_upload")
        hint = "Import the census file from each school's MIS after census day."
    else:
        href = reverse("pupils:register", args=[schools[0].laestab])
        hint = (
            "Check the SEN register before census day: each pupil's provision and needs "
            "are sent with the census."
        )
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return [
        HomeTask(
            f"Next school census: {census.label}",
            days,
            href,
            "due" if days <= SOON_DAYS else "todo",
            order=90,
            hint=hint,
            tag=when,
        )
    ]
