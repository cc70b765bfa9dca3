"""Reads of SEN information reports: a school's versions, the report a reader sees (its
sections and its figures, suppressed), the changes since last year's report, and the one
report the public may read.

Figures come from the register's census snapshots (pupils.CensusSnapshot, the rows
pupils.figures reads) while a report is a draft, and from the report itself once approved.
Every count is shown by the project's small-number rule (core.numbers, pupils.figures):
counts from 1 to REPORTS_SMALL_COUNT_THRESHOLD - 1 print as "fewer than 5", and a total or
part that would give one away as "withheld". A published report is read by anyone, so the
rule applies to the school's own totals too, not only to breakdowns below school level."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.numbers import Count, pct, small_count_threshold
from pupils.figures import NEED_LABELS, BreakdownRow, needs_breakdown, provision_cells
from pupils.models import CensusSnapshot
from trusts.models import School, Trust
from trusts.scoping import within

from . import diff
from .models import InfoReport, TrustTemplate
from .schedule import HEADINGS, Heading


def academic_year_of(day: dt.date) -> int:
    """The school year a day falls in, by the year it starts (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def template_for(trust: Trust | int) -> TrustTemplate | None:
    trust_id = trust if isinstance(trust, int) else trust.pk
    return TrustTemplate.objects.filter(trust_id=trust_id).first()


def latest_snapshot(school: School, on: dt.date) -> CensusSnapshot | None:
    """The school's latest census on or before `on` (one query)."""
    return (
        within(CensusSnapshot.objects, [school.pk])
        .filter(census_date__lte=on)
        .order_by("-census_date")
        .first()
    )


def snapshot_figures(snapshot: CensusSnapshot | None) -> tuple[dt.date | None, dict[str, Any]]:
    """The counts a report keeps from a census snapshot: no pupil, no year groups."""
    if snapshot is None:
        return None, {}
    by_need = {
        str(need): {"E": int((v or {}).get("E", 0) or 0), "K": int((v or {}).get("K", 0) or 0)}
        for need, v in (snapshot.by_need or {}).items()
    }
    return snapshot.census_date, {
        "number_on_roll": snapshot.number_on_roll,
        "ehcp": snapshot.ehcp,
        "sen_support": snapshot.sen_support,
        "by_need": by_need,
    }


# --- What a reader sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A report's figures as published: every count suppressed by the small-number rule."""

    census_date: dt.date | None
    number_on_roll: int
    ehcp: Count
    sen_support: Count
    total: Count
    needs: list[BreakdownRow]
    raw: dict[str, Any]

    @property
    def has_figures(self) -> bool:
        return self.census_date is not None

    @property
    def threshold(self) -> int:
        """Counts below it (and above 0) are shown as "fewer than" it."""
        return small_count_threshold()

    def share(self, count: Count) -> Decimal | None:
        """Share of the number on roll, or None when the count is hidden."""
        return None if count.hidden else pct(count.value, self.number_on_roll)

    @property
    def provision_rows(self) -> list[tuple[str, Count, Decimal | None]]:
        return [
            ("SEN Support", self.sen_support, self.share(self.sen_support)),
            ("Education, health and care plan", self.ehcp, self.share(self.ehcp)),
            ("All pupils with special educational needs", self.total, self.share(self.total)),
        ]


def published_figures(census_date: dt.date | None, raw: dict[str, Any]) -> Figures:
    raw = raw or {}
    ehcp, sen_support, total = provision_cells(
        int(raw.get("ehcp", 0)), int(raw.get("sen_support", 0)), suppress=True
    )
    return Figures(
        census_date,
        int(raw.get("number_on_roll", 0)),
        ehcp,
        sen_support,
        total,
        needs_breakdown([raw.get("by_need") or {}], suppress=True),
        raw,
    )


@dataclass(frozen=True)
class Section:
    heading: Heading
    trust_text: str
    school_text: str

    @property
    def key(self) -> str:
        return self.heading.key

    @property
    def full_text(self) -> str:
        return "\n\n".join(t for t in (self.trust_text.strip(), self.school_text.strip()) if t)

    @property
    def is_empty(self) -> bool:
        return not self.full_text


@dataclass
class ReportView:
    report: InfoReport
    sections: list[Section]
    figures: Figures

    @property
    def empty_sections(self) -> list[Section]:
        return [s for s in self.sections if s.is_empty]


def report_view(
    report: InfoReport, *, template: TrustTemplate | None = None, today: dt.date | None = None
) -> ReportView:
    """What the report says: once approved, what was frozen; while a draft, the trust's
    current policy text and the school's latest census (two queries: the template, the
    snapshot; none once approved). `template` saves its query when the caller has it."""
    if report.is_draft:
        if template is None:
            template = template_for(report.school.trust_id)
        census_date, raw = snapshot_figures(latest_snapshot(report.school, today or dt.date.max))
        sections = [
            Section(h, template.text(h.key) if template else "", report.school_text(h.key)) for h in HEADINGS
        ]
    else:
        census_date, raw = report.census_date, report.figures
        sections = [Section(h, report.trust_text(h.key), report.school_text(h.key)) for h in HEADINGS]
    return ReportView(report, sections, published_figures(census_date, raw))


# --- A school's versions, and last year's ----------------------------------------------------


def school_reports(school: School) -> list[InfoReport]:
    """Every version of the school's reports, newest year and version first (one query)."""
    return list(
        within(InfoReport.objects, [school.pk])
        .select_related("created_by", "approved_by")
        .order_by("-academic_year", "-version")
    )


def draft_for(school: School, academic_year: int) -> InfoReport | None:
    return (
        within(InfoReport.objects, [school.pk])
        .filter(academic_year=academic_year, status=InfoReport.Status.DRAFT)
        .first()
    )


def previous_report(report: InfoReport) -> InfoReport | None:
    """Last year's report: the latest approved version of an earlier school year."""
    return (
        within(InfoReport.objects, [report.school_id])
        .filter(status=InfoReport.Status.APPROVED, academic_year__lt=report.academic_year)
        .order_by("-academic_year", "-version")
        .first()
    )


def latest_approved(school: School) -> InfoReport | None:
    return (
        within(InfoReport.objects, [school.pk])
        .filter(status=InfoReport.Status.APPROVED)
        .order_by("-academic_year", "-version")
        .first()
    )


@dataclass(frozen=True)
class SectionChange:
    heading: Heading
    runs: list[diff.Run]

    @property
    def changed(self) -> bool:
        return diff.changed(self.runs)


@dataclass(frozen=True)
class FigureChange:
    label: str
    before: Count | None
    after: Count | None

    @property
    def change(self) -> str:
        """The difference, only when both counts are shown: a difference with a hidden count
        would give it away."""
        if self.before is None or self.after is None:
            return "not comparable"
        if self.before.hidden or self.after.hidden:
            return "not shown (small numbers)"
        delta = self.after.value - self.before.value
        if delta == 0:
            return "no change"
        return f"+{delta:,}" if delta > 0 else f"−{abs(delta):,}"


@dataclass
class Changes:
    report: ReportView
    previous: ReportView | None
    sections: list[SectionChange] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)

    @property
    def changed_sections(self) -> list[SectionChange]:
        return [s for s in self.sections if s.changed]


