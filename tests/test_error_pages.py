"""The app's own 404 and 403 pages: in production, in the embedded demo (which runs with
DEBUG on) and for the admin to someone signed in who is not staff."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from trusts.models import Role
from trusts.tests.factories import SchoolFactory, UserFactory, data_admin, member

pytestmark = pytest.mark.django_db


def test_a_page_that_does_not_exist_shows_the_apps_own_404_page(client):
    user = data_admin(SchoolFactory().trust)
    client.force_login(user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Page not found – SEND Portal</title>" in page
    assert 'class="govuk-header' in page and user.email in page  # the app's header, signed in
    assert 'href="/"' in page


def test_an_object_the_user_may_not_see_answers_the_apps_404_page(client):
    client.force_login(data_admin(SchoolFactory().trust))
    other = SchoolFactory()
    response = client.get(f"/pupils/schools/{other.laestab}/register/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_signed_out_visitor_gets_the_404_page_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_the_admin_shows_the_apps_403_page_to_a_signed_in_user_who_is_not_staff(client):
    client.force_login(data_admin(SchoolFactory().trust))
    response = client.get("/admin/", follow=True)  # a redirect loop raises RedirectCycleError
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 1
    page = response.content.decode()
    assert "<title>You cannot use this page – SEND Portal</title>" in page
    assert "platform admin" in page


def test_the_admin_still_opens_for_a_platform_admin_and_sends_visitors_to_sign_in(client):
    admin = member(Role.PLATFORM_ADMIN, user=UserFactory(is_staff=True, is_superuser=True))
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    client.logout()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")


def test_the_demo_shows_the_apps_404_page_though_it_runs_with_debug_on():
    probe = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_HOST="127.0.0.1")
missing = client.get("/no-such-page/")
print(json.dumps({"debug": settings.DEBUG, "status": missing.status_code,
                  "page": missing.content.decode()}))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="send_portal.settings.local", DATABASE_URL="sqlite://:memory:")
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["debug"] is True
    assert result["status"] == 404
    assert "Page not found – SEND Portal" in result["page"]
    assert "URLconf" not in result["page"]  # not Django's technical page


def test_with_debug_on_a_view_that_answers_404_shows_the_apps_page_too(client, settings):
    settings.DEBUG = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "send_portal.errors.AppNotFoundPageMiddleware"]
    client.force_login(data_admin(SchoolFactory().trust))
    response = client.get(f"/pupils/schools/{SchoolFactory().laestab}/register/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found – SEND Portal" in page and "Django" not in page
    assert client.get("/healthz").status_code in (200, 503)  # pages that exist are untouched


def test_a_form_sent_without_its_token_shows_the_apps_expired_page():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(data_admin(SchoolFactory().trust))
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "<title>The page has expired – SEND Portal</title>" in response.content.decode()


def test_a_server_error_shows_the_apps_page_without_needing_a_request_context(rf):
    from django.views.defaults import bad_request, server_error

    page = server_error(rf.get("/")).content.decode()
    assert "<title>Sorry, there is a problem with the service – SEND Portal</title>" in page
    assert 'class="govuk-header' in page
    page = bad_request(rf.get("/"), Exception("bad")).content.decode()
    assert "The request could not be read" in page
