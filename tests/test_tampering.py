"""Ids posted in a form (a pupil, a school, an owner) that belong to another trust are refused
with a message and never move or attach a record across trusts."""

import datetime as dt

import pytest

from casework.models import Case, EHCRequest
from funding.models import Band, BandingScheme, Claim
from pupils.models import CensusImport
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import SchoolFactory, data_admin, head_of_send, senco

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_trusts():
    mine, theirs = SchoolFactory(), SchoolFactory()
    return mine, theirs, PupilFactory(school=mine), PupilFactory(school=theirs)


def test_a_case_cannot_be_opened_for_another_trusts_pupil_or_owner(client, two_trusts):
    mine, theirs, _, their_pupil = two_trusts
    user = senco(mine)
    stranger = head_of_send(theirs.trust)
    client.force_login(user)
    for field, value in (("pupil", their_pupil.pk), ("owner", stranger.pk)):
        data = {
            "kind": "complaint",
            "title": "Complaint",
            "owner": user.pk,
            "opened_on": "2025-09-01",
            field: value,
        }
        response = client.post(f"/casework/schools/{mine.laestab}/cases/new/", data)
        assert response.status_code in (200, 400)
        assert f"Select the {field} from the list" in response.content.decode()
    assert not Case.objects.exists()


def test_an_ehc_request_cannot_name_another_trusts_pupil(client, two_trusts):
    mine, _, my_pupil, their_pupil = two_trusts
    client.force_login(senco(mine))
    url = f"/casework/schools/{mine.laestab}/ehc/requests/new/"
    data = {"requested_by": "school", "request_date": "2025-09-01"}
    response = client.post(url, {**data, "pupil": their_pupil.pk})
    assert response.status_code < 500
    assert not EHCRequest.objects.exists()
    # The same form with the school's own pupil goes through, once its answers are checked.
    client.post(url, {**data, "pupil": my_pupil.pk})
    client.post(f"{url}check/")
    assert EHCRequest.objects.get().pupil == my_pupil


def test_a_claim_cannot_be_drafted_for_another_trusts_pupil(client, two_trusts):
    mine, _, _, their_pupil = two_trusts
    scheme = BandingScheme.objects.create(
        local_authority=their_pupil.home_local_authority, financial_year=2025
    )
    band = Band.objects.create(scheme=scheme, label="3", annual_value="4800.00", order=3)
    client.force_login(senco(mine))
    response = client.post(
        f"/funding/schools/{mine.laestab}/claims/new/",
        {
            "pupil": their_pupil.pk,
            "requested_band": band.pk,
            "evidence_summary": "x",
            "provision_to_fund": "y",
        },
    )
    assert response.status_code in (200, 400)
    assert "Select the pupil from the list" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_census_file_cannot_be_uploaded_for_another_trusts_school(client, two_trusts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mine, theirs, _, _ = two_trusts
    client.force_login(data_admin(mine.trust))
    upload = SimpleUploadedFile("census.csv", b"UPN,Surname\n", content_type="text/csv")
    response = client.post(
        f"/pupils/schools/{mine.laestab}/census/import/",
        {"school": theirs.laestab, "census_date": "2025-10-02", "file": upload},
    )
    assert response.status_code in (200, 400)
    assert "Select the school from the list" in response.content.decode()
    assert not CensusImport.objects.exists()


def test_changing_a_pupil_cannot_move_it_to_another_school(client, two_trusts):
    mine, theirs, my_pupil, _ = two_trusts
    client.force_login(senco(mine))
    client.post(
        f"/pupils/{my_pupil.pk}/change/",
        {
            "provision": "K",
            "primary_need": "ASD",
            "school": theirs.pk,
            "on": dt.date(2025, 11, 1).isoformat(),
        },
    )
    my_pupil.refresh_from_db()
    assert my_pupil.school == mine
