"""The CTF pages through the access policy: upload, check, confirm; export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pupils.models import Pupil
from pupils.tests.factories import PupilFactory
from transfers.models import TransferImport
from transfers.tests.conftest import ctf_xml, fixture_bytes, pupil_xml
from trusts.tests.factories import data_admin, executive, head_of_send, headteacher, senco

pytestmark = pytest.mark.django_db


def _upload(client, school, raw, name="from-st-annes.xml"):
    return client.post(
        f"/transfers/schools/{school.laestab}/import/",
        {"file": SimpleUploadedFile(name, raw, content_type="text/xml")},
    )


def test_a_senco_uploads_checks_and_confirms_an_import(client, school):
    client.force_login(senco(school))
    response = _upload(client, school, fixture_bytes("ctf26_to_8811001.xml"))
    record = TransferImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/transfers/imports/{record.pk}/"
    assert record.status == TransferImport.Status.READY and not Pupil.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Check what will change" in page and "Okafor, Amara" in page
    assert "Joins the register at EHC plan, needs ASD and SLCN." in page
    assert "Confirm and import" in page

    response = client.post(f"/transfers/imports/{record.pk}/confirm/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == TransferImport.Status.IMPORTED and record.pupils == []
    assert Pupil.objects.filter(school=school).count() == 2
    page = client.get(f"/transfers/imports/{record.pk}/").content.decode()
    assert "Transfer file imported" in page and "Okafor, Amara" in page  # read from the register

    # Confirming again imports nothing more.
    client.post(f"/transfers/imports/{record.pk}/confirm/")
    assert Pupil.objects.count() == 2


def test_a_refused_file_is_explained_on_the_form_and_nothing_is_kept(client, school):
    client.force_login(senco(school))
    raw = ctf_xml(pupil_xml("Z881200114002"), dest=("883", "2001"))
    response = _upload(client, school, raw)
    assert response.status_code == 400
    assert "addressed to another school" in response.content.decode()
    assert not TransferImport.objects.exists() and not Pupil.objects.exists()


def test_a_hostile_file_is_refused_with_a_clear_message(client, school):
    client.force_login(senco(school))
    raw = ctf_xml(
        pupil_xml("Z881200114002", surname="&xxe;"),
        prolog='<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    )
    response = _upload(client, school, raw)
    assert response.status_code == 400
    assert "declares a document type or entities" in response.content.decode()
    assert not TransferImport.objects.exists()


def test_a_file_over_the_limit_is_refused_by_the_form(client, school, settings):
    settings.TRANSFERS_CTF_MAX_BYTES = 100
    client.force_login(senco(school))
    response = _upload(client, school, fixture_bytes("ctf26_to_8811001.xml"))
    assert response.status_code == 400 and "too large" in response.content.decode()


def test_a_file_with_pupil_problems_shows_them_and_offers_no_import(client, school):
    client.force_login(senco(school))
    _upload(client, school, ctf_xml(pupil_xml("A881200114001")))
    record = TransferImport.objects.get()
    assert record.status == TransferImport.Status.INVALID
    page = client.get(f"/transfers/imports/{record.pk}/").content.decode()
    assert "The file has errors" in page and "Confirm and import" not in page
    assert client.post(f"/transfers/imports/{record.pk}/confirm/").status_code == 302
    assert not Pupil.objects.exists()


@pytest.mark.parametrize(
    "make_user", [headteacher, lambda s: executive(s.trust), lambda s: data_admin(s.trust)]
)
def test_only_those_who_may_see_and_change_the_register_may_import(client, school, make_user):
    client.force_login(make_user(school))
    assert client.get(f"/transfers/schools/{school.laestab}/import/").status_code == 404
    assert _upload(client, school, fixture_bytes("ctf26_to_8811001.xml")).status_code == 404


def test_another_trusts_staff_get_404_for_the_pages_and_the_import(client, school, next_school):
    client.force_login(senco(school))
    _upload(client, school, fixture_bytes("ctf26_to_8811001.xml"))
    record = TransferImport.objects.get()
    client.force_login(head_of_send(next_school.trust))
    for url in (
        f"/transfers/schools/{school.laestab}/import/",
        f"/transfers/schools/{school.laestab}/export/",
        f"/transfers/imports/{record.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/transfers/imports/{record.pk}/confirm/").status_code == 404
    record.refresh_from_db()
    assert record.status == TransferImport.Status.READY


def test_the_export_page_downloads_a_ctf_for_the_chosen_pupils(client, school):
    pupil = PupilFactory(school=school, upn="Z881200114002", surname="Price", forename="Leo")
    client.force_login(headteacher(school))
    page = client.get(f"/transfers/schools/{school.laestab}/export/?pupil={pupil.pk}")
    assert page.status_code == 200
    assert f'value="{pupil.pk}" checked' in page.content.decode()
    response = client.post(
        f"/transfers/schools/{school.laestab}/export/", {"pupils": [str(pupil.pk)], "destination": "882 3004"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="8811001_CTF_8823004_001.xml"'
    assert b"<UPN>Z881200114002</UPN>" in response.content


def test_the_export_form_explains_its_errors(client, school):
    PupilFactory(school=school)
    client.force_login(senco(school))
    response = client.post(
        f"/transfers/schools/{school.laestab}/export/", {"pupils": [], "destination": "12"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose at least one pupil" in page and "as 7 digits" in page


def test_a_pupil_of_another_school_cannot_be_slipped_into_an_export(client, school, next_school):
    other = PupilFactory(school=next_school)
    PupilFactory(school=school)
    client.force_login(senco(school))
    response = client.post(f"/transfers/schools/{school.laestab}/export/", {"pupils": [str(other.pk)]})
    assert response.status_code == 400
    assert other.upn.encode() not in response.content


def test_the_pupil_page_links_to_the_export_for_that_pupil(client, school):
    pupil = PupilFactory(school=school)
    client.force_login(senco(school))
    page = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert f"/transfers/schools/{school.laestab}/export/?pupil={pupil.pk}" in page


def test_the_check_page_costs_the_same_queries_for_one_pupil_or_twenty(client, school):
    from pupils import upn

    client.force_login(senco(school))
    counts = []
    for n in (1, 20):
        raw = ctf_xml("".join(pupil_xml(upn.make(881, 2001, 14, 100 * n + i)) for i in range(n)))
        _upload(client, school, raw, name=f"{n}.xml")
        record = TransferImport.objects.order_by("-pk").first()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/transfers/imports/{record.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_export_page_costs_the_same_queries_for_one_pupil_or_twenty(client, school):
    client.force_login(senco(school))
    client.get(f"/transfers/schools/{school.laestab}/export/")  # the session's first request
    counts = []
    for n in (1, 19):
        PupilFactory.create_batch(n, school=school)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/transfers/schools/{school.laestab}/export/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
