"""Dashboards on a large dataset: 2 trusts x 100 schools, six censuses each, with 40,000 pupils
with SEND at the latest census (the register's per-school counts, which is what the dashboards
read), plus casework and funding: 4,000 pupil records with EHC plans, 3,600 top-up claims
(awards, payments, costed provision), 4,000 cases, 1,000 EHC needs assessments and 400 entries
of the Head of SEND's activity, their figures kept in summary rows as the services keep them.

Nothing is cached, so every request computes its page from the summary rows. Prints the server
time of each dashboard through the Django test client (median and 95th percentile over repeated
requests) and its query count, then:
- a trust's page right after writes in the other trust (a payment and a case, through the
  services), interleaved with views after no write: the page must not notice;
- the same trust's page once the summaries hold 20,000 schools (19,800 more, copied from the
  first 200 in 198 more trusts): the page must cost the same.
Each figure is printed against its goal (bench.goals); main() returns False when one is missed.

Runs in its own database (bench_<name of DATABASE_URL's database>), created and dropped here.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from bench.database import own_database
from send_portal.process import tune_garbage_collector

REQUESTS = 30
WARM_UP = 3
SCHOOLS_PER_TRUST = 100
SEND_PUPILS = 40_000
CENSUSES = [
    datetime.date(2023, 1, 19),
    datetime.date(2023, 10, 5),
    datetime.date(2024, 1, 18),
    datetime.date(2024, 10, 3),
    datetime.date(2025, 1, 16),
    datetime.date(2025, 10, 2),
]
NEEDS = ["ASD", "SEMH", "SLCN", "MLD", "SPLD", "PD", "HI", "OTH"]


def _split(total: int, keys: list[str], rng: random.Random) -> dict[str, int]:
    weights = [rng.random() + 0.2 for _ in keys]
    scale = sum(weights)
    out = {k: int(total * w / scale) for k, w in zip(keys, weights, strict=True)}
    out[keys[0]] += total - sum(out.values())
    return out


def build_dataset():
    from pupils.models import CensusSnapshot, NationalAverage
    from trusts.models import LocalAuthority, School, Trust
    from trusts.tests.factories import executive, head_of_send

    rng = random.Random(20251002)
    NationalAverage.objects.create(
        phase="primary", ehcp_pct="3.5", sen_support_pct="14.8", total_send_pct="18.3"
    )
    NationalAverage.objects.create(
        phase="secondary", ehcp_pct="3.1", sen_support_pct="13.4", total_send_pct="16.5"
    )
    las = [
        LocalAuthority.objects.create(code=c, name=n, funding_unit="band")
        for c, n in [(881, "Essex"), (882, "Southend-on-Sea"), (883, "Thurrock")]
    ]
    trusts = [Trust.objects.create(name=f"Bench Trust {i}", slug=f"bench-trust-{i}") for i in (1, 2)]
    schools = School.objects.bulk_create(
        [
            School(
                name=f"Bench School {t}-{n:03d}",
                laestab=f"{881 + n % 3}{t}{n:03d}",
                phase="secondary" if n % 5 == 0 else "primary",
                local_authority=las[n % 3],
                trust=trusts[t - 1],
            )
            for t in (1, 2)
            for n in range(SCHOOLS_PER_TRUST)
        ]
    )
    per_school = SEND_PUPILS // len(schools)
    snapshots = []
    for school in schools:
        years = (
            ["7", "8", "9", "10", "11"]
            if school.phase == "secondary"
            else ["R", "1", "2", "3", "4", "5", "6"]
        )
        for i, census in enumerate(CENSUSES):
            latest = i == len(CENSUSES) - 1
            send = per_school if latest else per_school - rng.randint(0, 20)
            ehcp = rng.randint(per_school // 10, per_school // 4)
            sen_support = send - ehcp
            nor = rng.randint(1000, 1500)
            e_need, k_need = _split(ehcp, NEEDS, rng), _split(sen_support, NEEDS, rng)
            e_year, k_year = _split(ehcp, years, rng), _split(sen_support, years, rng)
            roll = _split(nor, years, rng)
            snapshots.append(
                CensusSnapshot(
                    school=school,
                    census_date=census,
                    number_on_roll=nor,
                    ehcp=ehcp,
                    sen_support=sen_support,
                    by_need={n: {"E": e_need[n], "K": k_need[n]} for n in NEEDS},
                    by_year_group={
                        y: {"E": e_year[y], "K": k_year[y], "N": max(roll[y] - e_year[y] - k_year[y], 0)}
                        for y in years
                    },
                )
            )
    CensusSnapshot.objects.bulk_create(snapshots, batch_size=500)
    latest_send = sum(s.ehcp + s.sen_support for s in snapshots if s.census_date == CENSUSES[-1])
    hos = head_of_send(*trusts, totp=True)
    operations = build_casework_and_funding(schools, trusts, hos, rng)
    # The rows above were bulk-loaded past the services: their figures are computed once, as
    # `manage.py rebuild_figures` would.
    from reports.figures_check import figures_rebuild

    figures_rebuild()
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum would gather them soon after a load this size.
        cursor.execute("ANALYZE")
    return {
        "trusts": trusts,
        "schools": schools,
        "executive": executive(trusts[0]),
        "head_of_send": hos,
        "latest_send": latest_send,
        "snapshots": len(snapshots),
        "operations": operations,
    }


PUPILS_PER_SCHOOL = 20  # with EHC plans: 4,000 in all
CASES_PER_SCHOOL = 20
REQUESTS_PER_SCHOOL = 5
ACTIVITY_ENTRIES = 400


def build_casework_and_funding(schools, trusts, hos, rng: random.Random) -> str:
    """Claims (awarded with an award and a payment, submitted, refused; some pupils left
    unclaimed), costed provision, cases of every kind opened and closed over two academic
    years, EHC needs assessments and the Head of SEND's activity, in bulk."""
    from decimal import Decimal

    from django.utils import timezone

    from casework.models import ActivityEntry, ActivityShare, Case, EHCRequest
    from funding import reference as funding_reference
    from funding.models import Award, Band, Claim, ClaimStatus, Payment
    from funding.selectors import default_financial_year
    from provision.models import Enrolment, Intervention, Kind
    from pupils.models import Provision, Pupil
    from pupils.tests.factories import PupilFactory

    funding_reference.load_banding_tables()
    today = timezone.localdate()
    year = default_financial_year(today)
    bands: dict[int, list] = {}
    for b in Band.objects.filter(scheme__financial_year=year).select_related("scheme"):
        bands.setdefault(b.scheme.local_authority_id, []).append(b)
    pupils = Pupil.objects.bulk_create(
        [
            PupilFactory.build(school=s, home_local_authority=s.local_authority, provision=Provision.EHC_PLAN)
            for s in schools
            for _ in range(PUPILS_PER_SCHOOL)
        ],
        batch_size=1000,
    )
    statuses = [ClaimStatus.AWARDED] * 6 + [ClaimStatus.SUBMITTED, ClaimStatus.REFUSED]
    claims = Claim.objects.bulk_create(
        [
            Claim(
                school=p.school,
                pupil=p,
                local_authority=p.school.local_authority,
                financial_year=year,
                requested_band=rng.choice(bands[p.school.local_authority_id]),
                evidence_summary="EHC plan",
                provision_to_fund="TA support",
                status=statuses[i % len(statuses)],
            )
            for i, p in enumerate(pupils)
            if i % 10 != 9  # one pupil in ten unclaimed
        ],
        batch_size=1000,
    )
    awarded = [c for c in claims if c.status == ClaimStatus.AWARDED]
    start = datetime.date(year, 4, 1)
    Award.objects.bulk_create(
        [
            Award(
                claim=c, band=c.requested_band, start_date=start + datetime.timedelta(days=rng.randint(0, 90))
            )
            for c in awarded
        ],
        batch_size=1000,
    )
    Payment.objects.bulk_create(
        [
            Payment(
                claim=c,
                amount=Decimal(rng.randint(200, 3000)),
                received_on=start + datetime.timedelta(days=rng.randint(30, 300)),
            )
            for c in awarded
            for _ in range(2)
        ],
        batch_size=1000,
    )
    # Half the pupils with 1:1 teaching-assistant support of 5, 10 or 15 hours a week.
    support = {
        (s.pk, hours): Intervention(
            school=s,
            name=f"Teaching assistant support, {hours} hours",
            kind=Kind.ONE_TO_ONE,
            staff_role="Teaching assistant",
            sessions_per_week=Decimal(hours),
            minutes_per_session=60,
            group_size=1,
        )
        for s in schools
        for hours in (5, 10, 15)
    }
    Intervention.objects.bulk_create(support.values(), batch_size=1000)
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                intervention=support[(p.school.pk, rng.choice([5, 10, 15]))],
                pupil=p,
                start_date=datetime.date(year, 4, 1),
            )
            for p in pupils[::2]
        ],
        batch_size=1000,
    )
    kinds = list(Case.Kind.values)
    cases = []
    for s in schools:
        for _ in range(CASES_PER_SCHOOL):
            opened = today - datetime.timedelta(days=rng.randint(1, 700))
            closed = opened + datetime.timedelta(days=rng.randint(5, 120))
            done = closed < today and rng.random() < 0.7
            cases.append(
                Case(
                    school=s,
                    kind=rng.choice(kinds),
                    title="Bench case",
                    owner=hos,
                    opened_on=opened,
                    status="closed" if done else "open",
                    closed_on=closed if done else None,
                    outcome="Resolved" if done else "",
                    next_action_due=None if done else today + datetime.timedelta(days=rng.randint(-20, 40)),
                )
            )
    Case.objects.bulk_create(cases, batch_size=1000)
    requests = []
    for s in schools:
        for i in range(REQUESTS_PER_SCHOOL):
            requested = today - datetime.timedelta(weeks=rng.randint(10, 60))
            issued = requested + datetime.timedelta(weeks=rng.randint(14, 35))
            done = issued < today and i % 4 != 3
            requests.append(
                EHCRequest(
                    pupil=pupils[schools.index(s) * PUPILS_PER_SCHOOL + i],
                    school=s,
                    local_authority=s.local_authority,
                    requested_by="school",
                    request_date=requested,
                    owner=hos,
                    decision="assess",
                    decision_date=requested + datetime.timedelta(weeks=6),
                    outcome="issued" if done else "",
                    outcome_date=issued if done else None,
                )
            )
    EHCRequest.objects.bulk_create(requests, batch_size=1000)
    entries = ActivityEntry.objects.bulk_create(
        [
            ActivityEntry(
                person=hos,
                kind="training" if i % 3 == 0 else "school_visit",
                date=today - datetime.timedelta(days=rng.randint(0, 300)),
                hours=Decimal(rng.randint(1, 6)),
                school=schools[i % len(schools)],
                topic="Bench",
                staff_trained=rng.randint(3, 30) if i % 3 == 0 else None,
            )
            for i in range(ACTIVITY_ENTRIES)
        ]
    )
    ActivityShare.objects.bulk_create(
        [
            ActivityShare(entry=e, trust=schools[i % len(schools)].trust, hours=e.hours)
            for i, e in enumerate(entries)
        ]
    )
    return (
        f"{len(pupils):,} pupils with EHC plans, {len(claims):,} claims ({len(awarded):,} "
        f"awarded, {2 * len(awarded):,} payments), {len(cases):,} cases, {len(requests):,} "
        f"EHC needs assessments, {len(entries)} activity entries"
    )


