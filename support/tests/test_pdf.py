"""The plan for parents and the one-page profile as PDFs: they render, say what they should,
carry a title and a language, print markup as text, and the profile fits one A4 page."""

import datetime as dt
import io
import os

import pytest
from pypdf import PdfReader

from provision.tests.factories import DeliveryFactory, EnrolmentFactory, InterventionFactory
from support import pdf, services

from .factories import current_plan, draft_plan, profile, reviewed_plan

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
HOSTILE = '<b>bold</b><img src="http://example.com/x.png">'


def text_of(document: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(document))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def keep(document: bytes, name: str) -> None:
    """Keep a copy to look at (pdftoppm -png -r 60 FILE /tmp/x) when SUPPORT_PDF_DIR is set."""
    folder = os.environ.get("SUPPORT_PDF_DIR")
    if folder:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(document)


def test_a_reviewed_plan_prints_for_parents_with_its_outcomes_delivery_and_review(world):
    intervention = InterventionFactory(
        school=world.school_a, name="Precision teaching", sessions_per_week=3, weeks=52
    )
    enrolment = EnrolmentFactory(
        intervention=intervention, pupil=world.pupil_a, start_date=TODAY - dt.timedelta(days=60)
    )
    for days_ago in (50, 40, 30, 20):
        DeliveryFactory(
            intervention=intervention, date=TODAY - dt.timedelta(days=days_ago), attended=[enrolment]
        )
    plan = draft_plan(
        world.pupil_a,
        world.senco_a,
        outcomes=0,
        starts_on=TODAY - dt.timedelta(days=56),
        review_due=TODAY - dt.timedelta(days=1),
    )
    services.outcome_add(
        actor=world.senco_a,
        plan=plan,
        description="Read the first 100 high-frequency words",
        success_criteria="Reads them on flash cards two days running",
        support="Precision teaching, 3 times a week",
        review_by=plan.review_due,
        enrolments=[enrolment],
    )
    services.outcome_add(
        actor=world.senco_a,
        plan=plan,
        description="Ask for help when stuck",
        success_criteria="Uses the help card in most lessons",
        review_by=plan.review_due,
    )
    services.plan_activate(actor=world.senco_a, plan=plan)
    first, second = plan.outcomes.all()
    services.review_save(
        actor=world.senco_a,
        plan=plan,
        held_on=TODAY,
        next_steps="Move on to the next 100 words.",
        pupil_views="I like the flash cards.",
        parent_views="We practise at home.",
        results={
            first.pk: services.OutcomeResult("achieved", "Read 100 of 100"),
            second.pk: services.OutcomeResult("partly", "Sometimes"),
        },
    )
    plan = services.review_record(actor=world.senco_a, plan=plan)
    document = pdf.plan_pdf(plan, today=TODAY)
    keep(document, "plan-reviewed.pdf")
    reader, text = text_of(document)
    for expected in (
        "SEN support plan for Amira Khanova",
        "What we are working towards",
        "Read the first 100 high-",
        "Uses the help card",
        "Precision teaching",
        "Achieved",
        "Partly achieved",
        "Read 100 of 100",
        "Move on to the next 100 words.",
        "I like the flash cards.",
        "What school has done",
        "Alpha Primary",
        "Reviewed on",
    ):
        assert expected in text, expected
    assert "Draft" not in text
    assert reader.metadata.title == "SEN support plan for Amira Khanova"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_a_current_plan_says_when_the_review_will_be(world):
    plan = current_plan(world.pupil_a, world.senco_a)
    _, text = text_of(pdf.plan_pdf(plan, today=TODAY))
    assert f"The review will be on or before {plan.review_due:%-d %B %Y}" in text
    assert "Read 20 key words (1)" in text


def test_markup_in_a_plan_is_printed_as_text_and_nothing_is_fetched(world):
    plan = draft_plan(world.pupil_a, world.senco_a, needs=HOSTILE)
    _, text = text_of(pdf.plan_pdf(plan, today=TODAY))
    assert "<b>bold</b>" in text and "<img" in text


def test_the_profile_prints_on_one_a4_page_with_the_longest_parts_allowed(world):
    most, lines = services.PROFILE_PART_MAX_CHARS, services.PROFILE_PART_MAX_LINES
    longest = ("I like it when people explain things twice. " * 40)[:most]
    short_lines = "\n".join(["Short line."] * lines)
    # Capitals are the widest text: each line wraps, as many lines as allowed.
    wide_lines = "\n".join(["MY BEST FRIEND AT SCHOOL IS CALLED MOHAMMED ALI"] * lines)[:most]
    words = ("Sometimes I need a quiet space to calm down when it is noisy\n\n" * 8).strip()
    for body in (longest, short_lines, wide_lines, words):
        saved = profile(
            world.pupil_a,
            world.senco_a,
            like_and_admire=body,
            important_to_me=body,
            how_to_support=body,
            my_needs=body,
            written_with="Written by Amira with her mum, her big brother and "
            "Mrs Okonkwo-Fairweather, her class teacher",
        )
        document = pdf.profile_pdf(saved)
        keep(document, f"profile-v{saved.version}.pdf")
        reader, text = text_of(document)
        assert len(reader.pages) == 1, body[:40]
        width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
        assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
        assert "How best to support me" in text and "Amira Khanova" in text
        assert reader.metadata.title == "One-page profile: Amira Khanova"
        assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_a_typical_profile_says_what_the_child_said(world):
    saved = profile(world.pupil_a, world.senco_a, how_to_support=HOSTILE)
    document = pdf.profile_pdf(saved)
    keep(document, "profile-typical.pdf")
    _, text = text_of(document)
    assert "My dog Biscuit and my nan." in text and "<b>bold</b>" in text
    assert "Version 1" in text


def test_a_plan_with_a_past_cycle_prints_the_next_steps_it_started_from(world):
    reviewed_plan(
        world.pupil_a,
        world.senco_a,
        starts_on=TODAY - dt.timedelta(days=120),
        review_due=TODAY - dt.timedelta(days=30),
    )
    plan = services.plan_start(
        actor=world.senco_a, pupil=world.pupil_a, starts_on=TODAY, review_due=TODAY + dt.timedelta(weeks=12)
    )
    document = pdf.plan_pdf(plan, today=TODAY)
    keep(document, "plan-draft-next-cycle.pdf")
    _, text = text_of(document)
    assert "Next steps agreed at the last review" in text and "Carry on with key words." in text
    assert "Draft: not yet agreed" in text


def test_the_plan_and_the_profile_are_tagged_pdfs_with_title_and_language(world):
    from tests.pdf_checks import assert_accessible_pdf

    plan = current_plan(world.pupil_a, world.senco_a)
    document = pdf.plan_pdf(plan, today=TODAY)
    keep(document, "plan-tagged.pdf")
    tags = assert_accessible_pdf(document, title="SEN support plan for Amira Khanova")
    assert tags["/H1"] == 1 and tags["/Table"] >= 1
    one_page = profile(world.pupil_a, world.senco_a)
    tags = assert_accessible_pdf(pdf.profile_pdf(one_page), title="One-page profile: Amira Khanova")
    assert tags["/H1"] == 1
