"""The demo provision maps, the admin (through the services), and a child's provision in the
subject-access export."""

import datetime
import io
import zipfile
from decimal import Decimal as D

import pytest

from core.years import academic_year_first_day
from funding import figures
from privacy import selectors as privacy_selectors
from provision import demo, selectors
from provision.models import Delivery, Enrolment, Intervention
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from trusts.models import Membership, Role
from trusts.tests.factories import SchoolFactory, UserFactory, with_totp

from .factories import DeliveryFactory, EnrolmentFactory, InterventionFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 3)


def rows():
    return {
        m.__name__: sorted(map(str, m.objects.values_list())) for m in (Intervention, Enrolment, Delivery)
    }


def test_the_demo_maps_are_dated_from_today_show_effect_and_seed_once():
    holy_cross = SchoolFactory(laestab="8833001", name="Holy Cross Primary")
    other = SchoolFactory(laestab="8810001")
    for school in (holy_cross, other):
        for i in range(30):
            PupilFactory(
                school=school,
                provision=Provision.EHC_PLAN if i < 6 else Provision.SEN_SUPPORT,
                primary_need=["SPLD", "ASD", "SEMH", "SLCN", "MLD"][i % 5],
            )
    demo.seed(today=TODAY)
    first = rows()
    demo.seed(today=TODAY)
    assert rows() == first
    # Every school: 1:1 support for four pupils with an EHC plan; Holy Cross: its catalogue too.
    assert Enrolment.objects.filter(intervention__school=other).count() == 4
    the_map = selectors.school_map(holy_cross)
    assert len(the_map.interventions) > 6
    assert any(line.effect.measured and line.effect.share_improved for line in the_map.interventions)
    dates = list(Delivery.objects.values_list("date", flat=True))
    assert dates and max(dates) < TODAY and min(dates) >= academic_year_first_day(TODAY)
    assert figures.verify() == []


def test_a_platform_admin_changes_an_intervention_through_the_services(client):
    enrolment = EnrolmentFactory()
    intervention = enrolment.intervention
    admin = UserFactory(is_staff=True, is_superuser=True)
    Membership.objects.create(user=admin, role=Role.PLATFORM_ADMIN)
    with_totp(admin)
    client.force_login(admin)
    url = f"/admin/provision/intervention/{intervention.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "name": intervention.name,
        "kind": "one_to_one",
        "area_of_need": "",
        "staff_role": "TA",
        "sessions_per_week": "2",
        "minutes_per_session": "60",
        "weeks": "38",
        "group_size": "4",
        "hourly_cost": "16",
        "measure_scale": "",
        "description": "",
        "active": "on",
    }
    # The services' checks: a 1:1 has a group of one; a pupil is still enrolled.
    assert b"group size of 1" in client.post(url, form).content
    assert b"still enrolled" in client.post(url, {**form, "kind": "small_group", "active": ""}).content
    assert client.post(url, {**form, "kind": "small_group"}).status_code == 302
    intervention.refresh_from_db()
    assert intervention.sessions_per_week == D(2)
    # 2 x 60 min x 38 weeks at £16, shared by 4.
    assert selectors.annual_costs_by_pupil([intervention.school_id]) == {enrolment.pupil_id: D("304.00")}


def test_the_subject_access_export_holds_the_childs_provision():
    from privacy.subject_access import build_zip

    enrolment = EnrolmentFactory(entry_score=D(84), exit_score=D(92), notes="Likes the mornings")
    DeliveryFactory(intervention=enrolment.intervention, attended=[enrolment], note="Blends")
    DeliveryFactory(intervention=enrolment.intervention, note="Without this pupil")
    sections = {s.key: s for s in privacy_selectors.subject_access_sections(enrolment.pupil)}
    [row] = sections["provision_enrolments"].rows
    assert row[1] == enrolment.intervention.name and row[8] == "228.00"
    assert row[-3:] == ["84.00", "92.00", "Likes the mornings"]
    assert [r[-1] for r in sections["provision_sessions"].rows] == ["Blends"]
    archive = zipfile.ZipFile(
        io.BytesIO(build_zip(pupil=enrolment.pupil, sections=list(sections.values()), generated_by="test"))
    )
    assert "provision_enrolments.csv" in archive.namelist()


def test_erasure_keeps_the_enrolment_and_cuts_the_child_out_of_shared_text():
    from privacy import services as privacy_services

    school = SchoolFactory()
    group = InterventionFactory(school=school, name="Reading group")
    child = PupilFactory(school=school, forename="Philippa", surname="Gooseberry")
    friend = PupilFactory(school=school)
    mine = EnrolmentFactory(intervention=group, pupil=child, notes="Philippa is shy")
    theirs = EnrolmentFactory(intervention=group, pupil=friend)
    shared = DeliveryFactory(
        intervention=group, attended=[mine, theirs], note="Philippa Gooseberry read aloud; Sam listened"
    )
    privacy_services.pupil_erase(actor=None, pupil=child, reason="subject_request")
    mine.refresh_from_db()
    shared.refresh_from_db()
    group.refresh_from_db()
    assert mine.notes == "[erased]" and mine.start_date == theirs.start_date
    assert shared.note == "[erased] read aloud; Sam listened"
    assert group.name == "Reading group"
