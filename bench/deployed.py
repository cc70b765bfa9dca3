"""The project as the production image holds it, and its commands timed as whole processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_project() -> None:
    """Compile the project's modules to bytecode, as the production image does at build (the
    Dockerfile runs compileall). The image sets PYTHONDONTWRITEBYTECODE, so a module without its
    .pyc is compiled from source by every process that imports it: about 0.3 s of each command's
    start, which a deployed command never spends. Folders whose name starts with a dot (the
    virtualenv, git) are left alone."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", "-x", r"/\.", str(ROOT)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss_mb: float
    stdout: str
    stderr: str


# Started by the benchmark, a process would count the benchmark's own memory in its maximum
# resident set size (Linux keeps the high-water mark across fork and exec), so each one is
# started by this small launcher, which times it and reads its own figure with wait4().
LAUNCHER = """
import os, sys, time
report, args = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawn(args[0], args, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as f:
    f.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(args: list[str], env: dict) -> Run:
    """Run a whole process: its wall time and its own maximum resident set size."""
    args = [shutil.which(args[0]) or args[0], *args[1:]]
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report"
        done = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(report), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
        )
        seconds, max_rss_kb = report.read_text().split()
    return Run(
        float(seconds),
        done.returncode,
        int(max_rss_kb) / 1024,
        done.stdout.decode(errors="replace"),
        done.stderr.decode(errors="replace"),
    )
