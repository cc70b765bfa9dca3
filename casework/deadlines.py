"""Statutory timelines of the SEND Code of Practice 2015, as pure date functions.

Definitions used throughout:
* A "week" is 7 calendar days; statutory weeks are never moved by weekends or bank holidays
  (6 weeks from a Friday request is the Friday 42 days later, Christmas or not).
* A "month" is a calendar month; a date that does not exist in the target month falls on that
  month's last day (29 February 2024 + 12 months = 28 February 2025; 31 January + 1 month =
  28 or 29 February).
* A "day" period "beginning with" a day counts that day as its first: the 15 days for comments
  on a draft plan served on the 1st end on the 15th (SEND Regulations 2014, regulation 13(1)).
* A "working day" is Monday to Friday except bank holidays in England as proclaimed, one-off
  days (a jubilee, a coronation, a state funeral) and moved days included: the `holidays`
  package's calendar for England, not a list kept here (Tribunal Procedure (First-tier
  Tribunal) (HESC) Rules 2008, rule 1). Working days are used only for SEND Tribunal appeal
  deadlines: one in August or from 25 December to 1 January moves to the next working day
  after it (rule 12(3)), and one that ends on any other day that is not a working day moves
  to the next working day (rule 12(2)).
* Academic year: 1 September to 31 August. Terms: autumn 1 September to 31 December, spring
  1 January to Easter Sunday, summer the day after Easter Sunday to 31 August.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum

# The academic year is core's rule; its callers here read it as dl.academic_year_*.
from core.years import academic_year_label, academic_year_start  # noqa: F401

Date = dt.date

DECISION_TO_ASSESS_WEEKS = 6
NOTICE_NOT_TO_ISSUE_WEEKS = 16
FINAL_PLAN_WEEKS = 20
PARENTS_COMMENTS_DAYS = 15
ANNUAL_REVIEW_MONTHS = 12
REVIEW_DECISION_WEEKS = 4
# Children and Families Act 2014 s.39(2)-(3): a school consulted about being named in an EHC
# plan responds within 15 days of receiving the consultation.
NAMING_RESPONSE_DAYS = 15
# SEND Regulations 2014 regulation 20: advice and information are circulated at least two weeks
# before the review meeting (20(3)), and the report of the meeting is sent to the LA within two
# weeks of it (20(7)). An LA's own rules may ask for more notice or a sooner report, never less.
REVIEW_CIRCULATE_MIN_WEEKS = 2
REVIEW_REPORT_MAX_DAYS = 14


@dataclass(frozen=True)
class ReviewRules:
    """An LA's rules for running annual reviews (casework.models.LAReviewRules): weeks before
    the meeting to ask for reports and to circulate them, days after it for the report to
    reach the LA. DEFAULT_REVIEW_RULES for an LA that has none recorded: six weeks to gather
    advice, and the statutory limits otherwise."""

    request_weeks: int
    circulate_weeks: int
    report_days: int


DEFAULT_REVIEW_RULES = ReviewRules(
    request_weeks=6, circulate_weeks=REVIEW_CIRCULATE_MIN_WEEKS, report_days=REVIEW_REPORT_MAX_DAYS
)
DUE_SOON_DAYS = 7


# --- Calendar arithmetic -----------------------------------------------------------------


def add_weeks(day: Date, weeks: int) -> Date:
    return day + dt.timedelta(weeks=weeks)


def add_days(day: Date, days: int) -> Date:
    return day + dt.timedelta(days=days)


def add_months(day: Date, months: int) -> Date:
    """Same day of the month `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def easter_sunday(year: int) -> Date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@functools.cache
def bank_holidays(year: int) -> frozenset[Date]:
    """Bank holidays in England in `year`, with substitute days and one-off days."""
    # Imported here: loading the calendars takes a tenth of a second, which every process
    # would pay at start (casework.models imports this module), and only deadlines need it.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: Date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def next_working_day_on_or_after(day: Date) -> Date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


# --- EHC needs assessment ------------------------------------------------------------------


def decision_to_assess_due(request_date: Date) -> Date:
    """The LA decides whether to assess within 6 weeks of the request."""
    return add_weeks(request_date, DECISION_TO_ASSESS_WEEKS)


def notice_not_to_issue_due(request_date: Date) -> Date:
    """After assessing, a decision not to issue a plan is notified within 16 weeks."""
    return add_weeks(request_date, NOTICE_NOT_TO_ISSUE_WEEKS)


def final_plan_due(request_date: Date) -> Date:
    """The final EHC plan is issued within 20 weeks of the request."""
    return add_weeks(request_date, FINAL_PLAN_WEEKS)


def parents_comments_due(draft_served: Date) -> Date:
    """The last of the 15 (calendar) days for comments on a draft plan, which begin with the
    day it is served (regulation 13(1)): served on the 1st, comments are due by the 15th."""
    return add_days(draft_served, PARENTS_COMMENTS_DAYS - 1)


# --- LA consultations on naming a school (s.39) -------------------------------------------------


def naming_response_due(received_on: Date) -> Date:
    """The school's response to an LA's consultation on naming it is due within 15 calendar
    days of receiving it (weekends and holidays count, as the Act counts days): the day of
    receipt is day 0, so a consultation received on 1 March is answered on time up to and
    including 16 March (day 15) and late from 17 March (day 16)."""
    return add_days(received_on, NAMING_RESPONSE_DAYS)


def days_to_respond(received_on: Date, responded_on: Date) -> int:
    """Days from receiving the consultation to the response: 0 on the same day, 15 on the last
    day on time, 16 one day late."""
    return (responded_on - received_on).days


# --- Annual reviews and phase transfer -------------------------------------------------------


def annual_review_due(issue_or_last_review: Date) -> Date:
    """Within 12 months of the plan's issue, then of each previous review."""
    return add_months(issue_or_last_review, ANNUAL_REVIEW_MONTHS)


def review_decision_due(review_meeting: Date) -> Date:
    """The LA decides to maintain, amend or cease the plan within 4 weeks of the meeting."""
    return add_weeks(review_meeting, REVIEW_DECISION_WEEKS)


def review_reports_request_due(meeting: Date, weeks_before: int) -> Date:
    """Ask for the reports (advice and information) this many weeks before the meeting."""
    return add_weeks(meeting, -weeks_before)


def review_circulate_due(meeting: Date, weeks_before: int) -> Date:
    """Circulate the reports to everyone invited this many weeks before the meeting (at least
    two: regulation 20(3))."""
    return add_weeks(meeting, -max(weeks_before, REVIEW_CIRCULATE_MIN_WEEKS))


def review_report_due(meeting: Date, days_after: int) -> Date:
    """Send the review report to the LA within this many days of the meeting (at most 14, two
    weeks: regulation 20(7)): a meeting on Monday 2 March with 14 days is due by Monday 16
    March, and a report sent on the 17th is late."""
    return add_days(meeting, min(days_after, REVIEW_REPORT_MAX_DAYS))


REQUEST_REPORTS = "Request reports for the annual review"
CIRCULATE_REPORTS = "Circulate reports for the annual review"
REPORT_TO_LA = "Annual review report to the LA"


def review_preparation_items(
    *, meeting: Date, rules: ReviewRules, requested_on: Date | None, circulated_on: Date | None
) -> list[tuple[str, Date, Date | None]]:
    """The steps before a review meeting on `meeting` (the planned date, or the latest date the
    review may be held): (what, due, done on)."""
    return [
        (REQUEST_REPORTS, review_reports_request_due(meeting, rules.request_weeks), requested_on),
        (CIRCULATE_REPORTS, review_circulate_due(meeting, rules.circulate_weeks), circulated_on),
    ]


def phase_transfer_due(transfer_year: int, *, post_16: bool = False) -> Date:
    """Amended plan by 15 February of the transfer year (31 March for a move to post-16)."""
    return dt.date(transfer_year, 3, 31) if post_16 else dt.date(transfer_year, 2, 15)


REVIEW_MEETING = "Annual review meeting (12 months)"
REVIEW_DATE_UNKNOWN = "Annual review: enter the plan's issue date"  # no date to show
REVIEW_DECISION = "LA decision after review (4 weeks)"
PHASE_TRANSFER = "Amended plan for phase transfer"


def plan_due_items(
    *,
    issue_date: Date | None,
    last_review: Date | None,
    awaiting_decision_since: Date | None,
    transfer_year: int | None,
    post_16: bool,
    amended_on: Date | None,
    rules: ReviewRules = DEFAULT_REVIEW_RULES,
    planned_meeting: Date | None = None,
    requested_on: Date | None = None,
    circulated_on: Date | None = None,
    report_awaited_since: Date | None = None,
) -> list[tuple[str, Date | None]]:
    """What is pending for a live EHC plan, in the due list's order: the next annual review
    meeting (12 months after the last review or the issue; with no date when neither is known:
    the record says so rather than inventing one), the LA's decision awaited after the latest
    review, and the amended plan for a phase transfer not yet issued; then the steps of the
    next review under the LA's rules (reports asked for and circulated so many weeks before the
    planned meeting, or before the latest date it may be held) and the report of the latest
    review to the LA while it is awaited."""
    start = last_review or issue_date
    items: list[tuple[str, Date | None]] = [
        (REVIEW_MEETING, annual_review_due(start)) if start else (REVIEW_DATE_UNKNOWN, None)
    ]
    if awaiting_decision_since:
        items.append((REVIEW_DECISION, review_decision_due(awaiting_decision_since)))
    if transfer_year and amended_on is None:
        items.append((PHASE_TRANSFER, phase_transfer_due(transfer_year, post_16=post_16)))
    meeting = planned_meeting or (annual_review_due(start) if start else None)
    if meeting:
        items += [
            (what, due)
            for what, due, done in review_preparation_items(
                meeting=meeting, rules=rules, requested_on=requested_on, circulated_on=circulated_on
            )
            if done is None
        ]
    if report_awaited_since:
        items.append((REPORT_TO_LA, review_report_due(report_awaited_since, rules.report_days)))
    return items


YEAR_GROUP_ORDER = ("N1", "N2", "R") + tuple(str(n) for n in range(1, 15))
# The last year group a pupil spends in a school of each phase before moving to the next phase,
# and whether that move is to post-16 (31 March) rather than between schools (15 February).
# Middle schools are taken as deemed secondary (years 5 to 8); an all-through or special
# school's pupils move at the end of year 11. A post-16 school has no phase transfer.
LAST_YEAR_BEFORE_TRANSFER = {
    "nursery": ("N2", False),
    "infant": ("2", False),
    "junior": ("6", False),
    "primary": ("6", False),
    "middle": ("8", False),
    "secondary": ("11", True),
    "all_through": ("11", True),
    "special": ("11", True),
}


def phase_transfer(year_group: str, school_phase: str, recorded_on: Date) -> tuple[int, bool] | None:
    """The calendar year of a pupil's next phase transfer and whether it is to post-16, worked
    out from the year group the register recorded on `recorded_on` (a census date) and the
    school's phase; None when the pupil is past the school's last transfer point or the year
    group or phase is not known. A pupil in year 5 of a primary school in 2025/26 reaches year 6
    in 2026/27 and moves in September 2027: the amended plan is due by 15 February 2027. The
    answer does not depend on the day it is worked out, only on the date of the record."""
    point = LAST_YEAR_BEFORE_TRANSFER.get(school_phase)
    if point is None or year_group not in YEAR_GROUP_ORDER:
        return None
    last, post_16 = point
    years_to_go = YEAR_GROUP_ORDER.index(last) - YEAR_GROUP_ORDER.index(year_group)
    if years_to_go < 0:
        return None
    return academic_year_start(recorded_on) + years_to_go + 1, post_16


# --- SEND Tribunal appeals --------------------------------------------------------------------


def move_out_of_tribunal_holidays(day: Date) -> Date:
    """A deadline in August moves to the first working day of September; one from 25 December
    to 1 January to the next working day in January (rule 12(3)); one on any other day that is
    not a working day, a weekend or a bank holiday, to the next working day (rule 12(2))."""
    if day.month == 8:
        return next_working_day_on_or_after(dt.date(day.year, 9, 1))
    if day.month == 12 and day.day >= 25:
        return next_working_day_on_or_after(dt.date(day.year + 1, 1, 2))
    if day.month == 1 and day.day == 1:
        return next_working_day_on_or_after(dt.date(day.year, 1, 2))
    return next_working_day_on_or_after(day)


def tribunal_appeal_deadline(decision_letter: Date, mediation_certificate: Date | None = None) -> Date:
    """2 months from the decision letter or 1 month from the mediation certificate, whichever
    is later, moved out of August and the Christmas week and on to a working day."""
    deadline = add_months(decision_letter, 2)
    if mediation_certificate is not None:
        deadline = max(deadline, add_months(mediation_certificate, 1))
    return move_out_of_tribunal_holidays(deadline)


# --- Academic year and terms ------------------------------------------------------------------


class Term(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"


def term_of(day: Date) -> Term:
    if day.month >= 9:
        return Term.AUTUMN
    if day <= easter_sunday(day.year):
        return Term.SPRING
    return Term.SUMMER


# --- Status of a step ------------------------------------------------------------------------


class State(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    MET = "met"
    LATE = "late"


STATE_LABELS = {State.NOT_YET_DUE: "Not yet due", State.DUE: "Due", State.MET: "Met", State.LATE: "Late"}


@dataclass(frozen=True)
class StepStatus:
    state: State
    due: Date
    done_on: Date | None = None
    days_late: int = 0
    days_left: int | None = None

    @property
    def label(self) -> str:
        if self.state == State.LATE:
            days = "day" if self.days_late == 1 else "days"
            done = "done" if self.done_on else "overdue"
            return f"Late ({done}, {self.days_late} {days})"
        if self.state == State.DUE:
            if self.days_left == 0:
                return "Due today"
            return "Due tomorrow" if self.days_left == 1 else f"Due in {self.days_left} days"
        return STATE_LABELS[self.state]

    @property
    def tag_class(self) -> str:
        return {
            State.NOT_YET_DUE: "govuk-tag--grey",
            State.DUE: "govuk-tag--yellow",
            State.MET: "govuk-tag--green",
            State.LATE: "govuk-tag--red",
        }[self.state]

    @property
    def pending(self) -> bool:
        return self.done_on is None


def step_status(due: Date, done_on: Date | None, today: Date) -> StepStatus:
    """Met: done on or before the deadline. Late: done after it (days late = done - due), or
    not done and the deadline has passed (days late = today - due). Due: not done and the
    deadline is today or within the next 7 days. Not yet due: otherwise."""
    if done_on is not None:
        if done_on <= due:
            return StepStatus(State.MET, due, done_on)
        return StepStatus(State.LATE, due, done_on, days_late=(done_on - due).days)
    if today > due:
        return StepStatus(State.LATE, due, None, days_late=(today - due).days)
    days_left = (due - today).days
    state = State.DUE if days_left <= DUE_SOON_DAYS else State.NOT_YET_DUE
    return StepStatus(state, due, None, days_left=days_left)
