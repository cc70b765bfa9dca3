import json
import os
import re
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
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_while_site_url_is_not_the_sites_public_https_address():
    env = production_env(SITE_URL="http://127.0.0.1:8000")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "trusts.W002" in result.stdout + result.stderr


def test_collectstatic_builds_the_production_manifest(tmp_path):
    # Manifest storage fails on any url() in CSS that points at a missing file.
    env = production_env(STATIC_ROOT=str(tmp_path / "static"))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()


def test_the_wsgi_process_freezes_what_loading_made_and_makes_full_collections_rarer():
    from send_portal.process import GC_THRESHOLDS

    probe = (
        "import gc, json; before = gc.get_threshold(); import send_portal.wsgi; "
        "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    before, after, frozen = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == [700, 10, 10]  # Python's defaults: the change is the WSGI module's
    assert tuple(after) == GC_THRESHOLDS
    assert frozen > 10_000  # Django, the project and their libraries


def compose_environment(required: dict[str, str]) -> dict[str, str]:
    """The app's environment in docker-compose.yml, every `${NAME:-default}` at its default and
    every required `${NAME:?...}` (or plain `${NAME}`) from `required`."""
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(compose) if line.strip() == "environment: &app-env")
    indent = len(compose[start + 1]) - len(compose[start + 1].lstrip())
    env = {}
    for line in compose[start + 1 :]:
        if line.strip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) < indent:
            break
        key, value = line.strip().split(": ", 1)

        def value_of(match):
            name, default = match.group(1), match.group(3)
            return default if match.group(2) == ":-" else required[name]

        env[key] = re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", value_of, value)
    return env


def service_blocks(compose: str) -> dict[str, str]:
    """Each service of docker-compose.yml and the text of its block (the lines under it)."""
    services = compose.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    parts = re.split(r"^  (\w+):\n", services, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_check_deploy_reports_nothing_with_the_docker_compose_defaults():
    # Behind the proxy: HTTPS redirects on, the proxy's X-Forwarded-Proto trusted.
    env = production_env(
        **compose_environment(
            {"SECRET_KEY": "k" * 64 + "-compose-secret", "SITE_ADDRESS": "send.example.org"}
        )
    )
    assert env["SITE_URL"] == "https://send.example.org"
    assert env["TRUSTED_PROXY_COUNT"] == "1"  # Caddy, in front of every request
    assert "SECURE_SSL_REDIRECT" not in compose_environment({"SECRET_KEY": "x", "SITE_ADDRESS": "x"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_beat_runs_on_its_own_with_a_schedule_file_it_can_write():
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    blocks = service_blocks(compose)
    assert "--beat" not in blocks["worker"]  # one beat, however many workers
    schedule = re.search(r"celery -A send_portal beat .*--schedule (\S+)", blocks["beat"]).group(1)
    folder = schedule.rsplit("/", 1)[0]
    assert re.search(rf"- beat:{re.escape(folder)}\n", blocks["beat"])  # a volume of its own
    # The image runs as `send` and makes that folder its own, so the new volume is too.
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    assert re.search(rf"chown send [^\n]*{re.escape(folder)}", dockerfile)
    assert "USER send" in dockerfile


def test_only_the_proxy_is_published_and_gunicorn_is_not():
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    blocks = service_blocks(compose)
    published = {name for name, block in blocks.items() if "    ports:" in block}
    assert published == {"proxy"}
    assert "deploy/caddy.Dockerfile" in blocks["proxy"] and "UPSTREAM: web:8000" in blocks["proxy"]


def test_the_app_connects_as_a_role_that_owns_no_table_and_the_owner_only_migrates():
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    blocks = service_blocks(compose)
    app = compose_environment({"SECRET_KEY": "x", "SITE_ADDRESS": "x"})
    assert app["DATABASE_URL"].startswith("postgres://send_app:")
    assert "migrate" not in blocks["web"]  # the app role may not create tables
    assert "DATABASE_URL: postgres://send:" in blocks["migrate"]
    assert "manage.py migrate --noinput && python manage.py grant_app_role send_app" in blocks["migrate"]
    assert "migrate: { condition: service_completed_successfully }" in compose
    init = (settings.BASE_DIR / "deploy" / "postgres-init.sh").read_text()
    assert "CREATE ROLE send_app LOGIN" in init and "SUPERUSER" not in init
    assert "./deploy/postgres-init.sh:/docker-entrypoint-initdb.d/" in blocks["db"]
