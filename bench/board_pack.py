"""Board pack benchmark: `python -m bench board_pack` (or `make bench BENCH=board_pack`).

The trustee board pack of a 100-school trust as a user meets it: `python manage.py board_pack
bench-trust-1 --output FILE.pdf` run as a whole process (Python start, Django set up, figures
read, HTML drawn, PDF laid out and written), on the dashboards' bench dataset (2 trusts x 100
schools with register, casework and funding; bench.dashboards.build_dataset), with the
settings the benchmark runs with (DJANGO_SETTINGS_MODULE) and the project compiled to
bytecode as the production image has it (bench.deployed). Reports the median and the slowest
wall time of RUNS processes, the largest max RSS of one process (its own, not the benchmark's:
bench.deployed.run_process), the pages, and whether every school of the trust appears in the
PDF's tables (its extracted text).

BENCH_BOARD_PACK_PDF=FILE keeps the last PDF there, to look at.

Runs in its own throw-away database (bench_<name of DATABASE_URL's database>)."""

from __future__ import annotations

import importlib.util
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.database import own_database
from bench.deployed import compile_project, run_process
from bench.goals import Goals

RUNS = 5
GOAL_SECONDS = 5
TRUST = "bench-trust-1"


def main() -> bool:
    from django.db import connection
    from django_scopes import scopes_disabled

    if connection.vendor != "postgresql":
        print("The board pack benchmark needs PostgreSQL (DATABASE_URL).")
        return False
    with own_database():
        with scopes_disabled():
            data = build()
        # The rows must be visible to another process.
        if not connection.get_autocommit():
            connection.commit()
        return run(data, connection.settings_dict)


def build() -> dict:
    from bench import dashboards

    t0 = time.perf_counter()
    data = dashboards.build_dataset()
    # Summary rows kept by the apps, where the apps keep them: rebuilt after the bulk loads.
    for module in ("funding.figures", "casework.figures"):
        if importlib.util.find_spec(module) is not None:
            __import__(module, fromlist=["rebuild"]).rebuild()
    print(
        f"dataset: {len(data['schools'])} schools in {len(data['trusts'])} trusts "
        f"(built in {time.perf_counter() - t0:.1f} s)",
        flush=True,
    )
    return data


def database_url(db: dict) -> str:
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def between(text: str, start: str, end: str) -> str:
    """The text from `start` (its last occurrence before `end`) to `end`."""
    stop = text.find(end)
    stop = len(text) if stop < 0 else stop
    begin = text.rfind(start, 0, stop)
    return "" if begin < 0 else text[begin:stop]


def run(data: dict, db: dict) -> bool:
    from pypdf import PdfReader
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is None:
        print(
            "note: libharfbuzz-subset0 is not installed (the Dockerfile and CI install it): "
            "WeasyPrint subsets fonts with fontTools, about a second slower a pack",
            flush=True,
        )

    trust = next(t for t in data["trusts"] if t.slug == TRUST)
    names = sorted(s.name for s in data["schools"] if s.trust_id == trust.pk)
    env = {**os.environ, "DATABASE_URL": database_url(db)}
    command = [sys.executable, "manage.py", "board_pack", TRUST]
    compile_project()  # as the production image is
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "pack.pdf"
        for _ in range(RUNS):
            output.unlink(missing_ok=True)
            done = run_process([*command, "--output", str(output)], env)
            if done.returncode != 0:
                raise SystemExit(f"board_pack failed ({done.returncode}):\n{done.stderr[-2000:]}")
            runs.append(done)
        times = [r.seconds for r in runs]
        # Each process's own maximum resident set size, not the benchmark's (bench.deployed).
        rss_mb = max(r.max_rss_mb for r in runs)
        reader = PdfReader(output)
        pages = len(reader.pages)
        text = re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))
        size = output.stat().st_size
        if keep := os.environ.get("BENCH_BOARD_PACK_PDF"):
            Path(keep).write_bytes(output.read_bytes())
    # Every school by name in both tables of schools: against the national averages, and the
    # funding by school (charts may show a selection; they are not counted).
    tables = [
        between(text, "Schools against the national averages", "Notable:"),
        between(text, "By school", "EHC needs assessments: timeliness"),
    ]
    missing = [n for n in names if not all(n in table for table in tables)]
    median, slowest = statistics.median(times), max(times)
    print(
        f"board_pack {TRUST}, {len(names)} schools, as a whole process ({RUNS} runs): "
        f"median {median:.2f} s, slowest {slowest:.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)}); max RSS {rss_mb:.0f} MB; "
        f"{pages} pages, {size:,} bytes",
        flush=True,
    )
    print(
        f"schools in the PDF's tables: {len(names) - len(missing)} of {len(names)}"
        + (f" (missing: {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''})" if missing else ""),
        flush=True,
    )
    goals = Goals()
    goals.at_most("board_pack, 100-school trust, whole process (median)", median, GOAL_SECONDS, " s")
    goals.at_least(
        "board_pack, schools of the trust in the PDF's tables", len(names) - len(missing), len(names)
    )
    return goals.all_met
