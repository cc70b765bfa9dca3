"""Reads of the evidence app: what a pupil's records hold for a pack, section by section, in
the order of the LA's template, and what is missing from them. A fixed number of queries,
however many cycles, interventions or professionals the child has."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from funding.models import Claim, ClaimStatus
from provision import selectors as provision_selectors
from pupils.models import Pupil
from support import selectors as support_selectors
from support.models import OnePageProfile, Outcome, PlanReview, SupportPlan
from trusts import audit

from .models import EvidencePack, PackKind, PackTemplate, ProfessionalInvolvement, Source

if TYPE_CHECKING:
    from provision.models import Enrolment

# The LAs' guidance (and the SEND Code of Practice, 6.63) expect at least two cycles of
# assess, plan, do, review before a request: fewer is the first thing an LA sends back.
CYCLES_EXPECTED = 2


def long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _score(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{value.normalize():f}"


def template_for(local_authority_id: int, kind: str) -> PackTemplate | None:
    return (
        PackTemplate.objects.filter(local_authority_id=local_authority_id, kind=kind)
        .select_related("local_authority")
        .prefetch_related("sections")
        .first()
    )


def packs_for_pupil(pupil: Pupil) -> list[EvidencePack]:
    """The pupil's packs, newest first, with their LA, claim and request. One query."""
    return list(
        EvidencePack.objects.filter(pupil=pupil)
        .select_related("local_authority", "ehc_request", "claim__requested_band", "created_by", "sent_by")
        .order_by("-created_at", "-pk")
    )


def professionals_for_pupil(pupil: Pupil) -> list[ProfessionalInvolvement]:
    return list(ProfessionalInvolvement.objects.filter(pupil=pupil).order_by("-started_on", "-pk"))


def claims_to_bid_for(pupil: Pupil) -> QuerySet[Claim]:
    """The pupil's draft top-up claims: a bid's evidence goes with one of them."""
    return (
        Claim.objects.filter(pupil=pupil, status=ClaimStatus.DRAFT)
        .select_related("requested_band", "local_authority")
        .order_by("-financial_year", "pk")
    )


@dataclass
class Missing:
    """Something the LA will look for that the records do not have, and where to add it."""

    key: str
    text: str
    href: str = ""
    link_text: str = ""


@dataclass
class Section:
    position: int
    heading: str
    source: str
    guidance: str
    # Each entry is (label, text): label empty for a paragraph of its own.
    lines: list[tuple[str, str]] = field(default_factory=list)
    # Tables: (caption, header, rows), for cycles and provision.
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)


@dataclass
class Assembled:
    template: PackTemplate
    sections: list[Section]
    missing: list[Missing]
    completed_cycles: int


@dataclass
class _Evidence:
    pupil: Pupil
    plans: list[SupportPlan]
    closed: list[SupportPlan]
    profile: OnePageProfile | None
    enrolments: list[Enrolment]
    professionals: list[ProfessionalInvolvement]
    claim: Claim | None


def _gather(pupil: Pupil, claim: Claim | None) -> _Evidence:
    plans = list(
        SupportPlan.objects.filter(pupil=pupil)
        .select_related("review")
        .prefetch_related(Prefetch("outcomes", queryset=Outcome.objects.order_by("position", "pk")))
        .order_by("starts_on", "pk")
    )
    closed = [p for p in plans if p.is_closed]
    enrolments = provision_selectors.enrolments_for_pupil(pupil)
    costs = provision_selectors.costs_for({e.intervention_id: e.intervention for e in enrolments}.values())
    for enrolment in enrolments:
        enrolment.annual_cost = costs.get(enrolment.intervention_id)
    return _Evidence(
        pupil=pupil,
        plans=plans,
        closed=closed,
        profile=support_selectors.latest_profile(pupil),
        enrolments=enrolments,
        professionals=professionals_for_pupil(pupil),
        claim=claim,
    )


def _review(plan: SupportPlan) -> PlanReview | None:
    try:
        return plan.review
    except SupportPlan.review.RelatedObjectDoesNotExist:
        return None


def _views(ev: _Evidence, attr: str) -> list[tuple[str, str]]:
    """The child's or parents' views from every cycle's assessment and review, oldest first."""
    lines = []
    for plan in ev.plans:
        if getattr(plan, attr).strip():
            lines.append((f"At the assessment of {long_date(plan.starts_on)}", getattr(plan, attr)))
        review = _review(plan)
        if review is not None and review.is_recorded and getattr(review, attr).strip():
            lines.append((f"At the review of {long_date(review.held_on)}", getattr(review, attr)))
    return lines


