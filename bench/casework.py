"""Casework selectors over a large set: 40 schools, 4,000 open cases, 4,000 assessment
requests, 4,000 EHC plans with reviews, 2,000 activity entries. Everything is written inside
a transaction that is rolled back at the end, in a database of its own (bench.database).
Prints the median of 5 runs per selector."""

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django_scopes import scopes_disabled

from bench.database import own_database


class Rollback(Exception):
    pass


def _timed(fn, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    with own_database():
        _run()


def _run() -> None:
    from casework import selectors
    from casework.models import (
        ActivityEntry,
        ActivityShare,
        AnnualReview,
        Case,
        EHCPlan,
        EHCRequest,
    )
    from pupils.models import Pupil
    from trusts.models import LocalAuthority, School, Trust, User

    rng = random.Random(1)
    today = dt.date(2026, 3, 2)
    try:
        with scopes_disabled(), transaction.atomic():
            las = [
                LocalAuthority.objects.create(code=970 + i, name=f"Bench LA {i}", funding_unit="band")
                for i in range(3)
            ]
            trusts = [
                Trust.objects.create(name=f"Bench trust {i}", slug=f"bench-trust-{i}") for i in range(2)
            ]
            schools = [
                School.objects.create(
                    name=f"Bench school {i}",
                    laestab=f"97{i:05d}",
                    phase="primary",
                    local_authority=las[i % 3],
                    trust=trusts[i % 2],
                )
                for i in range(40)
            ]
            owner = User.objects.create_user("bench-owner@example.test", None)
            pupils = Pupil.objects.bulk_create(
                Pupil(
                    school=schools[i % 40],
                    upn=f"B{i:012d}",
                    surname="Bench",
                    forename="P",
                    date_of_birth=dt.date(2015, 1, 1),
                    gender="F",
                    year_group="5",
                    home_local_authority=las[i % 3],
                    provision="K",
                )
                for i in range(8000)
            )
            Case.objects.bulk_create(
                Case(
                    kind=rng.choice(Case.Kind.values[1:]),
                    school=p.school,
                    title="Bench",
                    owner=owner,
                    opened_on=dt.date(2025, 9, 1),
                    next_action_due=today + dt.timedelta(days=rng.randint(-30, 90)),
                )
                for p in pupils[:4000]
            )
            EHCRequest.objects.bulk_create(
                EHCRequest(
                    pupil=p,
                    school=p.school,
                    local_authority=p.home_local_authority,
                    requested_by="school",
                    owner=owner,
                    request_date=dt.date(2025, 1, 1) + dt.timedelta(days=i % 400),
                    **(
                        {
                            "decision": "assess",
                            "decision_date": dt.date(2025, 3, 1),
                            "outcome": "issued",
                            "outcome_date": dt.date(2025, 6, 1) + dt.timedelta(days=i % 200),
                        }
                        if i % 2
                        else {}
                    ),
                )
                for i, p in enumerate(pupils[:4000])
            )
            plans = EHCPlan.objects.bulk_create(
                EHCPlan(
                    pupil=p,
                    school=p.school,
                    local_authority=p.home_local_authority,
                    issue_date=dt.date(2024, 1, 1) + dt.timedelta(days=i % 500),
                    owner=owner,
                )
                for i, p in enumerate(pupils[4000:])
            )
            AnnualReview.objects.bulk_create(
                AnnualReview(plan=plan, meeting_date=plan.issue_date + dt.timedelta(days=360))
                for plan in plans[::2]
                if plan.issue_date is not None
            )
            entries = ActivityEntry.objects.bulk_create(
                ActivityEntry(
                    person=owner,
                    kind="school_visit",
                    hours=Decimal(3),
                    date=dt.date(2025, 9, 1) + dt.timedelta(days=i % 180),
                )
                for i in range(2000)
            )
            ActivityShare.objects.bulk_create(
                ActivityShare(entry=e, trust=trusts[i % 2], hours=Decimal(3)) for i, e in enumerate(entries)
            )
            ids = [s.pk for s in schools]
            tids = [t.pk for t in trusts]
            with connection.cursor() as c:
                c.execute("ANALYZE")
            if __import__("os").environ.get("BENCH_PROFILE"):
                import cProfile

                cProfile.runctx(
                    "selectors.due_list(school_ids=ids, today=today)", globals(), locals(), sort="tottime"
                )
            for label, fn in [
                (
                    "due_list (all open cases and steps)",
                    lambda: selectors.due_list(school_ids=ids, today=today),
                ),
                (
                    "la_timeliness (a year)",
                    lambda: selectors.la_timeliness(
                        school_ids=ids, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), today=today
                    ),
                ),
                ("annual_reviews", lambda: selectors.annual_reviews(school_ids=ids, today=today)),
                (
                    "activity_split (a year)",
                    lambda: selectors.activity_split(
                        trust_ids=tids, person=owner, year_start=2025, today=today
                    ),
                ),
            ]:
                ms, result = _timed(fn)
                size = len(result) if isinstance(result, list) else len(result.months)
                print(f"  {label:40} {ms:8.1f} ms  ({size} rows)")
            raise Rollback
    except Rollback:
        pass
