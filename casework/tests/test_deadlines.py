"""Statutory deadlines at their edges: pure date arithmetic, no database."""

import datetime as dt

import pytest

from casework import deadlines as d
from casework.deadlines import State

D = dt.date


def test_six_sixteen_and_twenty_weeks_from_a_friday_request_fall_on_fridays():
    friday = D(2025, 3, 7)
    assert friday.weekday() == 4
    assert d.decision_to_assess_due(friday) == D(2025, 4, 18)
    assert d.notice_not_to_issue_due(friday) == D(2025, 6, 27)
    assert d.final_plan_due(friday) == D(2025, 7, 25)
    for due in (d.decision_to_assess_due(friday), d.final_plan_due(friday)):
        assert due.weekday() == 4


def test_deadlines_run_across_new_year():
    request = D(2025, 12, 1)
    assert d.decision_to_assess_due(request) == D(2026, 1, 12)
    assert d.final_plan_due(request) == D(2026, 4, 20)


def test_a_bank_holiday_does_not_move_statutory_weeks():
    # 6 weeks from 14 November 2025 is Boxing Day, a bank holiday: the deadline stays there.
    request = D(2025, 11, 14)
    assert d.decision_to_assess_due(request) == D(2025, 12, 26)
    assert D(2025, 12, 26) in d.bank_holidays(2025)
    # 20 weeks from the same request is Good Friday 2026: it stays there too.
    assert d.final_plan_due(request) == D(2026, 4, 3)
    assert D(2026, 4, 3) in d.bank_holidays(2026)


def test_leap_day_request_and_annual_review_from_a_leap_day():
    assert d.decision_to_assess_due(D(2024, 2, 29)) == D(2024, 4, 11)
    assert d.final_plan_due(D(2024, 1, 18)) == D(2024, 6, 6)
    # Weeks are days: 6 weeks from 18 January 2024 crosses 29 February.
    assert d.add_weeks(D(2024, 2, 1), 4) == D(2024, 2, 29)
    # 12 months from 29 February 2024 is clamped to 28 February 2025, and back to 28 Feb 2026.
    assert d.annual_review_due(D(2024, 2, 29)) == D(2025, 2, 28)
    assert d.annual_review_due(D(2025, 2, 28)) == D(2026, 2, 28)
    assert d.annual_review_due(D(2027, 2, 28)) == D(2028, 2, 28)


def test_the_fifteen_days_for_comments_begin_with_the_day_the_draft_is_served():
    # Regulation 13(1): "at least 15 days, beginning with the day on which the draft plan was
    # served". Served on Saturday 20 December 2025, day 1 is the 20th and day 15 the 3rd.
    assert d.parents_comments_due(D(2025, 12, 20)) == D(2026, 1, 3)
    assert d.parents_comments_due(D(2025, 3, 1)) == D(2025, 3, 15)
    # The period is calendar days: a last day at a weekend or on a bank holiday stays.
    assert d.parents_comments_due(D(2025, 12, 12)) == D(2025, 12, 26)


def test_annual_reviews_roll_forward_from_each_previous_review():
    issue = D(2024, 3, 15)
    first = d.annual_review_due(issue)
    assert first == D(2025, 3, 15)
    held_early = D(2025, 2, 10)
    assert d.annual_review_due(held_early) == D(2026, 2, 10)
    assert d.review_decision_due(held_early) == D(2025, 3, 10)


def test_phase_transfer_deadlines():
    assert d.phase_transfer_due(2026) == D(2026, 2, 15)
    assert d.phase_transfer_due(2026, post_16=True) == D(2026, 3, 31)


def test_tribunal_deadline_is_two_months_from_the_decision_without_mediation():
    assert d.tribunal_appeal_deadline(D(2025, 3, 12)) == D(2025, 5, 12)


def test_a_tribunal_deadline_at_a_weekend_moves_to_the_next_working_day():
    # Rule 12(2): an act due on a day other than a working day is in time on the next one.
    # 2 months from 10 March 2025 is Saturday 10 May: Monday 12 May.
    assert d.tribunal_appeal_deadline(D(2025, 3, 10)) == D(2025, 5, 12)
    # 1 month from a mediation certificate of 14 May 2026 is Sunday 14 June: Monday 15 June.
    assert d.tribunal_appeal_deadline(D(2026, 3, 1), D(2026, 5, 14)) == D(2026, 6, 15)


def test_a_tribunal_deadline_on_a_bank_holiday_moves_to_the_next_working_day():
    # Spring bank holiday, Monday 25 May 2026.
    assert d.tribunal_appeal_deadline(D(2026, 3, 25)) == D(2026, 5, 26)
    # Good Friday 2027 (26 March) and Easter Monday (29 March): Tuesday 30 March.
    assert d.tribunal_appeal_deadline(D(2027, 1, 26)) == D(2027, 3, 30)
    # One-off bank holidays count too: the coronation (8 May 2023) and the state funeral
    # of Queen Elizabeth II (19 September 2022).
    assert d.tribunal_appeal_deadline(D(2023, 3, 8)) == D(2023, 5, 9)
    assert d.tribunal_appeal_deadline(D(2022, 7, 19)) == D(2022, 9, 20)


