"""The claims list worked through: filtered by trust (only the reader's), counted from the
filtered set, paged by 50 with the filters kept, sorted by a whitelisted column, in the same
number of queries whatever the number of claims."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.models import Claim, ClaimStatus
from trusts.tests.factories import head_of_send, senco

from .factories import FY2025, band, ehcp_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(las, trust, other_trust, thurrock_school, essex_school_other_trust):
    class S:
        pass

    s = S()
    s.trust, s.other_trust = trust, other_trust
    s.school, s.other = thurrock_school, essex_school_other_trust
    s.pupil = ehcp_pupil(thurrock_school, surname="Abbott", forename="Zed")
    s.other_pupil = ehcp_pupil(essex_school_other_trust, surname="Young", forename="Amy")
    s.hos = head_of_send(trust, other_trust)
    return s


def _claims(pupil, n, status=ClaimStatus.DRAFT, year=FY2025):
    la = pupil.home_local_authority
    requested = band(la, "5 hours" if la.name == "Thurrock" else "3")
    Claim.objects.bulk_create(
        Claim(
            school=pupil.school,
            pupil=pupil,
            local_authority=la,
            financial_year=year,
            requested_band=requested,
            evidence_summary="E",
            provision_to_fund="P",
            status=status,
        )
        for _ in range(n)
    )


def _ids(response) -> list[str]:
    return re.findall(r'data-claim="(\d+)"', response.content.decode())


def test_the_claims_list_filters_by_trust_and_counts_the_filtered_set(client, setting):
    _claims(setting.pupil, 3)
    _claims(setting.pupil, 2, ClaimStatus.SUBMITTED)
    _claims(setting.other_pupil, 4, ClaimStatus.UNDER_APPEAL)
    client.force_login(setting.hos)
    everything = client.get("/funding/claims/")
    assert "9 claims</strong>, 6 awaiting the LA's decision, 3 drafts." in (everything.content.decode())
    response = client.get(f"/funding/claims/?trust={setting.trust.pk}")
    assert len(_ids(response)) == 5
    body = response.content.decode()
    assert "5 claims</strong>, 2 awaiting the LA's decision, 3 drafts match the filters." in body
    assert setting.other_pupil.surname not in body and ">Assisi Test Trust<" in body


def test_the_claims_list_offers_and_accepts_only_the_reader_s_trusts(client, setting):
    _claims(setting.other_pupil, 1)
    reader = senco(setting.school)
    client.force_login(reader)
    body = client.get("/funding/claims/").content.decode()
    assert 'name="trust"' not in body and "Christus" not in body
    response = client.get(f"/funding/claims/?trust={setting.other_trust.pk}")
    assert response.status_code == 400 and _ids(response) == []


def test_the_claims_list_pages_by_50_and_sorts_with_the_filters_kept(client, setting):
    _claims(setting.pupil, 52, ClaimStatus.SUBMITTED)
    _claims(setting.other_pupil, 3, ClaimStatus.SUBMITTED)
    client.force_login(setting.hos)
    url = "/funding/claims/?status=awaiting&sort=pupil"
    first = client.get(url)
    assert len(_ids(first)) == 50
    body = first.content.decode()
    assert 'href="?status=awaiting&amp;sort=pupil&amp;page=2"' in body
    assert (
        'aria-sort="ascending"><a class="govuk-link portal-sort" href="?status=awaiting&amp;sort=-pupil"'
    ) in body
    second = client.get(url + "&page=2")
    assert len(_ids(second)) == 5 and not set(_ids(first)) & set(_ids(second))
    # Abbott before Young; descending, Young first.
    assert "Young" in second.content.decode()
    descending = client.get("/funding/claims/?status=awaiting&sort=-pupil")
    assert "Young" in descending.content.decode().split('id="claims"')[1][:3000]
    assert client.get("/funding/claims/?sort=pupil__upn").status_code == 200  # not whitelisted


def test_the_claims_list_takes_the_same_queries_for_2_and_70_claims(client, setting):
    client.force_login(setting.hos)
    url = "/funding/claims/?sort=-la&page=2"
    _claims(setting.pupil, 1)
    _claims(setting.other_pupil, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _claims(setting.pupil, 34, ClaimStatus.AWARDED)
    _claims(setting.other_pupil, 34)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
