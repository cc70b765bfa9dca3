"""The register, pupil, export and upload pages through the access policy."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pupils.models import CensusImport, CensusSnapshot, Pupil, RegisterEvent
from trusts.tests.factories import (
    data_admin,
    executive,
    head_of_send,
    headteacher,
    senco,
)

from .conftest import census_csv, make_upn, row, school_file
from .factories import CensusSnapshotFactory, PupilFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return user


@pytest.fixture
def pupil(school):
    return PupilFactory(
        school=school, surname="Abbott", forename="Ivy", provision="E", primary_need="ASD", upn=make_upn(1)
    )


def urls_for(school, pupil):
    return [
        f"/pupils/schools/{school.laestab}/register/",
        f"/pupils/schools/{school.laestab}/register/export.csv",
        f"/pupils/schools/{school.laestab}/register/export.xlsx",
        f"/pupils/{pupil.pk}/",
    ]


# --- Access -------------------------------------------------------------------------------


def test_logged_out_visitors_are_sent_to_login(client, school, pupil):
    for url in [*urls_for(school, pupil), "/pupils/imports/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_staff_of_the_other_trust_get_404_everywhere(client, school, pupil, other_trust_school):
    for user in (
        senco(other_trust_school),
        head_of_send(other_trust_school.trust),
        data_admin(other_trust_school.trust),
    ):
        login(client, user)
        for url in urls_for(school, pupil):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(f"/pupils/{pupil.pk}/remove/", {"note": "x"}).status_code == 404


def test_the_executive_sees_figures_but_not_pupils(client, school, pupil):
    login(client, executive(school.trust))
    for url in urls_for(school, pupil):
        assert client.get(url).status_code == 404, url


def test_school_staff_and_trust_roles_with_pupil_access_see_the_register(client, school, pupil):
    for user in (senco(school), headteacher(school), head_of_send(school.trust), data_admin(school.trust)):
        login(client, user)
        for url in urls_for(school, pupil):
            assert client.get(url).status_code == 200, (user, url)


def test_a_headteacher_may_not_change_the_register(client, school, pupil):
    login(client, headteacher(school))
    assert client.post(f"/pupils/{pupil.pk}/remove/", {"note": "x"}).status_code == 404
    assert (
        client.post(f"/pupils/{pupil.pk}/change/", {"provision": "K", "primary_need": "ASD"}).status_code
        == 404
    )
    assert client.get(f"/pupils/schools/{school.laestab}/register/add/").status_code == 404
    assert Pupil.objects.get(pk=pupil.pk).provision == "E"


def test_a_data_admin_cannot_upload_for_or_see_imports_of_the_other_trust(
    client, school, other_trust_school, media_root
):
    other = CensusImport.objects.create(
        school=other_trust_school,
        census_date=date(2025, 10, 2),
        file_name="x.csv",
        file_size=1,
        sha256="0" * 64,
    )
    login(client, data_admin(school.trust))
    assert client.get(f"/pupils/schools/{other_trust_school.laestab}/census/import/").status_code == 404
    assert client.get(f"/pupils/imports/{other.pk}/").status_code == 404
    assert client.post(f"/pupils/imports/{other.pk}/confirm/").status_code == 404
    response = client.post(
        "/pupils/imports/",
        {
            "school": other_trust_school.laestab,
            "census_date": "2025-10-02",
            "file": SimpleUploadedFile("c.csv", census_csv([row(1)]), "text/csv"),
        },
    )
    assert response.status_code == 400
    assert "Select the school from the list" in response.content.decode()
    assert CensusImport.objects.count() == 1


def test_people_without_import_rights_get_404_on_the_upload_page(client, school):
    login(client, senco(school))
    assert client.get("/pupils/imports/").status_code == 404
    assert client.get(f"/pupils/schools/{school.laestab}/census/import/").status_code == 404


# --- The register page ---------------------------------------------------------------------


def test_the_register_filters_by_provision_need_and_year_and_searches(client, school):
    PupilFactory(school=school, surname="Abbott", provision="E", primary_need="ASD", year_group="3")
    PupilFactory(
        school=school, surname="Baines", provision="K", primary_need="SLCN", year_group="4", upn=make_upn(77)
    )
    PupilFactory(
        school=school,
        surname="Carver",
        provision="K",
        primary_need="MLD",
        secondary_need="ASD",
        year_group="4",
    )
    PupilFactory(school=school, surname="Gone", provision="N", primary_need="")
    login(client, senco(school))
    base = f"/pupils/schools/{school.laestab}/register/"

    def names(search: str = "", **filters):
        if search:
            response = client.post(base, {"q": search})
            assert response.status_code == 302 and response["Location"] == base  # no name in the URL
        else:
            client.post(base, {"clear": "1"})
        body = client.get(base, filters).content.decode()
        return [n for n in ["Abbott", "Baines", "Carver", "Gone"] if f"{n}," in body]

    assert names() == ["Abbott", "Baines", "Carver"]
    assert names(provision="K") == ["Baines", "Carver"]
    assert names(need="ASD") == ["Abbott", "Carver"]
    assert names(year_group="4", provision="K") == ["Baines", "Carver"]
    assert names("carv") == ["Carver"]
    assert names(make_upn(77)[:6].lower()) == ["Baines"]
    assert names("a", provision="K") == ["Baines", "Carver"]  # the search and the filters together
    assert names() == ["Abbott", "Baines", "Carver"]
    # A bad filter is refused with a message and the register shown unfiltered.
    bad = client.get(base, {"provision": "Z"})
    assert bad.status_code == 400 and "Select the provision from the list" in bad.content.decode()
    assert names() == ["Abbott", "Baines", "Carver"]


def test_the_register_filters_are_in_its_links_and_the_search_is_not(client, school):
    PupilFactory(school=school, surname="Abbott", provision="K", year_group="3")
    login(client, senco(school))
    base = f"/pupils/schools/{school.laestab}/register/"
    client.post(base + "?provision=K", {"q": "Abbott"})
    body = client.get(base, {"provision": "K", "sort": "-name"}).content.decode()
    assert f"{base}export.csv?provision=K" in body  # the download holds what the page shows
    assert "provision=K" in body and "Abbott" not in body.split("<title>")[1].split("</title>")[0]
    assert "q=Abbott" not in body


def test_the_register_is_paginated(client, school, settings):
    settings.PUPILS_REGISTER_PAGE_SIZE = 5
    PupilFactory.create_batch(12, school=school)
    login(client, senco(school))
    body = client.get(f"/pupils/schools/{school.laestab}/register/?provision=K&page=3").content.decode()
    assert body.count('data-pupil="') == 2 and 'aria-label="Page 3" aria-current="page"' in body
    assert "Showing 11 to 12." in body
    assert client.get(f"/pupils/schools/{school.laestab}/register/?page=99").status_code == 200


def test_register_query_count_does_not_grow_with_pupils(client, school):
    CensusSnapshotFactory(school=school)
    PupilFactory.create_batch(2, school=school)
    login(client, senco(school))
    url = f"/pupils/schools/{school.laestab}/register/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    PupilFactory.create_batch(18, school=school, home_local_authority=school.local_authority)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count('data-pupil="') == 20
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Pupil page, manual changes and the audit log ---------------------------------------------


def test_viewing_a_pupil_is_audited_without_personal_data(client, school, pupil):
    user = login(client, senco(school))
    body = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert "Ivy Abbott" in body and "Autistic spectrum disorder" in body
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(pupil.pk))
    assert entry.actor == user
    assert "Abbott" not in entry.object_repr and pupil.upn not in entry.object_repr
    assert entry.additional_data == {"trust_id": school.trust_id, "school_id": school.pk}


def test_a_senco_changes_need_and_provision_and_history_records_it(client, school, pupil):
    user = login(client, senco(school))
    response = client.post(
        f"/pupils/{pupil.pk}/change/", {"provision": "E", "primary_need": "SEMH", "secondary_need": "ASD"}
    )
    assert response.status_code == 302
    event = RegisterEvent.objects.get(pupil=pupil)
    assert (event.kind, event.source, event.actor, event.from_need, event.to_need) == (
        "need_changed",
        "manual",
        user,
        "ASD",
        "SEMH",
    )
    client.post(f"/pupils/{pupil.pk}/change/", {"provision": "K", "primary_need": "SEMH"})
    assert RegisterEvent.objects.filter(pupil=pupil, kind="provision_changed").exists()
    change = LogEntry.objects.filter(object_pk=str(pupil.pk), action=LogEntry.Action.UPDATE).first()
    assert change is not None and change.actor == user
    body = client.get(f"/pupils/{pupil.pk}/").content.decode()
    assert "Need changed" in body and "Manual change by" in body


def test_invalid_manual_changes_are_refused_with_a_message(client, school, pupil):
    login(client, senco(school))
    response = client.post(f"/pupils/{pupil.pk}/change/", {"provision": "E", "primary_need": "NSA"})
    assert response.status_code == 400
    assert "NSA (no specialist assessment) is only valid with SEN Support" in response.content.decode()
    response = client.post(f"/pupils/{pupil.pk}/change/", {"provision": "X", "primary_need": ""})
    assert response.status_code == 400
    assert Pupil.objects.get(pk=pupil.pk).primary_need == "ASD"


def test_a_senco_removes_a_pupil_and_the_record_stays(client, school, pupil):
    user = login(client, senco(school))
    response = client.post(f"/pupils/{pupil.pk}/remove/", {"note": "Needs met"})
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.provision == "N"
    event = RegisterEvent.objects.get(pupil=pupil)
    assert (event.kind, event.source, event.actor, event.from_provision) == (
        "left_register",
        "manual",
        user,
        "E",
    )
    body = client.get(f"/pupils/schools/{school.laestab}/register/").content.decode()
    assert "Abbott," not in body
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 200  # history kept


def test_a_senco_adds_a_pupil_to_sen_support(client, school):
    user = login(client, senco(school))
    data = {
        "upn": make_upn(500),
        "forename": "Kofi",
        "surname": "Mensah",
        "date_of_birth": "17/05/2016",
        "gender": "M",
        "year_group": "4",
        "primary_need": "SLCN",
        "secondary_need": "",
    }
    response = client.post(f"/pupils/schools/{school.laestab}/register/add/", data)
    assert response.status_code == 302
    pupil = Pupil.objects.get(upn=make_upn(500))
    assert (pupil.provision, pupil.home_local_authority) == ("K", school.local_authority)
    assert RegisterEvent.objects.get(pupil=pupil).actor == user
    again = client.post(f"/pupils/schools/{school.laestab}/register/add/", data)
    assert again.status_code == 400 and "already on the register" in again.content.decode()
    bad = client.post(f"/pupils/schools/{school.laestab}/register/add/", {**data, "upn": "A801200005001"})
    assert bad.status_code == 400 and "check letter is wrong" in bad.content.decode()


# --- Exports -----------------------------------------------------------------------------------

NASTY = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.fixture
def nasty_pupils(school):
    return [PupilFactory(school=school, surname=s, forename="Safe") for s in NASTY]


def test_the_csv_export_neutralises_formulas_and_is_audited(client, school, nasty_pupils, other_trust_school):
    PupilFactory(school=other_trust_school, surname="Elsewhere")
    user = login(client, senco(school))
    response = client.get(f"/pupils/schools/{school.laestab}/register/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r["Surname"] for r in rows) == sorted("'" + s for s in NASTY)
    assert all(r["LAESTAB"] == school.laestab for r in rows)
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(school.pk))
    assert entry.actor == user
    assert entry.additional_data == {
        "trust_id": school.trust_id,
        "school_id": school.pk,
        "export": "SEN register (CSV)",
        "rows": 6,
    }


def test_the_xlsx_export_neutralises_formulas(client, school, nasty_pupils):
    login(client, head_of_send(school.trust))
    response = client.get(f"/pupils/schools/{school.laestab}/register/export.xlsx?provision=K")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    surnames = [r[header.index("Surname")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    # XML keeps a carriage return as a line feed; the leading quote is what matters.
    assert sorted(surnames) == sorted("'" + s.replace("\r", "\n") for s in NASTY)
    assert all(
        cell.data_type == "s" for r in sheet.iter_rows(min_row=2) for cell in r if cell.value is not None
    )


def test_an_unknown_export_format_is_404(client, school):
    login(client, senco(school))
    assert client.get(f"/pupils/schools/{school.laestab}/register/export.pdf").status_code == 404


# --- Upload -> preview -> confirm -> result ----------------------------------------------------


def upload(client, school, data: bytes, name="autumn.csv", date="2025-10-02"):
    return client.post(
        "/pupils/imports/",
        {"school": school.laestab, "census_date": date, "file": SimpleUploadedFile(name, data, "text/csv")},
    )


def test_upload_preview_confirm_and_result(client, school, media_root, django_capture_on_commit_callbacks):
    user = login(client, data_admin(school.trust))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, school, census_csv(school_file(6, 14)))
    record = CensusImport.objects.get()
    assert response["Location"] == f"/pupils/imports/{record.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Check what will change" in page and "New to the register" in page
    assert not Pupil.objects.exists()  # the preview writes nothing to the register
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pupils/imports/{record.pk}/confirm/")
    record.refresh_from_db()
    assert record.status == "imported" and record.uploaded_by == user
    assert Pupil.objects.count() == 6
    assert CensusSnapshot.objects.get(school=school).number_on_roll == 20
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "Census imported" in page
    # A second confirm does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pupils/imports/{record.pk}/confirm/")
    assert CensusImport.objects.get().status == "imported"


def test_an_upload_with_row_errors_shows_them_and_cannot_be_confirmed(
    client, school, media_root, django_capture_on_commit_callbacks
):
    login(client, data_admin(school.trust))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, census_csv([row(1), row(2, "K", "XYZ")]))
    record = CensusImport.objects.get()
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "The file has errors" in page and "&#x27;XYZ&#x27; is not a need code" in page
    client.post(f"/pupils/imports/{record.pk}/confirm/")
    assert CensusImport.objects.get().status == "invalid" and not Pupil.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("census.xlsx", b"PK\x03\x04", "must be a CSV file"),
        ("census.csv", b"", "The submitted file is empty"),
    ],
)
def test_files_that_are_not_csv_are_refused_on_upload(client, school, media_root, name, data, message):
    login(client, data_admin(school.trust))
    response = upload(client, school, data, name=name)
    assert response.status_code == 400 and message in response.content.decode()
    assert not CensusImport.objects.exists()


def test_a_file_missing_a_column_is_refused_after_the_check(
    client, school, media_root, django_capture_on_commit_callbacks
):
    login(client, data_admin(school.trust))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, school, b"UPN,Surname\r\nB801200005001,Smith\r\n")
    record = CensusImport.objects.get()
    assert record.status == "failed"
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "The file was refused" in page and "The file has no Forename, DOB" in page


def test_the_progress_partial_asks_the_page_to_refresh_when_done(
    client, school, media_root, django_capture_on_commit_callbacks
):
    login(client, data_admin(school.trust))
    response = upload(client, school, census_csv(school_file(2, 2)))  # task not run: on_commit held
    record = CensusImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    partial = client.get(f"/pupils/imports/{record.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in partial
    from pupils import tasks

    tasks.check_census_import.delay(record.pk)
    partial = client.get(f"/pupils/imports/{record.pk}/progress/", HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"


def _forty_then_five(client, school, capture):
    """Forty pupils with SEND imported, then a 5-row spring file checked: 35 would leave."""
    from pupils import services
    from trusts.models import School

    services.census_import(
        actor=None,
        raw=census_csv(school_file(40, 10)),
        file_name="a.csv",
        census_date=date(2025, 10, 2),
        school=school,
        allowed_schools=School.objects.filter(pk=school.pk),
    )
    login(client, data_admin(school.trust))
    with capture(execute=True):
        upload(client, school, census_csv(school_file(5, 0)), name="spring.csv", date="2026-01-15")
    return CensusImport.objects.get(file_name="spring.csv")


def test_the_check_page_warns_and_names_the_pupils_who_would_be_recorded_as_leaving(
    client, school, media_root, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    record = _forty_then_five(client, school, django_capture_on_commit_callbacks)
    client.get(f"/pupils/imports/{record.pk}/")  # the session's first page saves it
    with django_assert_max_num_queries(12):
        page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "35 of the 40 pupils with SEND" in page and "87.5%" in page
    assert "I confirm that 35 pupils with SEND will be recorded as having left" in page
    assert page.count("data-leaver") == 35
    assert "Surname39, Forename39" in page


def test_confirming_without_ticking_the_box_imports_nothing_and_says_why(
    client, school, media_root, django_capture_on_commit_callbacks
):
    record = _forty_then_five(client, school, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pupils/imports/{record.pk}/confirm/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Tick the box to confirm" in page
    assert "<title>Error: " in page
    record.refresh_from_db()
    assert record.status == "ready"
    assert not Pupil.objects.filter(left_school_on__isnull=False).exists()
    # A number that is not the one shown (a stale page) is refused too.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pupils/imports/{record.pk}/confirm/", {"confirm_leavers": "30"})
    assert response.status_code == 400
    assert CensusImport.objects.get(pk=record.pk).status == "ready"


def test_ticking_the_box_imports_the_file_and_the_leavers_are_listed_as_left(
    client, school, media_root, django_capture_on_commit_callbacks
):
    record = _forty_then_five(client, school, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pupils/imports/{record.pk}/confirm/", {"confirm_leavers": "35"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "imported"
    assert record.summary["leavers_confirmed"] == 35
    assert Pupil.objects.filter(left_school_on=date(2026, 1, 15)).count() == 35
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "Recorded as having left" in page and "Surname39, Forename39" in page


def test_a_few_leavers_are_listed_and_need_no_tick_box(
    client, school, media_root, django_capture_on_commit_callbacks
):
    from pupils import services
    from trusts.models import School

    services.census_import(
        actor=None,
        raw=census_csv(school_file(40, 10)),
        file_name="a.csv",
        census_date=date(2025, 10, 2),
        school=school,
        allowed_schools=School.objects.filter(pk=school.pk),
    )
    login(client, data_admin(school.trust))
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client, school, census_csv(school_file(40, 10)[:38] + school_file(40, 10)[40:]), date="2026-01-15"
        )
    record = CensusImport.objects.latest("pk")
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert page.count("data-leaver") == 2 and "I confirm that" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pupils/imports/{record.pk}/confirm/")
    assert CensusImport.objects.get(pk=record.pk).status == "imported"
