"""Plans and profiles made through the services, as a SENCO would make them."""

from __future__ import annotations

import datetime as dt

from support import services
from support.models import OnePageProfile, SupportPlan


def draft_plan(
    pupil,
    actor,
    *,
    starts_on: dt.date | None = None,
    review_due: dt.date | None = None,
    outcomes: int = 1,
    needs: str = "Finds reading aloud hard.",
) -> SupportPlan:
    today = dt.date.today()
    starts_on = starts_on or today - dt.timedelta(days=30)
    review_due = review_due or starts_on + dt.timedelta(weeks=12)
    plan = services.plan_start(
        actor=actor, pupil=pupil, starts_on=starts_on, review_due=review_due, from_last_review=False
    )
    plan = services.plan_update_assessment(
        actor=actor,
        plan=plan,
        needs=needs,
        strengths="Loves drawing and football.",
        tried_before="Small-group phonics in year 2.",
        pupil_views="I like reading with Mr Lee.",
        parent_views="Reading at home is a struggle.",
    )
    for i in range(outcomes):
        services.outcome_add(
            actor=actor,
            plan=plan,
            description=f"Read 20 key words ({i + 1})",
            success_criteria=f"Reads them aloud in 3 sessions ({i + 1})",
            support="Daily 10 minutes with the TA",
            review_by=review_due,
        )
    return plan


def current_plan(pupil, actor, **kwargs) -> SupportPlan:
    plan = draft_plan(pupil, actor, **kwargs)
    return services.plan_activate(actor=actor, plan=plan)


def reviewed_plan(pupil, actor, *, progress: str = "partly", **kwargs) -> SupportPlan:
    plan = current_plan(pupil, actor, **kwargs)
    held_on = min(dt.date.today(), plan.review_due)
    services.review_save(
        actor=actor,
        plan=plan,
        held_on=held_on,
        next_steps="Carry on with key words.",
        pupil_views="It is getting easier.",
        parent_views="Happier to read at home.",
        results={o.pk: services.OutcomeResult(progress, "Read 15 of 20 words.") for o in plan.outcomes.all()},
    )
    return services.review_record(actor=actor, plan=plan)


def profile(pupil, actor, **overrides) -> OnePageProfile:
    values = {
        "like_and_admire": "I am kind and I make people laugh.",
        "important_to_me": "My dog Biscuit and my nan.",
        "how_to_support": "Give me a minute to think before I answer.",
        "my_needs": "Reading is hard for me. Loud rooms make me worried.",
        "written_with": "Written with my mum and Miss Patel",
    }
    values.update(overrides)
    saved, _ = services.profile_save(actor=actor, pupil=pupil, **values)
    return saved
