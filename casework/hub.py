"""Casework's parts of the pupil page (the hub) and of the SENCO's home page. Registered in
CaseworkConfig.ready through trusts.navigation, so the pupils and trusts apps show them
without importing casework. Each builder asks trusts.access first and runs a small, constant
number of queries (casework.selectors, casework.figures)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from trusts import access
from trusts.access import Capability as C
from trusts.navigation import HomeTask, PupilRecord, PupilSectionContent

from . import deadlines as dl
from . import figures, selectors
from .models import Case, EHCPlan, NamingConsultation


def _long(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


TONES = {dl.State.LATE: "red", dl.State.DUE: "yellow", dl.State.NOT_YET_DUE: "grey", dl.State.MET: "green"}


def _earliest(candidates: list[tuple[dt.date, str]]) -> str:
    """The text of the soonest of (date, text) candidates, or "" when there are none."""
    return min(candidates)[1] if candidates else ""


# --- The pupil page ---------------------------------------------------------------------------


def _plan_record(plan: EHCPlan, today: dt.date) -> tuple[PupilRecord, list[tuple[dt.date, str]]]:
    reviews = list(plan.reviews.all())
    last = reviews[-1].meeting_date if reviews else None
    url = reverse("casework:plan_detail", args=[plan.pk])
    if plan.issue_date:
        text = f"EHC plan issued {_long(plan.issue_date)} by {plan.local_authority.name}"
    else:
        text = f"EHC plan record made from the register ({plan.local_authority.name})"
    if plan.ceased_on:
        return PupilRecord(text, url, "Ceased", f"Ceased {_long(plan.ceased_on)}."), []
    tone = ""
    awaiting = next((r.meeting_date for r in reversed(reviews) if not r.la_decision), None)
    items = dl.plan_due_items(
        issue_date=plan.issue_date,
        last_review=last,
        awaiting_decision_since=awaiting,
        transfer_year=plan.phase_transfer_year,
        post_16=plan.phase_transfer_post_16,
        amended_on=plan.amended_plan_issued_on,
    )
    details, due = [], []
    status = ""
    for what, when in items:
        if when is None:
            details.append(
                "The issue date is not recorded, so the annual review date is not "
                "known: enter it to start the review clock."
            )
            status, tone = "Details to complete", "orange"
            continue
        step = dl.step_status(when, None, today)
        label = {
            dl.REVIEW_MEETING: "Next annual review meeting by",
            dl.REVIEW_DECISION: "LA decision after the latest review by",
            dl.PHASE_TRANSFER: "Amended plan for the phase transfer by",
        }.get(what, what)
        details.append(f"{label} {_long(when)} ({step.label.lower()}).")
        due.append((when, f"{label} {_long(when)}"))
        if what == dl.REVIEW_MEETING:
            status, tone = step.label, TONES[step.state]
    if plan.phase_transfer_year:
        move = "to post-16" if plan.phase_transfer_post_16 else "to the next school"
        details.append(
            f"Phase transfer {move} in {plan.phase_transfer_year}, worked out from the year group."
        )
    return PupilRecord(text, url, status, " ".join(details), tone), due


def plan_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's EHC plan records with their annual reviews and what is due next."""
    if not access.can(user, C.VIEW_CASES, pupil.school_id):
        return None
    records, due = [], []
    to_complete = None
    for plan in selectors.pupil_plans(pupil_id=pupil.pk):
        record, plan_due = _plan_record(plan, today)
        records.append(record)
        due += plan_due
        if plan.details_to_complete and plan.ceased_on is None:
            to_complete = plan
        for review in plan.reviews.all():
            if review.la_decision:
                outcome = (
                    f"LA decision: {review.get_la_decision_display().lower()} "
                    f"({_long(review.la_decision_date)})"
                )
            else:
                outcome = f"LA decision awaited, due by {_long(dl.review_decision_due(review.meeting_date))}"
            records.append(
                PupilRecord(
                    f"Annual review meeting {_long(review.meeting_date)}", record.href, "", outcome + "."
                )
            )
    actions = []
    if access.can(user, C.MANAGE_CASES, pupil.school_id):
        if to_complete is not None:
            actions.append(
                (
                    "Enter the plan's issue date",
                    reverse("casework:plan_detail", args=[to_complete.pk]) + "#complete",
                )
            )
        elif not records and pupil.left_school_on is None:
            actions.append(
                ("Record an existing EHC plan", reverse("casework:school_ehc", args=[pupil.school.laestab]))
            )
    # A missing issue date comes first: every review date depends on it.
    due_next = (
        "Enter the plan's issue date: the annual review date depends on it."
        if to_complete is not None
        else _earliest(due)
    )
    return PupilSectionContent(
        records=tuple(records), empty="No EHC plan recorded.", due_next=due_next, actions=tuple(actions)
    )


