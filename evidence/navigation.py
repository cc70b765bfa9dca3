"""What this app shows on other apps' pages: the evidence packs section of the pupil page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from trusts import access
from trusts.access import Capability as C
from trusts.navigation import PupilRecord, PupilSection, PupilSectionContent, register_pupil_section

from . import selectors


def packs_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's evidence packs, newest first. One query."""
    if not access.can(user, C.VIEW_EVIDENCE_PACKS, pupil.school_id):
        return None
    records = []
    for pack in selectors.packs_for_pupil(pupil):
        when = (
            f"sent {selectors.long_date(pack.sent_on)}"
            if pack.is_sent
            else f"started {selectors.long_date(timezone.localtime(pack.created_at).date())}"
        )
        records.append(
            PupilRecord(
                text=f"{pack.get_kind_display()} to {pack.local_authority.name}, {when}",
                href=reverse("evidence:pack_detail", args=[pack.pk]),
                status=pack.get_status_display(),
            )
        )
    actions: tuple[tuple[str, str], ...] = (
        ("Evidence packs and outside professionals", reverse("evidence:pupil_packs", args=[pupil.pk])),
    )
    return PupilSectionContent(records=tuple(records), empty="No evidence pack yet.", actions=actions)


def register_all() -> None:
    register_pupil_section(PupilSection("evidence", "Evidence packs for the LA", packs_section, order=55))
