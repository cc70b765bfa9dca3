"""Reads for data-subject rights: everything held about one pupil, and the pupils whose
records are past the retention period."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from casework.models import AnnualReview, Case, CaseNote, EHCPlan, EHCRequest, NamingConsultation
from evidence.models import EvidencePack, ProfessionalInvolvement
from funding.models import Award, Claim, ClaimEvent, Payment
from provision.models import Delivery, Enrolment
from provision.selectors import costs_for

# How an erased pupil looks is the register's rule, read here and by the privacy pages.
from pupils.erasure import (  # noqa: F401
    ERASED_NAME,
    ERASED_UPN_PREFIX,
    REDACTED_TEXT,
    erased_upn,
    is_erased,
)
from pupils.models import CensusImport, Pupil, RegisterEvent
from support.models import OnePageProfile, Outcome, PlanReview, SupportPlan
from trusts.models import School


def _erased_q() -> Q:
    return Q(upn__startswith=ERASED_UPN_PREFIX)


def retention_years() -> int:
    return int(settings.PRIVACY_RETENTION_YEARS)


def retention_cutoff(today: dt.date, years: int) -> dt.date:
    """Pupils born on or before this day are past `years` years of retention on `today`."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def pupils_past_retention(
    *, today: dt.date | None = None, years: int | None = None, schools: Iterable[School] | None = None
) -> QuerySet[Pupil]:
    """Pupils not yet erased whose date of birth plus the retention period has passed.
    Callers outside a request open `scopes_disabled()` themselves."""
    today = today or timezone.localdate()
    years = retention_years() if years is None else years
    qs = Pupil.objects.filter(date_of_birth__lte=retention_cutoff(today, years)).exclude(_erased_q())
    if schools is not None:
        qs = qs.filter(school__in=schools)
    return qs.select_related("school__trust").order_by("school__trust__slug", "pk")


def retention_counts_by_trust(pupils: QuerySet[Pupil]) -> dict[str, int]:
    """{trust slug: number of pupils}: counts only, no names."""
    return dict(sorted(Counter(pupils.values_list("school__trust__slug", flat=True)).items()))


def same_child_records(pupil: Pupil, *, school_ids: Iterable[int]) -> list[Pupil]:
    """The child's other register rows in these schools, by UPN, which stays with a child for
    life: a pupil who moved between the trust's schools has a row at each (the sending
    school's kept as history). None once the pupil's row is erased (its UPN is gone)."""
    if is_erased(pupil):
        return []
    return list(
        Pupil.objects.filter(upn=pupil.upn, school_id__in=school_ids)
        .exclude(pk=pupil.pk)
        .select_related("school")
        .order_by("school__name", "pk")
    )


def school_pupils(school: School) -> QuerySet[Pupil]:
    return Pupil.objects.filter(school=school).order_by("surname", "forename", "pk")


# --- Subject access ------------------------------------------------------------------------


