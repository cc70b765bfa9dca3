"""The provision section of the pupil page (trusts.navigation.PupilSection)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from core.numbers import money
from pupils.models import Pupil
from trusts import access
from trusts.access import Capability
from trusts.navigation import PupilRecord, PupilSectionContent

from . import selectors, services


def pupil_section(pupil: Pupil, user, today: datetime.date) -> PupilSectionContent | None:
    """The pupil's current provision, each with its cost a year, and the total. Three queries."""
    if not access.can(user, Capability.VIEW_PUPILS, pupil.school_id):
        return None
    enrolments = [e for e in selectors.enrolments_for_pupil(pupil) if e.end_date is None]
    costs = selectors.costs_for({e.intervention_id: e.intervention for e in enrolments}.values())
    records = []
    total = selectors.ZERO
    for enrolment in enrolments:
        intervention = enrolment.intervention
        cost = costs.get(intervention.pk)
        total += cost or selectors.ZERO
        starts = "starts" if enrolment.start_date > today else "since"
        records.append(
            PupilRecord(
                text=f"{intervention.name} ({intervention.get_kind_display()}, "
                f"{intervention.staff_role}), {starts} {enrolment.start_date:%-d %B %Y}",
                href=reverse("provision:intervention", kwargs={"pk": intervention.pk}),
                detail=f"{money(cost)} a year",
            )
        )
    actions = [
        (
            "View provision" + (f": {money(total)} a year" if records else ""),
            reverse("provision:pupil", kwargs={"pk": pupil.pk}),
        )
    ]
    if (
        access.can(user, services.WRITE, pupil.school_id)
        and pupil.on_register
        and pupil.left_school_on is None
    ):
        actions.append(
            ("Enrol in an intervention", reverse("provision:pupil_enrol", kwargs={"pk": pupil.pk}))
        )
    return PupilSectionContent(
        records=tuple(records), empty="No current provision recorded.", actions=tuple(actions)
    )
