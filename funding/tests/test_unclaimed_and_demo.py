"""What is unclaimed, and the demo seeding (idempotent, deterministic)."""

from decimal import Decimal

import pytest

from funding import demo, reference, selectors, services
from funding.models import Award, Band, BandingScheme, Claim, ClaimEvent, Payment
from provision import demo as provision_demo
from provision.models import Enrolment, Intervention
from provision.tests.factories import ta_support
from pupils.models import Provision
from pupils.tests.factories import PupilFactory

from .factories import band, d, ehcp_pupil

pytestmark = pytest.mark.django_db
ON = d(2025, 12, 1)


def names(items):
    return {u.pupil.surname for u in items}


def test_ehcp_pupils_without_a_live_claim_are_unclaimed(las, thurrock_school):
    thurrock = las["thurrock"]
    ehcp_pupil(thurrock_school, surname="NoClaim")
    drafted = ehcp_pupil(thurrock_school, surname="Drafted")
    services.claim_create(
        actor=None,
        pupil=drafted,
        requested_band=band(thurrock, "5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    pending = ehcp_pupil(thurrock_school, surname="Pending")
    claim = services.claim_create(
        actor=None,
        pupil=pending,
        requested_band=band(thurrock, "5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 9, 1))
    funded = ehcp_pupil(thurrock_school, surname="Funded")
    claim = services.claim_create(
        actor=None,
        pupil=funded,
        requested_band=band(thurrock, "5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 9, 1))
    services.claim_record_award(
        actor=None, claim=claim, band=band(thurrock, "5 hours"), start_date=d(2025, 9, 1)
    )
    lapsed = ehcp_pupil(thurrock_school, surname="Lapsed")
    claim = services.claim_create(
        actor=None,
        pupil=lapsed,
        requested_band=band(thurrock, "5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 4, 1))
    services.claim_record_award(
        actor=None,
        claim=claim,
        band=band(thurrock, "5 hours"),
        start_date=d(2025, 4, 1),
        end_date=d(2025, 8, 31),
    )
    refused = ehcp_pupil(thurrock_school, surname="Refused")
    claim = services.claim_create(
        actor=None,
        pupil=refused,
        requested_band=band(thurrock, "5 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 4, 1))
    services.claim_record_refusal(actor=None, claim=claim, reason="No", decided_on=d(2025, 5, 1))
    assert names(selectors.unclaimed_pupils([thurrock_school.pk], ON)) == {
        "NoClaim",
        "Drafted",
        "Lapsed",
        "Refused",
    }


def test_sen_support_is_unclaimed_only_above_the_notional_threshold(las, thurrock_school):
    below = PupilFactory(school=thurrock_school, surname="Below")
    above = PupilFactory(school=thurrock_school, surname="Above")
    PupilFactory(school=thurrock_school, surname="Uncosted")
    # 12 h x 38 = 456 h x 12.21 = 5,567.76 x 1.3 = 7,238.088 -> 7,238.09 > 6,000
    # 9 h x 38 = 342 h x 12.21 = 4,175.82 x 1.3 = 5,428.566 -> 5,428.57 < 6,000
    ta_support(above, Decimal(12))
    ta_support(below, Decimal(9))
    [item] = selectors.unclaimed_pupils([thurrock_school.pk], ON)
    assert item.pupil == above and item.annual_cost == Decimal("7238.09")
    services.claim_create(
        actor=None,
        pupil=above,
        requested_band=band(las["thurrock"], "10 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    # A draft is not yet a claim to the LA.
    assert names(selectors.unclaimed_pupils([thurrock_school.pk], ON)) == {"Above"}
    summary = selectors.funding_summary([thurrock_school.pk], 2025, today=ON)
    assert (summary.total.unclaimed_ehcp, summary.total.unclaimed_sen_support) == (0, 1)


def test_pupils_who_left_or_have_no_sen_are_not_unclaimed(las, thurrock_school):
    ehcp_pupil(thurrock_school, left_school_on=d(2025, 7, 20))
    PupilFactory(school=thurrock_school, provision=Provision.NO_SEN, primary_need="")
    assert selectors.unclaimed_pupils([thurrock_school.pk], ON) == []


def rows():
    return {
        m.__name__: sorted(map(str, m.objects.values_list()))
        for m in (BandingScheme, Band, Claim, Award, Payment, ClaimEvent, Intervention, Enrolment)
    }


def test_the_reference_tables_load_once(las):
    assert Band.objects.count() == 29
    assert band(las["thurrock"], "10 hours").annual_value == Decimal("4120")
    assert band(las["thurrock"], "10 hours").hours_per_week == Decimal("10")
    assert band(las["essex"], "4+").annual_value == Decimal("8000")
    reference.load(today=ON)
    first = rows()
    reference.load(today=ON)
    demo.seed(today=ON)
    assert rows() == first
    assert Band.objects.count() == 29  # 2025-26 is the year of the published tables


def test_reloading_the_reference_tables_keeps_a_corrected_band(las):
    corrected = band(las["essex"], "4+")
    corrected.annual_value = Decimal("8100")
    corrected.save()
    reference.load(today=ON)
    assert band(las["essex"], "4+").annual_value == Decimal("8100")


def test_the_reference_carries_each_las_rates_into_the_years_after_its_last_table(las):
    reference.load(today=d(2027, 5, 1))
    for year in (2026, 2027):
        for la in las.values():
            scheme = BandingScheme.objects.get(local_authority=la, financial_year=year)
            assert scheme.carried_forward_from == 2025
            assert sorted(scheme.bands.values_list("label", "annual_value", "hours_per_week")) == (
                sorted(
                    BandingScheme.objects.get(local_authority=la, financial_year=2025).bands.values_list(
                        "label", "annual_value", "hours_per_week"
                    )
                )
            )
    assert band(las["essex"], "4+", 2027).annual_value == Decimal("8000")
    assert (
        BandingScheme.objects.get(local_authority=las["essex"], financial_year=2025).carried_forward_from
        is None
    )
    first = rows()
    reference.load(today=d(2027, 5, 1))
    assert rows() == first
    # A platform admin's power only: a SENCO may not carry tables forward.
    from django.core.exceptions import PermissionDenied

    from trusts.tests.factories import SchoolFactory, senco

    with pytest.raises(PermissionDenied):
        services.banding_carry_forward(actor=senco(SchoolFactory()), up_to_year=2028)


def test_the_demo_claims_are_for_the_current_financial_year_and_dated_before_today(las, thurrock_school):
    for i in range(5):
        ehcp_pupil(thurrock_school, upn=f"{thurrock_school.laestab}{i:06d}")
    today = d(2026, 12, 3)
    reference.load(today=today)
    provision_demo.seed(today=today)
    demo.seed(today=today)
    claims = Claim.objects.all()
    assert claims and {c.financial_year for c in claims} == {2026}
    assert {c.requested_band.scheme.carried_forward_from for c in claims} == {2025}
    assert all(p.received_on <= today for p in Payment.objects.all())
    assert all(e.effective_on is None or e.effective_on <= today for e in ClaimEvent.objects.all())
    summary = selectors.funding_summary([thurrock_school.pk], 2026, today=today)
    assert summary.total.received > 0


def test_the_demo_claims_are_deterministic_and_idempotent(las, thurrock_school, southend_school):
    for school in (thurrock_school, southend_school):
        for i in range(5):
            ehcp_pupil(school, upn=f"{school.laestab}{i:06d}")
    essex_resident = ehcp_pupil(southend_school, upn="0000000000001", home_local_authority=las["essex"])
    # As seed_demo runs them: the reference tables, then the provision map (the support
    # costed) before the claims.
    reference.load(today=ON)
    provision_demo.seed(today=ON)
    demo.seed(today=ON)
    first = rows()
    reference.load(today=ON)
    provision_demo.seed(today=ON)
    demo.seed(today=ON)
    assert rows() == first
    # The Southend school's pupil who lives in Essex is claimed from Essex at Essex rates.
    claim = Claim.objects.get(pupil=essex_resident)
    assert claim.local_authority == las["essex"]
    assert claim.requested_band.scheme.local_authority == las["essex"]
    thurrock_lines = selectors.school_pupil_lines(thurrock_school, 2025, today=ON)
    # Thurrock hours are funded below their cost: a positive gap where support is costed.
    assert any(line.gap and line.gap > 0 for line in thurrock_lines)
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {"draft", "awarded"} <= statuses
    assert Payment.objects.exists()


def test_bands_the_reference_adds_to_a_running_deployment_rebuild_the_figures(las, monkeypatch):
    """A deployment whose figures are kept (the horizon set) and which lacks some reference
    bands: loading them may change schools' expected income, so the figures are rebuilt."""
    from funding import figures

    reference.load(today=ON)
    band(las["essex"], "4+").delete()
    rebuilt = []
    monkeypatch.setattr(figures, "banding_changed", lambda: rebuilt.append(True) or 0)
    reference.load(today=ON)
    assert rebuilt == [True]
    assert band(las["essex"], "4+").annual_value == Decimal("8000")
    rebuilt.clear()
    reference.load(today=ON)
    assert rebuilt == []
