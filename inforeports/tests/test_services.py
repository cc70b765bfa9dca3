"""The rules of the SEN information report: who writes what, one draft a year, the approval
that freezes a report, and every refusal changing nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from inforeports import selectors, services
from inforeports.models import InfoReport, TrustTemplate
from inforeports.schedule import HEADINGS, KEYS
from pupils.tests.factories import CensusSnapshotFactory

from .factories import template

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 10, 20)


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _fill(report, actor, text="Our school's text."):
    for key in KEYS:
        report = services.report_section_save(actor=actor, report=report, key=key, text=text)
    return report


def test_schedule_1_has_a_heading_for_each_of_its_thirteen_paragraphs():
    covered = {h.schedule.split("(")[0] for h in HEADINGS}
    assert covered == {str(n) for n in range(1, 14)}
    assert {"3(a) and 3(b)", "3(c) and 3(d)", "3(e)", "3(f)", "3(g)"} <= {h.schedule for h in HEADINGS}
    assert len(KEYS) == len(set(KEYS)) == 17


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2026, 8, 31), 2025),
        (dt.date(2026, 9, 1), 2026),
        (dt.date(2026, 9, 2), 2026),
    ],
)
def test_the_school_year_turns_on_1_september(day, year):
    assert selectors.academic_year_of(day) == year


def test_the_head_of_send_writes_the_template_and_a_senco_may_not(world):
    saved = services.template_save(
        actor=world.hos, trust=world.trust, sections={"kinds": "  All four areas.\r\n"}
    )
    assert saved.sections == {"kinds": "All four areas."} and saved.updated_by == world.hos
    with pytest.raises(ValidationError, match="Head of SEND"):
        services.template_save(actor=world.senco, trust=world.trust, sections={"kinds": "x"})
    with pytest.raises(ValidationError, match="Head of SEND"):
        services.template_save(actor=world.other_hos, trust=world.trust, sections={"kinds": "x"})
    with pytest.raises(ValidationError):
        services.template_save(
            actor=world.hos, trust=world.trust, sections={"kinds": "x" * (services.SECTION_MAX_CHARS + 1)}
        )
    with pytest.raises(ValidationError, match="No such heading"):
        services.template_save(actor=world.hos, trust=world.trust, sections={"nope": "x"})
    assert TrustTemplate.objects.get(trust=world.trust).sections == {"kinds": "All four areas."}


def test_a_draft_needs_the_trusts_template_first(world):
    with pytest.raises(ValidationError, match="no template"):
        services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY)
    assert not InfoReport.objects.exists()


@pytest.mark.parametrize(("year", "allowed"), [(2025, False), (2026, True), (2027, True), (2028, False)])
def test_a_draft_is_for_this_school_year_or_the_next(world, year, allowed):
    template(world.trust)
    if allowed:
        report = services.report_draft(
            actor=world.senco, school=world.school, academic_year=year, today=TODAY
        )
        assert (report.academic_year, report.version, report.status) == (year, 1, "draft")
    else:
        with pytest.raises(ValidationError, match="this school year or the next"):
            services.report_draft(actor=world.senco, school=world.school, academic_year=year, today=TODAY)
        assert not InfoReport.objects.exists()


def test_only_one_draft_a_year_and_only_by_the_schools_writers(world):
    template(world.trust)
    services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY)
    with pytest.raises(ValidationError, match="already a draft for 2026 to 2027"):
        services.report_draft(actor=world.hos, school=world.school, academic_year=2026, today=TODAY)
    for outsider in (world.head, world.executive, world.other_senco, world.other_hos):
        with pytest.raises(ValidationError, match="may not write"):
            services.report_draft(actor=outsider, school=world.school, academic_year=2027, today=TODAY)
    assert InfoReport.objects.count() == 1


def test_approval_freezes_the_policy_and_the_figures_with_the_date(world):
    template(world.trust, kinds="Policy before.")
    CensusSnapshotFactory(
        school=world.school,
        census_date=dt.date(2026, 10, 1),
        ehcp=7,
        sen_support=31,
        by_need={"SLCN": {"E": 7, "K": 31}},
    )
    report = _fill(
        services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY),
        world.senco,
    )
    approved = services.report_approve(actor=world.head, report=report, today=TODAY)
    assert (approved.status, approved.approved_on, approved.approved_by) == ("approved", TODAY, world.head)
    assert approved.approved_by_name == "Hannah Head"
    assert approved.census_date == dt.date(2026, 10, 1)
    assert approved.figures["ehcp"] == 7 and approved.figures["by_need"]["SLCN"] == {"E": 7, "K": 31}
    # Later changes to the template and the census reach drafts, never the approved report.
    template(world.trust, kinds="Policy after.")
    CensusSnapshotFactory(school=world.school, census_date=dt.date(2027, 1, 14), ehcp=9)
    view = selectors.report_view(InfoReport.objects.get(pk=approved.pk), today=dt.date(2027, 2, 1))
    assert view.sections[0].trust_text == "Policy before."
    assert view.figures.ehcp.value == 7 and view.figures.census_date == dt.date(2026, 10, 1)
    with pytest.raises(ValidationError, match="approved and is kept"):
        services.report_section_save(actor=world.senco, report=approved, key="kinds", text="New")
    with pytest.raises(ValidationError, match="approved and is kept"):
        services.report_approve(actor=world.head, report=approved, today=TODAY)
    assert InfoReport.objects.get(pk=approved.pk).school_text("kinds") == "Our school's text."


def test_a_change_after_approval_is_a_new_version_carrying_the_schools_text(world):
    template(world.trust)
    CensusSnapshotFactory(school=world.school, census_date=dt.date(2026, 10, 1))
    first = _fill(
        services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY),
        world.senco,
        "Ours.",
    )
    services.report_approve(actor=world.head, report=first, today=TODAY)
    second = services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY)
    assert second.version == 2 and second.is_draft
    assert second.school_text("senco") == "Ours."


def test_approval_is_refused_with_a_heading_empty_or_without_a_census(world):
    template(world.trust, senco="")
    report = services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY)
    with pytest.raises(ValidationError, match="Our SENCO and how to contact them"):
        services.report_approve(actor=world.head, report=report, today=TODAY)
    report = _fill(report, world.senco)
    with pytest.raises(ValidationError, match="no census figures"):
        services.report_approve(actor=world.head, report=report, today=TODAY)
    # A census after the day of approval is not the one it was drafted with.
    CensusSnapshotFactory(school=world.school, census_date=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="no census figures"):
        services.report_approve(actor=world.head, report=report, today=TODAY)
    assert InfoReport.objects.get(pk=report.pk).is_draft


def test_only_the_headteacher_approves(world):
    template(world.trust)
    CensusSnapshotFactory(school=world.school, census_date=dt.date(2026, 10, 1))
    report = _fill(
        services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY),
        world.senco,
    )
    for who in (world.senco, world.hos, world.executive, world.other_senco):
        with pytest.raises(ValidationError, match="headteacher"):
            services.report_approve(actor=who, report=report, today=TODAY)
    assert InfoReport.objects.get(pk=report.pk).is_draft


def test_a_section_is_written_by_the_schools_senco_and_checked(world):
    template(world.trust)
    report = services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY)
    with pytest.raises(ValidationError, match="may not write"):
        services.report_section_save(actor=world.other_senco, report=report, key="kinds", text="x")
    with pytest.raises(ValidationError, match="No such heading"):
        services.report_section_save(actor=world.senco, report=report, key="nope", text="x")
    with pytest.raises(ValidationError, match="6,000 characters or fewer"):
        services.report_section_save(actor=world.senco, report=report, key="kinds", text="x" * 6001)
    saved = services.report_section_save(actor=world.senco, report=report, key="kinds", text="x" * 6000)
    assert len(saved.school_text("kinds")) == 6000 and saved.updated_by == world.senco


def test_each_change_is_in_the_trusts_audit_log(world):
    from auditlog.models import LogEntry

    template(world.trust)
    services.template_save(actor=world.hos, trust=world.trust, sections={"kinds": "Changed."})
    report = services.report_draft(actor=world.senco, school=world.school, academic_year=2026, today=TODAY)
    services.report_section_save(actor=world.senco, report=report, key="kinds", text="Ours.")
    entries = LogEntry.objects.filter(additional_data__trust_id=world.trust.pk)
    assert entries.filter(object_pk=str(report.pk), additional_data__school_id=world.school.pk).count() == 2
    assert entries.filter(content_type__model="trusttemplate").exists()
