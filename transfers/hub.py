"""The pupil page's "Moving school" section and the home page's line for pupils released to
the user's schools (trusts.navigation)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from trusts import access
from trusts.access import Capability as C
from trusts.navigation import HomeTask, PupilRecord, PupilSectionContent

from . import selectors
from .models import PupilMove


def _when(value) -> str:
    from django.utils import timezone

    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y}"


def _record(move: PupilMove, pupil, editor: bool) -> PupilRecord:
    # The move's page is for the register editors of its two schools.
    href = reverse("transfers:move_detail", args=[move.pk]) if editor else ""
    if move.received_pupil_id == pupil.pk:
        return PupilRecord(
            f"Joined from {move.from_school.name}",
            href,
            "Received",
            f"Received {_when(move.received_at)}",
            "green",
        )
    if move.status == PupilMove.Status.RECEIVED:
        return PupilRecord(
            f"Moved to {move.to_school.name}",
            href,
            "Received",
            f"Received {_when(move.received_at)}",
            "green",
        )
    if move.status == PupilMove.Status.RELEASED:
        return PupilRecord(
            f"Released to {move.to_school.name}",
            href,
            "Waiting",
            f"Released {_when(move.released_at)}",
            "yellow",
        )
    return PupilRecord(
        f"Release to {move.to_school.name} cancelled",
        href,
        "Cancelled",
        f"Cancelled {_when(move.cancelled_at)}",
    )


def transfer_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """One query (the pupil's moves); the CTF link carries the pupil's id, never their UPN."""
    if not access.can(user, C.VIEW_PUPILS, pupil.school_id):
        return None
    moves = selectors.moves_of_pupil(pupil)
    actions = []
    editor = access.can(user, C.EDIT_REGISTER, pupil.school_id)
    waiting = any(m.status == PupilMove.Status.RELEASED and m.pupil_id == pupil.pk for m in moves)
    if editor and not waiting and pupil.on_register and pupil.left_school_on is None:
        actions.append(
            ("Release to another school in the portal", reverse("transfers:move_release", args=[pupil.pk]))
        )
    href = reverse("transfers:export", args=[pupil.school.laestab]) + f"?pupil={pupil.pk}"
    actions.append(("Export a common transfer file", href))
    return PupilSectionContent(
        records=tuple(_record(m, pupil, editor) for m in moves),
        empty="When the pupil moves to another school in the portal, release them here and "
        "their new SENCO receives their records. For any other school, a common "
        "transfer file holds their needs and SEN history.",
        actions=tuple(actions),
    )


def released_tasks(user, schools, today: dt.date) -> list[HomeTask]:
    """Pupils released to the user's schools, waiting to be received. One query."""
    ids = [s.pk for s in schools if access.can(user, C.EDIT_REGISTER, s)]
    if not ids:
        return []
    count = selectors.released_counts(ids)
    if not count:
        return []
    schools_by_id = {s.pk: s for s in schools}
    href = reverse("transfers:moves_incoming", args=[schools_by_id[ids[0]].laestab])
    return [
        HomeTask(
            "Pupils released to your school",
            count,
            href,
            "todo",
            order=5,
            hint="Another school has released them with their records: receive "
            "them to add them to your register.",
        )
    ]
