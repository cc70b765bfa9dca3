"""Every write of the evidence app. Callers (views, the admin, the demo) have checked access;
each service checks the facts and raises ValidationError with a clear message, changing
nothing, when they do not hold. Changes are audited through django-auditlog (registered in
apps.py, free text masked).

Sending an EHC needs assessment pack asks casework to record the request
(`casework.services.ehc_request_create`) with the date sent as its request date: that date
starts the 6-week clock of the LA's decision whether to assess, and the 20 weeks to a final
plan. A top-up bid is sent for one of the pupil's draft claims; the pack records it with its
date, and the claim is submitted to the LA by those who may submit claims, on its own page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework import services as casework_services
from casework.models import EHCRequest
from funding.models import Claim, ClaimStatus
from pupils.erasure import REDACTED_TEXT, PupilErasure
from pupils.models import Provision, Pupil
from trusts.models import LocalAuthority, User

from . import selectors
from .models import (
    EvidencePack,
    PackKind,
    PackTemplate,
    ProfessionalInvolvement,
    Source,
    TemplateSection,
)

# Sources that only make sense in one kind of pack.
TOP_UP_ONLY = frozenset({Source.CLAIM})


def _today() -> dt.date:
    return timezone.localdate()


# --- Outside professionals -------------------------------------------------------------------


@transaction.atomic
def professional_add(
    *,
    actor: User,
    pupil: Pupil,
    role: str,
    who: str,
    started_on: dt.date,
    advice: str,
    report_on: dt.date | None = None,
    today: dt.date | None = None,
) -> ProfessionalInvolvement:
    today = today or _today()
    errors = {}
    if role not in ProfessionalInvolvement.Role.values:
        errors["role"] = "Select who the professional is."
    if not who.strip():
        errors["who"] = "Enter the professional's name or service."
    if not advice.strip():
        errors["advice"] = "Enter what they found and advised."
    if started_on and started_on > today:
        errors["started_on"] = "The date they became involved cannot be in the future."
    if report_on and report_on > today:
        errors["report_on"] = "The date of their report cannot be in the future."
    elif report_on and started_on and report_on < started_on:
        errors["report_on"] = "The date of their report must be on or after they became involved."
    if errors:
        raise ValidationError(errors)
    return ProfessionalInvolvement.objects.create(
        pupil=pupil,
        school=pupil.school,
        role=role,
        who=who.strip(),
        started_on=started_on,
        report_on=report_on,
        advice=advice.strip(),
        created_by=actor,
    )


# --- Packs -----------------------------------------------------------------------------------


@transaction.atomic
def pack_start(*, actor: User, pupil: Pupil, kind: str, claim: Claim | None = None) -> EvidencePack:
    """A pack in preparation for the pupil, on the template of the pupil's home LA."""
    if kind not in PackKind.values:
        raise ValidationError({"kind": "Select what the pack is for."})
    if pupil.left_school_on is not None:
        raise ValidationError("This pupil has left the school: their new school sends any request.")
    la = pupil.home_local_authority
    template = PackTemplate.objects.filter(local_authority=la, kind=kind).first()
    if template is None:
        raise ValidationError(
            f"There is no {PackKind(kind).label.lower()} template for {la.name} yet: a "
            "platform admin adds it in the admin (Evidence packs › LA evidence pack templates)."
        )
    if kind == PackKind.TOP_UP:
        if claim is None:
            raise ValidationError({"claim": "Select the draft claim the bid is for."})
        if claim.pupil_id != pupil.pk or claim.status != ClaimStatus.DRAFT:
            raise ValidationError({"claim": "Select one of this pupil's draft claims."})
        if pupil.provision not in (Provision.EHC_PLAN, Provision.SEN_SUPPORT):
            raise ValidationError("Only a pupil on the SEN register can have a top-up bid.")
    else:
        claim = None
    if EvidencePack.objects.filter(pupil=pupil, kind=kind, status=EvidencePack.Status.DRAFT).exists():
        raise ValidationError(
            f"This pupil already has a {PackKind(kind).label.lower()} pack "
            "being prepared: carry on with that one."
        )
    return EvidencePack.objects.create(
        pupil=pupil,
        school=pupil.school,
        local_authority=la,
        kind=kind,
        template=template,
        claim=claim,
        created_by=actor,
    )


