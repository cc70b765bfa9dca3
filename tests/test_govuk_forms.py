"""Every form of the portal follows the GOV.UK Design System: the error summary at the top of
the page, "Error: " before the title, each summary message the same self-contained words as
the message next to its field and linking to it, and dates typed in three boxes."""

import datetime as dt
import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders

from core.date_input import DateInputField
from core.forms import Form as GovukForm
from core.forms import GovukFormMixin
from trusts.tests.factories import SchoolFactory, TrustFactory, senco

APPS = (
    "casework",
    "evidence",
    "funding",
    "pupils",
    "provision",
    "support",
    "privacy",
    "reports",
    "trusts",
    "inforeports",
)

SUMMARY_LINK = re.compile(r'<li><a href="#([^"]*)">([^<]*)</a></li>')
INLINE = re.compile(
    r'<p class="govuk-error-message" id="([^"]*)-error">'
    r'<span class="govuk-visually-hidden">Error:</span> ([^<]*)</p>'
)


def _app_forms():
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_the_walk_finds_the_forms_of_every_app_with_forms():
    found = {cls.__module__.split(".")[0] for cls in _app_forms()}
    assert {"casework", "funding", "pupils", "provision", "support", "privacy"} <= found


@pytest.mark.parametrize("form_class", list(_app_forms()), ids=lambda c: c.__qualname__)
def test_every_form_is_a_portal_form_with_no_browser_date_picker(form_class):
    assert issubclass(form_class, GovukFormMixin), "messages in GOV.UK's words come from it"
    for name, field in form_class.base_fields.items():
        assert not isinstance(field, forms.DateField), f"{name}: use core.date_input"
        assert not isinstance(field.widget, forms.DateInput), name
        assert field.widget.attrs.get("type") != "date", name


def test_no_template_asks_for_a_date_with_the_browser_date_picker():
    pages = Path(settings.BASE_DIR, "templates").rglob("*.html")
    offenders = [p.name for p in pages if re.search(r"""type=["']date["']""", p.read_text())]
    assert offenders == []


class _Sample(GovukForm):
    title = forms.CharField(max_length=5)
    kind = forms.ChoiceField(choices=[("a", "A")])
    hours = forms.DecimalField(label="Hours (a week)", min_value=1, max_value=24)
    days = forms.IntegerField(label="School days")
    upn = forms.CharField(label="UPN")
    confirm = forms.CharField(label="Type ERASE to confirm")
    own = forms.CharField(error_messages={"required": "Say what happened"})
    when = DateInputField(label="Date of the meeting")


def test_messages_say_what_to_do_without_the_fields_label_before_them():
    form = _Sample({"kind": "zz", "hours": "30", "days": "1.5", "when_day": "3", "when_year": "2025"})
    assert {name: list(errors) for name, errors in form.errors.items()} == {
        "title": ["Enter the title"],
        "kind": ["Select the kind from the list"],
        "hours": ["Hours must be 24 or less"],
        "days": ["School days must be a whole number"],
        "upn": ["Enter the UPN"],
        "confirm": ["Type ERASE to confirm"],
        "own": ["Say what happened"],
        "when": ["Date of the meeting must include a month"],
    }
    assert _Sample({"title": "Too long"}).errors["title"] == ["Title must be 5 characters or fewer"]
    assert _Sample({"hours": "many"}).errors["hours"] == ["Hours must be a number"]
    assert _Sample({}).errors["days"] == ["Enter the number of school days"]


def test_a_single_date_value_is_split_into_the_three_boxes():
    class F(GovukForm):
        on = DateInputField(label="Date")

    assert F({"on": "2026-03-27"}).is_valid()
    form = F({"on": "27/03/2026"})
    assert form.is_valid() and form.cleaned_data["on"] == dt.date(2026, 3, 27)
    assert F({"on": "2026-02-30"}).errors["on"] == ["Date must be a real date"]


@pytest.fixture
def school(db):
    return SchoolFactory(trust=TrustFactory())


def _errors(body: str):
    main = body.split("<main", 1)[1]
    summary = main.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return SUMMARY_LINK.findall(summary), INLINE.findall(main)


def test_an_invalid_post_puts_error_before_the_title_and_the_summary_first(client, school):
    client.force_login(senco(school))
    url = f"/casework/schools/{school.laestab}/cases/new/"
    assert "<title>Error:" not in client.get(url + "?kind=tribunal_appeal").content.decode()
    response = client.post(
        url + "?kind=tribunal_appeal",
        {
            "kind": "tribunal_appeal",
            "opened_on_day": "31",
            "opened_on_month": "2",
            "opened_on_year": "2025",
            "decision_letter_date_month": "5",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"<title>Error: Open a case", body)
    main = body.split("<main", 1)[1]
    # The summary comes first in the page's main part, before the heading, once.
    assert main.index('data-module="govuk-error-summary"') < main.index("<h1")
    assert body.count('data-module="govuk-error-summary"') == 1


def test_each_summary_message_is_the_inline_message_and_links_to_its_field(client, school):
    client.force_login(senco(school))
    response = client.post(
        f"/casework/schools/{school.laestab}/cases/new/",
        {
            "kind": "tribunal_appeal",
            "opened_on_day": "31",
            "opened_on_month": "2",
            "opened_on_year": "2025",
            "decision_letter_date_month": "5",
        },
    )
    body = response.content.decode()
    summary, inline = _errors(body)
    assert [message for _, message in summary] == [message for _, message in inline]
    assert [message for _, message in summary] == [
        "Enter the title",
        "Select the owner",
        "Date the case was opened must be a real date",
        "Date of the LA&#x27;s decision letter must include a day and year",
    ]
    for anchor, _ in summary:
        assert f'id="{anchor}"' in body, anchor
    assert "This field is required" not in body


def test_radios_errors_link_to_the_first_radio(client, school):
    client.force_login(senco(school))
    response = client.get(f"/casework/schools/{school.laestab}/cases/new/?kind=")
    body = response.content.decode()
    assert response.status_code == 400
    summary, inline = _errors(body)
    assert summary == [("id_kind_0", "Select the kind of case")]
    assert inline == [("id_kind", "Select the kind of case")]
    assert 'id="id_kind_0"' in body and 'type="radio"' in body


def test_the_error_summary_is_focused_by_govuk_frontend_started_from_the_apps_own_script():
    script = Path(finders.find("js/portal.js")).read_text()
    assert 'from "../vendor/govuk-frontend/govuk-frontend.min.js"' in script
    assert "initAll()" in script and "govuk-frontend-supported" in script
    frontend = Path(finders.find("vendor/govuk-frontend/govuk-frontend.min.js")).read_text()
    assert "ErrorSummary" in frontend and "initAll" in frontend
    base = Path(settings.BASE_DIR, "templates", "base.html").read_text()
    # No inline script: the strict Content-Security-Policy allows the app's own files only.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", base))
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]


def test_the_sign_in_form_speaks_the_same_words(client, db):
    body = client.post("/accounts/login/", {"login": "", "password": ""}).content.decode()
    summary, inline = _errors(body)
    assert [m for _, m in summary] == ["Enter your email address", "Enter your password"]
    assert [m for _, m in summary] == [m for _, m in inline]
    assert "<title>Error: Sign in" in body
