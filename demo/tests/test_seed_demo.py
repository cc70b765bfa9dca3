import os
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core.census_dates import previous_census
from trusts.models import Membership, School, Trust, User

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["trusts", "pupils", "provision", "funding", "casework", "inforeports", "reports"]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every project model (and the TOTP authenticators), as plain values."""
    rows = {}
    models = [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]
    for model in [*models, Authenticator]:
        rows[model._meta.label] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items())) for row in model._base_manager.values()
        )
    return rows


def test_seed_demo_twice_gives_the_same_rows(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "hos@demo.test" in capsys.readouterr().out
    call_command("verify_figures")
    assert "Every kept figure agrees with its source rows." in capsys.readouterr().out


def test_the_demo_is_current(capsys):
    """Its latest census is the last census day before today, the current financial year has
    banding tables (the published rates carried forward) and its claims are this year's."""
    from funding.calculations import financial_year_of
    from funding.models import BandingScheme, Claim
    from pupils.models import CensusSnapshot

    call_command("seed_demo")
    today = timezone.localdate()
    assert CensusSnapshot.objects.latest().census_date == previous_census(today).date
    year = financial_year_of(today)
    assert BandingScheme.objects.filter(financial_year=year).count() == 3
    assert set(Claim.objects.values_list("financial_year", flat=True)) == {year}


def test_make_runs_seed_demo_on_sqlite_twice_and_the_figures_agree(tmp_path):
    """The `make run` path: settings.local on a SQLite file, migrate, load_reference twice and
    seed_demo twice (each second run changes nothing), then verify_figures."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="send_portal.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    # A real deployment's reference data, twice (the second run changes no row), then the demo.
    reference = manage("load_reference")
    rows = (
        "from django_scopes import scopes_disabled\n"
        "from demo.tests.test_seed_demo import snapshot\n"
        "with scopes_disabled(): print(sorted((k, v) for k, v in snapshot().items() if v))"
    )
    loaded = manage("shell", "-c", rows)
    assert "'trusts.School'" in loaded and "'trusts.User'" not in loaded
    assert "'pupils.Pupil'" not in loaded
    assert "Reference data loaded." in manage("load_reference") and "carried forward" in reference
    assert manage("shell", "-c", rows) == loaded
    first = manage("seed_demo")
    assert "school censuses imported" in first and "carried forward" in first
    second = manage("seed_demo")
    assert "0 school censuses imported" in second and "(0 new)" in second
    assert (
        "casework: 0 cases, 0 EHC requests, 0 EHC plans, 0 naming consultations, 0 activity entries added"
    ) in second
    assert "Every kept figure agrees with its source rows." in manage("verify_figures")


def test_seed_demo_loads_the_reference_trusts_schools_and_demo_users():
    call_command("seed_demo")
    assert set(Trust.objects.values_list("slug", flat=True)) == {
        "assisi-catholic-trust",
        "christus-catholic-trust",
    }
    assert School.objects.count() == 16
    assert School.objects.get(laestab="8833001").name == "Holy Cross Primary"
    for email in [
        "hos@demo.test",
        "csel.assisi@demo.test",
        "csel.christus@demo.test",
        "senco.holycross@demo.test",
        "senco.stm@demo.test",
        "data.assisi@demo.test",
        "admin@demo.test",
    ]:
        assert User.objects.filter(email=email).exists(), email
    hos = User.objects.get(email="hos@demo.test")
    assert Membership.objects.filter(user=hos, role="head_of_send").count() == 2
    assert Authenticator.objects.filter(user=hos, type="totp").exists()
    assert not Authenticator.objects.filter(user__email="csel.assisi@demo.test").exists()
