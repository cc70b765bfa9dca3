"""Dashboards and board pack on a large dataset: 2 trusts x 100 schools, six censuses each, with
40,000 pupils with SEND at the latest census (the register's per-school counts, which is what
the dashboards read), plus casework and funding: 4,000 pupil records with EHC plans, 4,000
top-up claims (awards, payments, costed provision), 4,000 cases, 1,000 EHC needs assessments
and 400 entries of the Head of SEND's activity. Prints the server time of each dashboard
through the Django test client (median and 95th percentile over repeated requests) and its query
count, as usually met (the page from the cache, reports.pages) and as first met after a change:
a case edited, a payment recorded (only the figures that read the changed table are computed
again), or nothing cached at all (after a deployment, until the first refresh pass); then the
time of a refresh pass over every page (computing all again, and with nothing changed), and
the time from request to file of a board pack for a 100-school trust (never cached).

Runs in its own database (bench_<name of DATABASE_URL's database>), created and dropped here.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import tempfile
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from send_portal.process import tune_garbage_collector
from trusts import freshness

REQUESTS = 30
WARM_UP = 3
SCHOOLS_PER_TRUST = 100
SEND_PUPILS = 40_000
CENSUSES = [datetime.date(2023, 1, 19), datetime.date(2023, 10, 5), datetime.date(2024, 1, 18),
            datetime.date(2024, 10, 3), datetime.date(2025, 1, 16), datetime.date(2025, 10, 2)]
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
    NationalAverage.objects.create(phase="primary", ehcp_pct="3.5", sen_support_pct="14.8",
                                   total_send_pct="18.3")
    NationalAverage.objects.create(phase="secondary", ehcp_pct="3.1", sen_support_pct="13.4",
                                   total_send_pct="16.5")
    las = [LocalAuthority.objects.create(code=c, name=n, funding_unit="band")
           for c, n in [(881, "Essex"), (882, "Southend-on-Sea"), (883, "Thurrock")]]
    trusts = [Trust.objects.create(name=f"Bench Trust {i}", slug=f"bench-trust-{i}") for i in (1, 2)]
    schools = School.objects.bulk_create([
        School(name=f"Bench School {t}-{n:03d}", laestab=f"{881 + n % 3}{t}{n:03d}",
               phase="secondary" if n % 5 == 0 else "primary", local_authority=las[n % 3],
               trust=trusts[t - 1])
        for t in (1, 2) for n in range(SCHOOLS_PER_TRUST)
    ])
    per_school = SEND_PUPILS // len(schools)
    snapshots = []
    for school in schools:
        years = ["7", "8", "9", "10", "11"] if school.phase == "secondary" else [
            "R", "1", "2", "3", "4", "5", "6"]
        for i, census in enumerate(CENSUSES):
            latest = i == len(CENSUSES) - 1
            send = per_school if latest else per_school - rng.randint(0, 20)
            ehcp = rng.randint(per_school // 10, per_school // 4)
            sen_support = send - ehcp
            nor = rng.randint(1000, 1500)
            e_need, k_need = _split(ehcp, NEEDS, rng), _split(sen_support, NEEDS, rng)
            e_year, k_year = _split(ehcp, years, rng), _split(sen_support, years, rng)
            roll = _split(nor, years, rng)
            snapshots.append(CensusSnapshot(
                school=school, census_date=census, number_on_roll=nor, ehcp=ehcp,
                sen_support=sen_support,
                by_need={n: {"E": e_need[n], "K": k_need[n]} for n in NEEDS},
                by_year_group={y: {"E": e_year[y], "K": k_year[y],
                                   "N": max(roll[y] - e_year[y] - k_year[y], 0)} for y in years},
            ))
    CensusSnapshot.objects.bulk_create(snapshots, batch_size=500)
    latest_send = sum(s.ehcp + s.sen_support for s in snapshots if s.census_date == CENSUSES[-1])
    hos = head_of_send(*trusts, totp=True)
    operations = build_casework_and_funding(schools, trusts, hos, rng)
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
    from funding import demo as funding_demo
    from funding.models import Award, Band, Claim, ClaimStatus, Payment, ProvisionCost
    from funding.selectors import default_financial_year
    from pupils.models import Provision, Pupil
    from pupils.tests.factories import PupilFactory

    funding_demo.seed_banding_tables()
    today = timezone.localdate()
    year = default_financial_year(today)
    bands: dict[int, list] = {}
    for b in Band.objects.filter(scheme__financial_year=year).select_related("scheme"):
        bands.setdefault(b.scheme.local_authority_id, []).append(b)
    pupils = Pupil.objects.bulk_create([
        PupilFactory.build(school=s, home_local_authority=s.local_authority,
                           provision=Provision.EHC_PLAN)
        for s in schools for _ in range(PUPILS_PER_SCHOOL)
    ], batch_size=1000)
    statuses = [ClaimStatus.AWARDED] * 6 + [ClaimStatus.SUBMITTED, ClaimStatus.REFUSED]
    claims = Claim.objects.bulk_create([
        Claim(school=p.school, pupil=p, local_authority=p.school.local_authority,
              financial_year=year, requested_band=rng.choice(bands[p.school.local_authority_id]),
              evidence_summary="EHC plan", provision_to_fund="TA support",
              status=statuses[i % len(statuses)])
        for i, p in enumerate(pupils) if i % 10 != 9  # one pupil in ten unclaimed
    ], batch_size=1000)
    awarded = [c for c in claims if c.status == ClaimStatus.AWARDED]
    start = datetime.date(year, 4, 1)
    Award.objects.bulk_create([Award(claim=c, band=c.requested_band,
                                     start_date=start + datetime.timedelta(days=rng.randint(0, 90)))
                               for c in awarded], batch_size=1000)
    Payment.objects.bulk_create([
        Payment(claim=c, amount=Decimal(rng.randint(200, 3000)), received_on=start +
                datetime.timedelta(days=rng.randint(30, 300)))
        for c in awarded for _ in range(2)
    ], batch_size=1000)
    ProvisionCost.objects.bulk_create([
        ProvisionCost(pupil=p, school=p.school, ta_hours_per_week=Decimal(rng.choice([5, 10, 15])))
        for p in pupils[::2]
    ], batch_size=1000)
    kinds = list(Case.Kind.values)
    cases = []
    for s in schools:
        for _ in range(CASES_PER_SCHOOL):
            opened = today - datetime.timedelta(days=rng.randint(1, 700))
            closed = opened + datetime.timedelta(days=rng.randint(5, 120))
            done = closed < today and rng.random() < 0.7
            cases.append(Case(
                school=s, kind=rng.choice(kinds), title="Bench case", owner=hos,
                opened_on=opened, status="closed" if done else "open",
                closed_on=closed if done else None, outcome="Resolved" if done else "",
                next_action_due=None if done else today + datetime.timedelta(days=rng.randint(-20, 40)),
            ))
    Case.objects.bulk_create(cases, batch_size=1000)
    requests = []
    for s in schools:
        for i in range(REQUESTS_PER_SCHOOL):
            requested = today - datetime.timedelta(weeks=rng.randint(10, 60))
            issued = requested + datetime.timedelta(weeks=rng.randint(14, 35))
            done = issued < today and i % 4 != 3
            requests.append(EHCRequest(
                pupil=pupils[schools.index(s) * PUPILS_PER_SCHOOL + i], school=s,
                local_authority=s.local_authority, requested_by="school", request_date=requested,
                owner=hos, decision="assess", decision_date=requested + datetime.timedelta(weeks=6),
                outcome="issued" if done else "", outcome_date=issued if done else None))
    EHCRequest.objects.bulk_create(requests, batch_size=1000)
    entries = ActivityEntry.objects.bulk_create([
        ActivityEntry(person=hos, kind="training" if i % 3 == 0 else "school_visit",
                      date=today - datetime.timedelta(days=rng.randint(0, 300)),
                      hours=Decimal(rng.randint(1, 6)), school=schools[i % len(schools)],
                      topic="Bench", staff_trained=rng.randint(3, 30) if i % 3 == 0 else None)
        for i in range(ACTIVITY_ENTRIES)
    ])
    ActivityShare.objects.bulk_create([
        ActivityShare(entry=e, trust=schools[i % len(schools)].trust, hours=e.hours)
        for i, e in enumerate(entries)
    ])
    return (f"{len(pupils):,} pupils with EHC plans, {len(claims):,} claims ({len(awarded):,} "
            f"awarded, {2 * len(awarded):,} payments), {len(cases):,} cases, {len(requests):,} "
            f"EHC needs assessments, {len(entries)} activity entries")


def _timed(client: Client, url: str, before=None) -> tuple[float, float]:
    if before is not None:
        before()
    start, start_cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    assert response.status_code == 200, url
    return (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000


def _stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=20, method="inclusive")[18]


def _queries(client: Client, url: str, before=None) -> int:
    if before is not None:
        before()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries.captured_queries)


def measure(client: Client, url: str, changes: dict) -> dict:
    """Server time of a page through the test client: median and 95th percentile of the wall
    time, median CPU time of this process (Python only), and the query count; once as people
    usually meet it (nothing changed since the last view: the page comes from the cache), then
    as first met after each of `changes` (a function that writes to a table the page reads, or
    drops the cached figures, before every request)."""
    for _ in range(WARM_UP):
        _timed(client, url)
    out = {}
    for when, change in {"warm": None, **changes}.items():
        times = [_timed(client, url, change) for _ in range(REQUESTS)]
        out[when] = (*_stats([t for t, _ in times]), statistics.median(c for _, c in times),
                     _queries(client, url, change))
    return out


def _changes(case_id: int, payment_id: int) -> dict:
    """What happens between two views: a case is edited (every dashboard counts cases), a
    payment is recorded (every dashboard shows funding), or nothing is cached (after a
    deployment, or once the figures expire; a census import changes most figures too)."""
    from casework.models import Case
    from funding.models import Payment

    def case() -> None:
        with scopes_disabled():
            Case.objects.filter(pk=case_id).update(title=f"Bench case {time.monotonic_ns()}")

    def payment() -> None:
        with scopes_disabled():
            Payment.objects.filter(pk=payment_id).update(reference=f"BACS {time.monotonic_ns()}")

    def nothing_cached() -> None:
        # Every entry of figures gone, as after a deployment or once they expire; the tables'
        # versions stay, as they do then.
        cache = caches[freshness.CACHE_ALIAS]
        client = cache._cache.get_client(write=True)
        stored = list(client.scan_iter(match=cache.make_key("figures:") + "*"))
        if stored:
            client.delete(*stored)

    return {"case edited": case, "payment": payment, "nothing cached": nothing_cached}


def measure_refresh() -> None:
    """The periodic pass over every page someone may open (reports.pages.refresh_pages): once
    computing every page again (what the pass costs every REPORTS_REFRESH_MAX_AGE seconds, and
    after a deployment), then with nothing changed (its cost every other minute)."""
    from django.utils import timezone

    from reports import pages

    for label, max_age in (("every page computed again", 0),
                           ("nothing changed", settings.REPORTS_REFRESH_MAX_AGE)):
        with scopes_disabled(), CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            done = pages.refresh_pages(max_age=max_age, today=timezone.localdate())
            took = time.perf_counter() - start
        print(f"refresh pass, {label}: {took:.2f} s, {len(queries.captured_queries)} queries "
              f"({done.trust_pages} trust, {done.cross_trust_pages} cross-trust and "
              f"{done.school_pages} school pages)")


def run():
    from reports import services
    from reports.models import BoardPack

    with scopes_disabled():
        t0 = time.perf_counter()
        data = build_dataset()
        print(f"dataset: 2 trusts x {SCHOOLS_PER_TRUST} schools, {data['snapshots']} census snapshots, "
              f"{data['latest_send']:,} pupils with SEND at the latest census "
              f"({time.perf_counter() - t0:.1f} s to build)")
        print(f"casework and funding: {data['operations']}")
    trust, school = data["trusts"][0], data["schools"][0]
    pages = [
        ("home page (200 school links, for comparison)", data["executive"], "/"),
        ("school dashboard", data["executive"], f"/reports/schools/{school.laestab}/"),
        ("trust dashboard (100 schools)", data["executive"], f"/reports/trusts/{trust.slug}/"),
        ("cross-trust dashboard (200 schools)", data["head_of_send"], "/reports/cross-trust/"),
        ("cross-trust, filtered and sorted", data["head_of_send"],
         "/reports/cross-trust/?la=Thurrock&sort=-total_pct"),
        ("trust table export (XLSX)", data["executive"], f"/reports/trusts/{trust.slug}/export.xlsx"),
    ]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    with scopes_disabled():
        from casework.models import Case
        from funding.models import Payment

        case_id = Case.objects.filter(school=school).values_list("pk", flat=True).first()
        payment_id = Payment.objects.filter(claim__school=school).values_list("pk", flat=True)[0]
    changes = _changes(case_id, payment_id)
    print(f"{'page':40} {'when':15} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'queries':>8}")
    for label, user, url in pages:
        client = Client()
        client.force_login(user)
        # A fresh login, as the login form records it: exports need one in the last 15 minutes.
        session = client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
        session.save()
        for when, (median, p95, cpu, queries) in measure(client, url, changes).items():
            print(f"{label:40} {when:15} {median:10.1f} {p95:8.1f} {cpu:7.1f} {queries:8d}")

    measure_refresh()

    with tempfile.TemporaryDirectory() as media, scopes_disabled():
        settings.MEDIA_ROOT = media
        from reports import pdf

        pdf.warm_up()  # as a worker process does when it starts (reports.tasks)
        timings = []
        for attempt in range(3):
            start = time.perf_counter()
            pack = services.board_pack_request(actor=data["executive"], trust=trust, census_date=None,
                                               idempotency_key=f"{attempt:032x}")
            # Rendering as the worker does (the task calls this service).
            pack = services.board_pack_render(pack_id=pack.pk)
            timings.append(time.perf_counter() - start)
            assert pack.status == BoardPack.Status.READY
        from pypdf import PdfReader

        pages_in_pack = len(PdfReader(services.board_pack_file(pack)).pages)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"board pack, 100-school trust: request to file {timings[0]:.2f} s first, "
              f"{statistics.median(timings[1:]):.2f} s warm; {pages_in_pack} pages, "
              f"{pack.file_size:,} bytes")


def main() -> None:
    tune_garbage_collector()  # as send_portal.wsgi does once the application is loaded
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from send_portal.celery import app

    # The bench measures rendering itself: queueing goes to the in-memory transport.
    app.conf.broker_url = "memory://"
    app.conf.task_always_eager = False
    db_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{db_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)
