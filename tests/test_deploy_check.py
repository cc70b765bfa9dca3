import json
import os
import subprocess
import sys

from django.conf import settings


def production_env(**more: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "send_portal.settings.production",
        "SECRET_KEY": "k" * 64 + "-production-like-secret-with-enough-entropy",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "send.example.org",
        "SITE_URL": "https://send.example.org",
        **more,
    }


def test_check_deploy_reports_nothing_with_production_settings():
    env = production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_while_site_url_is_not_the_sites_public_https_address():
    env = production_env(SITE_URL="http://127.0.0.1:8000")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and "trusts.W002" in result.stdout + result.stderr


def test_collectstatic_builds_the_production_manifest(tmp_path):
    # Manifest storage fails on any url() in CSS that points at a missing file.
    env = production_env(STATIC_ROOT=str(tmp_path / "static"))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()


def test_the_wsgi_process_freezes_what_loading_made_and_makes_full_collections_rarer():
    from send_portal.process import GC_THRESHOLDS

    probe = ("import gc, json; before = gc.get_threshold(); import send_portal.wsgi; "
             "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=settings.BASE_DIR,
                            env=production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    before, after, frozen = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == [700, 10, 10]  # Python's defaults: the change is the WSGI module's
    assert tuple(after) == GC_THRESHOLDS
    assert frozen > 10_000  # Django, the project and their libraries
