"""The provision map's pages: who sees what (executives: costs without names), bad input
refused with a message and nothing written, reads of a child's provision audited, and lists
whose queries do not grow with their rows."""

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from provision import services
from provision.models import Delivery, Enrolment, Intervention, Kind
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import (
    SchoolFactory,
    data_admin,
    executive,
    head_of_send,
    headteacher,
    senco,
)

from .factories import DeliveryFactory, EnrolmentFactory, InterventionFactory

pytestmark = pytest.mark.django_db
d = datetime.date


def map_url(school, view=""):
    return f"/provision/schools/{school.laestab}/" + (f"?view={view}" if view else "")


def date_fields(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


@pytest.fixture
def school_map():
    """A school with two interventions, three pupils (two enrolled now, one who finished with
    scores) and a session."""
    school = SchoolFactory()
    reading = InterventionFactory(school=school, name="Reading catch-up", group_size=2)
    mentor = InterventionFactory(
        school=school,
        name="Mentoring",
        kind=Kind.ONE_TO_ONE,
        area_of_need="SEMH",
        group_size=1,
        sessions_per_week=D(1),
        minutes_per_session=60,
        hourly_cost=D("20.00"),
    )
    a = PupilFactory(school=school, forename="Adaeze", surname="Okonkwo", year_group="3")
    b = PupilFactory(school=school, forename="Bartholomew", surname="Quince", year_group="5")
    c = PupilFactory(school=school, forename="Cordelia", surname="Vane", year_group="5")
    ea = EnrolmentFactory(intervention=reading, pupil=a, entry_score=D(90))
    EnrolmentFactory(intervention=mentor, pupil=a)
    EnrolmentFactory(intervention=reading, pupil=b, entry_score=D(84))
    EnrolmentFactory(
        intervention=reading,
        pupil=c,
        start_date=d(2026, 1, 5),
        end_date=d(2026, 3, 27),
        entry_score=D(70),
        exit_score=D(79),
    )
    DeliveryFactory(intervention=reading, attended=[ea])
    return school, reading, mentor, (a, b, c)


def test_a_senco_sees_the_map_with_costs_pupils_and_effectiveness(client, school_map):
    school, reading, mentor, (a, b, c) = school_map
    client.force_login(senco(school))
    body = client.get(map_url(school)).content.decode()
    # Reading: 3 x 30 min x 38 weeks = 57 hours at £16 = £912 shared by 2 = £456 each, 2 now.
    # Mentoring: 1 hour x 38 weeks at £20 = £760 for one pupil.
    assert "£456.00" in body and "£912.00" in body and "£760.00" in body
    assert "£1,672.00" in body  # the school's annual cost
    assert "100.0% improved (1 of 1); average change +9.0 (Reading age (months))" in body
    pupils = client.get(map_url(school, "pupils")).content.decode()
    assert "Adaeze Okonkwo" in pupils and "Bartholomew Quince" in pupils
    assert "Cordelia Vane" not in pupils  # finished: no cost now
    assert "£1,216.00" in pupils  # Adaeze: 456 + 760
    need = client.get(map_url(school, "need")).content.decode()
    assert "Social, emotional and mental health" in need
    year = client.get(map_url(school, "year")).content.decode()
    assert "Year 3" in year and "Year 5" in year


def test_an_executive_sees_the_costs_of_the_schools_provision_but_no_names(client, school_map):
    school, reading, mentor, pupils = school_map
    client.force_login(executive(school.trust))
    response = client.get(map_url(school, "pupils"))
    body = response.content.decode()
    assert response.status_code == 200 and "£1,672.00" in body
    for pupil in pupils:
        assert pupil.surname not in body and pupil.forename not in body
    # Nor the interventions by name: a 1:1 may be named after the child.
    assert "Reading catch-up" not in body and "Mentoring" not in body
    assert "fewer than 5" in body
    assert client.get(f"/provision/interventions/{reading.pk}/").status_code == 404
    assert client.get(f"/provision/pupils/{pupils[0].pk}/").status_code == 404


def test_the_map_of_another_school_is_404(client, school_map):
    school, reading, _mentor, (a, _b, _c) = school_map
    client.force_login(senco(SchoolFactory(trust=school.trust)))
    assert client.get(map_url(school)).status_code == 404
    assert client.get(f"/provision/interventions/{reading.pk}/").status_code == 404
    assert client.get(f"/provision/pupils/{a.pk}/").status_code == 404


def test_headteachers_and_data_admins_read_but_may_not_change(client, school_map):
    school, reading, _mentor, (a, _b, _c) = school_map
    for user in (headteacher(school), data_admin(school.trust)):
        client.force_login(user)
        body = client.get(f"/provision/interventions/{reading.pk}/").content.decode()
        assert "Adaeze Okonkwo" in body and "Enrol a pupil" not in body
        assert client.get(f"/provision/interventions/{reading.pk}/enrol/").status_code == 404
        assert client.post(f"/provision/interventions/{reading.pk}/change/", {"name": "x"}).status_code == 404


def test_the_head_of_send_changes_an_intervention(client, school_map):
    school, reading, _mentor, _pupils = school_map
    client.force_login(head_of_send(school.trust))
    url = f"/provision/interventions/{reading.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Reading catch-up",
            "kind": "small_group",
            "area_of_need": "SPLD",
            "staff_role": "Higher level teaching assistant",
            "sessions_per_week": "2",
            "minutes_per_session": "30",
            "weeks": "38",
            "group_size": "2",
            "hourly_cost": "18.50",
            "measure_scale": "Reading age (months)",
            "active": "on",
        },
    )
    assert response.status_code == 302
    reading.refresh_from_db()
    assert (reading.sessions_per_week, reading.hourly_cost) == (D(2), D("18.50"))


