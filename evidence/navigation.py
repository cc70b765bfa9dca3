"""What this app shows on other apps' pages: the evidence packs section of the pupil page and
the packs being prepared on the SENCO's home page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from trusts import access
from trusts.access import Capability as C
from trusts.navigation import (
    HomeTask,
    HomeTaskSource,
    PupilRecord,
    PupilSection,
    PupilSectionContent,
    register_home_tasks,
    register_pupil_section,
)

from . import selectors
from .models import EvidencePack


def _things(n: int) -> str:
    return "1 thing" if n == 1 else f"{n} things"


def _record(line: selectors.PackLine) -> PupilRecord:
    pack = line.pack
    text = f"{pack.get_kind_display()} to {pack.local_authority.name}"
    href = reverse("evidence:pack_detail", args=[pack.pk])
    if pack.is_sent:
        missing = (
            f"{_things(line.missing)} the LA asks for {'was' if line.missing == 1 else 'were'} "
            "missing when it was sent."
            if line.missing
            else "Nothing the LA asks for was missing when it was sent."
        )
        return PupilRecord(
            text, href, "Sent", f"Sent {selectors.long_date(pack.sent_on)}. {missing}", "green"
        )
    started = selectors.long_date(timezone.localtime(pack.created_at).date())
    missing = (
        f"{_things(line.missing)} the LA asks for {'is' if line.missing == 1 else 'are'} missing."
        if line.missing
        else "Nothing the LA asks for is missing."
    )
    return PupilRecord(text, href, "Being prepared", f"Started {started}. {missing}", "blue")


def packs_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's evidence packs, newest first: kind, LA, sent or being prepared, and how many
    things the LA asks for are missing. Two queries, at most eight with a pack being prepared
    (selectors.pack_lines_for_pupil)."""
    if not access.can(user, C.VIEW_EVIDENCE_PACKS, pupil.school_id):
        return None
    records = tuple(_record(line) for line in selectors.pack_lines_for_pupil(pupil))
    actions: tuple[tuple[str, str], ...] = (
        ("Evidence packs and outside professionals", reverse("evidence:pupil_packs", args=[pupil.pk])),
    )
    return PupilSectionContent(records=records, empty="No evidence pack yet.", actions=actions)


def home_tasks(user, schools, today: dt.date) -> list[HomeTask]:
    """Packs being prepared and not yet sent, across the user's schools where they may see
    packs. One query."""
    ids = [s.pk for s in schools if access.can(user, C.VIEW_EVIDENCE_PACKS, s.pk)]
    if not ids:
        return []
    drafts = selectors.draft_pack_count(school_ids=ids)
    return [
        HomeTask(
            "Evidence packs being prepared, not yet sent",
            drafts,
            f"{reverse('evidence:pack_list')}?status={EvidencePack.Status.DRAFT}",
            "todo" if drafts else "done",
            order=33,
            hint=(
                "Open each to see what the LA asks for that is still missing, then send it."
                if drafts
                else "No pack is waiting to be sent."
            ),
        )
    ]


def register_all() -> None:
    register_pupil_section(PupilSection("evidence", "Evidence packs for the LA", packs_section, order=55))
    register_home_tasks(HomeTaskSource("evidence", home_tasks, order=35))
