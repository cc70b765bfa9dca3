"""State transitions of a claim: what each service allows, what it refuses, and the history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding import services
from funding.models import ClaimEvent, ClaimStatus, Payment
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import executive, head_of_send, headteacher, senco

from .factories import band, d, ehcp_pupil

S = ClaimStatus


@pytest.fixture
def draft(las, thurrock_school):
    return services.claim_create(
        actor=senco(thurrock_school),
        pupil=ehcp_pupil(thurrock_school),
        requested_band=band(las["thurrock"], "10 hours"),
        evidence_summary="EHC plan section F",
        provision_to_fund="10 hours TA",
    )


def submitted(claim):
    return services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 5, 1))


def test_a_senco_drafts_a_claim_and_the_history_starts(draft):
    assert draft.status == S.DRAFT
    assert draft.financial_year == 2025
    assert list(draft.events.values_list("kind", "to_status")) == [("created", "draft")]


def test_a_senco_may_not_submit_but_a_headteacher_may(draft, thurrock_school):
    with pytest.raises(PermissionDenied):
        services.claim_submit(actor=senco(thurrock_school), claim=draft, submitted_on=d(2025, 5, 1))
    claim = services.claim_submit(actor=headteacher(thurrock_school), claim=draft, submitted_on=d(2025, 5, 1))
    assert claim.status == S.SUBMITTED and claim.submitted_on == d(2025, 5, 1)


def test_an_executive_may_not_draft_a_claim(las, thurrock_school):
    with pytest.raises(PermissionDenied):
        services.claim_create(
            actor=executive(thurrock_school.trust),
            pupil=ehcp_pupil(thurrock_school),
            requested_band=band(las["thurrock"], "5 hours"),
            evidence_summary="x",
            provision_to_fund="y",
        )


def test_a_claim_is_only_for_a_pupil_on_the_register(las, thurrock_school):
    pupil = PupilFactory(school=thurrock_school, provision=Provision.NO_SEN, primary_need="")
    with pytest.raises(ValidationError, match="register"):
        services.claim_create(
            actor=None,
            pupil=pupil,
            requested_band=band(las["thurrock"], "5 hours"),
            evidence_summary="x",
            provision_to_fund="y",
        )


def test_it_refuses_an_award_on_a_draft(draft, las):
    with pytest.raises(ValidationError, match="submitted claim"):
        services.claim_record_award(
            actor=None, claim=draft, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 6, 1)
        )
    assert not draft.awards.exists()
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_it_refuses_a_payment_on_a_draft_or_a_refused_claim(draft):
    with pytest.raises(ValidationError, match="with an award"):
        services.payment_record(actor=None, claim=draft, amount=Decimal("10.00"), received_on=d(2025, 6, 1))
    submitted(draft)
    services.claim_record_refusal(actor=None, claim=draft, reason="Not eligible", decided_on=d(2025, 6, 1))
    with pytest.raises(ValidationError, match="refused"):
        services.payment_record(actor=None, claim=draft, amount=Decimal("10.00"), received_on=d(2025, 6, 1))
    assert not Payment.objects.exists()


def test_it_refuses_an_award_from_another_las_table(draft, las):
    submitted(draft)
    with pytest.raises(ValidationError, match="Thurrock"):
        services.claim_record_award(
            actor=None, claim=draft, band=band(las["essex"], "2"), start_date=d(2025, 6, 1)
        )


def test_it_refuses_an_award_ending_before_it_starts(draft, las):
    submitted(draft)
    with pytest.raises(ValidationError, match="before it starts"):
        services.claim_record_award(
            actor=None,
            claim=draft,
            band=band(las["thurrock"], "10 hours"),
            start_date=d(2025, 6, 1),
            end_date=d(2025, 5, 1),
        )


def test_it_refuses_to_submit_twice(draft):
    submitted(draft)
    with pytest.raises(ValidationError, match="Only a draft"):
        submitted(draft)


def test_only_a_refused_or_under_awarded_claim_can_be_appealed(draft, las):
    submitted(draft)
    services.claim_record_award(
        actor=None, claim=draft, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 6, 1)
    )
    with pytest.raises(ValidationError, match="refused or under-awarded"):
        services.claim_appeal(actor=None, claim=draft, lodged_on=d(2025, 6, 10))


def test_an_under_award_can_be_appealed_and_a_refused_appeal_leaves_the_award(draft, las):
    submitted(draft)
    services.claim_record_award(
        actor=None, claim=draft, band=band(las["thurrock"], "5 hours"), start_date=d(2025, 6, 1)
    )
    claim = services.claim_appeal(actor=None, claim=draft, lodged_on=d(2025, 6, 10), note="Asked 10")
    assert claim.status == S.UNDER_APPEAL
    # A payment on the award in force is still possible during the appeal.
    services.payment_record(actor=None, claim=claim, amount=Decimal("100.00"), received_on=d(2025, 7, 1))
    claim = services.claim_record_refusal(
        actor=None, claim=claim, reason="Appeal refused", decided_on=d(2025, 9, 1)
    )
    assert claim.status == S.AWARDED


def test_ending_a_claim_stops_its_award(draft, las):
    submitted(draft)
    services.claim_record_award(
        actor=None, claim=draft, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 6, 1)
    )
    claim = services.claim_end(actor=None, claim=draft, ended_on=d(2025, 12, 31), reason="Moved away")
    assert claim.status == S.ENDED
    assert claim.awards.get().end_date == d(2025, 12, 31)
    # Arrears may still be paid on an ended claim with an award.
    services.payment_record(actor=None, claim=claim, amount=Decimal("5.00"), received_on=d(2026, 1, 15))
    with pytest.raises(ValidationError):
        services.claim_end(actor=None, claim=claim, ended_on=d(2026, 1, 1))


def test_a_draft_cannot_be_ended(draft):
    with pytest.raises(ValidationError, match="draft"):
        services.claim_end(actor=None, claim=draft, ended_on=d(2025, 12, 31))


def test_a_payment_must_be_positive_pounds_and_pence(draft, las):
    submitted(draft)
    services.claim_record_award(
        actor=None, claim=draft, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 6, 1)
    )
    for bad in [Decimal("0"), Decimal("-5"), Decimal("1.234"), "abc"]:
        with pytest.raises(ValidationError):
            services.payment_record(actor=None, claim=draft, amount=bad, received_on=d(2025, 7, 1))
    assert not Payment.objects.exists()


def test_every_step_is_in_the_claims_history_which_cannot_be_changed(draft, las, thurrock_school):
    hos = head_of_send(thurrock_school.trust)
    services.claim_submit(actor=hos, claim=draft, submitted_on=d(2025, 5, 1))
    services.claim_record_award(
        actor=hos, claim=draft, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 6, 1)
    )
    services.payment_record(actor=hos, claim=draft, amount=Decimal("1000.00"), received_on=d(2025, 7, 1))
    events = list(draft.events.order_by("pk"))
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", "", "draft"),
        ("submitted", "draft", "submitted"),
        ("awarded", "submitted", "awarded"),
        ("payment", "awarded", "awarded"),
    ]
    assert events[1].actor == hos
    events[0].note = "changed"
    with pytest.raises(ValidationError):
        events[0].save()
    with pytest.raises(ValidationError):
        events[0].delete()
    assert ClaimEvent.objects.get(pk=events[0].pk).note != "changed"


def test_it_refuses_an_award_starting_before_its_bands_year(draft, las):
    submitted(draft)
    with pytest.raises(ValidationError, match="2025-26"):
        services.claim_record_award(
            actor=None, claim=draft, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 3, 31)
        )