def test_tribunal_deadline_takes_the_mediation_month_when_it_is_later():
    # 2 months from 10 March = 10 May; 1 month from a certificate of 20 April = 20 May.
    assert d.tribunal_appeal_deadline(D(2025, 3, 10), D(2025, 4, 20)) == D(2025, 5, 20)


def test_tribunal_deadline_keeps_the_decision_months_when_mediation_is_earlier():
    # 1 month from 15 March = 15 April, earlier than Monday 12 May.
    assert d.tribunal_appeal_deadline(D(2025, 3, 12), D(2025, 3, 15)) == D(2025, 5, 12)


def test_a_tribunal_deadline_in_august_moves_to_the_first_working_day_of_september():
    # 2 months from 12 June 2025 = 12 August; 1 September 2025 is a Monday.
    assert d.tribunal_appeal_deadline(D(2025, 6, 12)) == D(2025, 9, 1)
    # 1 September 2024 was a Sunday: the deadline is Monday 2 September.
    assert d.tribunal_appeal_deadline(D(2024, 6, 30)) == D(2024, 9, 2)


def test_a_tribunal_deadline_in_the_christmas_week_moves_into_january():
    # 2 months from 27 October 2025 = 27 December -> Friday 2 January 2026.
    assert d.tribunal_appeal_deadline(D(2025, 10, 27)) == D(2026, 1, 2)
    # 1 January itself also moves: 2 months from 1 November 2025.
    assert d.tribunal_appeal_deadline(D(2025, 11, 1)) == D(2026, 1, 2)
    # 2 January 2027 is a Saturday: the next working day is Monday 4 January.
    assert d.tribunal_appeal_deadline(D(2026, 10, 25)) == D(2027, 1, 4)
    # 1 January 2023 was a Sunday, so 2 January was the bank holiday: 3 January.
    assert d.tribunal_appeal_deadline(D(2022, 10, 30)) == D(2023, 1, 3)
    # 24 December does not move.
    assert d.tribunal_appeal_deadline(D(2025, 10, 24)) == D(2025, 12, 24)


def test_bank_holidays_include_substitute_days():
    assert d.easter_sunday(2025) == D(2025, 4, 20)
    assert d.easter_sunday(2024) == D(2024, 3, 31)
    assert d.bank_holidays(2022) >= {D(2022, 12, 26), D(2022, 12, 27)}  # Christmas on Sunday
    assert d.bank_holidays(2021) >= {D(2021, 12, 27), D(2021, 12, 28)}  # on Saturday
    assert d.bank_holidays(2025) >= {D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 25)}


def test_bank_holidays_are_englands_as_proclaimed_with_their_one_off_days():
    # 2022: the spring bank holiday moved to 2 June, with the platinum jubilee on 3 June and
    # the state funeral on 19 September; the last Monday of May was a working day.
    assert d.bank_holidays(2022) >= {D(2022, 6, 2), D(2022, 6, 3), D(2022, 9, 19)}
    assert D(2022, 5, 30) not in d.bank_holidays(2022)
    assert d.is_working_day(D(2022, 5, 30))
    assert not d.is_working_day(D(2023, 5, 8))  # the coronation
    # 2020: the early May bank holiday was Friday 8 May (VE day), not Monday 4 May.
    assert D(2020, 5, 8) in d.bank_holidays(2020) and d.is_working_day(D(2020, 5, 4))


@pytest.mark.parametrize(
    ("done", "today", "state", "days_late"),
    [
        (None, D(2025, 5, 1), State.NOT_YET_DUE, 0),
        (None, D(2025, 5, 3), State.DUE, 0),  # exactly 7 days before
        (None, D(2025, 5, 10), State.DUE, 0),  # the day itself
        (None, D(2025, 5, 13), State.LATE, 3),
        (D(2025, 5, 10), D(2025, 6, 1), State.MET, 0),
        (D(2025, 5, 12), D(2025, 6, 1), State.LATE, 2),
    ],
)
def test_status_of_a_step(done, today, state, days_late):
    status = d.step_status(D(2025, 5, 10), done, today)
    assert status.state == state
    assert status.days_late == days_late


def test_status_labels_say_how_late():
    assert d.step_status(D(2025, 5, 10), None, D(2025, 5, 11)).label == "Late (overdue, 1 day)"
    assert d.step_status(D(2025, 5, 10), None, D(2025, 5, 8)).label == "Due in 2 days"
    assert d.step_status(D(2025, 5, 10), None, D(2025, 5, 9)).label == "Due tomorrow"
    assert d.step_status(D(2025, 5, 10), None, D(2025, 5, 10)).label == "Due today"


