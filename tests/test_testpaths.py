"""`pytest` with no arguments (the README's test command) collects every folder's tests."""

import tomllib
from pathlib import Path

from django.conf import settings


def test_every_folder_with_tests_is_in_testpaths():
    base = Path(settings.BASE_DIR)
    config = tomllib.loads((base / "pyproject.toml").read_text())
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    with_tests = {
        path.relative_to(base).parts[0]
        for path in base.glob("*/**/test_*.py")
        if not path.relative_to(base).parts[0].startswith(".")
    }
    assert with_tests - testpaths == set(), "add these folders to testpaths in pyproject.toml"
