"""Packs are built on the home LA's template from the pupil's records, show what is missing,
and are recorded as sent: an EHC request pack through casework's service (its date starts the
6-week clock), a top-up bid against a draft claim. Templates are checked; erasure and
subject-access exports cover the app."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from casework import services as casework_services
from casework.deadlines import State
from casework.models import EHCRequest
from evidence import reference, selectors, services
from evidence.models import EvidencePack, PackTemplate, ProfessionalInvolvement, TemplateSection
from funding import services as funding_services
from funding.models import Band, BandingScheme, ClaimStatus
from pupils.erasure import REDACTED_TEXT, PupilErasure, covered_models
from support.tests.factories import reviewed_plan
from trusts.models import LocalAuthority

from .conftest import TODAY, complete_record

pytestmark = pytest.mark.django_db


def ehc_pack(world, pupil=None, actor=None):
    return services.pack_start(actor=actor or world.senco_a, pupil=pupil or world.pupil_a, kind="ehc_request")


def draft_claim(world, pupil=None):
    pupil = pupil or world.pupil_a
    scheme, _ = BandingScheme.objects.get_or_create(
        local_authority=pupil.home_local_authority, financial_year=2025
    )
    band, _ = Band.objects.get_or_create(
        scheme=scheme, label="3", defaults={"annual_value": Decimal("4800"), "order": 3}
    )
    return funding_services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band,
        evidence_summary="Needs adult support all day",
        provision_to_fund="10 hours of TA support",
    )


def test_a_pack_goes_to_the_pupils_home_la_on_its_template(world):
    assert world.pupil_a.home_local_authority != world.school_a.local_authority
    pack = ehc_pack(world)
    assert pack.local_authority == world.home_la
    assert pack.template.local_authority == world.home_la
    assert pack.status == EvidencePack.Status.DRAFT and pack.sent_on is None


def test_no_template_for_the_home_la_is_refused_with_a_message(world):
    PackTemplate.objects.filter(local_authority=world.home_la, kind="ehc_request").delete()
    with pytest.raises(ValidationError, match="no ehc needs assessment request template"):
        ehc_pack(world)
    assert not EvidencePack.objects.exists()


def test_one_pack_of_a_kind_is_prepared_at_a_time(world):
    ehc_pack(world)
    with pytest.raises(ValidationError, match="already has"):
        ehc_pack(world)
    assert EvidencePack.objects.count() == 1


def test_a_top_up_bid_needs_one_of_the_pupils_draft_claims(world):
    with pytest.raises(ValidationError):
        services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="top_up")
    other = draft_claim(world, world.pupil_b)
    with pytest.raises(ValidationError, match="draft claims"):
        services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="top_up", claim=other)
    claim = draft_claim(world)
    pack = services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="top_up", claim=claim)
    assert pack.claim == claim


# --- what is missing -------------------------------------------------------------------------


def missing_keys(pack) -> list[str]:
    return [m.key for m in selectors.assemble_pack(pack).missing]


def test_a_bare_record_shows_everything_that_is_missing(world):
    pack = ehc_pack(world)
    texts = [m.text for m in selectors.assemble_pack(pack).missing]
    assert set(missing_keys(pack)) == {
        "cycles",
        "provision",
        "profile",
        "parent_views",
        "child_views",
        "professionals",
        "needs",
    }
    assert "Fewer than 2 completed cycles of assess, plan, do, review (0 completed)" in texts
    assert "No provision with entry and exit measures" in texts
    assert "No one-page profile" in texts
    assert "No parents' or carers' views recorded" in texts


def test_one_completed_cycle_is_not_enough(world):
    reviewed_plan(
        world.pupil_a,
        world.senco_a,
        starts_on=TODAY - dt.timedelta(days=120),
        review_due=TODAY - dt.timedelta(days=20),
    )
    assembled = selectors.assemble_pack(ehc_pack(world))
    assert assembled.completed_cycles == 1
    assert "Fewer than 2 completed cycles of assess, plan, do, review (1 completed)" in [
        m.text for m in assembled.missing
    ]
    # The cycle's views count: the parents' views are no longer missing.
    assert "parent_views" not in [m.key for m in assembled.missing]


def test_provision_without_an_exit_score_is_still_missing_its_measures(world):
    from provision.tests.factories import EnrolmentFactory, InterventionFactory

    EnrolmentFactory(
        intervention=InterventionFactory(school=world.school_a),
        pupil=world.pupil_a,
        entry_score=Decimal("70"),
    )
    assert "provision" in missing_keys(ehc_pack(world))


def test_a_complete_record_misses_nothing_and_fills_the_sections_in_the_las_order(world):
    complete_record(world.pupil_a, world.senco_a)
    pack = ehc_pack(world)
    assembled = selectors.assemble_pack(pack)
    assert assembled.missing == []
    headings = [s.heading for s in assembled.sections]
    assert headings == list(pack.template.sections.order_by("position").values_list("heading", flat=True))
    by_source = {s.source: s for s in assembled.sections}
    assert len(by_source["cycles"].tables) == 2
    provision = by_source["provision"].tables[0][2][0]
    assert provision[0] == "Precision teaching" and provision[5:] == ["72", "80"]
    assert provision[3].startswith("£")
    assert by_source["professionals"].lines[0][1].startswith("Working memory")


def test_the_template_order_decides_the_pack_order(world):
    pack = ehc_pack(world)
    sections = list(pack.template.sections.order_by("position"))
    first, last = sections[0], sections[-1]
    first.position, last.position = last.position, first.position
    services.template_save(actor=None, template=pack.template, sections=sections)
    headings = [s.heading for s in selectors.assemble_pack(pack).sections]
    assert headings[0] == last.heading and headings[-1] == first.heading


def test_template_checks_refuse_clashing_positions_and_a_claim_in_an_ehc_request(world):
    template = PackTemplate.objects.get(local_authority=world.home_la, kind="ehc_request")
    sections = list(template.sections.all())
    before = [(s.pk, s.position) for s in sections]
    sections[1].position = sections[0].position
    with pytest.raises(ValidationError, match="same position"):
        services.template_save(actor=None, template=template, sections=sections)
    claim_section = TemplateSection(position=99, heading="Band", source="claim")
    with pytest.raises(ValidationError, match="top-up bid only"):
        services.template_save(
            actor=None, template=template, sections=[*template.sections.all(), claim_section]
        )
    assert [(s.pk, s.position) for s in template.sections.all()] == before


def test_reference_templates_load_once_for_the_three_seed_las(world):
    from trusts.tests.factories import LocalAuthorityFactory

    # The fixture's LAs take factory codes, which can already be one of the three; their
    # templates, if any, are cleared so that the load has all six to add.
    for code in (881, 882, 883):
        if not LocalAuthority.objects.filter(code=code).exists():
            LocalAuthorityFactory(code=code)
    PackTemplate.objects.filter(local_authority__code__in=(881, 882, 883)).delete()
    first = reference.load()
    assert first == ["6 LA evidence pack templates added"]
    assert reference.load() == ["0 LA evidence pack templates added"]
    thurrock = PackTemplate.objects.get(local_authority__code=883, kind="ehc_request")
    assert thurrock.sections.first().heading == "1. Child's details"


# --- sending -----------------------------------------------------------------------------------


def test_sending_an_ehc_pack_starts_the_request_on_the_date_sent(world):
    pack = ehc_pack(world)
    sent_on = TODAY
    pack = services.pack_send(actor=world.senco_a, pack=pack, sent_on=sent_on)
    request = EHCRequest.objects.get(pupil=world.pupil_a)
    assert pack.ehc_request == request and pack.is_sent and pack.sent_on == sent_on
    assert request.request_date == sent_on and request.local_authority == world.home_la
    assert request.requested_by == "school" and request.owner == world.senco_a
    assert request.steps(TODAY)[0].status.due == sent_on + dt.timedelta(weeks=6)


@pytest.mark.parametrize(
    ("days_after_due", "state", "label"),
    [(-1, State.DUE, None), (0, State.DUE, "Due today"), (1, State.LATE, "Late (overdue, 1 day)")],
)
def test_the_six_week_clock_counts_from_the_date_sent_at_its_edges(world, days_after_due, state, label):
    # Sent 42 days + the offset ago: the decision whether to assess is due 42 days after.
    sent_on = TODAY - dt.timedelta(days=42 + days_after_due)
    pack = ehc_pack(world)
    EvidencePack.objects.filter(pk=pack.pk).update(
        created_at=dt.datetime.combine(sent_on, dt.time(9), tzinfo=dt.UTC)
    )
    pack = services.pack_send(actor=world.senco_a, pack=pack, sent_on=sent_on)
    decision = pack.ehc_request.steps(TODAY)[0]
    assert decision.status.due == sent_on + dt.timedelta(days=42)
    assert decision.status.state == state
    if label is None:  # the day before
        assert decision.status.days_left == 1
    else:
        assert decision.status.label == label


def test_the_date_sent_is_checked_at_its_edges(world):
    pack = ehc_pack(world)
    with pytest.raises(ValidationError, match="future"):
        services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="before the pack was started"):
        services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY - dt.timedelta(days=1))
    assert not EHCRequest.objects.exists()
    pack.refresh_from_db()
    assert not pack.is_sent
    services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY)
    with pytest.raises(ValidationError, match="already sent"):
        services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY)
    assert EHCRequest.objects.count() == 1


def test_a_request_already_in_progress_refuses_the_send_and_changes_nothing(world):
    casework_services.ehc_request_create(
        actor=world.senco_a, pupil=world.pupil_a, requested_by="parent", request_date=TODAY
    )
    pack = ehc_pack(world)
    with pytest.raises(ValidationError, match="already has an assessment request"):
        services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY)
    pack.refresh_from_db()
    assert not pack.is_sent and pack.sent_content == []
    assert EHCRequest.objects.count() == 1


def test_a_sent_pack_keeps_what_it_said(world):
    complete_record(world.pupil_a, world.senco_a)
    pack = services.pack_send(actor=world.senco_a, pack=ehc_pack(world), sent_on=TODAY)
    ProfessionalInvolvement.objects.update(advice="Changed afterwards")
    sections = selectors.from_snapshot(pack)
    professionals = next(s for s in sections if s.source == "professionals")
    assert professionals.lines[0][1].startswith("Working memory")


def test_a_top_up_bid_is_recorded_as_sent_against_its_draft_claim(world):
    claim = draft_claim(world)
    pack = services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="top_up", claim=claim)
    pack = services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY)
    assert pack.is_sent and pack.claim == claim and pack.ehc_request is None
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT  # submitting stays with those who may
    assert not EHCRequest.objects.exists()
    band = next(s for s in pack.sent_content if s["source"] == "claim")
    assert ["Band requested", "Band 3"] in band["lines"]


def test_a_top_up_bid_for_a_claim_no_longer_a_draft_is_refused(world):
    claim = draft_claim(world)
    pack = services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="top_up", claim=claim)
    funding_services.claim_submit(actor=None, claim=claim, submitted_on=TODAY)
    with pytest.raises(ValidationError, match="no longer a draft"):
        services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY)
    pack.refresh_from_db()
    assert not pack.is_sent


def test_a_sent_pack_cannot_be_deleted(world):
    pack = services.pack_send(actor=world.senco_a, pack=ehc_pack(world), sent_on=TODAY)
    with pytest.raises(ValidationError):
        services.pack_discard(actor=world.senco_a, pack=pack)
    assert EvidencePack.objects.filter(pk=pack.pk).exists()


def test_professionals_bad_input_is_refused_with_messages(world):
    with pytest.raises(ValidationError) as e:
        services.professional_add(
            actor=world.senco_a,
            pupil=world.pupil_a,
            role="wizard",
            who=" ",
            started_on=TODAY + dt.timedelta(days=1),
            advice="",
            report_on=TODAY,
        )
    assert set(e.value.error_dict) == {"role", "who", "advice", "started_on", "report_on"}
    assert not ProfessionalInvolvement.objects.exists()


# --- erasure and subject access ----------------------------------------------------------------


def test_erasure_blanks_what_packs_and_professionals_say_about_the_child(world):
    complete_record(world.pupil_a, world.senco_a)
    pack = services.pack_send(actor=world.senco_a, pack=ehc_pack(world), sent_on=TODAY)
    other = services.professional_add(
        actor=world.senco_a,
        pupil=world.pupil_b.__class__.objects.create(
            school=world.school_a,
            upn="A123456789012",
            surname="Other",
            forename="Olly",
            date_of_birth=dt.date(2016, 1, 1),
            year_group="4",
            home_local_authority=world.school_a.local_authority,
            provision="K",
        ),
        role="salt",
        who="Clinic",
        started_on=TODAY,
        advice="Works well alongside Amira Khanova.",
    )
    assert {EvidencePack, ProfessionalInvolvement} <= covered_models()
    services.pupil_evidence_erase(PupilErasure.of(world.pupil_a))
    pack.refresh_from_db()
    assert "Khanova" not in str(pack.sent_content) and "Working memory" not in str(pack.sent_content)
    mine = ProfessionalInvolvement.objects.get(pupil=world.pupil_a)
    assert mine.advice == REDACTED_TEXT and mine.who == REDACTED_TEXT
    other.refresh_from_db()
    assert other.advice == f"Works well alongside {REDACTED_TEXT}."


def test_subject_access_export_includes_packs_and_professionals(world):
    from privacy.selectors import subject_access_sections

    complete_record(world.pupil_a, world.senco_a)
    pack = services.pack_send(actor=world.senco_a, pack=ehc_pack(world), sent_on=TODAY)
    sections = {s.key: s for s in subject_access_sections(world.pupil_a)}
    packs = sections["evidence_packs"].rows
    assert packs[0][0] == pack.pk and packs[0][6] == TODAY.isoformat()
    assert "Working memory" in packs[0][10]
    assert sections["outside_professionals"].rows[0][1] == "Educational psychologist"
