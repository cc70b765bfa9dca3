"""The locks: every package pinned with its hashes, and everything the .in files name locked.

`make install` and the Dockerfile install with `pip install --require-hashes`, which refuses a
whole lock for one line without `==` or a hash; these tests say which line before pip does.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
LOCKS = {"requirements.txt": "requirements.in", "requirements-dev.txt": "requirements-dev.in"}
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path):
    """Each requirement of a pip requirements file as one line, continuations joined."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            lines.append(current.strip())
        current = ""
    return lines


def named_in(in_path):
    """The package names an .in file asks for, following its `-r` includes."""
    names = set()
    for line in requirement_lines(in_path):
        if line.startswith(("-r ", "--requirement ")):
            names |= named_in(in_path.parent / line.split(None, 1)[1])
        elif not line.startswith("-"):
            names.add(canonical(NAME.match(line).group(1)))
    return names


def locked(lock_path):
    return {
        canonical(NAME.match(line).group(1)): line
        for line in requirement_lines(lock_path)
        if not line.startswith("-")
    }


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_requirement_is_pinned_with_a_hash(lock):
    entries = locked(BASE / lock)
    assert entries, f"{lock} lists no packages"
    for name, line in entries.items():
        requirement = line.split(" --hash", 1)[0].strip()
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", requirement), (
            f"{lock}: {name} is not pinned with == ({requirement!r}); run `make lock`"
        )
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", line), (
            f"{lock}: {name} has no --hash; run `make lock`"
        )


@pytest.mark.parametrize(("lock", "source"), LOCKS.items())
def test_every_package_named_in_the_in_file_is_locked(lock, source):
    missing = named_in(BASE / source) - set(locked(BASE / lock))
    assert not missing, f"{source} names {sorted(missing)}, missing from {lock}; run `make lock`"


def test_runtime_packages_have_the_same_version_in_both_locks():
    runtime, dev = locked(BASE / "requirements.txt"), locked(BASE / "requirements-dev.txt")
    for name, line in runtime.items():
        assert name in dev, f"{name} is in requirements.txt but not requirements-dev.txt"
        assert line.split(" --hash", 1)[0] == dev[name].split(" --hash", 1)[0], (
            f"{name} differs between the locks; run `make lock`"
        )


def test_the_install_and_the_image_require_hashes():
    makefile = (BASE / "Makefile").read_text()
    dockerfile = (BASE / "Dockerfile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.txt" in makefile
    assert "--require-hashes -r requirements.txt" in dockerfile