def _fill(section: Section, ev: _Evidence, pupil: Pupil) -> None:
    source = section.source
    if source == Source.PUPIL:
        section.lines = [
            ("Name", pupil.full_name),
            ("Date of birth", long_date(pupil.date_of_birth)),
            ("UPN", pupil.upn),
            ("Year group", pupil.year_group),
            ("School", f"{pupil.school.name} ({pupil.school.laestab})"),
            ("Home local authority", pupil.home_local_authority.name),
            ("SEN provision", pupil.get_provision_display()),
            ("Primary need", pupil.get_primary_need_display() or "Not recorded"),
            ("Secondary need", pupil.get_secondary_need_display() or "None recorded"),
        ]
    elif source == Source.PROFILE:
        p = ev.profile
        if p is None:
            section.missing.append(
                Missing(
                    "profile",
                    "No one-page profile",
                    reverse("support:profile_edit", args=[pupil.pk]),
                    "Write the one-page profile",
                )
            )
            return
        section.lines = [
            ("What people like and admire about me", p.like_and_admire),
            ("What is important to me", p.important_to_me),
            ("How best to support me", p.how_to_support),
            ("My needs in my own words", p.my_needs),
            (
                "Written",
                f"Version {p.version}, "
                f"{long_date(timezone.localtime(p.created_at).date())}"
                + (f"; {p.written_with}" if p.written_with else ""),
            ),
        ]
    elif source == Source.CHILD_VIEWS:
        section.lines = _views(ev, "pupil_views")
        if ev.profile is not None:
            section.lines.append(("In the one-page profile, in the child's words", ev.profile.my_needs))
        if not section.lines:
            section.missing.append(
                Missing(
                    "child_views",
                    "No views of the child recorded",
                    reverse("support:plan_list"),
                    "Record them in a support plan",
                )
            )
    elif source == Source.PARENT_VIEWS:
        section.lines = _views(ev, "parent_views")
        if not section.lines:
            section.missing.append(
                Missing(
                    "parent_views",
                    "No parents' or carers' views recorded",
                    reverse("support:plan_list"),
                    "Record them in a support plan",
                )
            )
    elif source == Source.NEEDS:
        latest = ev.plans[-1] if ev.plans else None
        if latest is None:
            section.missing.append(
                Missing(
                    "needs",
                    "No assessment of needs in a support plan",
                    reverse("support:plan_new", args=[pupil.pk]),
                    "Start a SEN support plan",
                )
            )
            return
        section.lines = [
            ("Needs", latest.needs or "Not recorded"),
            ("Strengths", latest.strengths or "Not recorded"),
            ("What has been tried", latest.tried_before or "Not recorded"),
            ("Assessed", long_date(latest.starts_on)),
        ]
    elif source == Source.CYCLES:
        for number, plan in enumerate(ev.closed, start=1):
            review = _review(plan)
            rows = [
                [
                    str(o.position),
                    o.description,
                    o.success_criteria,
                    o.get_progress_display() or "–",
                    o.evidence or "–",
                ]
                for o in plan.outcomes.all()
            ]
            caption = f"Cycle {number}: {long_date(plan.starts_on)} to {long_date(plan.closed_on)}" + (
                f", reviewed {long_date(review.held_on)}" if review else ""
            )
            section.tables.append((caption, ["#", "Outcome", "Success criteria", "Result", "Evidence"], rows))
            if review is not None and review.next_steps:
                section.lines.append((f"Next steps after cycle {number}", review.next_steps))
        if len(ev.closed) < CYCLES_EXPECTED:
            done = len(ev.closed)
            section.missing.append(
                Missing(
                    "cycles",
                    f"Fewer than {CYCLES_EXPECTED} completed cycles of assess, plan, do, review "
                    f"({done} completed)",
                    reverse("support:plan_list"),
                    "See the support plans",
                )
            )
    elif source == Source.PROVISION:
        rows = []
        measured = 0
        for e in ev.enrolments:
            i = e.intervention
            if e.entry_score is not None and e.exit_score is not None:
                measured += 1
            rows.append(
                [
                    i.name,
                    f"{long_date(e.start_date)} to {long_date(e.end_date) or 'now'}",
                    f"{i.sessions_per_week.normalize():f} × {i.minutes_per_session} min, "
                    f"group of {i.group_size}",
                    f"£{e.annual_cost:,.2f}" if e.annual_cost is not None else "–",
                    i.measure_scale or "–",
                    _score(e.entry_score),
                    _score(e.exit_score),
                ]
            )
        if rows:
            section.tables.append(
                (
                    "Provision",
                    ["Intervention", "When", "Sessions", "Cost a year", "Measure", "Entry", "Exit"],
                    rows,
                )
            )
            total = sum(
                (e.annual_cost or Decimal(0) for e in ev.enrolments if e.end_date is None), Decimal(0)
            )
            section.lines.append(("Annual cost of current provision", f"£{total:,.2f}"))
        if not measured:
            section.missing.append(
                Missing(
                    "provision",
                    "No provision with entry and exit measures",
                    reverse("provision:pupil", args=[pupil.pk]),
                    "See the pupil's provision",
                )
            )
    elif source == Source.PROFESSIONALS:
        for involvement in ev.professionals:
            label = (
                f"{involvement.get_role_display()}: {involvement.who}, "
                f"since {long_date(involvement.started_on)}"
            )
            if involvement.report_on:
                label += f" (report {long_date(involvement.report_on)})"
            section.lines.append((label, involvement.advice))
        if not ev.professionals:
            section.missing.append(
                Missing(
                    "professionals",
                    "No involvement of outside professionals recorded",
                    reverse("evidence:professional_new", args=[pupil.pk]),
                    "Add an outside professional",
                )
            )
    elif source == Source.CLAIM:
        claim = ev.claim
        if claim is None:
            section.missing.append(Missing("claim", "No top-up claim"))
            return
        section.lines = [
            ("Band requested", claim.requested_band.display_label),
            ("Financial year", f"{claim.financial_year}-{(claim.financial_year + 1) % 100:02d}"),
            ("Summary of the evidence", claim.evidence_summary),
            ("Provision to be funded", claim.provision_to_fund),
        ]


