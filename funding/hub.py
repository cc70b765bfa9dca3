"""Funding's parts of the pupil page (the hub) and of the SENCO's home page, registered in
FundingConfig.ready through trusts.navigation. Claims name a pupil: they need VIEW_FUNDING and
VIEW_PUPILS in the school, as the claim page does."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from core.numbers import money
from trusts import access
from trusts.access import Capability as C
from trusts.navigation import HomeTask, PupilRecord, PupilSectionContent

from . import selectors
from .calculations import financial_year_label
from .models import ClaimStatus


def _may_see_claims(user, school) -> bool:
    return access.can(user, C.VIEW_FUNDING, school) and access.can(user, C.VIEW_PUPILS, school)


def claim_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's top-up claims: LA, financial year, band, status and amounts. Two queries."""
    if not _may_see_claims(user, pupil.school_id):
        return None
    records, due = [], []
    for claim in selectors.pupil_claims(pupil_id=pupil.pk):
        band = claim.requested_band
        text = (
            f"Claim to {claim.local_authority.name}, {financial_year_label(claim.financial_year)}: "
            f"{band.display_label} requested"
        )
        amounts = [f"{band.display_label} is {money(band.annual_value)} a year."]
        award = claim.latest_award
        if award is not None:
            amounts.append(
                f"Awarded {award.band.display_label} ({money(award.band.annual_value)} "
                f"a year) from {award.start_date.day} {award.start_date:%B %Y}."
            )
        amounts.append(f"Received so far: {money(claim.received_total or 0)}.")
        if claim.status in selectors.LIVE_PENDING and claim.submitted_on:
            amounts.append(
                f"Submitted {claim.submitted_on.day} {claim.submitted_on:%B %Y}: awaiting the LA's decision."
            )
        records.append(
            PupilRecord(
                text, reverse("funding:claim", args=[claim.pk]), claim.get_status_display(), " ".join(amounts)
            )
        )
        if claim.status == ClaimStatus.DRAFT:
            due.append("A draft claim is waiting to be submitted to the LA.")
    actions = []
    if access.can(user, C.PREPARE_CLAIMS, pupil.school_id) and pupil.on_register:
        actions.append(
            (
                "Draft a claim for this pupil",
                reverse("funding:claim_new", args=[pupil.school.laestab]) + f"?pupil={pupil.pk}",
            )
        )
    return PupilSectionContent(
        records=tuple(records),
        empty="No top-up claim made.",
        due_next=due[0] if due else "",
        actions=tuple(actions),
    )


def home_tasks(user, schools, today: dt.date) -> list[HomeTask]:
    """Claims awaiting the LA's decision in the user's schools. One query."""
    ids = [s.pk for s in schools if _may_see_claims(user, s)]
    if not ids:
        return []
    waiting = selectors.claims_awaiting_decision(school_ids=ids)
    return [
        HomeTask(
            "Top-up claims awaiting the LA's decision",
            waiting,
            f"{reverse('funding:claims')}?status={selectors.AWAITING}",
            "todo" if waiting else "done",
            order=40,
            hint=(
                "Submitted or under appeal: chase the LA, then record its award or refusal."
                if waiting
                else "No claim is waiting for a decision."
            ),
        )
    ]
