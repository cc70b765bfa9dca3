"""Production: JSON logs, and errors to Sentry only when SENTRY_DSN is set, without personal data."""

import json
import logging
import subprocess
import sys

from django.conf import settings

from send_portal.log_format import JSONFormatter

from .test_deploy_check import production_env

SHOW = """
import logging, django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print("SENTRY", client.is_active(), client.options.get("send_default_pii"),
      client.options.get("include_local_variables"), client.options.get("max_request_body_size"))
logging.getLogger("send_portal.test").warning("it works", extra={"import_id": 7})
"""


def _run(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_logs_one_json_object_per_line():
    done = _run()
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stderr.splitlines() if "it works" in ln)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "send_portal.test"
    assert entry["message"] == "it works" and entry["import_id"] == 7 and entry["time"]


def test_sentry_is_off_without_a_dsn_and_sends_no_personal_data_with_one():
    assert "SENTRY False" in _run().stdout
    on = _run(SENTRY_DSN="https://public@sentry.example.org/1")
    assert on.returncode == 0, on.stderr
    assert "SENTRY True False False never" in on.stdout


def test_an_exception_is_logged_with_its_traceback_as_text():
    try:
        raise ValueError("bad row")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("job",), sys.exc_info())
    entry = json.loads(JSONFormatter().format(record))
    assert entry["message"] == "failed job" and "ValueError: bad row" in entry["exception"]
