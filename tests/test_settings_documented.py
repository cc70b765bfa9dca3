"""The README's configuration table lists every environment setting the settings read."""

import re

from django.conf import settings


def _read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (settings.BASE_DIR / "send_portal" / "settings").glob("*.py"):
        names |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    return names


def test_every_environment_setting_is_in_the_readme_with_its_default():
    readme = (settings.BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}
    names = _read_by_settings()
    assert "SITE_URL" in names
    assert sorted(names - documented) == []
    assert all(len(row.split("|")) >= 5 for row in rows)  # name, default, meaning
