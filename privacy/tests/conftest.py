import datetime as dt
import time
from decimal import Decimal

import pytest

from casework import services as cw
from funding.models import Award, Claim, ClaimEvent, ClaimStatus, Payment
from funding.tests.factories import add_table
from provision.models import Delivery, Enrolment, Intervention
from pupils.models import CensusSnapshot, RegisterEvent
from pupils.tests.factories import PupilFactory
from support import services as support_services
from trusts.tests.factories import (
    SchoolFactory,
    TrustFactory,
    data_admin,
    head_of_send,
    senco,
)


class World:
    pass


def give_pupil_a_history(w, pupil, *, owner, tag: str) -> dict:
    """Register history, funding, EHC and casework rows about `pupil`; returns them."""
    la = pupil.home_local_authority
    band = w.band
    event = RegisterEvent.objects.create(
        pupil=pupil,
        kind=RegisterEvent.Kind.ENTERED_SEN_SUPPORT,
        date=dt.date(2024, 9, 5),
        source=RegisterEvent.Source.MANUAL,
        actor=owner,
        to_provision="K",
        note=f"Added after meeting with {pupil.forename} {pupil.surname}'s parents ({tag})",
    )
    claim = Claim.objects.create(
        school=pupil.school,
        pupil=pupil,
        local_authority=la,
        financial_year=2025,
        requested_band=band,
        evidence_summary=f"{pupil.forename} {pupil.surname} needs 1:1 {tag}",
        provision_to_fund=f"Support for {pupil.forename} {tag}",
        status=ClaimStatus.AWARDED,
        submitted_on=dt.date(2025, 5, 1),
        decided_on=dt.date(2025, 6, 1),
    )
    award = Award.objects.create(claim=claim, band=band, start_date=dt.date(2025, 6, 1))
    payment = Payment.objects.create(
        claim=claim,
        amount=Decimal("1015.89"),
        received_on=dt.date(2025, 7, 1),
        reference=f"TOPUP {pupil.upn}",
    )
    claim_event = ClaimEvent.objects.create(
        claim=claim,
        kind=ClaimEvent.Kind.PAYMENT,
        to_status=ClaimStatus.AWARDED,
        note=f"£1,015.89 received, reference TOPUP {pupil.upn}",
        actor=owner,
    )
    # A 1:1 typed with the child's name, as a migrated costed line may have been.
    intervention = Intervention.objects.create(
        school=pupil.school,
        name=f"TA for {pupil.forename} {pupil.surname}",
        kind="one_to_one",
        staff_role="Teaching assistant",
        sessions_per_week=Decimal("10"),
        minutes_per_session=60,
        group_size=1,
        description=f"Support for {pupil.forename} {pupil.surname} ({tag})",
    )
    enrolment = Enrolment.objects.create(
        intervention=intervention,
        pupil=pupil,
        start_date=dt.date(2025, 4, 1),
        entry_score=Decimal("84"),
        notes=f"{pupil.forename} settles best in the morning ({tag})",
    )
    delivery = Delivery.objects.create(
        intervention=intervention,
        date=dt.date(2025, 9, 8),
        minutes=60,
        note=f"{pupil.forename} read two pages",
    )
    delivery.attended.set([enrolment])
    request_ = cw.ehc_request_create(
        actor=owner, pupil=pupil, requested_by="school", request_date=dt.date(2025, 3, 3)
    )
    plan = cw.ehc_plan_create(actor=owner, pupil=pupil, issue_date=dt.date(2024, 1, 10))
    review = cw.annual_review_record(actor=owner, plan=plan, meeting_date=dt.date(2025, 1, 8))
    consultation = cw.naming_consultation_log(
        actor=owner,
        school=pupil.school,
        local_authority=pupil.home_local_authority,
        received_on=dt.date(2025, 6, 2),
        pupil=pupil,
    )
    cw.naming_consultation_draft_response(
        actor=owner,
        consultation=consultation,
        can_meet_needs=False,
        ground="unsuitable",
        reasons=f"{pupil.forename} {pupil.surname} needs a specialist base ({tag})",
    )
    case = cw.case_open(
        actor=owner,
        school=pupil.school,
        kind="complaint",
        title=f"Complaint about {pupil.surname} {tag}",
        owner=owner,
        opened_on=dt.date(2025, 9, 1),
        pupil=pupil,
    )
    note = cw.case_add_note(
        actor=owner, case=case, text=f"Spoke to {pupil.forename} {pupil.surname} about {tag}"
    )
    name = f"{pupil.forename} {pupil.surname}"
    support_plan = support_services.plan_start(
        actor=owner,
        pupil=pupil,
        starts_on=dt.date.today() - dt.timedelta(days=90),
        review_due=dt.date.today() - dt.timedelta(days=5),
        from_last_review=False,
    )
    support_services.plan_update_assessment(
        actor=owner,
        plan=support_plan,
        needs=f"{name} finds reading hard ({tag})",
        strengths="Drawing",
        tried_before="Phonics",
        pupil_views=f"I am {name}",
        parent_views="Worried",
    )
    outcome = support_services.outcome_add(
        actor=owner,
        plan=support_plan,
        description=f"{pupil.forename} reads 20 words ({tag})",
        success_criteria="Reads them aloud",
        review_by=support_plan.review_due,
    )
    support_services.plan_activate(actor=owner, plan=support_plan)
    plan_review = support_services.review_save(
        actor=owner,
        plan=support_plan,
        held_on=dt.date.today(),
        next_steps=f"More for {name}",
        pupil_views="Good",
        parent_views="Pleased",
        results={outcome.pk: support_services.OutcomeResult("partly", f"{name} read 12")},
    )
    support_services.review_record(actor=owner, plan=support_plan)
    profile, _ = support_services.profile_save(
        actor=owner,
        pupil=pupil,
        like_and_admire=f"I am {name} ({tag})",
        important_to_me="My cat",
        how_to_support="Time to think",
        my_needs="Reading is hard",
        written_with=f"Written by {pupil.forename} with mum",
    )
    from evidence import reference as evidence_reference
    from evidence import services as evidence_services

    evidence_reference.load_for(pupil.home_local_authority)
    professional = evidence_services.professional_add(
        actor=owner,
        pupil=pupil,
        role="ep",
        who=f"EP for {name}",
        started_on=dt.date(2025, 1, 6),
        advice=f"{name} needs instructions one step at a time ({tag})",
    )
    pack = evidence_services.pack_start(actor=owner, pupil=pupil, kind="ehc_request")
    return {
        "event": event,
        "claim": claim,
        "award": award,
        "payment": payment,
        "professional": professional,
        "pack": pack,
        "claim_event": claim_event,
        "intervention": intervention,
        "enrolment": enrolment,
        "delivery": delivery,
        "request": request_,
        "plan": plan,
        "review": review,
        "consultation": consultation,
        "case": case,
        "note": note,
        "support_plan": support_plan,
        "support_outcome": outcome,
        "support_review": plan_review,
        "profile": profile,
    }


