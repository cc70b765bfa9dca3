"""scripts/system-packages.sh: the Debian packages the app and its tests need, installed only
when missing, as root through sudo only then; run by `make install`, `make test` and .ci/run.
Run here against stand-ins for dpkg-query, apt-get, sudo and id that record their calls."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = settings.BASE_DIR / "scripts" / "system-packages.sh"
NEEDED = [
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
    "poppler-utils",
    "chromium",
]


def _stand_ins(folder: Path, *, sudo: bool) -> None:
    scripts = {
        "dpkg-query": 'for p in $FAKE_INSTALLED; do [ "$p" = "${@: -1}" ] && '
        '{ printf "install ok installed"; exit 0; }; done; exit 1',
        "apt-get": 'echo "apt-get $*" >> "$FAKE_LOG"',
        "id": 'echo "$FAKE_UID"',
    }
    if sudo:
        scripts["sudo"] = 'echo "sudo" >> "$FAKE_LOG"; exec "$@"'
    for name, body in scripts.items():
        path = folder / name
        path.write_text(f"#!/bin/bash\n{body}\n")
        path.chmod(0o755)


def run(tmp_path, *, installed, uid=1000, sudo=True, python=sys.executable, extra=()):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    _stand_ins(bin_dir, sudo=sudo)
    log = tmp_path / "calls.log"
    log.write_text("")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "FAKE_INSTALLED": " ".join(installed),
        "FAKE_LOG": str(log),
        "FAKE_UID": str(uid),
        "PYTHON": python,
        "HOME": os.environ.get("HOME", "/root"),
    }
    done = subprocess.run(["bash", str(SCRIPT), *extra], env=env, capture_output=True, text=True, timeout=60)
    return done, log.read_text().splitlines()


def test_nothing_is_done_or_asked_when_every_package_is_there(tmp_path):
    done, calls = run(tmp_path, installed=NEEDED)
    assert done.returncode == 0, done.stderr
    assert calls == [] and done.stdout == "" and done.stderr == ""


def test_only_the_missing_packages_are_installed_through_sudo_for_a_user(tmp_path):
    done, calls = run(tmp_path, installed=[p for p in NEEDED if p not in ("chromium", "libharfbuzz-subset0")])
    assert done.returncode == 0, done.stderr
    assert "sudo" in calls
    [install] = [c for c in calls if c.startswith("apt-get") and " install " in f" {c} "]
    assert install.split()[-2:] == ["libharfbuzz-subset0", "chromium"]
    assert "sudo will ask for your password" in done.stdout


def test_root_installs_without_sudo(tmp_path):
    done, calls = run(tmp_path, installed=NEEDED[1:], uid=0)
    assert done.returncode == 0, done.stderr
    assert "sudo" not in calls and calls[-1].endswith(" libpango-1.0-0")


def test_without_root_or_sudo_it_stops_and_says_what_to_install(tmp_path):
    done, calls = run(tmp_path, installed=NEEDED[:-1], sudo=False)
    assert done.returncode == 1
    assert "apt-get install chromium" in done.stderr and calls == []


def test_python3_venv_is_needed_only_by_a_python_that_cannot_make_a_venv(tmp_path):
    done, calls = run(tmp_path, installed=NEEDED, python="/bin/false", uid=0)
    assert done.returncode == 0 and calls[-1].endswith("install -y -qq python3-venv")


def test_extra_packages_are_checked_too(tmp_path):
    done, calls = run(tmp_path, installed=NEEDED, uid=0, extra=["postgresql", "redis-server"])
    assert calls[-1].endswith("install -y -qq postgresql redis-server")


@pytest.mark.parametrize("target", ["install", "run", "test"])
def test_the_readme_commands_run_the_script_first(target):
    # Under `make test` the outer make's flags are inherited and a nested make announces the
    # directory it enters: the check is of what `make` typed at a shell prints.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    }
    env["VENV"] = "/nonexistent-venv"
    done = subprocess.run(
        ["make", "-n", target], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, env=env
    )
    lines = done.stdout.splitlines()
    first_other = next(i for i, line in enumerate(lines) if "system-packages" not in line)
    assert any("scripts/system-packages.sh" in line for line in lines[:first_other])


def test_ci_installs_its_packages_through_the_script():
    ci = (settings.BASE_DIR / ".ci" / "run").read_text()
    assert "scripts/system-packages.sh postgresql redis-server caddy" in ci
    assert "apt-get" not in ci
    assert "pg_ctlcluster" in ci and "redis-server --daemonize" in ci  # services still started