def test_a_senco_adds_an_intervention_and_bad_figures_change_nothing(client):
    school = SchoolFactory()
    client.force_login(senco(school))
    url = f"/provision/schools/{school.laestab}/interventions/new/"
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "name": "ELSA",
            "kind": "one_to_one",
            "staff_role": "ELSA",
            "sessions_per_week": "1",
            "minutes_per_session": "0",
            "group_size": "3",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and "There is a problem" in body
    assert "A 1:1 intervention has 1 pupil in a group." in body
    assert not Intervention.objects.exists()
    good = client.post(
        url,
        {
            "name": "ELSA",
            "kind": "one_to_one",
            "staff_role": "ELSA",
            "sessions_per_week": "1",
            "minutes_per_session": "30",
            "group_size": "1",
            "hourly_cost": "",
        },
    )
    intervention = Intervention.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/provision/interventions/{intervention.pk}/"
    assert intervention.hourly_cost is None and intervention.weeks is None


def test_enrolling_recording_a_session_and_scores_through_the_pages(client):
    school = SchoolFactory()
    intervention = InterventionFactory(school=school)
    pupil = PupilFactory(school=school)
    client.force_login(senco(school))
    today = timezone.localdate()
    enrol = f"/provision/interventions/{intervention.pk}/enrol/"
    bad = client.post(
        enrol,
        {
            "pupil": pupil.pk,
            "start_date_day": "31",
            "start_date_month": "2",
            "start_date_year": str(today.year),
        },
    )
    assert bad.status_code == 400 and "Start date must be a real date" in bad.content.decode()
    missing = client.post(
        enrol, {"pupil": pupil.pk, "start_date_day": "3", "start_date_month": "", "start_date_year": "2026"}
    )
    assert "Start date must include a month" in missing.content.decode()
    assert not Enrolment.objects.exists()
    start = today - datetime.timedelta(days=14)
    assert (
        client.post(
            enrol, {"pupil": pupil.pk, **date_fields("start_date", start), "entry_score": "84"}
        ).status_code
        == 302
    )
    enrolment = Enrolment.objects.get()

    session = f"/provision/interventions/{intervention.pk}/sessions/new/"
    future = client.post(
        session,
        {
            **date_fields("date", today + datetime.timedelta(days=2)),
            "minutes": "30",
            "attended": [enrolment.pk],
        },
    )
    assert future.status_code == 400 and "in the future" in future.content.decode()
    assert (
        client.post(
            session,
            {**date_fields("date", today), "minutes": "30", "attended": [enrolment.pk], "note": "Blends"},
        ).status_code
        == 302
    )
    assert list(Delivery.objects.get().attended.all()) == [enrolment]

    scores = f"/provision/enrolments/{enrolment.pk}/scores/"
    assert client.post(scores, {"entry_score": "", "exit_score": "90"}).status_code == 400
    assert client.post(scores, {"entry_score": "84", "exit_score": "90"}).status_code == 302
    end = f"/provision/enrolments/{enrolment.pk}/end/"
    assert client.post(end, {**date_fields("end_date", today)}).status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.exit_score, enrolment.end_date) == (D(90), today)


