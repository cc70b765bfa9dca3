"""Hostile values in every URL parameter and query string of every page: a clear refusal (4xx)
or the page, never a 500 and never a write. The routes and personas are the persona matrix's."""

from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from .test_url_matrix import ROUTES, world  # noqa: F401 - the matrix's world fixture

pytestmark = pytest.mark.django_db

HOSTILE = {
    "nul": "88\x0001",
    "long": "9" * 100_000,
    "far date": "9999-12-31",
    "old date": "0001-01-01",
    "negative": "-99999999999999999999",
    "huge": "1e308",
    "rtl and emoji": "\u202eevil\U0001f600",
    "markup": "<script>alert(1)</script>",
}
# Query parameters the pages read (filters, sorts, pages, dates, years).
PARAMS = [
    "sort",
    "page",
    "school",
    "trust",
    "kind",
    "status",
    "owner",
    "la",
    "census_date",
    "year",
    "financial_year",
    "period",
    "phase",
    "q",
    "next",
]


def _allowed_get_routes():
    for name, route in sorted(ROUTES.items()):
        if route.method == "GET" and route.allowed:
            yield name, route


@pytest.mark.parametrize("what", sorted(HOSTILE))
@pytest.mark.parametrize("name", [n for n, r in _allowed_get_routes()])
def test_hostile_path_values_are_refused_cleanly(client, world, name, what):  # noqa: F811
    route = ROUTES[name]
    kwargs = route.kwargs(world, "own")
    strings = [k for k, v in kwargs.items() if isinstance(v, str)]
    if not strings:
        pytest.skip("no text in this route's path")
    client.force_login(world.users[sorted(route.allowed)[0]])
    own = reverse(name, kwargs=kwargs)
    for key in strings:
        # Written into the URL by hand: the route's converter would refuse to reverse it.
        url = own.replace(f"/{kwargs[key]}/", f"/{quote(HOSTILE[what], safe='')}/", 1)
        response = client.get(url)
        assert response.status_code < 500, (url[:120], response.status_code)


@pytest.mark.parametrize("what", sorted(HOSTILE))
@pytest.mark.parametrize("name", [n for n, r in _allowed_get_routes()])
def test_hostile_query_strings_are_refused_cleanly(client, world, name, what):  # noqa: F811
    route = ROUTES[name]
    client.force_login(world.users[sorted(route.allowed)[0]])
    url = reverse(name, kwargs=route.kwargs(world, "own"))
    response = client.get(url, {param: HOSTILE[what] for param in PARAMS})
    assert response.status_code < 500, (name, response.status_code)


def test_a_nul_in_a_form_value_is_refused_before_any_view_and_changes_nothing(client, world):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scopes_disabled

    from pupils.models import CensusImport

    client.force_login(world.users["data_admin"])
    with scopes_disabled():
        before = CensusImport.objects.count()
    response = client.post(
        "/pupils/imports/",
        {
            "school": world.a1.laestab + "\x00",
            "census_date": "2025-10-02",
            "file": SimpleUploadedFile("a.csv", b"UPN\r\n", "text/csv"),
        },
    )
    assert response.status_code == 400
    assert "not allowed (a NUL character)" in response.content.decode()
    with scopes_disabled():
        assert CensusImport.objects.count() == before


# --- The domain's bounds (core.bounds) -------------------------------------------------------------


def test_a_date_outside_the_domain_is_refused_with_what_is_allowed():
    from core.date_input import DateInputField

    field = DateInputField(label="Award end date")
    for parts, message in (
        (["31", "12", "9999"], "must be on or before 31 December"),
        (["1", "1", "0001"], "must be on or after 1 January 1990"),
    ):
        with pytest.raises(ValidationError) as refused:
            field.clean(parts)
        assert f"Award end date {message}" in refused.value.messages[0]
    assert field.clean(["1", "4", "2026"]).isoformat() == "2026-04-01"


def test_a_form_field_with_no_limit_of_its_own_gets_the_domains():
    from django import forms as django_forms

    from core.forms import Form

    class Note(Form):
        text = django_forms.CharField(widget=django_forms.Textarea)
        title = django_forms.CharField()
        amount = django_forms.DecimalField(label="Amount (£)")

    form = Note({"text": "x" * 1_000_000, "title": "y" * 600, "amount": "1e9"})
    assert not form.is_valid()
    assert form.errors["text"] == ["Text must be 20000 characters or fewer"]
    assert form.errors["title"] == ["Title must be 500 characters or fewer"]
    assert form.errors["amount"] == ["Amount must be 9999999.99 or less"]
    assert Note({"text": "Fine", "title": "Fine", "amount": "1250.50"}).is_valid()


def test_a_remittance_with_a_huge_amount_a_far_date_or_a_nul_is_refused():
    from funding import remittances

    rows = remittances.read(
        b"UPN,Amount,Date\nA123,1e9,2026-04-01\nA124,10.00,9999-12-31\nA125,10.00,2026-04-01\n"
    )
    assert "must be \xa39,999,999.99 or less" in rows[0].error
    assert "must be on or before" in rows[1].error
    assert rows[2].error == ""
    with pytest.raises(remittances.RemittanceFileError, match="NUL"):
        remittances.read(b"UPN,Amount,Date,Reference\nA123,10.00,2026-04-01,ref\x00\n")
