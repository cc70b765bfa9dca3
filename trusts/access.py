"""The one access policy: which schools and trusts a user may see or change, and what they
may do there. Every view, export, report and download asks this module; nothing else in the
code decides access.

Two layers keep it fail-closed:
* TenantScopeMiddleware activates a django-scopes scope holding the schools the user may see,
  so every query on a tenant-owned model (pupils, claims, cases, reports...) is filtered to
  them, and a query made outside any scope raises ScopeError instead of returning everything.
* Views then ask for the capability they need in a school (`get_school_for_user`,
  `schools_for`): a school the user has no such role in answers 404, never its data.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import SCHOOL_ROLES, TRUST_ROLES, Role, School, Trust, User


class Capability(StrEnum):
    VIEW_SCHOOL = "view_school"  # the school's page and figures without pupil names
    VIEW_PUPILS = "view_pupils"  # pupil names and records
    EDIT_REGISTER = "edit_register"  # add, change or remove pupils between censuses
    IMPORT_CENSUS = "import_census"
    VIEW_CASES = "view_cases"
    MANAGE_CASES = "manage_cases"
    PREPARE_CLAIMS = "prepare_claims"
    SUBMIT_CLAIMS = "submit_claims"  # submit claims and record the LA's decisions
    VIEW_FUNDING = "view_funding"  # funding totals (pupil lines need VIEW_PUPILS too)
    VIEW_TRUST_DASHBOARD = "view_trust_dashboard"
    REQUEST_BOARD_PACK = "request_board_pack"
    LOG_ACTIVITY = "log_activity"  # the Head of SEND's activity log
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    VIEW_SUPPORT_PLANS = "view_support_plans"  # SEN support plans and one-page profiles
    WRITE_SUPPORT_PLANS = "write_support_plans"
    # Hand a leaving colleague's open work to another owner, and end their role at a school.
    HAND_OVER_WORK = "hand_over_work"
    # The SEN information report (SEND Regulations 2014, regulation 51): the trust's policy
    # text under the Schedule 1 headings, each school's own sections, and the headteacher's
    # approval, which is what publishes it.
    WRITE_INFO_TEMPLATE = "write_info_template"
    EDIT_INFO_REPORT = "edit_info_report"
    APPROVE_INFO_REPORT = "approve_info_report"
    VIEW_EVIDENCE_PACKS = "view_evidence_packs"  # EHC request and top-up evidence packs
    WRITE_EVIDENCE_PACKS = "write_evidence_packs"  # build and send them
    # The headteacher's sign-off of the school's response to an LA consulting it on being
    # named in an EHC plan (Children and Families Act 2014 s.39): the head's alone.
    SIGN_OFF_CONSULTATIONS = "sign_off_consultations"


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.SENCO: frozenset(
        {
            C.VIEW_SCHOOL,
            C.VIEW_PUPILS,
            C.EDIT_REGISTER,
            C.VIEW_CASES,
            C.MANAGE_CASES,
            C.PREPARE_CLAIMS,
            C.VIEW_FUNDING,
            C.VIEW_SUPPORT_PLANS,
            C.WRITE_SUPPORT_PLANS,
            C.EDIT_INFO_REPORT,
            C.VIEW_EVIDENCE_PACKS,
            C.WRITE_EVIDENCE_PACKS,
        }
    ),
    Role.HEADTEACHER: frozenset(
        {
            C.VIEW_SCHOOL,
            C.VIEW_PUPILS,
            C.VIEW_CASES,
            C.VIEW_FUNDING,
            C.SUBMIT_CLAIMS,
            C.VIEW_SUPPORT_PLANS,
            C.APPROVE_INFO_REPORT,
            C.VIEW_EVIDENCE_PACKS,
            C.SIGN_OFF_CONSULTATIONS,
        }
    ),
    # The headteacher signs off each school's information report for its governors, and the
    # school's response to an LA's consultation on naming it: the Head of SEND writes the trust's
    # template and may help with a school's draft or response, not approve it.
    Role.HEAD_OF_SEND: frozenset(Capability)
    - {C.MANAGE_USERS, C.APPROVE_INFO_REPORT, C.SIGN_OFF_CONSULTATIONS},
    Role.TRUST_EXECUTIVE: frozenset(
        {C.VIEW_SCHOOL, C.VIEW_FUNDING, C.VIEW_TRUST_DASHBOARD, C.REQUEST_BOARD_PACK}
    ),
    Role.DATA_ADMIN: frozenset({C.VIEW_SCHOOL, C.VIEW_PUPILS, C.IMPORT_CENSUS, C.MANAGE_USERS, C.VIEW_AUDIT}),
    Role.PLATFORM_ADMIN: frozenset(Capability),
}
# Capabilities that only make sense for a whole trust: a school role never grants them.
TRUST_LEVEL = frozenset(
    {C.VIEW_TRUST_DASHBOARD, C.REQUEST_BOARD_PACK, C.LOG_ACTIVITY, C.HAND_OVER_WORK, C.WRITE_INFO_TEMPLATE}
)


class _Grants:
    """What one user may do, worked out once per request from their memberships."""

    def __init__(self, user: User):
        self.roles: set[str] = set()
        self.school_ids: dict[Capability, set[int]] = {c: set() for c in Capability}
        self.trust_ids: dict[Capability, set[int]] = {c: set() for c in Capability}
        if not (user and user.is_authenticated and user.is_active):
            return
        # The memberships with the schools of each trust-wide role's trust, in one query.
        rows = list(user.memberships.values_list("role", "trust_id", "school_id", "trust__schools__id"))
        memberships = {(role, trust_id, school_id) for role, trust_id, school_id, _ in rows}
        self.roles = {role for role, _, _ in memberships}
        schools_by_trust: dict[int, set[int]] = {}
        if Role.PLATFORM_ADMIN in self.roles:
            for school_id, trust_id in School.objects.values_list("pk", "trust_id"):
                schools_by_trust.setdefault(trust_id, set()).add(school_id)
        else:
            for role, trust_id, _, trust_school_id in rows:
                if role in TRUST_ROLES and trust_school_id is not None:
                    schools_by_trust.setdefault(trust_id, set()).add(trust_school_id)
        for role, trust_id, school_id in memberships:
            caps = ROLE_CAPABILITIES.get(role, frozenset())
            if role == Role.PLATFORM_ADMIN:
                scope_trusts = set(schools_by_trust)
                scope_schools = set().union(set(), *schools_by_trust.values())
            elif role in TRUST_ROLES:
                scope_trusts = {trust_id}
                scope_schools = schools_by_trust.get(trust_id, set())
            elif role in SCHOOL_ROLES:
                scope_trusts = set()
                scope_schools = {school_id}
            else:  # an unknown role grants nothing
                continue
            for cap in caps:
                self.trust_ids[cap] |= scope_trusts
                if cap not in TRUST_LEVEL or role not in SCHOOL_ROLES:
                    self.school_ids[cap] |= scope_schools


def _grants(user) -> _Grants:
    # Cached on the user object: request.user is fresh for every request, so a change of
    # roles takes effect on the next request.
    grants = getattr(user, "_send_grants", None)
    if grants is None:
        grants = _Grants(user)
        if user is not None and user.is_authenticated:
            user._send_grants = grants
    return grants


def forget(user) -> None:
    """Drop the cached grants (after memberships changed within one request or test)."""
    if hasattr(user, "_send_grants"):
        del user._send_grants


def school_ids_for(user, capability: Capability = C.VIEW_SCHOOL) -> frozenset[int]:
    return frozenset(_grants(user).school_ids[capability])


def schools_for(user, capability: Capability = C.VIEW_SCHOOL) -> QuerySet[School]:
    # One array parameter (core.lookups): a Head of SEND's hundreds of schools as a parameter
    # each cost more to prepare than the query.
    return School.objects.filter(pk__any_of=school_ids_for(user, capability)).select_related(
        "trust", "local_authority"
    )


def trust_ids_for(user, capability: Capability) -> frozenset[int]:
    return frozenset(_grants(user).trust_ids[capability])


def trusts_for(user, capability: Capability) -> QuerySet[Trust]:
    """Trusts in which the user holds a trust-wide role granting `capability`."""
    return Trust.objects.filter(pk__in=trust_ids_for(user, capability))


def can(user, capability: Capability, school: School | int) -> bool:
    school_id = school if isinstance(school, int) else school.pk
    return school_id in _grants(user).school_ids[capability]


def can_anywhere(user, capability: Capability) -> bool:
    return bool(_grants(user).school_ids[capability] or _grants(user).trust_ids[capability])


def can_in_trust(user, capability: Capability, trust: Trust | int) -> bool:
    trust_id = trust if isinstance(trust, int) else trust.pk
    return trust_id in _grants(user).trust_ids[capability]


def roles_of(user) -> frozenset[str]:
    return frozenset(_grants(user).roles)


def get_school_for_user(user, laestab: str, capability: Capability = C.VIEW_SCHOOL) -> School:
    """The school with this LAESTAB if the user has `capability` there, else 404 (the same
    answer whether the school does not exist or is not the user's)."""
    school = School.objects.select_related("trust", "local_authority").filter(laestab=laestab).first()
    if school is None or not can(user, capability, school):
        raise Http404("No such school.")
    return school


def get_trust_for_user(user, slug: str, capability: Capability) -> Trust:
    try:
        return trusts_for(user, capability).get(slug=slug)
    except Trust.DoesNotExist:
        raise Http404("No such trust.") from None


def users_allowed(capability: Capability, school: School) -> QuerySet[User]:
    """The active users who hold `capability` at `school`, by the same table as every check
    above: a school role there, a trust-wide role in its trust, or platform admin. For
    offering people to choose (the owner of a case); the choice is checked again with `can`."""

    def roles(among) -> list[str]:
        return sorted(r for r in among if capability in ROLE_CAPABILITIES.get(r, frozenset()))

    school_roles = [] if capability in TRUST_LEVEL else roles(SCHOOL_ROLES)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__school=school, memberships__role__in=school_roles)
            | Q(memberships__trust_id=school.trust_id, memberships__role__in=roles(TRUST_ROLES))
            | Q(memberships__role__in=roles({Role.PLATFORM_ADMIN}))
        )
        .distinct()
    )


def requires_two_factor(user) -> bool:
    required = set(settings.MFA_REQUIRED_ROLES)
    if user.is_superuser:
        return True
    return bool(roles_of(user) & required)
