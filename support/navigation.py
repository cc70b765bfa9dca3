"""What this app shows on other apps' pages, through trusts.navigation's registries: the
pupil page's sections (one-page profile, support plans), the SENCO's home page tasks, a link
on each school's page and an entry in the menu."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from trusts import access
from trusts.access import Capability as C
from trusts.navigation import (
    HomeTask,
    HomeTaskSource,
    NavItem,
    PupilRecord,
    PupilSection,
    PupilSectionContent,
    SchoolLink,
    register,
    register_home_tasks,
    register_pupil_section,
    register_school_link,
)

from . import selectors
from .selectors import Show


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def profile_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The latest version of the one-page profile. One query."""
    if not access.can(user, C.VIEW_SUPPORT_PLANS, pupil.school_id):
        return None
    latest = selectors.latest_profile(pupil)
    # A pupil who has left keeps their profile here as it was: their new school writes on.
    may_write = access.can(user, C.WRITE_SUPPORT_PLANS, pupil.school_id) and pupil.left_school_on is None
    records: tuple[PupilRecord, ...] = ()
    actions: tuple[tuple[str, str], ...] = ()
    if latest is not None:
        records = (
            PupilRecord(
                text=f"One-page profile, version {latest.version}, "
                f"updated {_d(timezone.localtime(latest.created_at).date())}",
                href=reverse("support:profile_detail", args=[pupil.pk]),
                detail=latest.written_with,
            ),
        )
        if may_write:
            actions = (("Update the profile", reverse("support:profile_edit", args=[pupil.pk])),)
    elif may_write:
        actions = (("Start a profile", reverse("support:profile_edit", args=[pupil.pk])),)
    return PupilSectionContent(records=records, empty="No one-page profile yet.", actions=actions)


def plans_section(pupil, user, today: dt.date) -> PupilSectionContent | None:
    """The pupil's plans, the open one first, then past cycles. One query."""
    if not access.can(user, C.VIEW_SUPPORT_PLANS, pupil.school_id):
        return None
    plans = selectors.plans_for_pupil(pupil)
    records = []
    due_next = ""
    for plan in plans:
        tag = selectors.plan_tag(plan, today)
        if plan.is_closed:
            assert plan.closed_on is not None  # support_plan_closed_has_date
            text = f"SEN support plan, {_d(plan.starts_on)} to {_d(plan.closed_on)} (reviewed)"
        else:
            text = f"SEN support plan from {_d(plan.starts_on)}, review {_d(plan.review_due)}"
            if not plan.is_draft:
                due_next = f"Plan review due {_d(plan.review_due)}"
        records.append(
            PupilRecord(text=text, href=reverse("support:plan_detail", args=[plan.pk]), status=tag.label)
        )
    actions: tuple[tuple[str, str], ...] = ()
    open_plan = any(not p.is_closed for p in plans)
    if (
        not open_plan
        and pupil.on_register
        and pupil.left_school_on is None
        and access.can(user, C.WRITE_SUPPORT_PLANS, pupil.school_id)
    ):
        label = "Start the next cycle" if plans else "Start a SEN support plan"
        actions = ((label, reverse("support:plan_new", args=[pupil.pk])),)
    return PupilSectionContent(
        records=tuple(records), empty="No SEN support plan yet.", due_next=due_next, actions=actions
    )


def home_tasks(user, schools, today: dt.date) -> list[HomeTask]:
    """Plan reviews overdue and due in the next 14 days, and pupils at SEN Support with no
    current plan, across the user's schools. Two queries."""
    ids = [s.pk for s in schools if access.can(user, C.VIEW_SUPPORT_PLANS, s.pk)]
    if not ids:
        return []
    counts = selectors.task_counts(school_ids=ids, today=today)
    base = reverse("support:plan_list")
    return [
        HomeTask(
            "SEN support plan reviews overdue",
            counts.overdue,
            f"{base}?show={Show.OVERDUE}",
            status="overdue",
            order=20,
        ),
        HomeTask(
            f"SEN support plan reviews due in the next {selectors.DUE_SOON_DAYS} days",
            counts.due_soon,
            f"{base}?show={Show.DUE_SOON}",
            status="due",
            order=21,
        ),
        HomeTask(
            "Pupils at SEN Support with no current plan",
            counts.without_plan,
            f"{base}?show={Show.NO_PLAN}",
            status="todo",
            order=22,
        ),
    ]


def register_all() -> None:
    register(NavItem("Support plans", "support:plan_list", C.VIEW_SUPPORT_PLANS, order=29))
    register_school_link(
        SchoolLink(
            "SEN support plans",
            "support:school_plans",
            C.VIEW_SUPPORT_PLANS,
            "Assess, plan, do, review: current plans, reviews due, past cycles, and pupils at SEN "
            "Support without a plan.",
            order=15,
        )
    )
    register_pupil_section(PupilSection("profile", "One-page profile", profile_section, order=35))
    register_pupil_section(PupilSection("support_plans", "SEN support plans", plans_section, order=40))
    register_home_tasks(HomeTaskSource("support", home_tasks, order=20))
