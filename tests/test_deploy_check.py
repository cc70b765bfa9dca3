import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_reports_nothing_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "send_portal.settings.production",
        "SECRET_KEY": "k" * 64 + "-production-like-secret-with-enough-entropy",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "send.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_collectstatic_builds_the_production_manifest(tmp_path):
    # Manifest storage fails on any url() in CSS that points at a missing file.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "send_portal.settings.production",
        "SECRET_KEY": "k" * 64 + "-production-like-secret-with-enough-entropy",
        "ALLOWED_HOSTS": "send.example.org",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()
