"""Hostile values in every URL parameter and query string of every page: a clear refusal (4xx)
or the page, never a 500 and never a write. The routes and personas are the persona matrix's."""

from urllib.parse import quote

import pytest
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
PARAMS = ["sort", "page", "school", "trust", "kind", "status", "owner", "la", "census_date",
          "year", "financial_year", "period", "phase", "q", "next"]


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
    response = client.post("/pupils/imports/", {
        "school": world.a1.laestab + "\x00", "census_date": "2025-10-02",
        "file": SimpleUploadedFile("a.csv", b"UPN\r\n", "text/csv")})
    assert response.status_code == 400
    assert "not allowed (a NUL character)" in response.content.decode()
    with scopes_disabled():
        assert CensusImport.objects.count() == before
