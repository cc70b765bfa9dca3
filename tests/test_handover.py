"""Handing over a leaving SENCO's open work (trusts.handover, trusts.services.work_hand_over):
every registered kind of record, its history, all-or-nothing, a second run, ending the role,
and the pages for the Head of SEND."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import figures as casework_figures
from casework import services as cw
from casework.models import Case, CaseNote, Deadline, EHCPlan, EHCRequest, NamingConsultation
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support.models import SupportPlan
from support.tests.factories import current_plan, draft_plan, reviewed_plan
from trusts import access, handover
from trusts import services as trust_services
from trusts.models import Membership, Role
from trusts.tests.factories import (
    SchoolFactory,
    TrustFactory,
    UserFactory,
    head_of_send,
    headteacher,
    member,
    senco,
)

pytestmark = pytest.mark.django_db
D = dt.date


class World:
    pass


@pytest.fixture
def w(db):
    """Trust A (schools A1, A2) and trust B (B1). The leaving SENCO works at A1 and owns one of
    every kind of open record there, and some closed ones; a colleague is SENCO at A1 only."""
    w = World()
    w.trust, w.other_trust = TrustFactory(name="Trust A"), TrustFactory(name="Trust B")
    w.a1 = SchoolFactory(trust=w.trust, name="Alder Primary")
    w.a2 = SchoolFactory(trust=w.trust, name="Birch Primary")
    w.b1 = SchoolFactory(trust=w.other_trust, name="Cedar Primary")
    w.leaving = senco(w.a1)
    w.leaving.full_name = "Lena Leaving"
    w.leaving.save()
    w.colleague = senco(w.a1)
    w.colleague.full_name = "Cara Colleague"
    w.colleague.save()
    w.senco_a2 = senco(w.a2)
    w.head = headteacher(w.a1)
    w.hos = head_of_send(w.trust)
    w.hos.full_name = "Hana Head"
    w.hos.save()
    w.hos_b = head_of_send(w.other_trust)
    w.pupil = PupilFactory(school=w.a1, forename="Ada", surname="Hubbard")
    w.pupil_e = PupilFactory(school=w.a1, forename="Ben", surname="Evans", provision=Provision.EHC_PLAN)
    w.case = cw.case_open(
        actor=w.leaving,
        school=w.a1,
        kind="complaint",
        title="Complaint",
        owner=w.leaving,
        opened_on=D(2025, 9, 1),
        pupil=w.pupil,
        next_action_due=D(2025, 10, 1),
    )
    closed = cw.case_open(
        actor=w.leaving, school=w.a1, kind="other", title="Old", owner=w.leaving, opened_on=D(2025, 9, 1)
    )
    w.closed_case = cw.case_close(actor=w.leaving, case=closed, outcome="Done", closed_on=D(2025, 9, 2))
    w.request = cw.ehc_request_create(
        actor=w.leaving, pupil=w.pupil, requested_by="school", request_date=D(2025, 9, 1)
    )
    w.plan = cw.ehc_plan_create(actor=w.leaving, pupil=w.pupil_e, issue_date=D(2024, 9, 1))
    w.support = current_plan(w.pupil, w.leaving)
    w.old_support = reviewed_plan(PupilFactory(school=w.a1), w.leaving)
    # An LA's consultation on naming A1 for a prospective pupil, still awaiting the LA's
    # decision, and one the LA withdrew.
    consult = dict(actor=w.leaving, school=w.a1, local_authority=w.a1.local_authority, owner=w.leaving)
    w.consultation = cw.naming_consultation_log(
        **consult,
        received_on=D(2025, 9, 10),
        prospective_forename="Ava",
        prospective_surname="Thornton",
        prospective_date_of_birth=D(2016, 5, 14),
        today=D(2025, 9, 10),
    )
    withdrawn = cw.naming_consultation_log(
        **consult, received_on=D(2025, 9, 3), pupil=w.pupil, today=D(2025, 9, 3)
    )
    w.withdrawn = cw.naming_consultation_record_outcome(
        actor=w.leaving,
        consultation=withdrawn,
        outcome="withdrawn",
        outcome_on=D(2025, 9, 5),
        today=D(2025, 9, 5),
    )
    return w


def hand_over(w, **kw):
    args = dict(
        actor=w.hos,
        trust=w.trust,
        from_owner=w.leaving,
        to_owner=w.colleague,
        school_ids={w.a1.pk, w.a2.pk},
        reason=handover.Reason.LEAVING,
    )
    args.update(kw)
    return trust_services.work_hand_over(**args)


def owners(w):
    return {
        "case": Case.objects.get(pk=w.case.pk).owner_id,
        "closed_case": Case.objects.get(pk=w.closed_case.pk).owner_id,
        "request": EHCRequest.objects.get(pk=w.request.pk).owner_id,
        "plan": EHCPlan.objects.get(pk=w.plan.pk).owner_id,
        "support": SupportPlan.objects.get(pk=w.support.pk).owner_id,
        "old_support": SupportPlan.objects.get(pk=w.old_support.pk).owner_id,
        "consultation": NamingConsultation.objects.get(pk=w.consultation.pk).owner_id,
        "withdrawn": NamingConsultation.objects.get(pk=w.withdrawn.pk).owner_id,
    }


# --- The registry -------------------------------------------------------------------------------

# Models with an `owner` that is not open work to hand over, and why.
KEPT = {
    "casework.Deadline": "a kept figure: rewritten from its case, request or plan by every "
    "casework service, the handover included",
    "casework.DigestSent": "the record of a reminder e-mail already sent to that person",
}


def test_every_model_with_an_owner_is_handed_over_by_a_provider_or_kept_with_a_reason():
    from django.apps import apps
    from django.conf import settings

    covered = {model for p in handover.providers() for model in p.covers}
    owned = {
        model
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.name == "owner"
        and getattr(f, "related_model", None) is not None
        and f.related_model._meta.label == settings.AUTH_USER_MODEL
    }
    missing = {m._meta.label for m in owned - covered} - set(KEPT)
    assert not missing, f"register a HandoverProvider for these, or keep them here: {missing}"
    assert {"casework.Case", "casework.EHCRequest", "casework.EHCPlan", "support.SupportPlan"} <= {
        m._meta.label for m in covered
    }


# --- The service -------------------------------------------------------------------------------


def test_every_kind_of_open_record_goes_to_the_new_owner_and_closed_ones_stay(w):
    result = hand_over(w)
    assert result.moved == {
        "cases": 1,
        "ehc_requests": 1,
        "ehc_plans": 1,
        "naming_consultations": 1,
        "support_plans": 1,
    }
    assert owners(w) == {
        "case": w.colleague.pk,
        "closed_case": w.leaving.pk,
        "request": w.colleague.pk,
        "plan": w.colleague.pk,
        "support": w.colleague.pk,
        "old_support": w.leaving.pk,
        "consultation": w.colleague.pk,
        "withdrawn": w.leaving.pk,
    }


def test_each_record_s_history_says_who_handed_it_over_from_whom_to_whom_and_why(w):
    hand_over(w)
    note = CaseNote.objects.filter(case=w.case).order_by("-pk").first()
    assert note.author == w.hos
    assert note.text == ("Handed over from Lena Leaving to Cara Colleague: leaving the school or trust.")
    for obj in (w.case, w.request, w.plan, w.support):
        entries = LogEntry.objects.get_for_object(obj).filter(additional_data__handover__isnull=False)
        assert entries.count() == 1, obj
        entry = entries.get()
        assert entry.actor == w.hos and entry.timestamp is not None
        assert entry.changes_dict["owner"] == ["Lena Leaving", "Cara Colleague"]
        assert entry.changes_dict["handed over"] == ["", "Leaving the school or trust"]
        assert entry.additional_data["handover"] == {
            "from": w.leaving.pk,
            "to": w.colleague.pk,
            "reason": "leaving",
        }
        assert entry.additional_data["trust_id"] == w.trust.pk


def test_the_due_list_s_kept_rows_follow_the_new_owner(w):
    hand_over(w)
    rows = Deadline.objects.filter(school=w.a1)
    assert rows.exists()
    assert not rows.filter(owner=w.leaving).exists()
    assert rows.filter(owner=w.colleague, target="case", target_id=w.case.pk).exists()
    # The kept rows are those a rebuild from the source rows would write.
    assert casework_figures.verify() == []


def test_a_second_run_changes_nothing_and_writes_no_history(w):
    hand_over(w)
    notes, entries = CaseNote.objects.count(), LogEntry.objects.count()
    again = hand_over(w)
    assert again.total == 0 and again.roles_ended == []
    assert CaseNote.objects.count() == notes and LogEntry.objects.count() == entries


def test_one_record_that_cannot_move_stops_the_whole_handover(w):
    """The colleague manages cases at A1 but not at A2: a case there stops everything."""
    at_a2 = cw.case_open(
        actor=w.hos, school=w.a2, kind="complaint", title="At A2", owner=w.hos, opened_on=D(2025, 9, 1)
    )
    Case.objects.filter(pk=at_a2.pk).update(owner=w.leaving)
    before = owners(w)
    with pytest.raises(ValidationError) as e:
        hand_over(w, end_roles=True)
    assert "Birch Primary" in str(e.value)
    assert owners(w) == before
    assert Membership.objects.filter(user=w.leaving, school=w.a1).exists()


def test_a_failure_in_a_later_app_rolls_back_the_earlier_apps(w, monkeypatch):
    support = handover.provider("support_plans")

    def failing(**kwargs):
        support.hand_over(**kwargs)
        raise ValidationError("The support plans could not be handed over.")

    monkeypatch.setitem(
        handover._PROVIDERS,
        "support_plans",
        handover.HandoverProvider(**{**support.__dict__, "hand_over": failing}),
    )
    before, notes = owners(w), CaseNote.objects.count()
    with pytest.raises(ValidationError):
        hand_over(w)
    assert owners(w) == before and CaseNote.objects.count() == notes


def test_the_leaving_senco_s_role_ends_in_the_same_step_and_their_access_stops(w):
    assert access.can(w.leaving, access.Capability.VIEW_PUPILS, w.a1)
    result = hand_over(w, end_roles=True)
    assert result.roles_ended == ["SENCO at Alder Primary"]
    assert not Membership.objects.filter(user=w.leaving).exists()
    access.forget(w.leaving)
    assert not access.can(w.leaving, access.Capability.VIEW_PUPILS, w.a1)
    entry = LogEntry.objects.filter(additional_data__role_ended__user=w.leaving.pk).get()
    assert entry.actor == w.hos and entry.additional_data["school_id"] == w.a1.pk
    assert entry.changes_dict["reason"] == ["", "Leaving the school or trust"]


def test_the_head_of_send_can_stand_in_while_the_post_is_vacant(w):
    hand_over(w, to_owner=w.hos)
    assert set(owners(w).values()) == {w.hos.pk, w.leaving.pk}
    assert owners(w)["case"] == w.hos.pk


@pytest.mark.parametrize("who", ["head", "senco_a2", "hos_b", "leaving"])
def test_nobody_without_the_right_to_own_the_records_can_take_them(w, who):
    with pytest.raises(ValidationError):
        hand_over(w, to_owner=getattr(w, who))
    assert owners(w)["case"] == w.leaving.pk


def test_an_unknown_reason_or_another_trust_s_schools_are_refused(w):
    with pytest.raises(ValidationError):
        hand_over(w, reason="because")
    with pytest.raises(ValidationError):
        hand_over(w, school_ids={w.b1.pk})
    assert owners(w)["case"] == w.leaving.pk


def test_narrowed_to_one_school_only_that_school_s_work_moves(w):
    at_a2 = cw.case_open(
        actor=w.hos, school=w.a2, kind="complaint", title="At A2", owner=w.hos, opened_on=D(2025, 9, 1)
    )
    Case.objects.filter(pk=at_a2.pk).update(owner=w.leaving)
    hand_over(w, school_ids={w.a1.pk})
    assert Case.objects.get(pk=at_a2.pk).owner == w.leaving
    assert owners(w)["case"] == w.colleague.pk


# --- New records never default to someone without access -------------------------------------


def test_a_final_plan_issued_after_the_owner_s_role_ended_goes_to_whoever_records_it(w):
    pupil = PupilFactory(school=w.a1)
    request = cw.ehc_request_create(
        actor=w.leaving, pupil=pupil, requested_by="school", request_date=D(2025, 1, 6)
    )
    Membership.objects.filter(user=w.leaving).delete()
    for step, date, result in (
        ("decision", D(2025, 2, 1), "assess"),
        ("draft_plan", D(2025, 4, 1), ""),
        ("outcome", D(2025, 5, 1), "issued"),
    ):
        cw.ehc_request_record_step(actor=w.colleague, request=request, step=step, date=date, result=result)
    assert EHCPlan.objects.get(request=request).owner == w.colleague


def test_a_plan_record_completed_after_its_owner_left_is_taken_on_by_the_person_entering_it(w):
    plan = EHCPlan.objects.create(
        pupil=PupilFactory(school=w.a1, provision=Provision.EHC_PLAN),
        school=w.a1,
        local_authority=w.a1.local_authority,
        owner=w.leaving,
        made_from_register=True,
    )
    Membership.objects.filter(user=w.leaving).delete()
    cw.ehc_plan_complete(actor=w.colleague, plan=plan, issue_date=D(2025, 3, 1))
    plan.refresh_from_db()
    assert plan.owner == w.colleague


# --- Each app's own service --------------------------------------------------------------------


def test_each_app_s_reassign_service_moves_one_record_and_refuses_a_closed_one(w):
    from support import services as support_services

    assert cw.case_reassign(actor=w.hos, case=w.case, owner=w.colleague, reason="absence")
    assert not cw.case_reassign(actor=w.hos, case=w.case, owner=w.colleague, reason="absence")
    assert cw.ehc_request_reassign(actor=w.hos, request=w.request, owner=w.colleague, reason="absence")
    assert cw.ehc_plan_reassign(actor=w.hos, plan=w.plan, owner=w.colleague, reason="absence")
    assert support_services.plan_reassign(actor=w.hos, plan=w.support, owner=w.colleague, reason="absence")
    with pytest.raises(ValidationError):
        cw.case_reassign(actor=w.hos, case=w.closed_case, owner=w.colleague, reason="absence")
    with pytest.raises(ValidationError):
        support_services.plan_reassign(actor=w.hos, plan=w.old_support, owner=w.colleague, reason="absence")
    assert owners(w)["closed_case"] == w.leaving.pk


def test_a_draft_support_plan_is_open_work_too(w):
    pupil = PupilFactory(school=w.a1)
    draft = draft_plan(pupil, w.leaving)
    hand_over(w)
    assert SupportPlan.objects.get(pk=draft.pk).owner == w.colleague


# --- The pages ----------------------------------------------------------------------------------


def test_the_head_of_send_sees_the_leaving_senco_s_work_named_and_counted(client, w):
    client.force_login(w.hos)
    body = client.get(f"/handover/{w.trust.slug}/").content.decode()
    assert "Lena Leaving" in body and "Cara Colleague" in body
    page = client.get(f"/handover/{w.trust.slug}/{w.leaving.pk}/")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "Open work: 5 records" in text
    assert "Ada Hubbard – Complaint opened 1 Sep 2025" in text
    assert "Ada Hubbard – EHC needs assessment requested 1 Sep 2025" in text
    assert "Ben Evans – EHC plan issued 1 Sep 2024" in text
    assert "Ada Hubbard – SEN support plan from" in text
    assert f"Ava Thornton – {w.a1.local_authority.name} consultation received 10 Sep 2025" in text
    assert "Case " + str(w.case.pk) not in text
    # Only people who may own every record at A1: the colleague and the Head of SEND.
    offered = set(re.findall(r'name="new_owner" type="radio" value="(\d+)"', text))
    assert offered == {str(w.colleague.pk), str(w.hos.pk)}


def test_the_whole_journey_hands_over_after_the_answers_are_checked(client, w):
    client.force_login(w.hos)
    url = f"/handover/{w.trust.slug}/{w.leaving.pk}/"
    response = client.post(url, {"new_owner": w.colleague.pk, "reason": "leaving", "end_roles": "on"})
    assert response.status_code == 302 and response["Location"] == f"{url}check/"
    assert owners(w)["case"] == w.leaving.pk  # nothing written before the check
    check = re.sub(r"\s+", " ", client.get(f"{url}check/").content.decode())
    assert "Cases: 1" in check and "SEN support plans: 1" in check
    assert "Cara Colleague" in check and "Leaving the school or trust" in check
    done = client.post(f"{url}check/")
    assert done.status_code == 302
    assert owners(w)["case"] == w.colleague.pk
    assert not Membership.objects.filter(user=w.leaving).exists()
    # The leaving SENCO, with no role and nothing open, is no longer listed.
    after = client.get(f"/handover/{w.trust.slug}/").content.decode()
    assert "Lena Leaving&#x27;s open work is handed over." in after
    assert f"/handover/{w.trust.slug}/{w.leaving.pk}/" not in after


def test_a_handover_narrowed_to_one_school_stays_narrowed_through_the_check(client, w):
    at_a2 = cw.case_open(
        actor=w.hos, school=w.a2, kind="complaint", title="At A2", owner=w.hos, opened_on=D(2025, 9, 1)
    )
    Case.objects.filter(pk=at_a2.pk).update(owner=w.leaving)
    client.force_login(w.hos)
    url = f"/handover/{w.trust.slug}/{w.leaving.pk}/"
    page = re.sub(r"\s+", " ", client.get(f"{url}?school={w.a1.laestab}").content.decode())
    assert "Open work: 5 records" in page  # the case at A2 is not listed
    response = client.post(
        f"{url}?school={w.a1.laestab}",
        {"new_owner": w.colleague.pk, "reason": "absence", "school": w.a1.laestab},
    )
    assert response["Location"] == f"{url}check/?school={w.a1.laestab}"
    check = client.get(response["Location"]).content.decode()
    assert "Alder Primary" in check and "Every school" not in check
    client.post(response["Location"])
    assert owners(w)["case"] == w.colleague.pk
    assert Case.objects.get(pk=at_a2.pk).owner == w.leaving


def test_an_owner_not_offered_is_refused_with_a_message_and_nothing_changes(client, w):
    client.force_login(w.hos)
    url = f"/handover/{w.trust.slug}/{w.leaving.pk}/"
    response = client.post(url, {"new_owner": w.senco_a2.pk, "reason": "leaving"})
    assert response.status_code == 400
    assert "Select who takes the work on from the list" in response.content.decode()
    response = client.post(url, {"new_owner": w.colleague.pk})
    assert response.status_code == 400
    assert "Select why the work is handed over" in response.content.decode()
    assert owners(w)["case"] == w.leaving.pk


def test_someone_who_left_without_a_handover_is_still_listed_with_their_work(client, w):
    Membership.objects.filter(user=w.leaving).delete()
    client.force_login(w.hos)
    body = client.get(f"/handover/{w.trust.slug}/").content.decode()
    assert "Lena Leaving" in body and "No role here" in body


@pytest.mark.parametrize("who", ["leaving", "colleague", "head", "senco_a2", "hos_b"])
def test_nobody_but_the_trust_s_head_of_send_may_open_the_pages(client, w, who):
    """A SENCO cannot hand over anyone's work, their own or a colleague's."""
    client.force_login(getattr(w, who))
    base = f"/handover/{w.trust.slug}/"
    for url in (base, f"{base}{w.leaving.pk}/", f"{base}{w.leaving.pk}/check/"):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"{base}{w.leaving.pk}/", {"new_owner": getattr(w, who).pk, "reason": "leaving"}
        ).status_code
        == 404
    )
    assert client.post(f"{base}{w.leaving.pk}/check/").status_code == 404
    assert owners(w)["case"] == w.leaving.pk


def test_a_platform_admin_may_hand_over_work_in_any_trust(client, w):
    admin = member(Role.PLATFORM_ADMIN)
    client.force_login(admin)
    assert client.get(f"/handover/{w.trust.slug}/{w.leaving.pk}/").status_code == 200
    assert client.get(f"/handover/{w.other_trust.slug}/").status_code == 200


def test_a_school_s_page_links_to_the_handover_narrowed_to_that_school(client, w):
    client.force_login(w.hos)
    assert f"/handover/school/{w.a2.laestab}/" in client.get(f"/schools/{w.a2.laestab}/").content.decode()
    response = client.get(f"/handover/school/{w.a2.laestab}/")
    assert response["Location"] == f"/handover/{w.trust.slug}/?school={w.a2.laestab}"
    body = client.get(response["Location"]).content.decode()
    # At A2 only its SENCO is listed: the leaving SENCO has no role or work there.
    assert "Lena Leaving" not in body and str(w.senco_a2) in body
    client.force_login(w.leaving)
    assert "/handover/school/" not in client.get(f"/schools/{w.a1.laestab}/").content.decode()
    assert client.get(f"/handover/school/{w.a1.laestab}/").status_code == 404


def test_someone_with_no_work_or_role_in_the_trust_is_404(client, w):
    stranger = UserFactory()
    client.force_login(w.hos)
    assert client.get(f"/handover/{w.trust.slug}/{stranger.pk}/").status_code == 404
    assert client.get(f"/handover/{w.trust.slug}/{w.hos_b.pk}/").status_code == 404
    assert client.get(f"/handover/{w.trust.slug}/?school=9999999").status_code == 404


def test_the_list_of_work_takes_the_same_queries_for_few_records_and_many(client, w):
    client.force_login(w.hos)
    url = f"/handover/{w.trust.slug}/{w.leaving.pk}/"
    trust_url = f"/handover/{w.trust.slug}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few_people:
        assert client.get(trust_url).status_code == 200
    for i in range(12):
        pupil = PupilFactory(school=w.a1)
        cw.case_open(
            actor=w.leaving,
            school=w.a1,
            kind="complaint",
            title=f"Case {i}",
            owner=w.leaving,
            opened_on=D(2025, 9, 1),
            pupil=pupil,
        )
        cw.ehc_request_create(actor=w.leaving, pupil=pupil, requested_by="school", request_date=D(2025, 9, 1))
        current_plan(pupil, w.leaving)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as many_people:
        assert client.get(trust_url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many_people.captured_queries) == len(few_people.captured_queries)