GOAL_QUERIES = 15
GOAL_TRUST_P95_MS = 50
GOAL_CROSS_TRUST_P95_MS = 80
GOAL_OTHER_TRUST_RATIO = 1.10  # median after a write in the other trust / median after none
GOAL_SCALE_RATIO = 1.10  # p95 with 20,000 schools / p95 with 200
SCALED_SCHOOLS = 20_000


def _timed(client: Client, url: str, before=None) -> float:
    if before is not None:
        before()
    start = time.perf_counter()
    response = client.get(url)
    took = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, url
    return took


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries.captured_queries)


def measure(client: Client, url: str, requests: int = REQUESTS) -> tuple[float, float, int]:
    """Median and 95th percentile of the server time (ms) and the query count of a page."""
    for _ in range(WARM_UP):
        _timed(client, url)
    times = [_timed(client, url) for _ in range(requests)]
    return statistics.median(times), _p95(times), _queries(client, url)


def best_p95(client: Client, url: str, rounds: int = 3) -> float:
    """The lowest p95 of a few rounds: on a shared machine a round can be slowed by another
    process, never sped up, so the lowest is the page's own cost."""
    return min(measure(client, url)[1] for _ in range(rounds))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    # A fresh login, as the login form records it: exports need one in the last 15 minutes.
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session.save()
    return client


