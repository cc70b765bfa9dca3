"""`python manage.py import_census` as a user runs it, in its own process: it starts lean (no PDF
library, no URLconf) and imports the file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from pupils.models import CensusSnapshot, Pupil

from .conftest import census_csv, school_file

BASE_DIR = Path(__file__).resolve().parents[2]
# Runs manage.py in this process, then says which heavy modules were loaded.
RUN_MANAGE = """
import json, runpy, sys
sys.argv = ["manage.py", *sys.argv[1:]]
try:
    runpy.run_path("manage.py", run_name="__main__")
    code = 0
except SystemExit as exc:
    code = exc.code or 0
import gc
loaded = sorted(m for m in ("weasyprint", "pypdf", "send_portal.urls", "reports.pdf")
                if m in sys.modules)
print(json.dumps({"code": code, "loaded": loaded, "gc_enabled": gc.isenabled(),
                  "frozen": gc.get_freeze_count()}))
"""


def manage(*args: str) -> dict:
    db = connection.settings_dict
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="send_portal.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    done = subprocess.run(
        [sys.executable, "-c", RUN_MANAGE, *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_command_help_loads_no_pdf_library_and_no_urlconf():
    result = manage("import_census", "--help")
    assert result["code"] == 0
    assert result["loaded"] == []


@pytest.mark.django_db(transaction=True)
def test_an_import_in_its_own_process_loads_no_pdf_library_and_writes_the_register(school, tmp_path):
    path = tmp_path / "autumn.csv"
    path.write_bytes(census_csv(school_file(4, 6)))
    result = manage("import_census", str(path), "--school", school.laestab, "--date", "2025-10-02")
    assert result["code"] == 0
    assert result["loaded"] == []
    assert Pupil.objects.count() == 4
    assert CensusSnapshot.objects.get().number_on_roll == 10


def test_a_command_runs_with_garbage_collection_on_and_what_loading_made_frozen():
    result = manage("import_census", "--help")
    assert result["gc_enabled"] is True
    assert result["frozen"] > 10_000


@pytest.mark.django_db(transaction=True)
def test_an_import_that_would_empty_the_register_exits_1_unless_the_leavers_are_confirmed(school, tmp_path):
    autumn, spring = tmp_path / "autumn.csv", tmp_path / "spring.csv"
    autumn.write_bytes(census_csv(school_file(40, 10)))
    spring.write_bytes(census_csv(school_file(5, 0)))
    assert (
        manage("import_census", str(autumn), "--school", school.laestab, "--date", "2025-10-02")["code"] == 0
    )
    args = ("import_census", str(spring), "--school", school.laestab, "--date", "2026-01-15")
    result = manage(*args)
    assert result["code"] == 1 and result["loaded"] == []
    assert Pupil.objects.filter(left_school_on__isnull=False).count() == 0
    assert manage(*args, "--confirm-leavers", "35")["code"] == 0
    assert Pupil.objects.filter(left_school_on__isnull=False).count() == 35