@transaction.atomic
def pack_send(
    *, actor: User, pack: EvidencePack, sent_on: dt.date, today: dt.date | None = None
) -> EvidencePack:
    """Record the pack as sent on `sent_on`, keeping its sections as they are now. For an EHC
    needs assessment request this records the request in casework, dated `sent_on`."""
    today = today or _today()
    pack = (
        EvidencePack.objects.select_for_update(of=("self",))
        .select_related("pupil__school", "pupil__home_local_authority", "template", "claim")
        .get(pk=pack.pk)
    )
    if pack.is_sent:
        raise ValidationError(f"This pack was already sent, on {selectors.long_date(pack.sent_on)}.")
    if sent_on is None:
        raise ValidationError({"sent_on": "Enter the date the pack was sent."})
    if sent_on > today:
        raise ValidationError({"sent_on": "The date sent cannot be in the future."})
    if sent_on < timezone.localtime(pack.created_at).date():
        raise ValidationError({"sent_on": "The date sent cannot be before the pack was started."})
    assembled = selectors.assemble_pack(pack)
    if pack.kind == PackKind.EHC_REQUEST:
        pack.ehc_request = casework_services.ehc_request_create(
            actor=actor,
            pupil=pack.pupil,
            requested_by=EHCRequest.RequestedBy.SCHOOL,
            request_date=sent_on,
            local_authority=pack.local_authority,
            owner=actor,
        )
    else:
        assert pack.claim_id is not None  # a top-up bid's pack is started with its claim
        claim = Claim.objects.select_for_update().get(pk=pack.claim_id)
        if claim.status != ClaimStatus.DRAFT:
            raise ValidationError(
                f"The claim this bid is for is no longer a draft ({claim.get_status_display().lower()})."
            )
    pack.status, pack.sent_on, pack.sent_by = EvidencePack.Status.SENT, sent_on, actor
    pack.sent_content = selectors.snapshot(assembled)
    pack.save()
    return pack


@transaction.atomic
def pack_discard(*, actor: User, pack: EvidencePack) -> None:
    """Delete a pack still being prepared (nothing of the child's is in it until it is sent)."""
    pack = EvidencePack.objects.select_for_update().get(pk=pack.pk)
    if pack.is_sent:
        raise ValidationError("A sent pack is kept as it was sent.")
    pack.delete()


# --- LA templates (the admin) ------------------------------------------------------------------


def check_sections(kind: str, sections: Iterable[TemplateSection]) -> None:
    positions = []
    for s in sections:
        if not s.heading.strip():
            raise ValidationError("Every section needs a heading.")
        if s.source in TOP_UP_ONLY and kind != PackKind.TOP_UP:
            raise ValidationError(f"“{Source(s.source).label}” belongs in a top-up bid only.")
        positions.append(s.position)
    if len(positions) != len(set(positions)):
        raise ValidationError("Two sections have the same position: number them in order.")


@transaction.atomic
def template_save(
    *,
    actor: User | None,
    template: PackTemplate,
    sections: list[TemplateSection] | None = None,
    removed: Iterable[TemplateSection] = (),
) -> PackTemplate:
    """Save an LA's template and, when given, its sections (those in `removed` deleted). Packs
    already sent keep the sections they were sent with."""
    if not template.title.strip():
        raise ValidationError("Enter the title of the LA's form.")
    if template.kind not in PackKind.values:
        raise ValidationError("Select the kind of pack the template is for.")
    clash = PackTemplate.objects.filter(
        local_authority_id=template.local_authority_id, kind=template.kind
    ).exclude(pk=template.pk)
    if clash.exists():
        raise ValidationError(
            f"{template.local_authority.name} already has a {template.get_kind_display().lower()} template."
        )
    template.save()
    if sections is not None:
        removed_ids = {s.pk for s in removed if s.pk}
        kept = [s for s in sections if s.pk is None or s.pk not in removed_ids]
        check_sections(template.kind, kept)
        TemplateSection.objects.filter(template=template, pk__in=removed_ids).delete()
        # Two sections may swap positions: move the kept rows out of the way first, so the
        # unique position never clashes half-way through.
        for n, s in enumerate(s for s in kept if s.pk):
            TemplateSection.objects.filter(pk=s.pk).update(position=10000 + n)
        for s in kept:
            s.template = template
            s.save()
    elif template.pk:
        check_sections(template.kind, template.sections.all())
    return template


@transaction.atomic
def template_create_default(
    *,
    actor: User | None,
    local_authority: LocalAuthority,
    kind: str,
    title: str,
    sections: list[tuple[str, str, str]],
    introduction: str = "",
) -> PackTemplate | None:
    """A template from reference data, when the LA has none of this kind (create only: an
    admin's edits are never overwritten). `sections`: (heading, source, guidance) in order."""
    if PackTemplate.objects.filter(local_authority=local_authority, kind=kind).exists():
        return None
    template = PackTemplate(
        local_authority=local_authority, kind=kind, title=title, introduction=introduction
    )
    rows = [
        TemplateSection(position=n, heading=h, source=src, guidance=g)
        for n, (h, src, g) in enumerate(sections, start=1)
    ]
    return template_save(actor=actor, template=template, sections=rows)


# --- Erasure ---------------------------------------------------------------------------------


def pupil_evidence_erase(erasure: PupilErasure) -> None:
    """Packs sent keep their dates and LA but lose what they said about the child;
    professionals' advice goes, their role and dates stay. The pupil's name and UPN are cut
    out of other pupils' professionals' records at the school."""
    pupil = erasure.pupil
    EvidencePack.objects.filter(pupil=pupil).exclude(sent_content=[]).update(
        sent_content=[
            {
                "position": 1,
                "heading": REDACTED_TEXT,
                "source": "",
                "guidance": "",
                "lines": [],
                "tables": [],
                "missing": [],
            }
        ]
    )
    ProfessionalInvolvement.objects.filter(pupil=pupil).update(who=REDACTED_TEXT, advice=REDACTED_TEXT)
    erasure.cut_mentions(
        ProfessionalInvolvement.objects.filter(school_id=pupil.school_id).exclude(pupil=pupil),
        ("who", "advice"),
    )