def request_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's EHC needs assessment requests with their statutory deadlines."""
    if not access.can(user, C.VIEW_CASES, pupil.school_id):
        return None
    records, due = [], []
    for r in selectors.pupil_requests(pupil_id=pupil.pk):
        text = (
            f"Requested by {r.get_requested_by_display().lower()} on {_long(r.request_date)}"
            f", to {r.local_authority.name}"
        )
        step = r.next_step(today)
        tone = ""
        if step is not None:
            status, tone = step.status.label, TONES[step.status.state]
            detail = f"Next: {step.label}, due {_long(step.status.due)}."
            due.append((step.status.due, f"{step.label}: {_long(step.status.due)}"))
        elif r.outcome:
            status = r.get_outcome_display()
            detail = f"{r.get_outcome_display()} on {_long(r.outcome_date)}."
        else:
            status = r.get_decision_display()
            detail = f"{r.get_decision_display()} on {_long(r.decision_date)}."
        records.append(
            PupilRecord(text, reverse("casework:ehc_request_detail", args=[r.pk]), status, detail, tone)
        )
    actions = []
    # A pupil who has left is asked about by their new school (casework.services refuses it here).
    if access.can(user, C.MANAGE_CASES, pupil.school_id) and pupil.left_school_on is None:
        actions.append(
            ("Record a new assessment request", reverse("casework:school_ehc", args=[pupil.school.laestab]))
        )
    return PupilSectionContent(
        records=tuple(records),
        empty="No EHC needs assessment request recorded.",
        due_next=_earliest(due),
        actions=tuple(actions),
    )


def case_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's cases: kind, title, opened, status and what is due next."""
    if not access.can(user, C.VIEW_CASES, pupil.school_id):
        return None
    records, due = [], []
    for case in selectors.pupil_cases(pupil_id=pupil.pk):
        details = [f"Opened {_long(case.opened_on)}."]
        nxt = case.due_next(today)
        tone = "blue" if case.is_open else ""
        if nxt is not None:
            what, when = nxt
            step = dl.step_status(when, None, today)
            tone = TONES[step.state] if step.state != dl.State.NOT_YET_DUE else tone
            details.append(f"{what} {_long(when)} ({step.label.lower()}).")
            due.append((when, f"{what} ({case.get_kind_display().lower()}): {_long(when)}"))
        elif case.status == Case.Status.CLOSED:
            details.append(f"Closed {_long(case.closed_on)}.")
        records.append(
            PupilRecord(
                f"{case.get_kind_display()}: {case.title}",
                reverse("casework:case_detail", args=[case.pk]),
                case.get_status_display(),
                " ".join(details),
                tone,
            )
        )
    actions = []
    if access.can(user, C.MANAGE_CASES, pupil.school_id):
        actions.append(
            (
                "Open a case for this pupil",
                reverse("casework:case_open", args=[pupil.school.laestab]) + f"?pupil={pupil.pk}",
            )
        )
    return PupilSectionContent(
        records=tuple(records), empty="No cases recorded.", due_next=_earliest(due), actions=tuple(actions)
    )


OUTCOME_TAGS = {
    NamingConsultation.Outcome.NAMED: ("Named", "green"),
    NamingConsultation.Outcome.NOT_NAMED: ("Not named", ""),
    NamingConsultation.Outcome.WITHDRAWN: ("Withdrawn", ""),
}