def writes_in(school, actor):
    """A payment and a case recorded through the services in `school` (alternately)."""
    from decimal import Decimal

    from django.utils import timezone

    from casework import services as casework_services
    from funding import services as funding_services
    from funding.models import Claim, ClaimStatus

    with scopes_disabled():
        claim = Claim.objects.filter(school=school, status=ClaimStatus.AWARDED).first()
    step = {"n": 0}

    def write() -> None:
        step["n"] += 1
        today = timezone.localdate()
        with scopes_disabled():
            if step["n"] % 2:
                funding_services.payment_record(
                    actor=actor,
                    claim=claim,
                    amount=Decimal("10.00"),
                    received_on=today,
                    reference=f"B{step['n']}",
                )
            else:
                casework_services.case_open(
                    actor=actor,
                    school=school,
                    kind="complaint",
                    title="Bench complaint",
                    owner=actor,
                    opened_on=today,
                )

    return write


def scale_summaries(template_schools, to: int) -> int:
    """Schools added until there are `to`, each given copies of a first school's census
    snapshots and summary rows (every kept figure), in 198 more trusts of 100: the summaries
    as they would be with that many schools, without the source rows behind them."""
    from casework import figures as casework_figures
    from funding import figures as funding_figures
    from pupils.models import CensusSnapshot
    from trusts.models import School, Trust

    have = School.objects.count()
    new = to - have
    trusts = Trust.objects.bulk_create(
        [
            Trust(name=f"Scale Trust {i:03d}", slug=f"scale-trust-{i:03d}")
            for i in range(new // SCHOOLS_PER_TRUST + 1)
        ]
    )
    made = School.objects.bulk_create(
        [
            School(
                name=f"Scale School {i:05d}",
                laestab=f"9{i:06d}",
                phase=t.phase,
                local_authority_id=t.local_authority_id,
                trust=trusts[i // SCHOOLS_PER_TRUST],
            )
            for i in range(new)
            for t in [template_schools[i % len(template_schools)]]
        ],
        batch_size=2000,
    )
    tables = [CensusSnapshot, *funding_figures.SUMMARY_MODELS, *casework_figures.SCHOOL_MODELS]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE scale_map (new_id bigint, old_id bigint)")
        with cursor.copy("COPY scale_map FROM STDIN") as copy:
            for i, school in enumerate(made):
                copy.write_row((school.pk, template_schools[i % len(template_schools)].pk))
        for model in tables:
            fields = [
                f.column for f in model._meta.concrete_fields if not f.primary_key and f.column != "school_id"
            ]
            if "school_id" not in [f.column for f in model._meta.concrete_fields]:
                continue
            columns = ", ".join(fields)
            picked = ", ".join(f"t.{c}" for c in fields)
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} (school_id, {columns}) "  # noqa: S608 - model names
                f"SELECT m.new_id, {picked} FROM {model._meta.db_table} t "
                "JOIN scale_map m ON m.old_id = t.school_id"
            )
        cursor.execute("DROP TABLE scale_map")
        cursor.execute("ANALYZE")
    return School.objects.count()


