"""Census import benchmark: `python -m bench census` (or `make bench BENCH=census`).

Generates a 100,000-row census file (every pupil of a large trust of 40 schools, about 15%
with SEND) and reports, on PostgreSQL: rows per second for the dry run and the real import,
peak memory, SQL statements, and as the floor the time PostgreSQL's COPY takes to load the
same rows into a bare table. Runs in its own throw-away database (bench_<name>)."""

from __future__ import annotations

import datetime
import gc
import io
import random
import resource
import statistics
import time
import tracemalloc

ROWS = 100_000
SCHOOLS = 40
SEND_SHARE = 0.15
CENSUS_DATE = datetime.date(2025, 10, 2)
SPRING = datetime.date(2026, 1, 15)
REPEAT = 5
NEEDS = ["ASD", "SLCN", "SEMH", "MLD", "SPLD", "OTH", "PD", "HI", "VI", "SLD", "PMLD", "MSI", "DS"]


def generate(schools, *, rows: int = ROWS, seed: int = 2025, changed: float = 0.0) -> bytes:
    """A census CSV as a MIS exports it; `changed` re-draws that share of SEND statuses."""
    from pupils import upn

    rng = random.Random(seed)
    change_rng = random.Random(seed + 1)
    out = io.StringIO()
    out.write("UPN,Surname,Forename,DOB,Gender,YearGroup,SENProvision,PrimaryNeed,SecondaryNeed,"
              "LAESTAB\r\n")
    per_school = rows // len(schools)
    for s_index, school in enumerate(schools):
        la, estab = int(school.laestab[:3]), int(school.laestab[3:])
        for i in range(per_school if s_index < len(schools) - 1 else rows - per_school * s_index):
            year = 1 + i % 6
            birth_year = 2025 - 5 - year
            dob = datetime.date(birth_year, 9, 1) + datetime.timedelta(days=rng.randrange(365))
            # The same draws for every row, so a re-drawn status changes only that row.
            r, n1, n2, second = rng.random(), rng.randrange(14), rng.randrange(13), rng.random()
            if changed and change_rng.random() < changed:
                r, n1 = change_rng.random(), change_rng.randrange(14)
            if r < SEND_SHARE * 0.2:
                provision, need = "E", NEEDS[n1 % 13]
            elif r < SEND_SHARE:
                provision, need = "K", (NEEDS + ["NSA"])[n1]
            else:
                provision, need = "N", ""
            need2 = ""
            if need and second < 0.3 and NEEDS[n2] != need:
                need2 = NEEDS[n2]
            uid = upn.make(la, estab, 10 + i // 1000, i % 1000)
            out.write(f"{uid},Surname{i},Forename{i},{dob.isoformat()},{'MF'[i % 2]},{year},"
                      f"{provision},{need},{need2},{school.laestab}\r\n")
    return out.getvalue().encode()


def timed(fn, repeat: int = REPEAT, before=None) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        if before:
            before()
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_mb(fn) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1_048_576


def main() -> None:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from django_scopes import scopes_disabled

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        "bench_" + settings.DATABASES["default"]["NAME"]
    )
    if connection.vendor != "postgresql":
        print("The census benchmark needs PostgreSQL (DATABASE_URL).")
        return
    old = setup_databases(verbosity=0, interactive=False)
    try:
        with scopes_disabled():
            run()
    finally:
        teardown_databases(old, verbosity=0)


