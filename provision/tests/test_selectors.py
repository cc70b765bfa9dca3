import datetime
from decimal import Decimal as D

import pytest

from provision import selectors
from provision.models import cost_per_pupil

from .factories import DeliveryFactory, EnrolmentFactory, InterventionFactory

pytestmark = pytest.mark.django_db
d = datetime.date


def test_a_small_group_costs_each_pupil_a_share_of_the_staff_hours():
    # 3 x 30 minutes x 38 weeks = 57 hours at 16.00 = 912.00, shared by 4.
    assert InterventionFactory.build().annual_cost_per_pupil() == D("228.00")


def test_an_hour_long_one_to_one_costs_what_the_old_teaching_assistant_line_did():
    hours, weeks, rate, on_cost = D("12.5"), D("38"), D("12.21"), D("27.5")
    old = (hours * weeks * rate * (1 + on_cost / 100)).quantize(D("0.01"))
    assert cost_per_pupil(hours, 60, weeks, rate * (1 + on_cost / 100), 1) == old


def test_a_blank_hourly_cost_without_standard_rates_leaves_the_cost_unknown():
    assert InterventionFactory.build(hourly_cost=None).annual_cost_per_pupil() is None


def test_enrolments_for_a_pupil_on_a_date_are_those_current_then():
    current = EnrolmentFactory(start_date=d(2026, 9, 1))
    pupil = current.pupil
    EnrolmentFactory(
        pupil=pupil, intervention__school=pupil.school, start_date=d(2026, 1, 5), end_date=d(2026, 3, 27)
    )
    assert len(selectors.enrolments_for_pupil(pupil)) == 2
    assert selectors.enrolments_for_pupil(pupil, on=d(2026, 10, 1)) == [current]


def test_delivery_counts_sessions_attended_against_those_planned(django_assert_max_num_queries):
    enrolment = EnrolmentFactory(start_date=d(2026, 9, 7), intervention__weeks=D("52"))
    other = EnrolmentFactory(intervention=enrolment.intervention, start_date=d(2026, 9, 7))
    for day in (d(2026, 9, 8), d(2026, 9, 10), d(2026, 9, 15)):
        DeliveryFactory(intervention=enrolment.intervention, date=day, attended=[enrolment])
    DeliveryFactory(intervention=enrolment.intervention, date=d(2026, 9, 17), attended=[other])
    DeliveryFactory(intervention=enrolment.intervention, date=d(2026, 10, 20), attended=[enrolment])
    with django_assert_max_num_queries(2):
        out = selectors.delivery_for_enrolments([enrolment, other], d(2026, 9, 1), d(2026, 9, 20))
    # 3 a week over the 14 days from the start on 7 September.
    assert out[enrolment.pk].planned == 6
    assert out[enrolment.pk].delivered == 3
    assert out[other.pk].delivered == 1