def run() -> bool:
    from bench.goals import Goals

    goals = Goals()
    with scopes_disabled():
        t0 = time.perf_counter()
        data = build_dataset()
        print(
            f"dataset: 2 trusts x {SCHOOLS_PER_TRUST} schools, {data['snapshots']} census snapshots, "
            f"{data['latest_send']:,} pupils with SEND at the latest census "
            f"({time.perf_counter() - t0:.1f} s to build)"
        )
        print(f"casework and funding: {data['operations']}")
    trust, school = data["trusts"][0], data["schools"][0]
    other_school = next(s for s in data["schools"] if s.trust_id != trust.pk)
    trust_url, cross_url = f"/reports/trusts/{trust.slug}/", "/reports/cross-trust/"
    pages = [
        ("home page (200 school links)", data["executive"], "/", None),
        ("school dashboard", data["executive"], f"/reports/schools/{school.laestab}/", None),
        ("trust dashboard (100 schools)", data["executive"], trust_url, GOAL_TRUST_P95_MS),
        ("cross-trust dashboard (200 schools)", data["head_of_send"], cross_url, GOAL_CROSS_TRUST_P95_MS),
        (
            "cross-trust, filtered and sorted",
            data["head_of_send"],
            "/reports/cross-trust/?la=Thurrock&sort=-total_pct",
            GOAL_CROSS_TRUST_P95_MS,
        ),
        ("school dashboard, Head of SEND", data["head_of_send"], f"/reports/schools/{school.laestab}/", None),
    ]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, user, url, goal in pages:
        median, p95, queries = measure(logged_in(user), url)
        print(f"{label:40} {median:10.1f} {p95:8.1f} {queries:8d}")
        if url.startswith("/reports/"):
            goals.at_most(f"{label}: queries", queries, GOAL_QUERIES)
        if goal is not None:
            goals.at_most(f"{label}: p95, nothing cached", p95, goal, " ms")

    # One trust's page with writes in the other trust between views, interleaved with views
    # after no write, so that both see the same machine.
    client = logged_in(data["executive"])
    write = writes_in(other_school, data["head_of_send"])
    quiet, after_write = [], []
    for _ in range(WARM_UP):
        _timed(client, trust_url)
    for _ in range(REQUESTS):
        quiet.append(_timed(client, trust_url))
        after_write.append(_timed(client, trust_url, write))
    ratio = statistics.median(after_write) / statistics.median(quiet)
    print(
        f"trust dashboard after no write:            median {statistics.median(quiet):.1f} ms, "
        f"p95 {_p95(quiet):.1f} ms"
    )
    print(
        f"trust dashboard after a write in the other trust: median "
        f"{statistics.median(after_write):.1f} ms, p95 {_p95(after_write):.1f} ms"
    )
    goals.at_most(
        "trust dashboard after writes in the other trust, median ratio", ratio, GOAL_OTHER_TRUST_RATIO, "x"
    )

    before = best_p95(client, trust_url)
    with scopes_disabled():
        t0 = time.perf_counter()
        schools = scale_summaries(data["schools"], SCALED_SCHOOLS)
        print(f"summaries scaled to {schools:,} schools in {time.perf_counter() - t0:.1f} s")
    after = best_p95(client, trust_url)
    print(
        f"trust dashboard p95 (best of 3 rounds): {before:.1f} ms with 200 schools, "
        f"{after:.1f} ms with {schools:,}"
    )
    goals.at_most(
        f"trust dashboard p95, {schools:,} schools / 200 schools", after / before, GOAL_SCALE_RATIO, "x"
    )
    return goals.all_met


def main() -> bool:
    tune_garbage_collector()  # as send_portal.wsgi does once the application is loaded
    with own_database():
        return run()
