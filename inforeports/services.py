"""Every write of SEN information reports. Callers (views, the demo) have already found the
trust or school through trusts.access; each service checks the actor's capability again and
the facts of the domain, and raises ValidationError with a clear message, changing nothing,
when they do not hold. Changes are audited (inforeports.apps registers the models).

The rules:
* the Head of SEND writes the trust's template (the policy text under each heading);
* a school has at most one draft a school year; a draft is started for this school year or
  the next, and takes the school's own text from its latest approved report;
* the SENCO (or the Head of SEND) edits the school's text of a draft;
* the headteacher approves a draft that says something under every heading and has census
  figures: the policy text and the figures are frozen into it, with the date;
* an approved report is never changed: a new version is a new draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from trusts import access
from trusts.access import Capability as C
from trusts.models import School, Trust, User

from . import selectors
from .models import InfoReport, TrustTemplate, academic_year_label
from .schedule import BY_KEY, KEYS

# Long enough for a detailed policy, short enough for one screen of a PDF page or two.
SECTION_MAX_CHARS = 6000
FROZEN_MESSAGE = "This report has been approved and is kept as it was: start a new version to change it."


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationError("The text contains a character that cannot be stored.")
    if len(text) > SECTION_MAX_CHARS:
        raise ValidationError(f"Each section must be {SECTION_MAX_CHARS:,} characters or fewer.")
    return text


@transaction.atomic
def template_save(*, actor: User, trust: Trust, sections: Mapping[str, str]) -> TrustTemplate:
    """Save the trust's policy text under the headings given (others are kept)."""
    if not access.can_in_trust(actor, C.WRITE_INFO_TEMPLATE, trust):
        raise ValidationError("Only the trust's Head of SEND may write its template.")
    unknown = set(sections) - set(KEYS)
    if unknown:
        raise ValidationError(f"No such heading: {', '.join(sorted(unknown))}.")
    cleaned = {}
    for key, text in sections.items():
        try:
            cleaned[key] = _clean_text(text)
        except ValidationError as error:
            raise ValidationError({key: error.messages}) from None
    template, _ = TrustTemplate.objects.select_for_update().get_or_create(trust=trust)
    template.sections = {**(template.sections or {}), **cleaned}
    template.updated_by = actor
    template.save()
    return template


def _allowed_years(today: dt.date) -> tuple[int, int]:
    this_year = selectors.academic_year_of(today)
    return this_year, this_year + 1


@transaction.atomic
def report_draft(
    *, actor: User, school: School, academic_year: int, today: dt.date | None = None
) -> InfoReport:
    """Start the school's draft for a school year: this one or the next."""
    today = today or timezone.localdate()
    if not access.can(actor, C.EDIT_INFO_REPORT, school):
        raise ValidationError("You may not write this school's SEN information report.")
    if academic_year not in _allowed_years(today):
        raise ValidationError("A report can be started for this school year or the next only.")
    # One draft a year: the school's row serialises two people starting one at once.
    School.objects.select_for_update().get(pk=school.pk)
    if selectors.draft_for(school, academic_year) is not None:
        raise ValidationError(f"There is already a draft for {academic_year_label(academic_year)}.")
    if selectors.template_for(school.trust_id) is None:
        raise ValidationError("The trust has no template yet: the Head of SEND writes it first.")
    carried = selectors.latest_approved(school)
    version = (
        InfoReport.objects.filter(school=school, academic_year=academic_year).aggregate(v=Max("version"))["v"]
        or 0
    ) + 1
    sections = {key: {"school": carried.school_text(key) if carried else ""} for key in KEYS}
    return InfoReport.objects.create(
        school=school,
        academic_year=academic_year,
        version=version,
        sections=sections,
        created_by=actor,
        updated_by=actor,
    )


def _lock_draft(report: InfoReport) -> InfoReport:
    locked = InfoReport.objects.select_for_update().select_related("school").get(pk=report.pk)
    if not locked.is_draft:
        raise ValidationError(FROZEN_MESSAGE, code="frozen")
    return locked


@transaction.atomic
def report_section_save(*, actor: User, report: InfoReport, key: str, text: str) -> InfoReport:
    """Save the school's text under one heading of a draft."""
    if not access.can(actor, C.EDIT_INFO_REPORT, report.school_id):
        raise ValidationError("You may not write this school's SEN information report.")
    if key not in BY_KEY:
        raise ValidationError("No such heading.")
    try:
        cleaned = _clean_text(text)
    except ValidationError as error:
        raise ValidationError({"text": error.messages}) from None
    report = _lock_draft(report)
    sections = dict(report.sections or {})
    sections[key] = {**(sections.get(key) or {}), "school": cleaned}
    report.sections = sections
    report.updated_by = actor
    report.save(update_fields=["sections", "updated_by", "updated_at"])
    return report


@transaction.atomic
def report_approve(*, actor: User, report: InfoReport, today: dt.date | None = None) -> InfoReport:
    """The headteacher's approval: freezes the policy text and the figures, with the date."""
    today = today or timezone.localdate()
    if not access.can(actor, C.APPROVE_INFO_REPORT, report.school_id):
        raise ValidationError("Only the school's headteacher may approve its report.")
    report = _lock_draft(report)
    view = selectors.report_view(report, today=today)
    empty = view.empty_sections
    if empty:
        raise ValidationError(
            "Write something under every heading before approving: "
            + "; ".join(s.heading.title for s in empty)
            + "."
        )
    if not view.figures.has_figures:
        raise ValidationError("The school has no census figures yet: import a census before approving.")
    report.sections = {s.key: {"trust": s.trust_text, "school": s.school_text} for s in view.sections}
    report.census_date = view.figures.census_date
    report.figures = view.figures.raw
    report.status = InfoReport.Status.APPROVED
    report.approved_by = actor
    report.approved_by_name = actor.full_name  # published: never the e-mail address
    report.approved_on = today
    report.approved_at = timezone.now()
    report.updated_by = actor
    report.save()
    return report