def _consultation_record(
    c: NamingConsultation, today: dt.date
) -> tuple[PupilRecord, tuple[dt.date, str] | None]:
    """A consultation's line, and its response's (due date, text) while the school owes one."""
    text = f"{c.local_authority.name} consultation received {_long(c.received_on)}"
    url = reverse("casework:consultation_detail", args=[c.pk])
    step = c.response_status(today)
    if c.awaiting_response and step is not None:
        detail = f"Response due by {_long(c.response_due)}. {selectors.consultation_stage(c)}."
        record = PupilRecord(text, url, step.label, detail, TONES[step.state])
        return record, (c.response_due, f"{c.due_what}: {_long(c.response_due)}")
    details = []
    if c.responded_on and step is not None:
        days = "day" if step.days_late == 1 else "days"
        late = f", {step.days_late} {days} late" if step.state == dl.State.LATE else ""
        details.append(f"Response sent {_long(c.responded_on)} (due by {_long(c.response_due)}{late}).")
    if c.outcome:
        status, tone = OUTCOME_TAGS[NamingConsultation.Outcome(c.outcome)]
        details.append(f"{c.get_outcome_display()} ({_long(c.outcome_on)}).")
    else:
        status, tone = "Response sent", "blue"
        details.append("Awaiting the LA's decision.")
    return PupilRecord(text, url, status, " ".join(details), tone), None


def consultation_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The LAs' consultations on naming the school in the pupil's EHC plan: LA, date received,
    the 15-day response and its status, the outcome. One query."""
    if not access.can(user, C.VIEW_CASES, pupil.school_id):
        return None
    records, due = [], []
    # The pupil's own school only: another school's consultation is never shown here.
    for c in selectors.pupil_consultations(pupil_id=pupil.pk, school_ids=[pupil.school_id]):
        record, step = _consultation_record(c, today)
        records.append(record)
        if step is not None:
            due.append(step)
    actions = []
    if access.can(user, C.MANAGE_CASES, pupil.school_id) and pupil.left_school_on is None:
        actions.append(
            (
                "Log an LA consultation",
                reverse("casework:school_consultations", args=[pupil.school.laestab]) + "#log",
            )
        )
    return PupilSectionContent(
        records=tuple(records),
        empty="No LA consultation on naming a school recorded.",
        due_next=_earliest(due),
        actions=tuple(actions),
    )


# --- The SENCO's home page ----------------------------------------------------------------------


def _status(count) -> str:
    return "overdue" if count.overdue else ("due" if count.due else "todo")


def _hint(count, noun: str) -> str:
    soon = count.due - count.overdue
    if not count.due:
        return f"No {noun} overdue or due within 7 days."
    if not soon:
        return f"{count.overdue} overdue."
    if not count.overdue:
        return f"{soon} due within 7 days, none overdue."
    return f"{count.overdue} overdue, {soon} more due within 7 days."


def home_tasks(user, schools, today: dt.date) -> list[HomeTask]:
    """Annual reviews and plan deadlines, cases, assessment requests and responses to LA
    consultations overdue or due within 7
    days, and E pupils whose plan record needs its details, in the user's schools where they
    may see cases. Two queries."""
    ids = [s.pk for s in schools if access.can(user, C.VIEW_CASES, s)]
    if not ids:
        return []
    counts = figures.due_counts(ids, today)
    to_complete = selectors.plans_to_complete(school_ids=ids)
    reviews = reverse("casework:reviews_due")
    return [
        HomeTask(
            "Annual reviews and EHC plan deadlines",
            counts.plans.due,
            f"{reviews}?show={selectors.SOON}",
            _status(counts.plans),
            order=10,
            hint=_hint(counts.plans, "plan deadlines"),
        ),
        HomeTask(
            "E pupils whose EHC plan record needs completing",
            to_complete,
            f"{reviews}?show=to_complete",
            "todo" if to_complete else "done",
            order=11,
            hint=(
                "Made from the census: enter each plan's issue date so its annual reviews can be dated."
                if to_complete
                else "Every plan record has its issue date."
            ),
        ),
        HomeTask(
            "Cases with a next action due",
            counts.cases.due,
            f"{reverse('casework:case_list')}?view=open&due={selectors.SOON}",
            _status(counts.cases),
            order=30,
            hint=_hint(counts.cases, "cases"),
        ),
        HomeTask(
            "EHC needs assessment deadlines",
            counts.requests.due,
            f"{reverse('casework:due_list')}?kind={selectors.EHC_REQUEST}&due={selectors.SOON}",
            _status(counts.requests),
            order=31,
            hint=_hint(counts.requests, "assessment requests"),
        ),
        HomeTask(
            "LA consultations on naming the school to answer",
            counts.consultations.due,
            f"{reverse('casework:due_list')}?kind={selectors.NAMING_CONSULTATION}&due={selectors.SOON}",
            _status(counts.consultations),
            order=32,
            hint=_hint(counts.consultations, "consultation responses"),
        ),
    ]