def run() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pupils import services
    from pupils.models import Pupil, RegisterEvent
    from trusts.models import LocalAuthority, School, Trust

    las = [LocalAuthority.objects.get_or_create(code=c, defaults={"name": n, "funding_unit": "band"})[0]
           for c, n in [(881, "Essex"), (882, "Southend-on-Sea"), (883, "Thurrock")]]
    trust = Trust.objects.create(name="Bench Trust", slug="bench-trust")
    schools = [
        School.objects.create(name=f"Bench School {i}", laestab=f"{las[i % 3].code}{5000 + i}",
                              phase="primary", local_authority=las[i % 3], trust=trust)
        for i in range(SCHOOLS)
    ]
    allowed = School.objects.filter(trust=trust)
    t0 = time.perf_counter()
    autumn = generate(schools)
    spring = generate(schools, changed=0.05)
    print(f"file: {ROWS:,} rows, {len(autumn) / 1_048_576:.1f} MB, {SCHOOLS} schools "
          f"(generated in {time.perf_counter() - t0:.1f} s)")

    def reset():
        with connection.cursor() as cur:
            # CASCADE: the benchmark's own database; rows of the apps above pupils go too.
            cur.execute("TRUNCATE pupils_registerevent, pupils_pupil, pupils_censussnapshot, "
                        "pupils_censusimport CASCADE")

    # The floor: COPY the same rows into a bare table.
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_census_floor (upn text, surname text, forename text, "
                    "dob date, gender text, year_group text, provision text, primary_need text, "
                    "secondary_need text, laestab text)")

    def copy():
        with connection.cursor() as cur:
            cur.execute("TRUNCATE bench_census_floor")
            with cur.copy("COPY bench_census_floor FROM STDIN WITH (FORMAT csv, HEADER true)") as cp:
                cp.write(autumn)
        connection.commit() if not connection.get_autocommit() else None

    # Memory first, while the process holds little else.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    common = dict(raw=autumn, file_name="autumn.csv", census_date=CENSUS_DATE, school=schools[0],
                  allowed_schools=allowed)
    dry_peak = peak_mb(lambda: services.census_check(**common))
    import_peak = peak_mb(lambda: services.census_import(actor=None, **common))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reset()

    copy_s, _ = timed(copy)

    dry_s, outcome = timed(lambda: services.census_check(**common), before=reset)
    assert outcome.is_valid, outcome.errors[:3]

    def first_import():
        return services.census_import(actor=None, **common)

    import_s, outcome = timed(first_import, before=reset)
    send = Pupil.objects.count()
    events = RegisterEvent.objects.count()
    reset()
    with CaptureQueriesContext(connection) as statements:
        first_import()
    reimport_s, again = timed(first_import)
    assert again.summary["totals"]["new"] == 0
    spring_kwargs = {**common, "raw": spring, "file_name": "spring.csv", "census_date": SPRING}

    def spring_import():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM pupils_censussnapshot WHERE census_date = %s", [SPRING])
        return services.census_import(actor=None, **spring_kwargs)

    # Spring after autumn: measured once from the autumn state.
    reset()
    first_import()
    t0 = time.perf_counter()
    spring_outcome = spring_import()
    spring_s = time.perf_counter() - t0
    totals = spring_outcome.summary["totals"]


    print(f"COPY into a bare table (floor):  {copy_s:6.2f} s  {ROWS / copy_s:10,.0f} rows/s")
    print(f"dry run (parse, validate, diff): {dry_s:6.2f} s  {ROWS / dry_s:10,.0f} rows/s")
    print(f"real import, empty register:     {import_s:6.2f} s  {ROWS / import_s:10,.0f} rows/s"
          f"  = {import_s / copy_s:.1f}x COPY")
    print(f"same file again (no change):     {reimport_s:6.2f} s  {ROWS / reimport_s:10,.0f} rows/s")
    print(f"next census (~5% SEND changes):  {spring_s:6.2f} s  {ROWS / spring_s:10,.0f} rows/s  "
          f"(new {totals['new']}, provision {totals['provision_changed']}, need "
          f"{totals['need_changed']}, left register {totals['left_register']})")
    print(f"first import stored: {send:,} pupils with SEND, {events:,} register events, "
          f"{SCHOOLS} snapshots")
    print(f"SQL statements for the real import: {len(statements.captured_queries)}")
    print(f"peak Python memory (tracemalloc): dry run {dry_peak:.0f} MB, import {import_peak:.0f} MB")
    print(f"process max RSS: {rss_after:.0f} MB after a dry run and an import "
          f"({rss_before:.0f} MB before: Django, the two generated files)")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_census_floor")