def _figure_changes(before: Figures, after: Figures) -> list[FigureChange]:
    rows = [
        FigureChange(
            "Number on roll",
            Count(before.number_on_roll) if before.has_figures else None,
            Count(after.number_on_roll) if after.has_figures else None,
        ),
        FigureChange("SEN Support", before.sen_support, after.sen_support),
        FigureChange("Education, health and care plan", before.ehcp, after.ehcp),
        FigureChange("All pupils with special educational needs", before.total, after.total),
    ]
    needs_before = {r.key: r.total for r in before.needs}
    needs_after = {r.key: r.total for r in after.needs}
    for key in sorted(set(needs_before) | set(needs_after), key=lambda k: (NEED_LABELS.get(k) or k).lower()):
        rows.append(
            FigureChange(
                f"Primary need: {NEED_LABELS.get(key, key)}",
                needs_before.get(key, Count(0)),
                needs_after.get(key, Count(0)),
            )
        )
    return rows


def changes_since_last_year(report: InfoReport, *, today: dt.date | None = None) -> Changes:
    view = report_view(report, today=today)
    previous = previous_report(report)
    if previous is None:
        return Changes(view, None)
    before = report_view(previous)
    sections = [
        SectionChange(new.heading, diff.text_diff(old.full_text, new.full_text))
        for old, new in zip(before.sections, view.sections, strict=True)
    ]
    return Changes(view, before, sections, _figure_changes(before.figures, view.figures))


# --- The reader's schools, and what the public reads -----------------------------------------


@dataclass(frozen=True)
class SchoolStatus:
    school: School
    latest: InfoReport | None
    published: InfoReport | None


def schools_with_status(schools: list[School]) -> list[SchoolStatus]:
    """Each school with its newest version and its published one (one query)."""
    latest: dict[int, InfoReport] = {}
    published: dict[int, InfoReport] = {}
    for report in within(InfoReport.objects, [s.pk for s in schools]).order_by(
        "school_id", "-academic_year", "-version"
    ):
        latest.setdefault(report.school_id, report)
        if not report.is_draft:
            published.setdefault(report.school_id, report)
    return [SchoolStatus(s, latest.get(s.pk), published.get(s.pk)) for s in schools]


def published_report(laestab: str) -> InfoReport | None:
    """The report anyone may read: the school's latest approved version, or None.

    A visitor who is not signed in holds no school in their tenant scope (the middleware's
    scope is empty), so the report is read with a scope of this one school, and only an
    approved report: a draft, or any other school's row, is never within reach of the
    query. What is shown comes from the report alone (frozen at approval), never from the
    register."""
    school = School.objects.select_related("trust", "local_authority").filter(laestab=laestab).first()
    if school is None:
        return None
    report = (
        InfoReport.objects.with_scope(school=[school.pk])
        .filter(school=school, status=InfoReport.Status.APPROVED)
        .order_by("-academic_year", "-version")
        .first()
    )
    if report is not None:
        report.school = school
    return report
