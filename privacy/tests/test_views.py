import csv
import datetime as dt
import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import CaseNote
from privacy.selectors import REDACTED_TEXT, is_erased
from pupils.models import Pupil
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import SchoolFactory, executive, headteacher

from .conftest import reauthenticate

SECTIONS = [
    "pupil",
    "register_history",
    "census_imports",
    "funding_claims",
    "funding_awards",
    "funding_payments",
    "funding_claim_history",
    "provision_enrolments",
    "provision_sessions",
    "ehc_requests",
    "ehc_plans",
    "annual_reviews",
    "naming_consultations",
    "cases",
    "case_notes",
    "audit",
]
SECTIONS += ["support_plans", "support_plan_outcomes", "support_plan_reviews", "one_page_profiles"]
SECTIONS += ["outside_professionals", "evidence_packs"]


def url(name, pupil):
    return reverse(f"privacy:{name}", kwargs={"pk": pupil.pk})


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pupil", "pupil_erase"])
def test_logged_out_visitors_are_sent_to_login(client, world, name):
    response = client.get(url(name, world.p))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_logged_out_export_is_sent_to_login(client, world):
    response = client.post(url("pupil_export", world.p))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["senco", "headteacher", "executive", "hos_b"])
@pytest.mark.parametrize("name", ["pupil", "pupil_export", "pupil_erase"])
def test_it_refuses_people_who_are_not_the_trusts_data_protection_lead(client, world, who, name):
    user = {
        "senco": world.senco,
        "headteacher": headteacher(world.a1),
        "executive": executive(world.trust_a),
        "hos_b": world.hos_b,
    }[who]
    reauthenticate(client, user)
    for response in (
        client.get(url(name, world.p)),
        client.post(url(name, world.p), {"reason": "retention", "confirmation": "ERASE"}),
    ):
        assert response.status_code in (404, 405)
    assert client.get(url("pupil", world.p)).status_code == 404
    assert not is_erased(Pupil.objects.get(pk=world.p.pk))


def test_another_trusts_pupil_is_404_even_for_a_head_of_send(client, world):
    reauthenticate(client, world.hos)
    assert client.get(url("pupil", world.r)).status_code == 404
    assert client.post(url("pupil_export", world.r)).status_code == 404
    assert (
        client.post(url("pupil_erase", world.r), {"reason": "retention", "confirmation": "ERASE"}).status_code
        == 404
    )
    assert Pupil.objects.get(pk=world.r.pk).surname == "Fairweather"


@pytest.mark.parametrize("who", ["hos", "data_admin"])
def test_the_data_protection_lead_sees_the_page_and_the_view_is_audited(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(url("pupil", world.p))
    assert response.status_code == 200
    assert b"Download subject-access export" in response.content
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(world.p.pk), actor=getattr(world, who)
    ).exists()


def test_the_export_and_the_erasure_ask_for_reauthentication(client, world):
    client.force_login(world.hos)
    response = client.post(url("pupil_export", world.p))
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    response = client.post(url("pupil_erase", world.p), {"reason": "retention", "confirmation": "ERASE"})
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert not is_erased(Pupil.objects.get(pk=world.p.pk))


# --- subject-access export -------------------------------------------------------------------


def _export(client, world) -> zipfile.ZipFile:
    reauthenticate(client, world.hos)
    response = client.post(url("pupil_export", world.p))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _rows(archive, section):
    text = archive.read(f"{section}.csv").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_export_holds_every_section_and_only_this_pupils_data(client, world):
    archive = _export(client, world)
    assert set(archive.namelist()) == {"summary.html", *(f"{s}.csv" for s in SECTIONS)}
    everything = "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    for mine in ("Kowalczyk", world.p.upn, "2014-03-09", "p-history", "1015.89"):
        assert mine in everything
    for theirs in ("Abernethy", "Tobias", world.q.upn, "q-history", "Fairweather", world.r.upn):
        assert theirs not in everything
    for section in SECTIONS:
        if section not in ("census_imports",):
            assert len(_rows(archive, section)) >= 2, section  # header and at least one row
    assert "Census rows are not stored per pupil" in archive.read("summary.html").decode()


def test_the_export_is_audited(client, world):
    _export(client, world)
    entry = LogEntry.objects.get(additional_data__export="subject access export")
    assert entry.actor == world.hos and entry.additional_data["trust_id"] == world.trust_a.pk
    assert entry.object_pk == str(world.p.pk)


def test_formulas_are_neutralised_and_html_is_escaped(client, world):
    Pupil.objects.filter(pk=world.p.pk).update(
        surname='=HYPERLINK("http://x")', forename="<script>alert(1)</script>"
    )
    from casework import services as cw

    cw.case_add_note(actor=world.senco, case=world.p_rows["case"], text="@SUM(A1:A2)")
    cw.case_add_note(actor=world.senco, case=world.p_rows["case"], text="-1+2")
    archive = _export(client, world)
    pupil_rows = dict(_rows(archive, "pupil")[1:])
    assert pupil_rows["surname"] == '\'=HYPERLINK("http://x")'
    notes = [row[3] for row in _rows(archive, "case_notes")[1:]]
    assert "'@SUM(A1:A2)" in notes and "'-1+2" in notes
    summary = archive.read("summary.html").decode()
    assert "<script>alert(1)</script>" not in summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary


# --- erasure through the page ----------------------------------------------------------------


