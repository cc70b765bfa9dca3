"""The demo casework: idempotent, per-LA timeliness in the spirit of the LA notes."""

import datetime as dt

import pytest

from casework import demo as casework_demo
from casework import selectors
from casework.models import ActivityEntry, Case, CaseNote, EHCPlan, EHCRequest
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from trusts.models import School

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Case.objects.count(),
        CaseNote.objects.count(),
        EHCRequest.objects.count(),
        EHCPlan.objects.count(),
        ActivityEntry.objects.count(),
    )


def test_seed_is_idempotent_and_essex_and_southend_are_mostly_late(demo):
    # demo has run once already (without pupils unless the pupils app seeds them); add a few
    # pupils per school so the pupil-level items are made, then run twice.
    for school in School.objects.all():
        if not school.pupils.exists():
            for i in range(8):
                PupilFactory(
                    school=school,
                    year_group="6",
                    provision=Provision.EHC_PLAN if i < 6 else Provision.SEN_SUPPORT,
                )
    casework_demo.seed()
    first = _counts()
    casework_demo.seed()
    assert _counts() == first
    assert EHCPlan.objects.exists() and EHCRequest.objects.exists()
    assert Case.objects.filter(kind="tribunal_appeal", school__laestab="8833001").exists()
    term_start = dt.date(dt.date.today().year - (dt.date.today().month < 9), 9, 1)
    if (dt.date.today() - term_start).days > 7:  # at least one working week has passed
        assert ActivityEntry.objects.exists()

    today = dt.date.today()
    rows = selectors.la_timeliness(
        school_ids=School.objects.values_list("pk", flat=True),
        start=today - dt.timedelta(days=3 * 365),
        end=today,
        today=today,
    )
    by_la = {r.local_authority: r for r in rows}
    for name in ("Essex", "Southend-on-Sea"):
        assert by_la[name].within_20_weeks * 2 < by_la[name].plans_issued, name
    assert by_la["Thurrock"].within_20_weeks * 2 > by_la["Thurrock"].plans_issued


def test_every_e_pupil_has_a_plan_record_and_the_hub_pupils_link_to_each_record(demo, client):
    from trusts.models import User

    holy_cross = School.objects.get(laestab="8833001")
    at_e = list(
        holy_cross.pupils.filter(provision=Provision.EHC_PLAN, left_school_on__isnull=True).order_by("upn")
    )
    assert len(at_e) == 23  # as the reference census says
    live = EHCPlan.objects.filter(school=holy_cross, ceased_on__isnull=True)
    assert set(live.values_list("pupil_id", flat=True)) == {p.pk for p in at_e}
    assert live.filter(issue_date__isnull=True, made_from_register=True).count() == 17
    for laestab, email in (("8833001", "senco.holycross@demo.test"), ("8824001", "senco.stm@demo.test")):
        school = School.objects.get(laestab=laestab)
        hub = school.pupils.filter(provision=Provision.EHC_PLAN, left_school_on__isnull=True).order_by("upn")[
            3
        ]
        client.force_login(User.objects.get(email=email))
        body = client.get(f"/pupils/{hub.pk}/").content.decode()
        plan = EHCPlan.objects.get(pupil=hub, ceased_on__isnull=True)
        assert plan.reviews.exists()
        case = Case.objects.get(pupil=hub)
        claim = hub.funding_claims.get()
        for href in (
            f"/casework/plans/{plan.pk}/",
            f"/casework/cases/{case.pk}/",
            f"/funding/claims/{claim.pk}/",
        ):
            assert f'href="{href}"' in body, (laestab, href)
        assert "Annual review meeting" in body


def test_the_demo_has_consultations_at_every_stage_and_the_la_rules(demo):
    from casework.models import LAReviewRules, NamingConsultation

    for school in School.objects.all():
        if not school.pupils.exists():
            for i in range(8):
                PupilFactory(
                    school=school,
                    year_group="6",
                    provision=Provision.EHC_PLAN if i < 6 else Provision.SEN_SUPPORT,
                )
    casework_demo.seed()
    before = NamingConsultation.objects.count()
    casework_demo.seed()
    assert NamingConsultation.objects.count() == before > 0
    today = dt.date.today()
    stages = {selectors.consultation_stage(c) for c in NamingConsultation.objects.all()}
    assert "Response to draft" in stages
    assert "Response drafted: awaiting the headteacher's sign-off" in stages
    assert any(
        c.response_status(today) and c.response_status(today).state == "late"
        for c in NamingConsultation.objects.all()
    )
    assert LAReviewRules.objects.filter(local_authority__code__in=[881, 882, 883]).count() == 3
    assert EHCPlan.objects.filter(next_meeting_on__isnull=False).exists()
