"""The move pages through the access policy: release with a check of the answers, the list of
pupils released to a school, receive, cancel."""

import datetime as dt
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pupils.models import Provision, Pupil
from pupils.tests.factories import PupilFactory
from transfers import services
from transfers.models import PupilMove
from trusts.tests.factories import SchoolFactory, head_of_send, headteacher, senco

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil(school):
    return PupilFactory(
        school=school,
        provision=Provision.SEN_SUPPORT,
        surname="Okafor",
        forename="Amara",
        date_of_birth=dt.date(2015, 4, 2),
    )


def test_a_senco_releases_a_pupil_after_checking_the_answers(client, school, next_school, pupil):
    client.force_login(senco(school))
    page = client.get(f"/transfers/pupils/{pupil.pk}/release/").content.decode()
    options = page.split("<select")[1].split("</select>")[0]
    assert escape(next_school.name) in options and escape(school.name) not in options
    response = client.post(f"/transfers/pupils/{pupil.pk}/release/", {"to_school": next_school.pk})
    assert response.status_code == 302 and not PupilMove.objects.exists()
    check = client.get(response["Location"]).content.decode()
    assert "Check your answers" in check and escape(next_school.name) in check
    response = client.post(f"/transfers/pupils/{pupil.pk}/release/check/")
    move = PupilMove.objects.get()
    assert response["Location"] == f"/transfers/moves/{move.pk}/"
    assert move.to_school == next_school and move.status == PupilMove.Status.RELEASED


def test_choosing_no_school_is_explained_and_changes_nothing(client, school, pupil):
    client.force_login(senco(school))
    response = client.post(f"/transfers/pupils/{pupil.pk}/release/", {"to_school": "99999"})
    assert response.status_code == 400
    assert "Choose the school the pupil is moving to" in response.content.decode()
    assert not PupilMove.objects.exists()


def test_the_receiving_senco_sees_only_who_the_pupil_is_then_receives_them(
    client, school, next_school, pupil
):
    move = services.pupil_move_release(actor=senco(school), pupil=pupil, to_school=next_school)
    receiver = senco(next_school)
    client.force_login(receiver)
    listing = client.get(f"/transfers/schools/{next_school.laestab}/released/").content.decode()
    assert "Amara Okafor" in listing and pupil.upn in listing and "2 April 2015" in listing
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 404  # nothing more of the pupil
    check = client.get(f"/transfers/moves/{move.pk}/receive/").content.decode()
    assert "Receive the pupil" in check and school.name in check
    response = client.post(f"/transfers/moves/{move.pk}/receive/")
    assert response["Location"] == f"/transfers/moves/{move.pk}/"
    move.refresh_from_db()
    assert move.status == PupilMove.Status.RECEIVED
    detail = client.get(f"/transfers/moves/{move.pk}/").content.decode()
    assert "Pupil received" in detail and receiver.email in detail
    assert client.get(f"/pupils/{move.received_pupil_id}/").status_code == 200
    # The sending school sees the receipt too.
    client.force_login(senco(school))
    detail = client.get(f"/transfers/moves/{move.pk}/").content.decode()
    assert receiver.email in detail and "read-only" in detail
    assert client.get(f"/pupils/{move.received_pupil_id}/").status_code == 404


def test_the_sender_cancels_a_release_the_receiver_cannot(client, school, next_school, pupil):
    move = services.pupil_move_release(actor=senco(school), pupil=pupil, to_school=next_school)
    client.force_login(senco(next_school))
    assert client.post(f"/transfers/moves/{move.pk}/cancel/").status_code == 404
    client.force_login(senco(school))
    client.post(f"/transfers/moves/{move.pk}/cancel/")
    move.refresh_from_db()
    assert move.status == PupilMove.Status.CANCELLED


@pytest.mark.parametrize("who", ["stranger", "other_trust", "headteacher", "sender_at_receive"])
def test_no_one_else_opens_a_move(client, school, next_school, pupil, who):
    move = services.pupil_move_release(actor=senco(school), pupil=pupil, to_school=next_school)
    user = {
        "stranger": lambda: senco(SchoolFactory(trust=school.trust)),
        "other_trust": lambda: head_of_send(SchoolFactory().trust),
        "headteacher": lambda: headteacher(next_school),
        "sender_at_receive": lambda: senco(school),
    }[who]()
    client.force_login(user)
    if who != "sender_at_receive":
        assert client.get(f"/transfers/moves/{move.pk}/").status_code == 404
        assert client.get(f"/transfers/schools/{next_school.laestab}/released/").status_code == 404
        assert client.get(f"/transfers/pupils/{pupil.pk}/release/").status_code == 404
    assert client.get(f"/transfers/moves/{move.pk}/receive/").status_code == 404
    assert client.post(f"/transfers/moves/{move.pk}/receive/").status_code == 404
    assert not Pupil.objects.filter(school=next_school).exists()


def test_the_released_list_costs_the_same_queries_for_one_pupil_or_many(client, school, next_school):
    sender, receiver = senco(school), senco(next_school)
    client.force_login(receiver)
    url = f"/transfers/schools/{next_school.laestab}/released/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    services.pupil_move_release(actor=sender, pupil=PupilFactory(school=school), to_school=next_school)
    count()  # the session and the user's grants, loaded once
    one = count()
    for _ in range(4):
        services.pupil_move_release(actor=sender, pupil=PupilFactory(school=school), to_school=next_school)
    assert count() == one


def test_the_pupil_page_offers_the_release_and_shows_the_move(client, school, next_school, pupil):
    client.force_login(senco(school))
    page = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert "Release to another school in the portal" in page
    services.pupil_move_release(actor=senco(school), pupil=pupil, to_school=next_school)
    page = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert f"Released to {escape(next_school.name)}" in page
    assert "Release to another school in the portal" not in page


def test_the_receiving_sencos_home_page_lists_pupils_released_to_them(client, school, next_school, pupil):
    services.pupil_move_release(actor=senco(school), pupil=pupil, to_school=next_school)
    client.force_login(senco(next_school))
    page = client.get("/").content.decode()
    assert "Pupils released to your school" in page
    assert f"/transfers/schools/{next_school.laestab}/released/" in page
