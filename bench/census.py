"""Census import benchmark: `python -m bench census` (or `make bench BENCH=census`).

Measures the census import as a user meets it: the whole `python manage.py import_census FILE
--school LAESTAB --date YYYY-MM-DD` process (Python starting, Django loading, the file read,
checked and written) on a 100,000-row census file of a large trust (40 schools, about 15% of
pupils with SEND), against the floor: `psql -c "\\copy ..."` of the same file into a bare table,
also a whole process. The two are run alternately, the register emptied before each import;
the figures are the median wall times, the median of the pairwise ratios and the import
process's maximum resident set size, each against its goal. Then, for information, the dry
run, the same file again and the next census (one process each), and the SQL statements of an
import. Runs in its own throw-away database (bench_<name>); the command runs with the
production settings and the project compiled to bytecode, as deployed (bench.deployed)."""

from __future__ import annotations

import datetime
import io
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.database import own_database
from bench.deployed import Run, compile_project, run_process
from bench.goals import Goals

ROWS = 100_000
SCHOOLS = 40
SEND_SHARE = 0.15
CENSUS_DATE = datetime.date(2025, 10, 2)
SPRING = datetime.date(2026, 1, 15)
REPEAT = 7
GOAL_RATIO = 15
GOAL_RSS_MB = 150
BASE_DIR = Path(__file__).resolve().parent.parent
NEEDS = ["ASD", "SLCN", "SEMH", "MLD", "SPLD", "OTH", "PD", "HI", "VI", "SLD", "PMLD", "MSI", "DS"]


def generate(schools, *, rows: int = ROWS, seed: int = 2025, changed: float = 0.0) -> bytes:
    """A census CSV as a MIS exports it; `changed` re-draws that share of SEND statuses."""
    from pupils import upn

    rng = random.Random(seed)
    change_rng = random.Random(seed + 1)
    out = io.StringIO()
    out.write("UPN,Surname,Forename,DOB,Gender,YearGroup,SENProvision,PrimaryNeed,SecondaryNeed,LAESTAB\r\n")
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
            out.write(
                f"{uid},Surname{i},Forename{i},{dob.isoformat()},{'MF'[i % 2]},{year},"
                f"{provision},{need},{need2},{school.laestab}\r\n"
            )
    return out.getvalue().encode()


def dsn(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def command_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "send_portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
        }
    )
    return env


def main() -> bool:
    from django.db import connection
    from django_scopes import scopes_disabled

    if connection.vendor != "postgresql":
        print("The census benchmark needs PostgreSQL (DATABASE_URL).")
        return False
    if shutil.which("psql") is None:
        print("The census benchmark needs psql (the floor is psql's \\copy).")
        return False
    with own_database(), scopes_disabled(), tempfile.TemporaryDirectory(prefix="bench-census-") as folder:
        return run(Path(folder))


