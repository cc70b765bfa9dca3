"""The casework admin: cases and notes are read-only; the agreed split is edited here."""

import pytest

from casework.models import ActivityArrangement, ArrangementShare

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    from trusts.tests.factories import with_totp

    with_totp(admin_user)
    client.force_login(admin_user)
    return client


def test_admin_pages_open(admin, world):
    from casework import services

    case = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="T",
        owner=world.senco_a,
        opened_on=world.pupil_a.date_of_birth.replace(year=2025),
        note="N",
    )
    for url in [
        "/admin/casework/case/",
        f"/admin/casework/case/{case.pk}/change/",
        "/admin/casework/casenote/",
        f"/admin/casework/casenote/{case.notes.get().pk}/change/",
        "/admin/casework/activityarrangement/",
        "/admin/casework/activityarrangement/add/",
        "/admin/casework/digestsent/",
    ]:
        assert admin.get(url).status_code == 200, url
    body = admin.get(f"/admin/casework/casenote/{case.notes.get().pk}/change/").content.decode()
    assert 'name="text"' not in body  # shown read-only, no input


def test_the_agreed_split_is_set_in_the_admin(admin, world):
    response = admin.post(
        "/admin/casework/activityarrangement/add/",
        {
            "person": world.hos.pk,
            "name": "60/40",
            "shares-TOTAL_FORMS": "2",
            "shares-INITIAL_FORMS": "0",
            "shares-MIN_NUM_FORMS": "0",
            "shares-MAX_NUM_FORMS": "1000",
            "shares-0-trust": world.trust_a.pk,
            "shares-0-percent": "60",
            "shares-1-trust": world.trust_b.pk,
            "shares-1-percent": "40",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    arrangement = ActivityArrangement.objects.get(person=world.hos)
    assert sorted(
        ArrangementShare.objects.filter(arrangement=arrangement).values_list("percent", flat=True)
    ) == [40, 60]
    assert admin.get(f"/admin/casework/activityarrangement/{arrangement.pk}/change/").status_code == 200