def test_a_wrong_confirmation_is_refused_and_changes_nothing(client, world):
    reauthenticate(client, world.hos)
    for data in (
        {"reason": "retention", "confirmation": "erase it"},
        {"reason": "nonsense", "confirmation": "ERASE"},
        {},
    ):
        response = client.post(url("pupil_erase", world.p), data)
        assert response.status_code == 200
        assert b"govuk-error-message" in response.content
    assert Pupil.objects.get(pk=world.p.pk).surname == "Kowalczyk"


def test_the_typed_confirmation_erases_and_a_second_attempt_is_told_so(client, world):
    reauthenticate(client, world.data_admin)
    assert client.get(url("pupil_erase", world.p)).status_code == 200
    response = client.post(
        url("pupil_erase", world.p), {"reason": "subject_request", "confirmation": "ERASE"}
    )
    assert response.status_code == 302 and response["Location"] == url("pupil", world.p)
    assert is_erased(Pupil.objects.get(pk=world.p.pk))
    response = client.post(
        url("pupil_erase", world.p), {"reason": "subject_request", "confirmation": "ERASE"}, follow=True
    )
    assert b"already been erased" in response.content
    assert LogEntry.objects.filter(additional_data__erasure=True).count() == 1


def _moved_child(world):
    """p's UPN at a second school of trust A (where p moved; p's row is the history) and at a
    school of trust B (a record that is trust B's to decide on)."""
    world.p.left_school_on = dt.date(2025, 7, 18)
    world.p.save(update_fields=["left_school_on"])
    a2 = SchoolFactory(trust=world.trust_a, name="St Bede's Catholic Primary")
    at_a2 = PupilFactory(school=a2, upn=world.p.upn, surname="Kowalczyk", forename="Zuzanna")
    at_b1 = PupilFactory(school=world.b1, upn=world.p.upn, surname="Kowalczyk", forename="Zuzanna")
    return at_a2, at_b1


def test_erasure_erases_the_same_childs_record_at_the_trusts_other_school(client, world):
    at_a2, at_b1 = _moved_child(world)
    reauthenticate(client, world.hos)
    page = client.get(url("pupil_erase", world.p)).content.decode()
    assert f"St Bede&#x27;s Catholic Primary: record {at_a2.pk}</li>" in page
    assert world.b1.name not in page  # another trust's record is not named
    response = client.post(
        url("pupil_erase", world.p), {"reason": "subject_request", "confirmation": "ERASE"}
    )
    assert response.status_code == 302
    assert is_erased(Pupil.objects.get(pk=world.p.pk))
    assert is_erased(Pupil.objects.get(pk=at_a2.pk))
    assert Pupil.objects.get(pk=at_b1.pk).surname == "Kowalczyk"  # trust B decides on its own
    assert LogEntry.objects.filter(additional_data__erasure=True).count() == 2
    page = client.get(url("pupil", world.p), follow=True).content.decode()
    assert f"Records {world.p.pk}, {at_a2.pk}: personal data erased." in page


def test_erasing_the_receiving_schools_record_erases_the_sending_schools_history(client, world):
    at_a2, _ = _moved_child(world)
    reauthenticate(client, world.hos)
    page = client.get(url("pupil_erase", at_a2)).content.decode()
    assert f"record {world.p.pk}, left on 18 July 2025" in page
    client.post(url("pupil_erase", at_a2), {"reason": "other_legal", "confirmation": "ERASE"})
    assert is_erased(Pupil.objects.get(pk=world.p.pk))
    # The history's free text went too, as when the row is erased from its own page.
    assert CaseNote.objects.get(pk=world.p_rows["note"].pk).text == REDACTED_TEXT


def test_the_rights_page_links_the_same_childs_other_records_of_the_trust_only(client, world):
    at_a2, at_b1 = _moved_child(world)
    client.force_login(world.hos)
    page = client.get(url("pupil", world.p)).content.decode()
    assert reverse("privacy:pupil", kwargs={"pk": at_a2.pk}) in page
    assert reverse("privacy:pupil", kwargs={"pk": at_b1.pk}) not in page
    assert world.b1.name not in page
    client.force_login(world.hos_b)
    page = client.get(url("pupil", at_b1)).content.decode()
    assert "same child" not in page  # trust A's rows are not trust B's to see


# --- the school's list -----------------------------------------------------------------------


def test_the_school_list_is_404_for_a_senco_and_another_trust(client, world):
    school_url = reverse("privacy:school", kwargs={"laestab": world.a1.laestab})
    client.force_login(world.senco)
    assert client.get(school_url).status_code == 404
    client.force_login(world.hos_b)
    assert client.get(school_url).status_code == 404


def test_the_school_list_marks_pupils_past_retention_in_constant_queries(client, world):
    import datetime as dt

    client.force_login(world.hos)
    school_url = reverse("privacy:school", kwargs={"laestab": world.a1.laestab})
    old = PupilFactory(school=world.a1, date_of_birth=dt.date(1990, 1, 2))
    client.get(school_url)  # warm caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(school_url)
    assert response.status_code == 200 and b"Past retention" in response.content
    assert url("pupil", old).encode() in response.content
    PupilFactory.create_batch(18, school=world.a1)
    with CaptureQueriesContext(connection) as many:
        assert client.get(school_url).status_code == 200
    assert len(many) == len(few)
