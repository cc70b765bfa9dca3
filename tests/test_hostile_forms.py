"""Every form of every page, posted with hostile values in all its fields: a clear refusal
(4xx, or the form again with its errors) or a proper record, never a 500; and values no field
may hold (a NUL, 100,000 characters) write nothing. Right-to-left text, emoji, markup and
strings of digits are fair text for a note, so a form may keep them. The pages and personas
are the persona matrix's."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scopes_disabled

from .test_hostile_input import HOSTILE
from .test_url_matrix import ROUTES, world  # noqa: F401 - the matrix's world fixture

pytestmark = pytest.mark.django_db

REFUSED_EVERYWHERE = ("nul", "long")
# Fields a hostile value would not reach a view through (the browser sends them as they are).
SKIP_FIELDS = {"csrfmiddlewaretoken"}


class _Forms(HTMLParser):
    """The POST forms of a page: (action, [field names])."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []
        self._current: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", [])
        elif tag in ("input", "select", "textarea") and self._current is not None:
            name = attrs.get("name")
            if name and name not in SKIP_FIELDS and attrs.get("type") not in ("file", "submit"):
                self._current[1].append(name)

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def _row_count() -> int:
    with scopes_disabled():
        return sum(
            m._base_manager.count()
            for m in apps.get_models()
            if m._meta.app_label
            not in {
                "auditlog",
                "sessions",
                "trusts",
                "contenttypes",
                "auth",
                "admin",
                "account",
                "mfa",
                "usersessions",
            }
        )


def _pages_with_forms():
    return [n for n, r in sorted(ROUTES.items()) if r.method == "GET" and r.allowed]


@pytest.mark.parametrize("name", _pages_with_forms())
def test_every_form_refuses_hostile_values_without_a_500_or_a_write(client, world, name):  # noqa: F811
    route = ROUTES[name]
    client.force_login(world.users[sorted(route.allowed)[0]])
    url = reverse(name, kwargs=route.kwargs(world, "own"))
    page = client.get(url)
    if page.status_code != 200 or "html" not in page["Content-Type"]:
        pytest.skip("not a page")
    parser = _Forms()
    parser.feed(page.content.decode())
    forms = [(action or url, fields) for action, fields in parser.forms if fields]
    if not forms:
        pytest.skip("no form with fields on this page")
    forms = [(action, fields) for action, fields in forms if not re.search(r"/(logout|sign-?out)/", action)]
    before = _row_count()
    for action, fields in forms:
        for what in REFUSED_EVERYWHERE:
            response = client.post(action, dict.fromkeys(fields, HOSTILE[what]))
            assert response.status_code < 500, (action, what, response.status_code)
    assert _row_count() == before, "a value no field may hold was written"
    for action, fields in forms:
        for what, value in HOSTILE.items():
            response = client.post(action, dict.fromkeys(fields, value))
            assert response.status_code < 500, (action, what, response.status_code)
