"""A process that never serves a page (a management command, the Celery worker) starts without
the admin's modules and the URLconf (send_portal.apps.AdminConfig), and the admin is still all
there for the pages and for `manage.py check`."""

import json
import os
import subprocess
import sys

from django.conf import settings

# Run in a fresh process: in the test process an earlier test has usually loaded the URLconf,
# and with it every ModelAdmin.
FRESH_PROCESS = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.contrib import admin
from send_portal.apps import _check_every_model_admin
admin_modules = ["send_portal.urls", "import_export.admin", "openpyxl", "casework.admin", "funding.admin"]
models = [apps.get_model(m) for m in ("casework.CaseNote", "funding.Band", "pupils.NationalAverage")]
loaded = [m for m in admin_modules if m in sys.modules]
registered_before = [admin.site.is_registered(m) for m in models]
errors = [str(e) for e in _check_every_model_admin(None)]
registered_after = [admin.site.is_registered(m) for m in models]
print(json.dumps([loaded, registered_before, errors, registered_after]))
"""


def _fresh_process() -> list:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "send_portal.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_django_starts_without_the_admins_modules_or_the_urlconf():
    loaded_at_start, registered_at_start, _errors, _registered = _fresh_process()
    assert loaded_at_start == [], f"loaded when Django starts: {loaded_at_start}"
    assert registered_at_start == [False, False, False]


def test_the_admins_check_loads_every_model_admin_first():
    _loaded, _registered_at_start, errors, registered = _fresh_process()
    assert errors == []
    assert registered == [True, True, True]


def test_the_admin_lists_a_model_registered_in_an_apps_admin_module(admin_client, admin_user):
    from trusts.tests.factories import with_totp

    with_totp(admin_user)
    response = admin_client.get("/admin/casework/casenote/")
    assert response.status_code == 200