@dataclass
class Section:
    """One CSV file of the export and one table of the summary."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    @property
    def filename(self) -> str:
        return f"{self.key}.csv"


def _d(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _who(user: object) -> str:
    return getattr(user, "email", "") or ""


def subject_access_sections(pupil: Pupil) -> list[Section]:
    """Everything the pupil's trust holds about `pupil`, section by section."""
    p = pupil
    sections = [
        Section(
            "pupil",
            "Register record",
            ["field", "value"],
            [
                ["record id", p.pk],
                ["school", f"{p.school.name} ({p.school.laestab})"],
                ["trust", p.school.trust.name],
                ["UPN", p.upn],
                ["surname", p.surname],
                ["forename", p.forename],
                ["date of birth", _d(p.date_of_birth)],
                ["gender", p.get_gender_display()],
                ["year group", p.year_group],
                ["home local authority", p.home_local_authority.name],
                ["SEN provision", p.get_provision_display()],
                ["primary need", p.get_primary_need_display()],
                ["secondary need", p.get_secondary_need_display()],
                ["left school on", _d(p.left_school_on)],
                ["record created", _d(p.created_at)],
                ["record last changed", _d(p.updated_at)],
            ],
        )
    ]
    events = RegisterEvent.objects.filter(pupil=p).select_related("actor")
    sections.append(
        Section(
            "register_history",
            "Register history",
            [
                "date",
                "change",
                "source",
                "from provision",
                "to provision",
                "from need",
                "to need",
                "note",
                "recorded by",
            ],
            [
                [
                    _d(e.date),
                    e.get_kind_display(),
                    e.get_source_display(),
                    e.from_provision,
                    e.to_provision,
                    e.from_need,
                    e.to_need,
                    e.note,
                    _who(e.actor),
                ]
                for e in events
            ],
        )
    )
    imports = CensusImport.objects.filter(school=p.school, status=CensusImport.Status.IMPORTED)
    sections.append(
        Section(
            "census_imports",
            "Census files of the school",
            ["census date", "file name", "imported at", "rows", "file still held"],
            [
                [_d(i.census_date), i.file_name, _d(i.imported_at), i.rows, "yes" if i.file else "no"]
                for i in imports
            ],
            note="Census rows are not stored per pupil: an import updates the register record "
            "above and the school's counts. The files uploaded for the school are kept as "
            "they were sent and may contain a row for this pupil; they are listed here.",
        )
    )

    claims = list(
        Claim.objects.filter(pupil=p).select_related("local_authority", "requested_band", "created_by")
    )
    sections.append(
        Section(
            "funding_claims",
            "Funding claims",
            [
                "claim id",
                "local authority",
                "financial year",
                "requested band",
                "status",
                "evidence summary",
                "provision to fund",
                "refusal reason",
                "submitted on",
                "decided on",
                "ended on",
                "created by",
            ],
            [
                [
                    c.pk,
                    c.local_authority.name,
                    c.financial_year,
                    c.requested_band.label,
                    c.get_status_display(),
                    c.evidence_summary,
                    c.provision_to_fund,
                    c.refusal_reason,
                    _d(c.submitted_on),
                    _d(c.decided_on),
                    _d(c.ended_on),
                    _who(c.created_by),
                ]
                for c in claims
            ],
        )
    )
    sections.append(
        Section(
            "funding_awards",
            "Funding awards",
            ["claim id", "band", "start date", "end date"],
            [
                [a.claim_id, a.band.label, _d(a.start_date), _d(a.end_date)]
                for a in Award.objects.filter(claim__in=claims).select_related("band")
            ],
        )
    )
    sections.append(
        Section(
            "funding_payments",
            "Funding payments",
            ["claim id", "amount (GBP)", "received on", "reference"],
            [
                [pay.claim_id, f"{pay.amount:.2f}", _d(pay.received_on), pay.reference]
                for pay in Payment.objects.filter(claim__in=claims)
            ],
        )
    )
    sections.append(
        Section(
            "funding_claim_history",
            "Funding claim history",
            ["claim id", "event", "from status", "to status", "effective on", "note", "by", "at"],
            [
                [
                    e.claim_id,
                    e.get_kind_display(),
                    e.from_status,
                    e.to_status,
                    _d(e.effective_on),
                    e.note,
                    _who(e.actor),
                    _d(e.created_at),
                ]
                for e in ClaimEvent.objects.filter(claim__in=claims).select_related("actor")
            ],
        )
    )
    enrolments = list(
        Enrolment.objects.filter(pupil=p).select_related("intervention").order_by("start_date", "pk")
    )
    costs = costs_for({e.intervention_id: e.intervention for e in enrolments}.values())
    sections.append(
        Section(
            "provision_enrolments",
            "Provision (interventions)",
            [
                "enrolment id",
                "intervention",
                "kind",
                "delivered by",
                "area of need",
                "sessions a week",
                "minutes a session",
                "group size",
                "cost a year (GBP)",
                "start date",
                "end date",
                "measure",
                "entry score",
                "exit score",
                "notes",
            ],
            [
                [
                    e.pk,
                    e.intervention.name,
                    e.intervention.get_kind_display(),
                    e.intervention.staff_role,
                    e.intervention.get_area_of_need_display(),
                    e.intervention.sessions_per_week,
                    e.intervention.minutes_per_session,
                    e.intervention.group_size,
                    _d(costs.get(e.intervention_id)),
                    _d(e.start_date),
                    _d(e.end_date),
                    e.intervention.measure_scale,
                    _d(e.entry_score),
                    _d(e.exit_score),
                    e.notes,
                ]
                for e in enrolments
            ],
        )
    )
    sessions = list(
        Delivery.objects.filter(attended__in=enrolments)
        .select_related("intervention")
        .order_by("date", "pk")
        .distinct()
    )
    sections.append(
        Section(
            "provision_sessions",
            "Provision sessions attended",
            ["intervention", "date", "minutes", "note"],
            [[d.intervention.name, _d(d.date), d.minutes, d.note] for d in sessions],
        )
    )

    requests = list(EHCRequest.objects.filter(pupil=p).select_related("local_authority"))
    sections.append(
        Section(
            "ehc_requests",
            "EHC needs assessment requests",
            [
                "request id",
                "local authority",
                "requested by",
                "request date",
                "decision",
                "decision date",
                "draft plan sent",
                "parents' comments",
                "outcome",
                "outcome date",
            ],
            [
                [
                    r.pk,
                    r.local_authority.name,
                    r.get_requested_by_display(),
                    _d(r.request_date),
                    r.get_decision_display(),
                    _d(r.decision_date),
                    _d(r.draft_plan_date),
                    _d(r.parents_comments_date),
                    r.get_outcome_display(),
                    _d(r.outcome_date),
                ]
                for r in requests
            ],
        )
    )
    plans = list(EHCPlan.objects.filter(pupil=p).select_related("local_authority"))
    sections.append(
        Section(
            "ehc_plans",
            "EHC plans",
            [
                "plan id",
                "local authority",
                "issue date",
                "phase transfer year",
                "amended plan issued on",
                "ceased on",
            ],
            [
                [
                    pl.pk,
                    pl.local_authority.name,
                    _d(pl.issue_date),
                    _d(pl.phase_transfer_year),
                    _d(pl.amended_plan_issued_on),
                    _d(pl.ceased_on),
                ]
                for pl in plans
            ],
        )
    )
    reviews = list(AnnualReview.objects.filter(plan__in=plans))
    sections.append(
        Section(
            "annual_reviews",
            "Annual reviews",
            ["plan id", "meeting date", "LA decision", "LA decision date", "review report sent to the LA"],
            [
                [
                    r.plan_id,
                    _d(r.meeting_date),
                    r.get_la_decision_display(),
                    _d(r.la_decision_date),
                    _d(r.report_sent_on),
                ]
                for r in reviews
            ],
        )
    )
    # The consultations about the pupil, and those about the same child before they joined the
    # register (a prospective pupil with their name and date of birth) at any of the trust's
    # schools.
    consultations = list(
        NamingConsultation.objects.filter(
            Q(pupil=p)
            | Q(
                pupil__isnull=True,
                school__trust_id=p.school.trust_id,
                prospective_forename__iexact=p.forename,
                prospective_surname__iexact=p.surname,
                prospective_date_of_birth=p.date_of_birth,
            )
        )
        .select_related("local_authority", "school", "signed_off_by")
        .order_by("received_on")
    )
    sections.append(
        Section(
            "naming_consultations",
            "LA consultations on naming a school",
            [
                "consultation id",
                "school",
                "local authority",
                "received",
                "as a prospective pupil",
                "can the school meet the needs",
                "ground",
                "why",
                "response sent",
                "signed off by",
                "outcome",
                "outcome date",
            ],
            [
                [
                    c.pk,
                    c.school.name,
                    c.local_authority.name,
                    _d(c.received_on),
                    "yes" if c.pupil_id is None else "no",
                    "" if c.can_meet_needs is None else ("yes" if c.can_meet_needs else "no"),
                    c.get_ground_display(),
                    c.reasons,
                    _d(c.responded_on),
                    _who(c.signed_off_by),
                    c.get_outcome_display(),
                    _d(c.outcome_on),
                ]
                for c in consultations
            ],
        )
    )
    cases = list(Case.objects.filter(pupil=p).select_related("owner"))
    sections.append(
        Section(
            "cases",
            "Cases",
            ["case id", "kind", "title", "status", "opened on", "closed on", "outcome", "owner"],
            [
                [
                    c.pk,
                    c.get_kind_display(),
                    c.title,
                    c.get_status_display(),
                    _d(c.opened_on),
                    _d(c.closed_on),
                    c.outcome,
                    _who(c.owner),
                ]
                for c in cases
            ],
        )
    )
    notes = list(CaseNote.objects.filter(case__in=cases).select_related("author"))
    sections.append(
        Section(
            "case_notes",
            "Case notes",
            ["case id", "written at", "author", "text"],
            [[n.case_id, _d(n.created_at), _who(n.author), n.text] for n in notes],
        )
    )

    support_plans = list(
        SupportPlan.objects.filter(pupil=p).select_related("owner").order_by("starts_on", "pk")
    )
    sections.append(
        Section(
            "support_plans",
            "SEN support plans",
            [
                "plan id",
                "status",
                "start",
                "review date",
                "closed on",
                "lead",
                "needs",
                "strengths",
                "what has been tried",
                "the pupil's views",
                "the parents' or carers' views",
                "follows plan id",
            ],
            [
                [
                    sp.pk,
                    sp.get_status_display(),
                    _d(sp.starts_on),
                    _d(sp.review_due),
                    _d(sp.closed_on),
                    _who(sp.owner),
                    sp.needs,
                    sp.strengths,
                    sp.tried_before,
                    sp.pupil_views,
                    sp.parent_views,
                    sp.follows_id or "",
                ]
                for sp in support_plans
            ],
        )
    )
    outcomes = list(Outcome.objects.filter(plan__in=support_plans).order_by("plan_id", "position"))
    sections.append(
        Section(
            "support_plan_outcomes",
            "SEN support plan outcomes",
            [
                "plan id",
                "number",
                "outcome",
                "success criteria",
                "support",
                "review date",
                "progress",
                "evidence",
            ],
            [
                [
                    o.plan_id,
                    o.position,
                    o.description,
                    o.success_criteria,
                    o.support,
                    _d(o.review_by),
                    o.get_progress_display(),
                    o.evidence,
                ]
                for o in outcomes
            ],
        )
    )
    plan_reviews = list(
        PlanReview.objects.filter(plan__in=support_plans).select_related("recorded_by").order_by("plan_id")
    )
    sections.append(
        Section(
            "support_plan_reviews",
            "SEN support plan reviews",
            [
                "plan id",
                "date of the review",
                "next steps",
                "the pupil's views",
                "the parents' or carers' views",
                "recorded by",
                "recorded at",
            ],
            [
                [
                    r.plan_id,
                    _d(r.held_on),
                    r.next_steps,
                    r.pupil_views,
                    r.parent_views,
                    _who(r.recorded_by),
                    _d(r.recorded_at),
                ]
                for r in plan_reviews
            ],
        )
    )
    profiles = list(OnePageProfile.objects.filter(pupil=p).select_related("created_by").order_by("version"))
    sections.append(
        Section(
            "one_page_profiles",
            "One-page profiles (every version)",
            [
                "version",
                "what people like and admire about me",
                "what is important to me",
                "how best to support me",
                "my needs in my own words",
                "who helped to write it",
                "saved by",
                "saved at",
            ],
            [
                [
                    pr.version,
                    pr.like_and_admire,
                    pr.important_to_me,
                    pr.how_to_support,
                    pr.my_needs,
                    pr.written_with,
                    _who(pr.created_by),
                    _d(pr.created_at),
                ]
                for pr in profiles
            ],
        )
    )

    professionals = list(
        ProfessionalInvolvement.objects.filter(pupil=p)
        .select_related("created_by")
        .order_by("started_on", "pk")
    )
    sections.append(
        Section(
            "outside_professionals",
            "Outside professionals' involvement",
            [
                "record id",
                "professional",
                "name or service",
                "involved since",
                "date of latest report",
                "what they found and advised",
                "recorded by",
                "recorded at",
            ],
            [
                [
                    pi.pk,
                    pi.get_role_display(),
                    pi.who,
                    _d(pi.started_on),
                    _d(pi.report_on),
                    pi.advice,
                    _who(pi.created_by),
                    _d(pi.created_at),
                ]
                for pi in professionals
            ],
        )
    )
    packs = list(
        EvidencePack.objects.filter(pupil=p)
        .select_related("local_authority", "sent_by", "created_by")
        .order_by("created_at", "pk")
    )
    sections.append(
        Section(
            "evidence_packs",
            "Evidence packs sent to the local authority",
            [
                "pack id",
                "kind",
                "local authority",
                "status",
                "started at",
                "started by",
                "sent on",
                "sent by",
                "EHC request id",
                "top-up claim id",
                "what was sent",
            ],
            [
                [
                    pk.pk,
                    pk.get_kind_display(),
                    pk.local_authority.name,
                    pk.get_status_display(),
                    _d(pk.created_at),
                    _who(pk.created_by),
                    _d(pk.sent_on),
                    _who(pk.sent_by),
                    pk.ehc_request_id or "",
                    pk.claim_id or "",
                    _sent_text(pk.sent_content),
                ]
                for pk in packs
            ],
            note="A pack being prepared is drawn from the records above each time it is opened; a "
            "sent pack keeps what it said on the day it was sent.",
        )
    )

    subjects: list[Model] = [
        p,
        *events,
        *claims,
        *enrolments,
        *requests,
        *plans,
        *reviews,
        *consultations,
        *cases,
        *notes,
        *support_plans,
        *outcomes,
        *plan_reviews,
        *profiles,
        *professionals,
        *packs,
    ]
    entries = audit_entries_about(subjects)
    sections.append(
        Section(
            "audit",
            "Audit trail",
            ["time (UTC)", "who", "action", "record type", "record", "changes"],
            [
                [
                    _d(e.timestamp),
                    e.actor_email or "system",
                    e.get_action_display(),
                    e.content_type.model,
                    e.object_repr,
                    e.changes_str,
                ]
                for e in entries
            ],
            note="Every view, change and export of these records. Changed names, dates of birth, "
            "UPNs and free text are recorded as changed without their values.",
        )
    )
    return sections


def _sent_text(content: list[dict[str, Any]]) -> str:
    """A sent pack's sections as plain text, heading by heading."""
    parts = []
    for section in content or []:
        lines = [section.get("heading", "")]
        lines += [f"{label}: {text}" if label else text for label, text in section.get("lines", [])]
        for caption, header, rows in section.get("tables", []):
            lines.append(caption)
            lines += [" | ".join(str(c) for c in row) for row in [header, *rows]]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def audit_entries_about(objects: list[Model]) -> QuerySet[LogEntry]:
    """Audit entries about any of `objects` (one query, whatever their number)."""
    by_type: dict[int, list[str]] = {}
    for obj in objects:
        ct = ContentType.objects.get_for_model(obj)  # cached by Django
        by_type.setdefault(ct.pk, []).append(str(obj.pk))
    # auditlog ships no types: its querysets are typed here.
    entries: QuerySet[LogEntry]
    if not by_type:
        entries = LogEntry.objects.none()
        return entries
    q = Q()
    for ct_id, pks in by_type.items():
        q |= Q(content_type_id=ct_id, object_pk__in=pks)
    entries = LogEntry.objects.filter(q).select_related("content_type").order_by("timestamp", "pk")
    return entries
