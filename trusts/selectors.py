import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from . import access, navigation
from .access import Capability
from .models import LoginEvent, Membership, School, Trust, User

if TYPE_CHECKING:
    from .handover import HandoverProvider, WorkItem


@dataclass
class TrustSchools:
    trust: Trust
    schools: list[School]


def visible_trusts_with_schools(user: User) -> list[TrustSchools]:
    """The trusts and schools the user may see, grouped by trust (two queries at most)."""
    groups: dict[int, TrustSchools] = {}
    for school in access.schools_for(user, Capability.VIEW_SCHOOL).order_by("trust__name", "name", "laestab"):
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
    tasks = [task for source in navigation.home_task_sources() for task in source.build(user, named, today)]
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


# --- Handing over a colleague's open work (trusts.handover) -------------------------------


@dataclass
class PersonWork:
    """Someone whose work may be handed over: their open records by kind, their roles here."""

    user: User
    counts: dict[str, int]  # provider key -> open records
    roles: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def handover_people(school_ids: set[int]) -> list[PersonWork]:
    """Everyone who owns open work at these schools or holds a school role there (a SENCO
    with nothing open can still have their role ended), busiest first. One query per kind of
    work and two more, whatever the number of people or records."""
    from . import handover

    counts: dict[int, dict[str, int]] = {}
    for provider in handover.providers():
        for owner_id, n in provider.owner_counts(school_ids).items():
            if owner_id is not None:
                counts.setdefault(owner_id, {})[provider.key] = n
    roles: dict[int, list[str]] = {}
    for m in (
        Membership.objects.filter(school_id__in=school_ids)
        .select_related("school")
        .order_by("school__name", "role")
    ):
        assert m.school is not None  # school_id__in above
        roles.setdefault(m.user_id, []).append(f"{m.get_role_display()}, {m.school.name}")
    users = User.objects.filter(pk__in=set(counts) | set(roles)).order_by("full_name", "email")
    people = [PersonWork(u, counts.get(u.pk, {}), roles.get(u.pk, [])) for u in users]
    return sorted(people, key=lambda p: -p.total)


@dataclass
class WorkGroup:
    provider: "HandoverProvider"
    items: "list[WorkItem]"


def handover_work(person: User, school_ids: set[int]) -> list[WorkGroup]:
    """`person`'s open records at these schools, grouped by kind (one query per kind)."""
    from . import handover

    return [WorkGroup(p, p.open_items(person.pk, school_ids)) for p in handover.providers()]


@dataclass
class Candidate:
    user: User
    roles: str  # "Head of SEND" or "SENCO, Holy Cross Primary"


def handover_candidates(
    trust: Trust, person: User, groups: list[WorkGroup], school_ids: set[int]
) -> list[Candidate]:
    """Who may take on all of `person`'s open work: each one allowed, by trusts.access, to own
    every record at its school. Colleagues at these schools and the trust's Heads of SEND (the
    stand-in while a post is vacant), never the person leaving or someone who cannot sign in.
    Queries grow with the number of colleagues, not with the number of records."""
    from django.db.models import Q

    from .models import SCHOOL_ROLES, TRUST_ROLES

    needed = {(g.provider.capability, item.school_id) for g in groups for item in g.items}
    memberships = (
        Membership.objects.filter(
            Q(school_id__in=school_ids, role__in=sorted(SCHOOL_ROLES))
            | Q(trust=trust, role__in=sorted(TRUST_ROLES))
        )
        .filter(user__is_active=True)
        .exclude(user=person)
        .select_related("user", "school")
        .order_by("user__full_name", "user__email", "role", "school__name")
    )
    roles: dict[int, list[str]] = {}
    users: dict[int, User] = {}
    for m in memberships:
        users[m.user_id] = m.user
        roles.setdefault(m.user_id, []).append(
            f"{m.get_role_display()}, {m.school.name}" if m.school is not None else m.get_role_display()
        )
    # With nothing open (only a role to end), whoever may manage cases at one of the schools.
    out = [
        Candidate(user, "; ".join(roles[pk]))
        for pk, user in users.items()
        if (
            all(access.can(user, capability, school) for capability, school in needed)
            if needed
            else any(access.can(user, Capability.MANAGE_CASES, school) for school in school_ids)
        )
    ]
    # The Head of SEND first: the stand-in whoever else is offered.
    return sorted(
        out, key=lambda c: (not c.roles.startswith("Head of SEND"), c.user.full_name or c.user.email)
    )
