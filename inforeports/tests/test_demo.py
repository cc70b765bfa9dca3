"""The demo: each reference trust's template, and for every school last year's approved report
(with the census figures of the time) and this year's draft; nothing new on a second run."""

import datetime as dt

import pytest
from django_scopes import scopes_disabled

from inforeports import demo, selectors
from inforeports.models import InfoReport, TrustTemplate
from trusts.models import School

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_school_an_approved_report_and_a_draft(demo_people):
    today = dt.date.today()
    from pupils import demo as pupils_demo

    pupils_demo.seed(today=today)
    lines = demo.seed(today=today)
    assert "2 trust templates" in lines[0]
    this_year = selectors.academic_year_of(today)
    with scopes_disabled():
        schools = list(School.objects.all())
        assert TrustTemplate.objects.count() == 2
        for school in schools:
            reports = {(r.academic_year, r.status) for r in InfoReport.objects.filter(school=school)}
            assert reports == {(this_year - 1, "approved"), (this_year, "draft")}, school
        approved = InfoReport.objects.filter(status="approved", school__laestab="8833001").get()
        assert approved.approved_on == dt.date(this_year - 1, 11, 15)
        assert approved.approved_by.email == "head.holycross@demo.test"
        assert approved.figures["number_on_roll"] > 0
        draft = InfoReport.objects.get(status="draft", school__laestab="8833001")
        changes = selectors.changes_since_last_year(draft, today=today)
        assert {c.heading.key for c in changes.changed_sections} == {"progress", "extra_support", "wellbeing"}
        rows = sorted(InfoReport.objects.values_list("pk", "updated_at"))
    assert "0 trust templates, 0 schools" in demo.seed(today=today)[0]
    with scopes_disabled():
        assert sorted(InfoReport.objects.values_list("pk", "updated_at")) == rows
