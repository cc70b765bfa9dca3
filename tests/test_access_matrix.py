"""Every demo persona against every school of both trusts: allowed pages answer 200,
everything else 404, and the home list shows exactly the schools the persona may see."""

import re

import pytest

from trusts.models import User

from .personas import ALL_SCHOOLS, VISIBLE_SCHOOLS

pytestmark = pytest.mark.django_db

MATRIX = [(email, laestab) for email in VISIBLE_SCHOOLS for laestab in ALL_SCHOOLS]


def login(client, email: str) -> User:
    user = User.objects.get(email=email)
    client.force_login(user)
    return user


@pytest.mark.parametrize(("email", "laestab"), MATRIX)
def test_school_page_is_200_for_own_schools_and_404_for_the_rest(
    db, demo_people_module, client, email, laestab
):
    login(client, email)
    response = client.get(f"/schools/{laestab}/")
    expected = 200 if laestab in VISIBLE_SCHOOLS[email] else 404
    assert response.status_code == expected


@pytest.mark.parametrize("email", sorted(VISIBLE_SCHOOLS))
def test_home_lists_exactly_the_schools_the_persona_may_see(db, demo_people_module, client, email):
    login(client, email)
    response = client.get("/")
    assert response.status_code == 200
    listed = sorted(re.findall(r'data-school="(\d{7})"', response.content.decode()))
    assert listed == sorted(VISIBLE_SCHOOLS[email])


@pytest.mark.parametrize("email", sorted(VISIBLE_SCHOOLS))
@pytest.mark.parametrize("url", ["/schools/9999999/", "/schools/not-a-school/", "/schools/0/"])
def test_made_up_school_urls_are_404(db, demo_people_module, client, email, url):
    login(client, email)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/", f"/schools/{ALL_SCHOOLS[0]}/"])
def test_logged_out_visitors_are_sent_to_login(db, demo_people_module, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_trusts_school_names_never_appear_on_an_executives_pages(db, demo_people_module, client):
    login(client, "csel.assisi@demo.test")
    body = client.get("/").content.decode()
    assert "Holy Cross Primary" not in body  # a Christus school
    assert "Sacred Heart Primary" in body  # an Assisi school


def test_home_page_query_count_does_not_grow_with_schools(db, demo_people_module, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trusts.models import School, Trust
    from trusts.tests.factories import SchoolFactory

    login(client, "hos@demo.test")
    client.get("/")  # the session's first page saves it
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    trust = Trust.objects.get(slug="assisi-catholic-trust")
    la = School.objects.filter(trust=trust).first().local_authority
    SchoolFactory.create_batch(34, trust=trust, local_authority=la)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/")
    assert response.content.decode().count("data-school=") == 50
    assert len(many.captured_queries) == len(few.captured_queries)
