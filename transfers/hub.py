"""The pupil page's link to the common transfer file of this pupil (trusts.navigation)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from trusts import access
from trusts.access import Capability as C
from trusts.navigation import PupilSectionContent


def transfer_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """No query: the link carries the pupil's id, never their UPN."""
    if not access.can(user, C.VIEW_PUPILS, pupil.school_id):
        return None
    href = reverse("transfers:export", args=[pupil.school.laestab]) + f"?pupil={pupil.pk}"
    return PupilSectionContent(
        empty="When the pupil leaves, their next school needs their SEN record: a common "
              "transfer file holds their needs and SEN history.",
        actions=(("Export a common transfer file", href),))