def test_terms_and_academic_years():
    assert d.academic_year_start(D(2025, 9, 1)) == 2025
    assert d.academic_year_start(D(2026, 8, 31)) == 2025
    assert d.academic_year_label(2025) == "2025/26"
    assert d.term_of(D(2025, 12, 31)) == d.Term.AUTUMN
    assert d.term_of(D(2026, 4, 5)) == d.Term.SPRING  # Easter Sunday 2026
    assert d.term_of(D(2026, 4, 6)) == d.Term.SUMMER


# --- LA consultations on naming a school and the steps of an annual review -------------------


def test_a_naming_consultation_is_answered_on_time_up_to_day_15_and_late_on_day_16():
    received = D(2026, 3, 2)
    due = d.naming_response_due(received)
    assert due == D(2026, 3, 17)
    assert d.days_to_respond(received, due) == 15
    on_day_14 = d.step_status(due, D(2026, 3, 16), today=D(2026, 3, 20))
    on_day_15 = d.step_status(due, D(2026, 3, 17), today=D(2026, 3, 20))
    on_day_16 = d.step_status(due, D(2026, 3, 18), today=D(2026, 3, 20))
    assert on_day_14.state == State.MET and on_day_15.state == State.MET
    assert on_day_16.state == State.LATE and on_day_16.days_late == 1
    # Not yet answered: due on day 15 itself, overdue from day 16.
    assert d.step_status(due, None, today=D(2026, 3, 17)).state == State.DUE
    assert d.step_status(due, None, today=D(2026, 3, 18)).state == State.LATE


def test_the_fifteen_days_of_a_consultation_are_calendar_days_over_weekends_and_christmas():
    # Received on Saturday 20 December 2025: day 15 is Sunday 4 January 2026, holidays and
    # weekend included, and it does not move to a working day.
    assert d.naming_response_due(D(2025, 12, 20)) == D(2026, 1, 4)
    # Across the end of February in a leap year.
    assert d.naming_response_due(D(2028, 2, 20)) == D(2028, 3, 6)


def test_review_steps_are_counted_back_from_the_meeting_in_weeks():
    meeting = D(2026, 6, 15)  # a Monday
    assert d.review_reports_request_due(meeting, 6) == D(2026, 5, 4)
    assert d.review_circulate_due(meeting, 2) == D(2026, 6, 1)
    assert d.review_circulate_due(meeting, 3) == D(2026, 5, 25)
    # Never less than the two weeks of regulation 20(3), whatever the rule says.
    assert d.review_circulate_due(meeting, 1) == D(2026, 6, 1)
    # Across a new year and a leap day.
    assert d.review_reports_request_due(D(2026, 1, 5), 6) == D(2025, 11, 24)
    assert d.review_circulate_due(D(2028, 3, 7), 2) == D(2028, 2, 22)


def test_the_review_report_reaches_the_la_by_day_14_after_the_meeting_and_is_late_on_day_15():
    meeting = D(2026, 3, 2)
    due = d.review_report_due(meeting, 14)
    assert due == D(2026, 3, 16)
    assert d.step_status(due, D(2026, 3, 15), today=D(2026, 4, 1)).state == State.MET
    assert d.step_status(due, D(2026, 3, 16), today=D(2026, 4, 1)).state == State.MET
    assert d.step_status(due, D(2026, 3, 17), today=D(2026, 4, 1)).state == State.LATE
    # An LA may ask for it sooner, never later than two weeks (regulation 20(7)).
    assert d.review_report_due(meeting, 10) == D(2026, 3, 12)
    assert d.review_report_due(meeting, 21) == D(2026, 3, 16)


def test_a_plan_s_due_items_take_the_la_s_rules_and_the_planned_meeting():
    rules = d.ReviewRules(request_weeks=8, circulate_weeks=3, report_days=10)
    items = dict(
        d.plan_due_items(
            issue_date=D(2025, 5, 20),
            last_review=None,
            awaiting_decision_since=None,
            transfer_year=None,
            post_16=False,
            amended_on=None,
            rules=rules,
        )
    )
    assert items[d.REVIEW_MEETING] == D(2026, 5, 20)
    assert items[d.REQUEST_REPORTS] == D(2026, 3, 25)
    assert items[d.CIRCULATE_REPORTS] == D(2026, 4, 29)
    planned = dict(
        d.plan_due_items(
            issue_date=D(2025, 5, 20),
            last_review=None,
            awaiting_decision_since=None,
            transfer_year=None,
            post_16=False,
            amended_on=None,
            rules=rules,
            planned_meeting=D(2026, 5, 6),
            requested_on=D(2026, 3, 1),
        )
    )
    assert d.REQUEST_REPORTS not in planned  # done
    assert planned[d.CIRCULATE_REPORTS] == D(2026, 4, 15)
    after = dict(
        d.plan_due_items(
            issue_date=D(2025, 5, 20),
            last_review=D(2026, 5, 6),
            awaiting_decision_since=D(2026, 5, 6),
            transfer_year=None,
            post_16=False,
            amended_on=None,
            rules=rules,
            report_awaited_since=D(2026, 5, 6),
        )
    )
    assert after[d.REPORT_TO_LA] == D(2026, 5, 16)
    assert after[d.REVIEW_MEETING] == D(2027, 5, 6)
