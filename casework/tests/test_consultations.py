"""LA consultations on naming a school (Children and Families Act 2014 s.39): logging, the
15-day clock on the due list, the drafted response and the headteacher's sign-off, the outcome,
the figures per LA and school, access to every page, erasure and subject access."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from casework import figures, selectors, services
from casework.models import Deadline, NamingConsultation
from pupils.tests.factories import PupilFactory
from trusts.models import LocalAuthority
from trusts.tests.factories import executive

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.date.today()


def _log(world, *, received_on=None, pupil=None, **kw):
    school = (pupil or world.pupil_a).school if pupil else world.school_a
    if pupil is None and "prospective_surname" not in kw:
        kw.update(
            prospective_forename="Ada",
            prospective_surname="Lovelace",
            prospective_date_of_birth=D(2016, 4, 5),
        )
    return services.naming_consultation_log(
        actor=kw.pop("actor", world.senco_a),
        school=school,
        local_authority=kw.pop("la", world.pupil_a.home_local_authority),
        received_on=received_on or TODAY,
        pupil=pupil,
        **kw,
    )


def _answered(world, c, *, responded_on=None, can_meet=True):
    services.naming_consultation_draft_response(
        actor=world.senco_a,
        consultation=c,
        can_meet_needs=can_meet,
        ground="" if can_meet else NamingConsultation.Ground.INCOMPATIBLE,
        reasons="" if can_meet else "Class sizes at the limit in year 4.",
    )
    return services.naming_consultation_sign_off(
        actor=world.head_a, consultation=c, responded_on=responded_on or TODAY
    )


# --- Services ------------------------------------------------------------------------------------


def test_logging_a_consultation_puts_its_15_day_clock_on_the_due_list(world):
    c = _log(world, received_on=TODAY - dt.timedelta(days=3))
    assert c.response_due == TODAY + dt.timedelta(days=12)
    row = Deadline.objects.get(target=Deadline.Target.NAMING, target_id=c.pk)
    assert (row.due, row.owner_id, row.kind) == (
        c.response_due,
        world.senco_a.pk,
        selectors.NAMING_CONSULTATION,
    )
    items = selectors.due_list(school_ids=[world.school_a.pk], today=TODAY)
    item = next(i for i in items if i.ref == f"Consultation {c.pk}")
    assert item.due == c.response_due and item.name == "Ada Lovelace"
    assert item.what == "Response to the LA's consultation (15 days)"
    assert figures.verify() == []


def test_a_consultation_is_about_a_pupil_of_the_school_or_a_named_prospective_pupil(world):
    c = _log(world, pupil=world.pupil_a)
    assert c.pupil == world.pupil_a and c.prospective_surname == ""
    with pytest.raises(ValidationError) as e:
        _log(world, pupil=world.pupil_b)  # logged at school B by school A's SENCO: refused
    with pytest.raises(ValidationError) as e:
        _log(world, prospective_forename="", prospective_surname="", prospective_date_of_birth=None)
    assert set(e.value.message_dict) == {
        "prospective_forename",
        "prospective_surname",
        "prospective_date_of_birth",
    }
    with pytest.raises(ValidationError):
        _log(world, pupil=world.pupil_a, prospective_surname="Both")
    with pytest.raises(ValidationError) as e:
        _log(world, received_on=TODAY + dt.timedelta(days=1))
    assert "received_on" in e.value.message_dict
    assert NamingConsultation.objects.count() == 1


def test_a_response_that_the_school_cannot_meet_the_needs_names_the_ground_and_why(world):
    c = _log(world)
    with pytest.raises(ValidationError) as e:
        services.naming_consultation_draft_response(actor=world.senco_a, consultation=c, can_meet_needs=False)
    assert set(e.value.message_dict) == {"ground", "reasons"}
    c.refresh_from_db()
    assert not c.drafted
    services.naming_consultation_draft_response(
        actor=world.senco_a,
        consultation=c,
        can_meet_needs=False,
        ground=NamingConsultation.Ground.UNSUITABLE,
        reasons="No specialist provision for ...",
    )
    c.refresh_from_db()
    assert c.drafted and c.ground == "unsuitable" and c.drafted_by == world.senco_a
    # Drafted, the due list asks for the headteacher's sign-off.
    assert Deadline.objects.get(target_id=c.pk, target="naming").what.startswith("Headteacher")


def test_only_the_headteacher_signs_off_and_the_sign_off_stops_the_clock(world):
    c = _log(world, received_on=TODAY - dt.timedelta(days=16))
    services.naming_consultation_draft_response(actor=world.senco_a, consultation=c, can_meet_needs=True)
    for not_head in (world.senco_a, world.hos):
        with pytest.raises(ValidationError):
            services.naming_consultation_sign_off(actor=not_head, consultation=c, responded_on=TODAY)
    services.naming_consultation_sign_off(actor=world.head_a, consultation=c, responded_on=TODAY)
    c.refresh_from_db()
    assert c.signed_off_by == world.head_a and c.responded_on == TODAY
    assert c.response_status(TODAY).state == "late" and c.response_status(TODAY).days_late == 1
    assert not Deadline.objects.filter(target="naming", target_id=c.pk).exists()
    with pytest.raises(ValidationError):  # signed off: the response is not changed
        services.naming_consultation_draft_response(actor=world.senco_a, consultation=c, can_meet_needs=False)


def test_nothing_to_sign_off_before_a_draft_and_no_date_before_receipt(world):
    c = _log(world, received_on=TODAY - dt.timedelta(days=2))
    with pytest.raises(ValidationError):
        services.naming_consultation_sign_off(actor=world.head_a, consultation=c, responded_on=TODAY)
    services.naming_consultation_draft_response(actor=world.senco_a, consultation=c, can_meet_needs=True)
    with pytest.raises(ValidationError) as e:
        services.naming_consultation_sign_off(
            actor=world.head_a, consultation=c, responded_on=TODAY - dt.timedelta(days=3)
        )
    assert "responded_on" in e.value.message_dict


def test_the_outcome_follows_the_response_unless_the_la_withdraws(world):
    c = _log(world)
    with pytest.raises(ValidationError) as e:
        services.naming_consultation_record_outcome(
            actor=world.senco_a, consultation=c, outcome="named", outcome_on=TODAY
        )
    assert "outcome" in e.value.message_dict
    services.naming_consultation_record_outcome(
        actor=world.senco_a, consultation=c, outcome="withdrawn", outcome_on=TODAY
    )
    assert not Deadline.objects.filter(target="naming", target_id=c.pk).exists()
    other = _answered(world, _log(world))
    services.naming_consultation_record_outcome(
        actor=world.hos, consultation=other, outcome="named", outcome_on=TODAY
    )
    with pytest.raises(ValidationError):
        services.naming_consultation_record_outcome(
            actor=world.hos, consultation=other, outcome="not_named", outcome_on=TODAY
        )
    other.refresh_from_db()
    assert other.outcome == "named"


def test_figures_per_la_and_school_give_the_median_days_and_the_share_on_time(world):
    la = world.pupil_a.home_local_authority
    for days in (3, 15, 16):  # day 15 on time, day 16 late
        c = _log(world, received_on=TODAY - dt.timedelta(days=days))
        _answered(world, c, responded_on=TODAY)
    _log(world, received_on=TODAY - dt.timedelta(days=20))  # awaiting, overdue
    c = _log(world, received_on=TODAY - dt.timedelta(days=1))
    services.naming_consultation_record_outcome(
        actor=world.senco_a, consultation=c, outcome="withdrawn", outcome_on=TODAY
    )
    by_school, by_la = selectors.naming_consultation_figures(
        school_ids=[world.school_a.pk, world.school_b.pk], today=TODAY
    )
    assert len(by_school) == 1 and len(by_la) == 1
    f = by_la[0]
    assert f.local_authority == la.name
    assert (f.received, f.responded, f.on_time, f.awaiting, f.overdue, f.withdrawn) == (5, 3, 2, 1, 1, 1)
    assert f.median_days == 15
    assert str(f.on_time_pct) == "66.7"


# --- Erasure and subject access ---------------------------------------------------------------------


def test_a_prospective_pupil_s_name_and_date_of_birth_are_erased(world):
    c = _log(world)
    _answered(world, c, can_meet=False)
    assert services.naming_consultation_erase_prospective(actor=None, consultation=c)
    c.refresh_from_db()
    assert (c.prospective_forename, c.prospective_surname) == ("Erased", "Erased")
    assert c.prospective_date_of_birth == D(2016, 1, 1) and c.reasons == "[erased]"
    assert c.ground == "incompatible"  # the figures keep the facts, not the child
    assert not services.naming_consultation_erase_prospective(actor=None, consultation=c)
    with pytest.raises(ValidationError):
        services.naming_consultation_erase_prospective(
            actor=None, consultation=_log(world, pupil=world.pupil_a)
        )


def test_a_pupil_s_erasure_reaches_their_consultations_before_and_after_they_joined(world):
    from privacy import services as privacy_services

    pupil = world.pupil_a
    before = _log(
        world,
        prospective_forename=pupil.forename,
        prospective_surname=pupil.surname,
        prospective_date_of_birth=pupil.date_of_birth,
    )
    about = _log(world, pupil=pupil)
    _answered(world, about, can_meet=False)
    other = _log(
        world,
        prospective_forename="Someone",
        prospective_surname="Else",
        prospective_date_of_birth=D(2016, 1, 9),
    )
    services.naming_consultation_draft_response(
        actor=world.senco_a,
        consultation=other,
        can_meet_needs=False,
        ground="unsuitable",
        reasons=f"Would share a class with {pupil.forename} {pupil.surname}.",
    )
    with scopes_disabled():
        privacy_services.pupil_erase(actor=world.hos, pupil=pupil, reason="subject_request")
    for c in (before, about, other):
        c.refresh_from_db()
    assert before.prospective_surname == "Erased"
    assert about.reasons == "[erased]"
    assert other.reasons == "Would share a class with [erased]."
    assert other.prospective_surname == "Else"


def test_the_subject_access_export_lists_the_pupil_s_consultations(world):
    from privacy.selectors import subject_access_sections

    pupil = world.pupil_a
    _log(
        world,
        prospective_forename=pupil.forename,
        prospective_surname=pupil.surname,
        prospective_date_of_birth=pupil.date_of_birth,
        received_on=TODAY - dt.timedelta(days=40),
    )
    _answered(world, _log(world, pupil=pupil), can_meet=True)
    _log(world)  # another child
    with scopes_disabled():
        section = next(s for s in subject_access_sections(pupil) if s.key == "naming_consultations")
    assert len(section.rows) == 2
    assert [r[4] for r in section.rows] == ["yes", "no"]


# --- Pages and access -----------------------------------------------------------------------------


def test_the_senco_logs_a_consultation_after_checking_the_answers(client, world):
    client.force_login(world.senco_a)
    la = LocalAuthority.objects.get(pk=world.pupil_a.home_local_authority_id)
    url = f"/casework/schools/{world.school_a.laestab}/consultations/new/"
    data = {
        "local_authority": la.pk,
        "received_on_day": TODAY.day,
        "received_on_month": TODAY.month,
        "received_on_year": TODAY.year,
        "pupil": "",
        "prospective_forename": "Ada",
        "prospective_surname": "",
        "prospective_date_of_birth_day": "5",
        "prospective_date_of_birth_month": "4",
        "prospective_date_of_birth_year": "2016",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert b"Enter the prospective pupil&#x27;s surname" in bad.content
    assert not NamingConsultation.objects.exists()
    data["prospective_surname"] = "Lovelace"
    response = client.post(url, data)
    assert response.status_code == 302 and response.url.endswith("/new/check/")
    assert not NamingConsultation.objects.exists()
    check = client.get(response.url)
    assert b"Ada" in check.content and b"15 days" in check.content
    done = client.post(response.url)
    c = NamingConsultation.objects.get()
    assert done.url == f"/casework/consultations/{c.pk}/"
    assert c.owner == world.senco_a


def test_the_response_is_checked_then_signed_off_by_the_headteacher(client, world):
    c = _log(world)
    client.force_login(world.senco_a)
    url = f"/casework/consultations/{c.pk}/response/"
    assert client.post(url, {"can_meet_needs": "no"}).status_code == 400
    r = client.post(
        url, {"can_meet_needs": "no", "ground": "incompatible", "reasons": "Year 4 classes are full."}
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert not c.drafted  # not before the answers are checked
    assert client.post(f"{url}check/").status_code == 302
    c.refresh_from_db()
    assert c.drafted and c.ground == "incompatible"
    assert client.get(f"/casework/consultations/{c.pk}/sign-off/").status_code == 404
    client.force_login(world.head_a)
    page = client.get(f"/casework/consultations/{c.pk}/sign-off/")
    assert page.status_code == 200 and b"Year 4 classes are full." in page.content
    refused = client.post(
        f"/casework/consultations/{c.pk}/sign-off/",
        {"responded_on_day": TODAY.day, "responded_on_month": TODAY.month, "responded_on_year": TODAY.year},
    )
    assert refused.status_code == 400  # the confirmation is required
    signed = client.post(
        f"/casework/consultations/{c.pk}/sign-off/",
        {
            "responded_on_day": TODAY.day,
            "responded_on_month": TODAY.month,
            "responded_on_year": TODAY.year,
            "confirm": "on",
        },
    )
    assert signed.status_code == 302
    c.refresh_from_db()
    assert c.signed_off_by == world.head_a and c.responded_on == TODAY


def test_every_consultation_page_answers_404_outside_the_reader_s_schools(client, world):
    c = _log(world)
    client.force_login(world.senco_b)
    for url in (
        f"/casework/consultations/{c.pk}/",
        f"/casework/consultations/{c.pk}/response/",
        f"/casework/consultations/{c.pk}/sign-off/",
        f"/casework/schools/{world.school_a.laestab}/consultations/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/casework/consultations/{c.pk}/outcome/", {"outcome": "withdrawn"}).status_code == 404
    )
    client.force_login(world.head_a)  # reads, signs off, never drafts nor decides
    assert client.get(f"/casework/consultations/{c.pk}/").status_code == 200
    assert client.get(f"/casework/consultations/{c.pk}/response/").status_code == 404
    assert (
        client.post(f"/casework/consultations/{c.pk}/outcome/", {"outcome": "withdrawn"}).status_code == 404
    )


def test_executives_see_the_figures_without_names_or_the_list(client, world):
    _answered(world, _log(world), responded_on=TODAY)
    boss = executive(world.trust_a)
    client.force_login(boss)
    page = client.get("/casework/consultations/")
    assert page.status_code == 200
    assert b"Ada" not in page.content and b"Lovelace" not in page.content
    assert b'id="by-la"' in page.content and b'id="consultations"' not in page.content
    client.force_login(world.hos)
    page = client.get("/casework/consultations/")
    assert b"Ada Lovelace" in page.content


def test_viewing_a_consultation_is_audited(client, world):
    c = _log(world, pupil=world.pupil_a)
    client.force_login(world.head_a)
    client.get(f"/casework/consultations/{c.pk}/")
    assert LogEntry.objects.filter(
        object_pk=str(c.pk), action=LogEntry.Action.ACCESS, content_type__model="namingconsultation"
    ).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/casework/consultations/?sort=-la",
        "/casework/consultations/?show=open",
        "/casework/due/?kind=naming_consultation",
    ],
)
def test_consultation_lists_take_the_same_queries_for_2_and_40_rows(client, world, url):
    def rows(n):
        for i in range(n):
            pupil = PupilFactory(school=world.school_a if i % 2 else world.school_b)
            c = services.naming_consultation_log(
                actor=world.hos,
                school=pupil.school,
                local_authority=pupil.home_local_authority,
                received_on=TODAY - dt.timedelta(days=i % 20),
                pupil=pupil,
            )
            if i % 3 == 0:
                services.naming_consultation_draft_response(
                    actor=world.hos, consultation=c, can_meet_needs=True
                )

    client.force_login(world.hos)
    rows(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    rows(38)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_school_s_consultations_page_takes_the_same_queries_for_2_and_30_rows(client, world):
    url = f"/casework/schools/{world.school_a.laestab}/consultations/"
    client.force_login(world.senco_a)
    for _ in range(2):
        _log(world, pupil=PupilFactory(school=world.school_a))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(28):
        _log(world)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
