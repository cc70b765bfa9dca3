"""Pages through the access policy: who sees what, writes, audit of pupil-level pages, and
query counts of the lists."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import ActivityEntry, Case, CaseNote, EHCRequest
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import executive

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def objs(world):
    today = dt.date.today()
    case_a = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="tribunal_appeal",
        title="Appeal against section I",
        owner=world.senco_a,
        opened_on=today,
        pupil=world.pupil_a,
        decision_letter_date=today,
        note="Letter received",
    )
    case_b = services.case_open(
        actor=world.senco_b,
        school=world.school_b,
        kind="complaint",
        title="Complaint B",
        owner=world.senco_b,
        opened_on=today,
    )
    req_a = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=today
    )
    req_b = services.ehc_request_create(
        actor=world.senco_b, pupil=world.pupil_b, requested_by="parent", request_date=today
    )
    plan_a = services.ehc_plan_create(actor=world.senco_a, pupil=world.pupil_a, issue_date=D(2024, 5, 1))
    plan_b = services.ehc_plan_create(actor=world.senco_b, pupil=world.pupil_b, issue_date=D(2024, 5, 1))
    return {
        "case_a": case_a,
        "case_b": case_b,
        "req_a": req_a,
        "req_b": req_b,
        "plan_a": plan_a,
        "plan_b": plan_b,
    }


def _pages(world, o):
    la, lb = world.school_a.laestab, world.school_b.laestab
    return {
        "own": [
            f"/casework/cases/{o['case_a'].pk}/",
            f"/casework/ehc-requests/{o['req_a'].pk}/",
            f"/casework/plans/{o['plan_a'].pk}/",
            f"/casework/schools/{la}/cases/",
            f"/casework/schools/{la}/cases/new/",
            f"/casework/schools/{la}/ehc/",
        ],
        "other": [
            f"/casework/cases/{o['case_b'].pk}/",
            f"/casework/ehc-requests/{o['req_b'].pk}/",
            f"/casework/plans/{o['plan_b'].pk}/",
            f"/casework/schools/{lb}/cases/",
            f"/casework/schools/{lb}/cases/new/",
            f"/casework/schools/{lb}/ehc/",
        ],
        "lists": [
            "/casework/cases/",
            "/casework/cases/?view=open",
            "/casework/due/",
            "/casework/reviews/",
            "/casework/timeliness/",
        ],
    }


def test_a_senco_sees_their_school_and_gets_404_for_the_other_trust(client, world, objs):
    client.force_login(world.senco_a)
    pages = _pages(world, objs)
    for url in pages["own"] + pages["lists"]:
        assert client.get(url).status_code == 200, url
    for url in pages["other"]:
        assert client.get(url).status_code == 404, url
    assert client.get("/casework/activity/").status_code == 404  # no LOG_ACTIVITY


def test_the_head_of_send_sees_both_trusts(client, world, objs):
    client.force_login(world.hos)
    pages = _pages(world, objs)
    for url in pages["own"] + pages["other"] + pages["lists"] + ["/casework/activity/"]:
        assert client.get(url).status_code == 200, url


def test_logged_out_visitors_are_sent_to_login(client, world, objs):
    pages = _pages(world, objs)
    for url in pages["own"] + pages["lists"] + ["/casework/activity/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_an_executive_has_no_casework(client, world, objs):
    client.force_login(executive(world.trust_a))
    for url in _pages(world, objs)["own"] + ["/casework/cases/", "/casework/due/"]:
        assert client.get(url).status_code == 404, url


def test_a_headteacher_reads_but_cannot_write(client, world, objs):
    client.force_login(world.head_a)
    case = objs["case_a"]
    assert client.get(f"/casework/cases/{case.pk}/").status_code == 200
    body = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert "Add note" not in body
    for url, data in [
        (f"/casework/cases/{case.pk}/notes/", {"text": "x"}),
        (f"/casework/cases/{case.pk}/close/", {"outcome": "x", "closed_on": "2025-01-01"}),
        (f"/casework/ehc-requests/{objs['req_a'].pk}/steps/", {"step": "decision"}),
        (f"/casework/schools/{world.school_a.laestab}/cases/new/", {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert CaseNote.objects.filter(case=case).count() == 1


def test_a_senco_cannot_post_to_another_trusts_case(client, world, objs):
    client.force_login(world.senco_a)
    response = client.post(f"/casework/cases/{objs['case_b'].pk}/notes/", {"text": "Intrude"})
    assert response.status_code == 404
    assert not CaseNote.objects.filter(text="Intrude").exists()


def test_a_senco_opens_a_tribunal_case_with_a_note(client, world):
    client.force_login(world.senco_a)
    response = client.post(
        f"/casework/schools/{world.school_a.laestab}/cases/new/",
        {
            "kind": "tribunal_appeal",
            "title": "Appeal",
            "owner": world.senco_a.pk,
            "opened_on": "2025-06-12",
            "decision_letter_date": "2025-06-12",
            "note": "Parents intend to appeal.",
        },
    )
    case = Case.objects.get(title="Appeal")
    assert response.status_code == 302 and response["Location"] == f"/casework/cases/{case.pk}/"
    assert case.appeal_deadline == D(2025, 9, 1)
    page = client.get(response["Location"]).content.decode()
    assert "Parents intend to appeal." in page and "1 September 2025" in page


def test_bad_input_on_the_open_form_shows_a_message_and_changes_nothing(client, world):
    client.force_login(world.senco_a)
    response = client.post(
        f"/casework/schools/{world.school_a.laestab}/cases/new/",
        {
            "kind": "suspension",
            "title": "Suspension",
            "owner": world.senco_a.pk,
            "opened_on": "2025-06-12",
            "suspension_days": "3",
        },
    )
    assert response.status_code == 400
    assert "Select the pupil" in response.content.decode()
    response = client.post(
        f"/casework/schools/{world.school_a.laestab}/cases/new/",
        {"kind": "nonsense", "opened_on": "not a date"},
    )
    assert response.status_code == 400
    assert "Select the kind of case" in response.content.decode()
    assert not Case.objects.exists()


def test_adding_a_note_appends_to_the_timeline(client, world, objs):
    client.force_login(world.senco_a)
    case = objs["case_a"]
    response = client.post(f"/casework/cases/{case.pk}/notes/", {"text": "Called the LA."})
    assert response.status_code == 302
    assert list(case.notes.values_list("text", flat=True)) == ["Letter received", "Called the LA."]
    response = client.post(f"/casework/cases/{case.pk}/notes/", {"text": "  "})
    assert response.status_code == 400 and "Error:</span> Add a note" in response.content.decode()
    assert case.notes.count() == 2


def test_closing_a_case_without_an_outcome_shows_the_error_and_leaves_it_open(client, world, objs):
    client.force_login(world.senco_a)
    case = objs["case_a"]
    response = client.post(f"/casework/cases/{case.pk}/close/", {"outcome": "", "closed_on": "2025-01-01"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    case.refresh_from_db()
    assert case.status != "closed" and case.closed_on is None


def test_there_is_no_page_or_form_to_change_or_delete_a_note(client, world, objs):
    from casework import urls

    names = [p.name for p in urls.urlpatterns]
    assert not [n for n in names if "note" in n and n != "case_add_note"]
    client.force_login(world.senco_a)
    note = objs["case_a"].notes.get()
    for verb in ("put", "patch", "delete"):
        response = getattr(client, verb)(f"/casework/cases/{objs['case_a'].pk}/notes/")
        assert response.status_code == 405
    assert CaseNote.objects.get(pk=note.pk).text == "Letter received"


def test_admin_shows_notes_read_only(admin_client, admin_user, world, objs):
    from django.contrib import admin

    from trusts.tests.factories import with_totp

    with_totp(admin_user)

    from casework.models import CaseNote as Note

    note = objs["case_a"].notes.get()
    delete_url = reverse("admin:casework_casenote_delete", args=[note.pk])  # loads the ModelAdmins
    model_admin = admin.site._registry[Note]
    assert not model_admin.has_change_permission(None)
    assert not model_admin.has_delete_permission(None)
    assert not model_admin.has_add_permission(None)
    response = admin_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 403
    assert Note.objects.filter(pk=note.pk).exists()


def test_viewing_a_case_with_a_pupil_is_audited(client, world, objs):
    client.force_login(world.senco_a)
    from auditlog.registry import auditlog

    from pupils.models import Pupil

    client.get(f"/casework/cases/{objs['case_a'].pk}/")
    accessed = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    expected = {
        f"Tribunal appeal case for pupil {world.pupil_a.pk}, opened {objs['case_a'].opened_on:%-d %b %Y}"
    }
    if auditlog.contains(Pupil):  # the pupils app registers its models for the audit log
        expected |= {f"Pupil {world.pupil_a.pk}", "1 pupil read"}
    assert {e.object_repr for e in accessed} == expected
    assert all(e.actor == world.senco_a for e in accessed)
    assert all("Tribunal" not in str(e.changes) for e in accessed)


def test_recording_the_final_plan_through_the_page_moves_the_pupil_to_e(client, world):
    client.force_login(world.senco_a)
    req = services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="school", request_date=D(2025, 1, 6)
    )
    url = f"/casework/ehc-requests/{req.pk}/steps/"
    for step, data in [
        ("decision", {"date": "2025-02-10", "result": "assess"}),
        ("draft_plan", {"date": "2025-04-01"}),
        ("outcome", {"date": "2025-06-02", "result": "issued"}),
    ]:
        assert client.get(url, {"step": step})["Location"] == f"{url}{step}/"
        response = client.post(f"{url}{step}/", data)
        assert response["Location"] == f"{url}{step}/check/", data
        assert client.post(f"{url}{step}/check/").status_code == 302, data
    world.pupil_a.refresh_from_db()
    assert world.pupil_a.provision == "E"
    page = client.get(f"/casework/ehc-requests/{req.pk}/").content.decode()
    assert "Late (done, 7 days)" in page  # 20 weeks from 6 January = 26 May; issued 2 June
    response = client.post(f"{url}decision/", {"date": "2025-02-10", "result": "assess"})
    assert response.status_code == 302
    assert "cannot be recorded now" in client.get(response["Location"]).content.decode()


def test_the_split_of_hours_page(client, world):
    a, b = world.trust_a, world.trust_b
    today = dt.date.today()
    year = today.year if today.month >= 9 else today.year - 1
    first = dt.date(year, 9, 2)
    services.activity_log(actor=world.hos, kind="school_visit", date=first, hours=Decimal("6"), trusts=[a])
    services.activity_log(
        actor=world.hos,
        kind="training",
        date=first,
        hours=Decimal("2"),
        trusts=[b],
        school=world.school_b,
        topic="Autism",
        staff_trained=14,
    )
    client.force_login(world.hos)
    body = client.get("/casework/activity/").content.decode()
    assert "Equal split (default)" in body
    assert '6.00 h <span class="govuk-body-s">(75.0% vs 50%)' in body
    assert '2.00 h <span class="govuk-body-s">(25.0% vs 50%)' in body
    assert "Beta Primary" in body and ">14<" in body
    response = client.post(
        "/casework/activity/",
        {"kind": "la_forum", "date": first.isoformat(), "hours": "2", "trusts": [a.pk, b.pk]},
    )
    assert response.status_code == 302
    assert ActivityEntry.objects.count() == 3
    response = client.post(
        "/casework/activity/", {"kind": "la_forum", "date": "x", "hours": "-1", "trusts": []}
    )
    assert response.status_code == 200 and ActivityEntry.objects.count() == 3


def test_a_head_of_send_of_one_trust_cannot_log_for_the_other(client, world):
    from trusts.tests.factories import head_of_send

    hos_a = head_of_send(world.trust_a)
    client.force_login(hos_a)
    response = client.post(
        "/casework/activity/",
        {"kind": "la_forum", "date": "2025-10-01", "hours": "2", "trusts": [world.trust_b.pk]},
    )
    assert response.status_code == 200
    assert not ActivityEntry.objects.with_scopes_disabled().exists()


def test_the_timeliness_page_shows_a_financial_year_with_the_figure_s_one_label(client, world):
    from casework import figures
    from core import years

    client.force_login(world.hos)
    today = timezone.localdate()
    year = years.financial_year_start(today)
    EHCRequest.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        local_authority=world.school_a.local_authority,
        requested_by="school",
        request_date=D(year, 4, 1),
        owner=world.senco_a,
        decision="assess",
        decision_date=D(year, 4, 2),
        outcome="issued",
        outcome_date=D(year, 4, 3),
    )
    figures.rebuild([world.school_a.pk])
    body = client.get("/casework/timeliness/").content.decode()
    assert figures.timeliness_label(D(year, 4, 1), today) in body
    assert f'data-la="{world.school_a.local_authority.name}"' in body
    earlier = client.get(f"/casework/timeliness/?year={year - 1}").content.decode()
    assert figures.timeliness_label(D(year - 1, 4, 1), D(year, 3, 31)) in earlier
    assert "No requests in this period" in earlier
    unknown = client.get("/casework/timeliness/?year=1990")
    assert unknown.status_code == 200
    assert "Select the financial year from the list" in unknown.content.decode()


def _add_rows(world, n):
    for i in range(n):
        pupil = PupilFactory(school=world.school_a)
        services.case_open(
            actor=world.senco_a,
            school=world.school_a,
            kind="complaint",
            title=f"C{i}",
            owner=world.senco_a,
            opened_on=D(2025, 9, 1),
            next_action_due=D(2025, 10, 1),
        )
        EHCRequest.objects.create(
            pupil=pupil,
            school=world.school_a,
            local_authority=world.school_a.local_authority,
            requested_by="school",
            request_date=D(2025, 9, 1),
            owner=world.senco_a,
        )
        services.ehc_plan_create(actor=world.senco_a, pupil=pupil, issue_date=D(2024, 9, 1))
        services.activity_log(
            actor=world.hos,
            kind="training",
            date=dt.date.today(),
            hours=Decimal(1),
            trusts=[world.trust_a],
            school=world.school_a,
            topic="T",
            staff_trained=3,
        )


@pytest.mark.parametrize(
    "url",
    [
        "/casework/cases/",
        "/casework/cases/?view=open",
        "/casework/due/",
        "/casework/reviews/",
        "/casework/timeliness/",
        "/casework/activity/",
        "SCHOOL_CASES",
        "SCHOOL_EHC",
    ],
)
def test_list_pages_use_the_same_number_of_queries_for_2_and_20_rows(client, world, url):
    url = {
        "SCHOOL_CASES": f"/casework/schools/{world.school_a.laestab}/cases/",
        "SCHOOL_EHC": f"/casework/schools/{world.school_a.laestab}/ehc/",
    }.get(url, url)
    user = world.hos
    client.force_login(user)
    _add_rows(world, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _add_rows(world, 18)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_school_cases_page_flags_suspensions_over_15_days_in_a_term(client, world):
    today = dt.date.today()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 8)
    for offset, days in ((0, 8), (14, 8)):
        services.case_open(
            actor=world.senco_a,
            school=world.school_a,
            kind="suspension",
            title="Suspension",
            owner=world.senco_a,
            opened_on=start,
            pupil=world.pupil_a,
            suspension_start=start + dt.timedelta(days=offset),
            suspension_days=days,
        )
    client.force_login(world.senco_a)
    body = client.get(f"/casework/schools/{world.school_a.laestab}/cases/").content.decode()
    assert "Over 15 days in the autumn term: governors must meet" in body
    # The list names whose suspensions they are, for a reader who may see pupils.
    assert world.pupil_a.full_name in body and ">Case " not in body


def test_the_owner_can_be_changed_from_the_case_page(client, world, objs):
    client.force_login(world.hos)
    case = objs["case_a"]
    response = client.post(f"/casework/cases/{case.pk}/update/", {"status": "waiting", "owner": world.hos.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == world.hos and case.status == "waiting"
    response = client.post(
        f"/casework/cases/{case.pk}/update/", {"status": "open", "owner": world.senco_b.pk}
    )
    assert response.status_code == 400 and "Select the owner from the list" in response.content.decode()
    case.refresh_from_db()
    assert case.owner == world.hos


def test_the_owners_on_offer_are_those_the_access_policy_lets_manage_the_cases(client, world):
    from trusts.models import Role
    from trusts.tests.factories import member

    admin = member(Role.PLATFORM_ADMIN)
    executive_a = executive(world.trust_a)  # sees the school, manages no cases
    client.force_login(world.senco_a)
    response = client.get(f"/casework/schools/{world.school_a.laestab}/cases/new/?kind=complaint")
    offered = set(response.context["form"].fields["owner"].queryset)
    assert offered == {world.senco_a, world.hos, admin}
    assert executive_a not in offered and world.head_a not in offered
    response = client.post(
        f"/casework/schools/{world.school_a.laestab}/cases/new/",
        {
            "kind": "complaint",
            "title": "Admissions",
            "owner": admin.pk,
            "opened_on": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(title="Admissions").owner == admin