def run(folder: Path) -> bool:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pupils import services
    from pupils.models import Pupil, RegisterEvent
    from reports.figures_check import figures_rebuild
    from trusts.models import LocalAuthority, School, Trust

    las = [
        LocalAuthority.objects.get_or_create(code=c, defaults={"name": n, "funding_unit": "band"})[0]
        for c, n in [(881, "Essex"), (882, "Southend-on-Sea"), (883, "Thurrock")]
    ]
    trust = Trust.objects.create(name="Bench Trust", slug="bench-trust")
    schools = [
        School.objects.create(
            name=f"Bench School {i}",
            laestab=f"{las[i % 3].code}{5000 + i}",
            phase="primary",
            local_authority=las[i % 3],
            trust=trust,
        )
        for i in range(SCHOOLS)
    ]
    t0 = time.perf_counter()
    autumn = generate(schools)
    spring = generate(schools, changed=0.05)
    autumn_path, spring_path = folder / "autumn.csv", folder / "spring.csv"
    autumn_path.write_bytes(autumn)
    spring_path.write_bytes(spring)
    print(
        f"file: {ROWS:,} rows, {len(autumn) / 1_048_576:.1f} MB, {SCHOOLS} schools "
        f"(generated in {time.perf_counter() - t0:.1f} s)",
        flush=True,
    )

    database_url = dsn(connection.settings_dict)
    env = command_env(database_url)
    compile_project()  # as the production image is
    # The file has a LAESTAB column: each row goes to its own school; --school is the default.
    command = [
        sys.executable,
        "manage.py",
        "import_census",
        str(autumn_path),
        "--school",
        schools[0].laestab,
        "--date",
        CENSUS_DATE.isoformat(),
    ]
    floor = [
        "psql",
        "-X",
        "-q",
        database_url,
        "-c",
        f"\\copy bench_census_floor FROM '{autumn_path}' WITH (FORMAT csv, HEADER true)",
    ]

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_census_floor (upn text, surname text, forename text, "
            "dob date, gender text, year_group text, provision text, primary_need text, "
            "secondary_need text, laestab text)"
        )

    def reset():
        with connection.cursor() as cur:
            # CASCADE: the benchmark's own database; rows of the apps above pupils go too.
            cur.execute(
                "TRUNCATE pupils_registerevent, pupils_pupil, pupils_censussnapshot, "
                "pupils_censusimport CASCADE"
            )
            cur.execute("TRUNCATE bench_census_floor")
        # The kept figures of the plan records just emptied (their deadlines) go too, as when a
        # school's register was never imported: left behind, every import would first delete
        # the previous import's thousands of rows, which no user's first import meets.
        figures_rebuild()
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")

    def checked(run_: Run, what: str) -> Run:
        if run_.returncode != 0:
            raise SystemExit(
                f"{what} failed ({run_.returncode}):\n{run_.stdout[-2000:]}{run_.stderr[-2000:]}"
            )
        return run_

    # One of each not counted: files in the page cache, bytecode written.
    reset()
    checked(run_process(floor, env), "psql \\copy")
    reset()
    checked(run_process(command, env), "import_census")
    send = Pupil.objects.count()
    events = RegisterEvent.objects.count()

    imports: list[Run] = []
    floors: list[Run] = []
    for i in range(REPEAT):
        # Alternate which goes first, so neither always meets a machine just warmed by the other.
        order = ("floor", "import") if i % 2 == 0 else ("import", "floor")
        for what in order:
            reset()
            if what == "floor":
                floors.append(checked(run_process(floor, env), "psql \\copy"))
            else:
                imports.append(checked(run_process(command, env), "import_census"))
        print(
            f"  run {i + 1}: import_census {imports[-1].seconds:5.2f} s "
            f"({imports[-1].max_rss_mb:.0f} MB), psql \\copy {floors[-1].seconds:5.3f} s",
            flush=True,
        )
    if Pupil.objects.count() != send:
        raise SystemExit("The imports did not store the same pupils.")

    import_s = statistics.median(r.seconds for r in imports)
    floor_s = statistics.median(r.seconds for r in floors)
    ratio = statistics.median(i.seconds / f.seconds for i, f in zip(imports, floors, strict=True))
    rss = max(r.max_rss_mb for r in imports)
    rss_median = statistics.median(r.max_rss_mb for r in imports)

    # For information: the other things a user runs, one process each from the autumn state.
    dry = checked(run_process([*command, "--dry-run"], env), "import_census --dry-run")
    again = checked(run_process(command, env), "import_census, the same file again")
    reset()
    checked(run_process(command, env), "import_census")
    spring_run = checked(
        run_process(
            [
                sys.executable,
                "manage.py",
                "import_census",
                str(spring_path),
                "--school",
                schools[0].laestab,
                "--date",
                SPRING.isoformat(),
            ],
            env,
        ),
        "import_census, next census",
    )

    # Statements of one import, counted in this process.
    reset()
    common: dict[str, Any] = dict(
        raw=autumn,
        file_name="autumn.csv",
        census_date=CENSUS_DATE,
        school=schools[0],
        allowed_schools=School.objects.filter(trust=trust),
    )
    with CaptureQueriesContext(connection) as statements:
        services.census_import(actor=None, **common)

    print(
        f"import_census (whole process):   {import_s:6.2f} s median of {REPEAT} "
        f"(min {min(r.seconds for r in imports):.2f}, max {max(r.seconds for r in imports):.2f})"
        f"  {ROWS / import_s:10,.0f} rows/s"
    )
    print(
        f"psql \\copy (whole process):      {floor_s:6.3f} s median of {REPEAT} "
        f"(min {min(r.seconds for r in floors):.3f}, max {max(r.seconds for r in floors):.3f})"
    )
    print(
        f"import_census max RSS:           {rss:6.0f} MB highest of {REPEAT} (median "
        f"{rss_median:.0f} MB); psql {max(r.max_rss_mb for r in floors):.0f} MB"
    )
    print(f"dry run (whole process):         {dry.seconds:6.2f} s  {dry.max_rss_mb:.0f} MB")
    print(f"same file again (whole process): {again.seconds:6.2f} s  {again.max_rss_mb:.0f} MB")
    print(f"next census, ~5% SEND changes:   {spring_run.seconds:6.2f} s  {spring_run.max_rss_mb:.0f} MB")
    print(
        f"an import stores: {send:,} pupils with SEND, {events:,} register events, "
        f"{SCHOOLS} snapshots; {len(statements.captured_queries)} SQL statements"
    )
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_census_floor")

    goals = Goals()
    goals.at_most("import_census vs psql \\copy, ratio", ratio, GOAL_RATIO, "x")
    goals.at_most("import_census max RSS", rss, GOAL_RSS_MB, " MB")
    return goals.all_met
