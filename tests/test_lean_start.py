"""A process that never serves a page (a management command, the Celery worker) starts without
the admin's modules and the URLconf (send_portal.apps.AdminConfig), and the admin is still all
there for the pages and for `manage.py check`."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.contrib import admin

from send_portal.apps import _check_every_model_admin

SETUP_THEN_LIST_MODULES = """
import json, sys
import django
django.setup()
print(json.dumps(sorted(sys.modules)))
"""


def test_django_starts_without_the_admins_modules_or_the_urlconf():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "send_portal.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", SETUP_THEN_LIST_MODULES],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "django.contrib.admin" in loaded  # the app itself is installed
    for module in ("send_portal.urls", "import_export.admin", "openpyxl", "casework.admin", "funding.admin"):
        assert module not in loaded, f"{module} is loaded when Django starts"


def test_the_admins_check_loads_every_model_admin_first():
    from casework.models import CaseNote
    from funding.models import Band
    from pupils.models import NationalAverage

    assert _check_every_model_admin(None) == []
    for model in (CaseNote, Band, NationalAverage):
        assert admin.site.is_registered(model)


def test_the_admin_lists_a_model_registered_in_an_apps_admin_module(admin_client, admin_user):
    from trusts.tests.factories import with_totp

    with_totp(admin_user)
    response = admin_client.get("/admin/casework/casenote/")
    assert response.status_code == 200
