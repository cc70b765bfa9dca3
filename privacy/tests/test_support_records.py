"""SEN support plans and one-page profiles in subject-access exports and erasure."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from privacy import selectors, services
from privacy.selectors import REDACTED_TEXT
from support import services as support_services
from support.models import OnePageProfile, Outcome, PlanReview, SupportPlan

from .conftest import reauthenticate

pytestmark = pytest.mark.django_db


def _rows(archive, section):
    return list(csv.reader(io.StringIO(archive.read(f"{section}.csv").decode("utf-8-sig"))))


def test_the_export_holds_the_pupils_plans_outcomes_reviews_and_every_profile_version(client, world):
    support_services.profile_save(
        actor=world.senco,
        pupil=world.p,
        like_and_admire="Version two",
        important_to_me="x",
        how_to_support="y",
        my_needs="z",
    )
    reauthenticate(client, world.hos)
    response = client.post(reverse("privacy:pupil_export", kwargs={"pk": world.p.pk}))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    plans = _rows(archive, "support_plans")
    assert len(plans) == 2 and "Zuzanna Kowalczyk finds reading hard (p-history)" in plans[1]
    outcomes = _rows(archive, "support_plan_outcomes")
    assert outcomes[1][2] == "Zuzanna reads 20 words (p-history)"
    assert outcomes[1][6] == "Partly achieved"
    reviews = _rows(archive, "support_plan_reviews")
    assert reviews[1][2] == "More for Zuzanna Kowalczyk"
    profiles = _rows(archive, "one_page_profiles")
    assert [row[0] for row in profiles[1:]] == ["1", "2"]
    everything = "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    assert "q-history" not in everything and "Tobias" not in everything
    audit = _rows(archive, "audit")
    assert any(row[3] == "supportplan" for row in audit[1:])
    assert any(row[3] == "onepageprofile" for row in audit[1:])


def test_erasure_empties_every_text_of_the_plans_and_profiles_and_keeps_their_shape(world):
    p = world.p_rows
    services.pupil_erase(actor=world.hos, pupil=world.p, reason="subject_request")
    plan = SupportPlan.objects.get(pk=p["support_plan"].pk)
    assert {plan.needs, plan.strengths, plan.tried_before, plan.pupil_views, plan.parent_views} == {
        REDACTED_TEXT
    }
    assert plan.status == SupportPlan.Status.CLOSED and plan.starts_on == p["support_plan"].starts_on
    outcome = Outcome.objects.get(pk=p["support_outcome"].pk)
    assert {outcome.description, outcome.success_criteria, outcome.evidence} == {REDACTED_TEXT}
    assert outcome.progress == "partly"
    review = PlanReview.objects.get(pk=p["support_review"].pk)
    assert {review.next_steps, review.pupil_views, review.parent_views} == {REDACTED_TEXT}
    profile = OnePageProfile.objects.get(pk=p["profile"].pk)
    assert {
        profile.like_and_admire,
        profile.important_to_me,
        profile.how_to_support,
        profile.my_needs,
        profile.written_with,
    } == {REDACTED_TEXT}
    # Another pupil's plan keeps its own text.
    q_plan = SupportPlan.objects.get(pk=world.q_rows["support_plan"].pk)
    assert q_plan.needs == "Tobias Abernethy finds reading hard (q-history)"


def test_erasure_cuts_the_pupils_name_out_of_other_pupils_plans_and_profiles(world):
    q_plan = world.q_rows["support_plan"]
    SupportPlan.objects.filter(pk=q_plan.pk).update(strengths="Plays well with Zuzanna Kowalczyk at break")
    OnePageProfile.objects.filter(pk=world.q_rows["profile"].pk).update(
        important_to_me="My friend ZUZANNA KOWALCZYK and my cat"
    )
    services.pupil_erase(actor=world.hos, pupil=world.p, reason="subject_request")
    assert SupportPlan.objects.get(pk=q_plan.pk).strengths == f"Plays well with {REDACTED_TEXT} at break"
    profile = OnePageProfile.objects.get(pk=world.q_rows["profile"].pk)
    assert profile.important_to_me == f"My friend {REDACTED_TEXT} and my cat"
    assert profile.how_to_support == "Time to think"


def test_subject_access_sections_name_the_support_records(world):
    keys = [s.key for s in selectors.subject_access_sections(world.p)]
    assert {"support_plans", "support_plan_outcomes", "support_plan_reviews", "one_page_profiles"} <= set(
        keys
    )
    assert keys[-1] == "audit"