def assemble(*, pupil: Pupil, template: PackTemplate, claim: Claim | None = None) -> Assembled:
    """The template's sections filled from the pupil's records, and what is missing. Seven
    queries whatever the size of the record (with the template's sections prefetched)."""
    return _assemble(_gather(pupil, claim), pupil, template)


def _assemble(ev: _Evidence, pupil: Pupil, template: PackTemplate) -> Assembled:
    sections = []
    for s in template.sections.all():
        section = Section(s.position, s.heading, s.source, s.guidance)
        _fill(section, ev, pupil)
        sections.append(section)
    missing: list[Missing] = []
    seen = set()
    for section in sections:
        for m in section.missing:
            if m.key not in seen:
                seen.add(m.key)
                missing.append(m)
    return Assembled(template, sections, missing, len(ev.closed))


@dataclass(frozen=True)
class PackLine:
    """A pack on the pupil page, with how many things the LA asks for it lacks."""

    pack: EvidencePack
    missing: int


def pack_lines_for_pupil(pupil: Pupil) -> list[PackLine]:
    """The pupil's packs, newest first, each with how many things the LA asks for are missing:
    a sent pack's as it was sent (kept with it), a draft's from the records now. The records
    are gathered once for all the drafts (one of each kind at most): two queries without a
    draft, at most eight with one or two, however many packs or records."""
    packs = list(
        EvidencePack.objects.filter(pupil=pupil)
        .select_related("local_authority", "template", "claim__requested_band")
        .prefetch_related("template__sections")
        .order_by("-created_at", "-pk")
    )
    ev = _gather(pupil, None) if any(not p.is_sent for p in packs) else None
    lines = []
    for pack in packs:
        if ev is None or pack.is_sent:
            missing = len({text for s in pack.sent_content for text in s.get("missing", [])})
        else:
            ev.claim = pack.claim
            missing = len(_assemble(ev, pupil, pack.template).missing)
        lines.append(PackLine(pack, missing))
    return lines


def draft_pack_count(*, school_ids: Iterable[int]) -> int:
    """Packs being prepared, not yet sent, at these schools. One query."""
    return EvidencePack.objects.filter(
        school_id__in=list(school_ids), status=EvidencePack.Status.DRAFT
    ).count()


def packs_list(
    *, school_ids: Iterable[int], status: str = "", school_id: int | None = None
) -> list[EvidencePack]:
    """The packs of these schools for the packs list, newest first, filtered by status and
    school, with their pupil, school and LA. One query."""
    ids = set(school_ids)
    if school_id is not None:
        ids &= {school_id}
    qs = EvidencePack.objects.filter(school_id__in=ids).select_related("pupil", "school", "local_authority")
    if status:
        qs = qs.filter(status=status)
    packs = list(qs.order_by("-created_at", "-pk"))
    audit.pupils_read(p.pupil_id for p in packs)
    return packs


def assemble_pack(pack: EvidencePack) -> Assembled:
    return assemble(pupil=pack.pupil, template=pack.template, claim=pack.claim)


def snapshot(assembled: Assembled) -> list[dict[str, Any]]:
    """The sections as plain data, kept with a sent pack."""
    return [
        {
            "position": s.position,
            "heading": s.heading,
            "source": s.source,
            "guidance": s.guidance,
            "lines": [list(line) for line in s.lines],
            "tables": [[caption, header, rows] for caption, header, rows in s.tables],
            "missing": [m.text for m in s.missing],
        }
        for s in assembled.sections
    ]


def from_snapshot(pack: EvidencePack) -> list[Section]:
    """A sent pack's sections as they were sent."""
    return [
        Section(
            s["position"],
            s["heading"],
            s["source"],
            s["guidance"],
            lines=[tuple(line) for line in s["lines"]],
            tables=[tuple(t) for t in s["tables"]],
            missing=[Missing("", text) for text in s["missing"]],
        )
        for s in pack.sent_content
    ]


def kind_label(kind: str) -> str:
    return PackKind(kind).label
