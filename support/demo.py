"""Demo support plans and one-page profiles at Holy Cross Primary (8833001) and St Thomas More
High School (8824001), for six pupils at SEN Support in each: one with a past cycle reviewed
and a current plan whose review is overdue, one whose review is due within a week, one whose
last cycle was reviewed and whose next has not started, one with a review later in the term,
one with a draft, and profiles for most of them. Outcomes are linked to the pupil's provision
on the map when the provision demo gave them some.

Everything is written through support.services, with dates relative to the day of the run.
A pupil who already has a plan or a profile is left alone, so a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from provision.selectors import enrolments_for_pupil
from pupils.models import Provision, Pupil
from trusts.models import Membership, Role, School, User

from . import services
from .models import OnePageProfile, SupportPlan

SCHOOLS = ("8833001", "8824001")
HOS_EMAIL = "hos@demo.test"

# What a plan says, by the pupil's primary need: the assessment, then the outcomes.
PLANS: dict[str, dict[str, Any]] = {
    "SLCN": {
        "needs": "{name} finds it hard to follow instructions with more than two steps and to "
        "find the words to explain their ideas, especially in front of the class.",
        "strengths": "Kind and patient with younger children; good at Lego building and at "
        "drawing; remembers routines once they are shown.",
        "tried": "Visual timetable in class; word mats in English and science.",
        "outcomes": [
            (
                "Follow a three-step instruction in class",
                "Does it without a reminder in 4 of 5 lessons observed",
                "Instructions given in chunks with a visual cue; TA checks in",
            ),
            (
                "Explain an idea to a partner in a full sentence",
                "Uses a sentence stem to share an idea in paired talk in most lessons",
                "Talk Boost group twice a week",
            ),
        ],
    },
    "SEMH": {
        "needs": "{name} finds change and noisy times hard; at lunch and in transitions they can "
        "become upset and leave the room.",
        "strengths": "Creative, funny and good at looking after the class plants; loves football.",
        "tried": "A calm corner in class; a named adult to go to at lunchtime.",
        "outcomes": [
            (
                "Use the calm-down plan when feeling worried",
                "Uses the plan rather than leaving the room on 4 of 5 occasions in a week",
                "Daily check-in with the learning mentor",
            ),
            (
                "Join a lunchtime club twice a week",
                "Attends the club on two days in each of the last four weeks",
                "Lunch club with a named adult",
            ),
        ],
    },
    "ASD": {
        "needs": "{name} needs to know what will happen next and finds unexpected changes and "
        "crowded corridors very hard.",
        "strengths": "Knows a great deal about trains and maps; very accurate in maths.",
        "tried": "Now-and-next board; leaving lessons two minutes early.",
        "outcomes": [
            (
                "Manage a change to the day with a warning",
                "Stays in the lesson after a change is explained, on 4 of 5 occasions",
                "Visual timetable updated with {name} each morning",
            ),
            (
                "Work with one other pupil on a shared task",
                "Completes a paired task in three lessons a week",
                "Structured paired work in maths and science",
            ),
        ],
    },
    "SPLD": {
        "needs": "{name} reads well below the level of their year group and spelling makes "
        "writing slow and tiring.",
        "strengths": "Rich spoken vocabulary and great ideas for stories; works hard.",
        "tried": "Coloured overlays; a spelling log.",
        "outcomes": [
            (
                "Read the next 50 common exception words",
                "Reads them aloud accurately on two days running",
                "Precision teaching three times a week",
            ),
            (
                "Write a paragraph using a word bank",
                "Writes five sentences independently in English lessons",
                "Word bank and writing frame in every lesson",
            ),
        ],
    },
}
PLANS["MLD"] = PLANS["SPLD"]
DEFAULT_PLAN = PLANS["SLCN"]

PROFILES = [
    {
        "like_and_admire": "I am kind and I make people laugh. My friends say I am good at "
        "football and at drawing.",
        "important_to_me": "My mum, my little brother and our dog Biscuit. Playing football at "
        "break. Knowing what is happening next.",
        "how_to_support": "Tell me one thing at a time and show me. Give me a minute to think "
        "before I answer. Let me sit near the front.",
        "my_needs": "Reading and spelling are hard for me and I get tired when I have to write a "
        "lot. Loud rooms make me worried.",
        "written_with": "Written by me with my mum and my teacher",
    },
    {
        "like_and_admire": "I am honest and I always help set up the classroom. I know lots about trains.",
        "important_to_me": "My grandad, trains and maps, and having my own space at lunchtime.",
        "how_to_support": "Warn me if something is going to change. Let me use my ear defenders "
        "in assembly. Do not touch me without asking.",
        "my_needs": "I find it hard when plans change and when it is crowded. Sometimes I need a "
        "quiet place to calm down.",
        "written_with": "Written with my dad and the SENCO",
    },
]


def _lead(school: School) -> User | None:
    membership = (
        Membership.objects.filter(school=school, role=Role.SENCO)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    return membership.user if membership else User.objects.filter(email=HOS_EMAIL).first()


def _plan(
    pupil: Pupil, lead: User, starts_on: dt.date, review_due: dt.date, *, activate: bool = True
) -> SupportPlan:
    text = PLANS.get(pupil.primary_need, DEFAULT_PLAN)
    name = pupil.forename
    plan = services.plan_start(
        actor=lead, pupil=pupil, starts_on=starts_on, review_due=review_due, owner=lead
    )
    # A next cycle keeps the assessment carried over from the last; the views are new.
    services.plan_update_assessment(
        actor=lead,
        plan=plan,
        needs=plan.needs or text["needs"].format(name=name),
        strengths=plan.strengths or text["strengths"],
        tried_before=plan.tried_before or text["tried"],
        pupil_views=f"I want to get better at this. I like it when {lead.get_short_name()} "
        "checks in with me.",
        parent_views="We would like more ideas for helping at home.",
    )
    # The pupil's provision running during the cycle works towards the first outcome.
    enrolments = [
        e
        for e in enrolments_for_pupil(pupil)
        if e.start_date <= review_due and (e.end_date is None or e.end_date >= starts_on)
    ]
    if not plan.outcomes.exists():
        for i, (description, criteria, support) in enumerate(text["outcomes"]):
            services.outcome_add(
                actor=lead,
                plan=plan,
                description=description,
                success_criteria=criteria,
                support=support.format(name=name),
                review_by=review_due,
                enrolments=enrolments if i == 0 else (),
            )
    elif enrolments:  # outcomes carried over from the last cycle
        first = plan.outcomes.order_by("position").first()
        assert first is not None  # the plan has outcomes
        services.outcome_update(
            actor=lead,
            outcome=first,
            description=first.description,
            success_criteria=first.success_criteria,
            support=first.support,
            review_by=first.review_by,
            enrolments=enrolments,
        )
    if activate:
        plan = services.plan_activate(actor=lead, plan=plan)
    return plan


def _review(plan: SupportPlan, lead: User, held_on: dt.date, progress: list[str]) -> None:
    outcomes = list(plan.outcomes.order_by("position"))
    results = {
        o.pk: services.OutcomeResult(
            progress[i % len(progress)],
            "Seen in lessons and in the TA's notes."
            if progress[i % len(progress)] != "not_yet"
            else "Not yet seen without a prompt.",
        )
        for i, o in enumerate(outcomes)
    }
    services.review_save(
        actor=lead,
        plan=plan,
        held_on=held_on,
        next_steps="Keep the outcomes not yet achieved and add one about independence in lessons.",
        pupil_views="It is getting easier.",
        parent_views="Pleased with the progress; would like a copy of the word lists.",
        results=results,
    )
    services.review_record(actor=lead, plan=plan)


def _profile(pupil: Pupil, lead: User, which: int, versions: int = 1) -> None:
    for version in range(versions):
        values = dict(PROFILES[which % len(PROFILES)])
        if version:
            values["how_to_support"] += " Check in with me at the start of the day."
        services.profile_save(actor=lead, pupil=pupil, **values)


def _seed_school(school: School, today: dt.date) -> tuple[int, int]:
    lead = _lead(school)
    if lead is None:
        return 0, 0
    pupils = list(
        Pupil.objects.filter(
            school=school, provision=Provision.SEN_SUPPORT, left_school_on__isnull=True
        ).order_by("upn")[:6]
    )
    started = set(SupportPlan.objects.filter(pupil__in=pupils).values_list("pupil_id", flat=True))
    started |= set(OnePageProfile.objects.filter(pupil__in=pupils).values_list("pupil_id", flat=True))
    plans = profiles = 0

    def d(days: int) -> dt.date:
        return today + dt.timedelta(days=days)

    for i, pupil in enumerate(pupils):
        if pupil.pk in started:
            continue
        if i == 0:  # a cycle reviewed last term, and the current one's review overdue
            _review(_plan(pupil, lead, d(-160), d(-70)), lead, d(-68), ["achieved", "partly"])
            _plan(pupil, lead, d(-65), d(-4))
            _profile(pupil, lead, i, versions=2)
            plans, profiles = plans + 2, profiles + 2
        elif i == 1:  # review due within a week
            _plan(pupil, lead, d(-80), d(6))
            _profile(pupil, lead, i)
            plans, profiles = plans + 1, profiles + 1
        elif i == 2:  # reviewed, the next cycle not started yet
            _review(_plan(pupil, lead, d(-120), d(-20)), lead, d(-18), ["partly", "not_yet"])
            plans += 1
        elif i == 3:  # review later in the term
            _plan(pupil, lead, d(-30), d(45))
            _profile(pupil, lead, i)
            plans, profiles = plans + 1, profiles + 1
        elif i == 4:  # a draft being written
            _plan(pupil, lead, d(3), d(90), activate=False)
            plans += 1
    return plans, profiles


def seed(today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    plans = profiles = 0
    for school in School.objects.filter(laestab__in=SCHOOLS).order_by("laestab"):
        p, q = _seed_school(school, today)
        plans, profiles = plans + p, profiles + q
    return [f"support: {plans} SEN support plans and {profiles} one-page profile versions added"]