def test_a_pupils_provision_page_shows_current_and_past_with_cost_and_is_audited(client, school_map):
    school, _reading, _mentor, (a, _b, c) = school_map
    client.force_login(senco(school))
    body = client.get(f"/provision/pupils/{a.pk}/").content.decode()
    assert "£1,216.00" in body and "Reading catch-up" in body and "Mentoring" in body
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(a.pk), content_type__model="pupil"
    ).exists()
    past = client.get(f"/provision/pupils/{c.pk}/").content.decode()
    assert "5 Jan 2026 to 27 Mar 2026" in past and "70 to 79" in past


def test_a_pupil_is_enrolled_from_their_own_page(client, school_map):
    school, reading, mentor, (_a, b, _c) = school_map
    client.force_login(senco(school))
    url = f"/provision/pupils/{b.pk}/enrol/"
    assert client.get(url).status_code == 200
    other = InterventionFactory()  # another school's: not a choice
    assert (
        client.post(url, {"intervention": other.pk, **date_fields("start_date", d(2026, 9, 1))}).status_code
        == 400
    )
    assert (
        client.post(url, {"intervention": mentor.pk, **date_fields("start_date", d(2026, 9, 1))}).status_code
        == 302
    )
    assert Enrolment.objects.filter(pupil=b, intervention=mentor).exists()


def test_the_pupil_page_section_lists_current_provision_with_its_cost(school_map):
    from provision.sections import pupil_section

    school, _reading, _mentor, (a, _b, c) = school_map
    content = pupil_section(a, senco(school), d(2026, 11, 1))
    texts = [r.text for r in content.records]
    assert any(t.startswith("Mentoring (1:1, Teaching assistant), since") for t in texts)
    assert {r.detail for r in content.records} == {"£456.00 a year", "£760.00 a year"}
    assert content.actions[0][0] == "View provision: £1,216.00 a year"
    assert pupil_section(c, senco(school), d(2026, 11, 1)).records == ()
    assert pupil_section(a, executive(school.trust), d(2026, 11, 1)) is None


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(school, reading, n):
    for _ in range(n):
        pupil = PupilFactory(school=school)
        enrolment = services.enrolment_create(
            actor=None, intervention=reading, pupil=pupil, start_date=d(2026, 9, 1), entry_score=D(1)
        )
        DeliveryFactory(intervention=reading, attended=[enrolment])
        services.enrolment_record_measures(actor=None, enrolment=enrolment, entry_score=D(1), exit_score=D(3))
        InterventionFactory(school=school)


@pytest.mark.parametrize("page", ["map", "pupils", "need", "year", "intervention", "pupil"])
def test_the_lists_run_the_same_queries_for_few_or_many_rows(client, school_map, page):
    school, reading, mentor, (a, _b, _c) = school_map
    urls = {
        "map": map_url(school),
        "pupils": map_url(school, "pupils"),
        "need": map_url(school, "need"),
        "year": map_url(school, "year"),
        "intervention": f"/provision/interventions/{reading.pk}/",
        "pupil": f"/provision/pupils/{a.pk}/",
    }
    client.force_login(senco(school))
    client.get(urls[page])  # the session's first page saves it
    few = _count(client, urls[page])
    _grow(school, reading, 12)
    # The pupil in six more interventions.
    for intervention in Intervention.objects.filter(school=school).exclude(enrolments__pupil=a)[:6]:
        services.enrolment_create(actor=None, intervention=intervention, pupil=a, start_date=d(2026, 9, 1))
    assert _count(client, urls[page]) == few
