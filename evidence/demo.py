"""Demo evidence: outside professionals for a few pupils with support plans at Holy Cross
Primary and St Thomas More High School, and an EHC needs assessment request pack being prepared
for the first of them, so the SENCO sees what is missing before sending it. Dates count back
from `today`; a second run adds nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from support.models import SupportPlan
from trusts.models import Role, School, User

from . import services
from .models import EvidencePack, PackKind, PackTemplate, ProfessionalInvolvement

SCHOOLS = ("8833001", "8824001")
ADVICE = [
    (
        "ep",
        "Educational Psychology Service",
        "Working memory well below age expectations; verbal reasoning a strength. Recommends "
        "instructions given one step at a time, visual timetables and pre-teaching of key words.",
    ),
    (
        "salt",
        "NHS Speech and Language Therapy",
        "Expressive language delay. Recommends a daily 10-minute language group and modelling "
        "of sentence structures in class.",
    ),
]


def seed(today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    added = packs = 0
    with scopes_disabled():
        for laestab in SCHOOLS:
            school = School.objects.filter(laestab=laestab).first()
            if school is None:
                continue
            senco = User.objects.filter(memberships__school=school, memberships__role=Role.SENCO).first()
            if senco is None:
                continue  # professionals and packs are added by the school's SENCO
            pupil_ids = list(
                SupportPlan.objects.filter(school=school)
                .order_by("pupil_id")
                .values_list("pupil_id", flat=True)
                .distinct()[:2]
            )
            for n, pupil_id in enumerate(pupil_ids):
                plan = SupportPlan.objects.filter(pupil_id=pupil_id).select_related("pupil__school").first()
                assert plan is not None  # pupil_ids are those with a plan
                if ProfessionalInvolvement.objects.filter(pupil_id=pupil_id).exists():
                    continue
                role, who, advice = ADVICE[n % len(ADVICE)]
                services.professional_add(
                    actor=senco,
                    pupil=plan.pupil,
                    role=role,
                    who=who,
                    started_on=today - datetime.timedelta(days=200),
                    report_on=today - datetime.timedelta(days=120),
                    advice=advice,
                    today=today,
                )
                added += 1
            first = pupil_ids[0] if pupil_ids else None
            if first is not None and not EvidencePack.objects.filter(pupil_id=first).exists():
                first_plan = SupportPlan.objects.filter(pupil_id=first).first()
                assert first_plan is not None  # pupil_ids are those with a plan
                pupil = first_plan.pupil
                if PackTemplate.objects.filter(
                    local_authority=pupil.home_local_authority, kind=PackKind.EHC_REQUEST
                ).exists():
                    services.pack_start(actor=senco, pupil=pupil, kind=PackKind.EHC_REQUEST)
                    packs += 1
    return [f"{added} outside professionals' involvement records, {packs} evidence packs being prepared"]
