import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from . import access, navigation
from .access import Capability
from .models import LoginEvent, Membership, School, Trust, User


@dataclass
class TrustSchools:
    trust: Trust
    schools: list[School]


def visible_trusts_with_schools(user: User) -> list[TrustSchools]:
    """The trusts and schools the user may see, grouped by trust (two queries at most)."""
    groups: dict[int, TrustSchools] = {}
    for school in access.schools_for(user, Capability.VIEW_SCHOOL).order_by(
        "trust__name", "name", "laestab"
    ):
        group = groups.setdefault(school.trust_id, TrustSchools(school.trust, []))
        group.schools.append(school)
    return list(groups.values())


def school_links_for(user: User, school: School) -> list[dict[str, str]]:
    links = []
    for link in navigation.school_links():
        if not access.can(user, link.capability, school):
            continue
        try:
            url = reverse(link.url_name, kwargs={"laestab": school.laestab})
        except NoReverseMatch:
            continue
        links.append({"label": link.label, "url": url, "description": link.description})
    return links


def home_tasks(user: User, schools: list[School], today: datetime.date) -> list[navigation.HomeTask]:
    """The SENCO's work for the week across their schools, from every app's registered source
    (trusts.navigation.home_task_sources), for the schools where the user may see pupils: none
    for a reader who may not (a trust executive sees no pupil-level work, and no names)."""
    named = [s for s in schools if access.can(user, Capability.VIEW_PUPILS, s)]
    if not named:
        return []
    tasks = [task for source in navigation.home_task_sources()
             for task in source.build(user, named, today)]
    return sorted(tasks, key=lambda t: (t.order, t.label))


def roles_description(user: User) -> list[str]:
    """'SENCO – Holy Cross Primary (8833001)' lines for the user's own roles."""
    return [
        f"{m.get_role_display()} – {m.school or m.trust or 'all trusts'}"
        for m in Membership.objects.filter(user=user).select_related("school", "trust")
    ]


def audit_entries_for_trust(trust: Trust) -> Any:  # auditlog ships no types
    """Audit rows about the trust's records, newest first (views, changes and exports)."""
    from auditlog.models import LogEntry

    return (
        LogEntry.objects.filter(additional_data__trust_id=trust.pk)
        .select_related("content_type")
        .order_by("-timestamp", "-pk")
    )


def login_events_for_trust(trust: Trust) -> QuerySet[LoginEvent]:
    """Sign-ins and failed attempts of the people who hold a role in the trust or its schools."""
    from django.db.models import Q

    people = Membership.objects.filter(Q(trust=trust) | Q(school__trust=trust)).values("user_id")
    return LoginEvent.objects.filter(user_id__in=people).select_related("user").order_by("-at", "-pk")