@pytest.fixture
def world(db):
    """Trust A (school A1, a Head of SEND, a data admin, a SENCO) and trust B (school B1, its
    Head of SEND). Pupil `p` in A1 with a full history, `q` in A1 with their own, `r` in B1."""
    w = World()
    w.trust_a, w.trust_b = TrustFactory(), TrustFactory()
    w.a1 = SchoolFactory(trust=w.trust_a)
    w.b1 = SchoolFactory(trust=w.trust_b)
    w.hos = head_of_send(w.trust_a)
    w.data_admin = data_admin(w.trust_a)
    w.senco = senco(w.a1)
    w.hos_b = head_of_send(w.trust_b)
    w.band = add_table(w.a1.local_authority, 2025, {"Band 1": "1000.00"}).bands.get()
    w.p = PupilFactory(
        school=w.a1, surname="Kowalczyk", forename="Zuzanna", date_of_birth=dt.date(2014, 3, 9)
    )
    w.q = PupilFactory(
        school=w.a1, surname="Abernethy", forename="Tobias", date_of_birth=dt.date(2015, 11, 21)
    )
    w.r = PupilFactory(school=w.b1, surname="Fairweather", forename="Imogen")
    w.p_rows = give_pupil_a_history(w, w.p, owner=w.senco, tag="p-history")
    w.q_rows = give_pupil_a_history(w, w.q, owner=w.senco, tag="q-history")
    # A case about someone else whose note mentions p by name.
    w.other_case = cw.case_open(
        actor=w.senco,
        school=w.a1,
        kind="other",
        title="Playground",
        owner=w.senco,
        opened_on=dt.date(2025, 9, 2),
        pupil=w.q,
    )
    w.mention = cw.case_add_note(
        actor=w.senco, case=w.other_case, text="Tobias said Zuzanna Kowalczyk saw it happen."
    )
    w.snapshot = CensusSnapshot.objects.create(
        school=w.a1, census_date=dt.date(2025, 10, 2), number_on_roll=200, ehcp=5, sen_support=20
    )
    return w


def reauthenticate(client, user) -> None:
    """Log in and mark the session as recently re-authenticated (as allauth's form does)."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
