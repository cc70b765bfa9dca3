import datetime as dt
from decimal import Decimal

from casework import figures
from casework.models import PublishedTimeliness
from trusts.tests.factories import LocalAuthorityFactory

from .test_figures import _request

D = dt.date


def _published(code, name, year, rate):
    PublishedTimeliness.objects.create(
        la_code=code, la_name=name, year=year, within_20_weeks_pct=rate, source="test"
    )


def test_each_la_row_carries_its_latest_published_rate_in_the_same_query(world, django_assert_num_queries):
    essex = LocalAuthorityFactory(code=991, name="Essex")
    thurrock = LocalAuthorityFactory(code=993, name="Thurrock")
    start = D(2025, 4, 7)
    _request(world, essex, start, start + dt.timedelta(weeks=18))
    _request(world, essex, start, start + dt.timedelta(weeks=30))
    _request(world, thurrock, D(2025, 7, 31))  # open past 20 weeks only
    _published(991, "Essex", 2023, Decimal("5.0"))
    _published(991, "Essex", 2024, Decimal("1.0"))
    _published(992, "Southend-on-Sea", 2024, Decimal("3.0"))
    with django_assert_num_queries(1):
        tl = figures.timeliness([world.school_a.pk], D(2025, 4, 1), D(2026, 3, 31), D(2026, 3, 2))
    by_la = {r.local_authority: r for r in tl.rows}
    e, t = by_la["Essex"], by_la["Thurrock"]
    # The trusts' own figures are as before: 1 of 2 within 20 weeks, 1 open past 20 weeks.
    assert (e.plans_issued, e.within_20_weeks, e.within_pct) == (2, 1, Decimal("50.0"))
    assert (t.plans_issued, t.open_past_20_weeks) == (0, 1)
    assert (e.published_pct, e.published_year) == (Decimal("1.0"), 2024)
    assert (t.published_pct, t.published_year) == (None, None)  # nothing published is kept
    assert tl.total.published_pct is None
