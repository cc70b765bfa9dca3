from datetime import UTC

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from . import access, audit, exports, selectors
from .access import Capability
from .decorators import recent_authentication_required


@login_required
def home(request):
    """The schools the user may see and, for those who work with pupils (a SENCO, the Head of
    SEND; a headteacher reads), what needs doing this week across them."""
    groups = selectors.visible_trusts_with_schools(request.user)
    schools = [school for group in groups for school in group.schools]
    tasks = selectors.home_tasks(request.user, schools, timezone.localdate())
    return render(
        request,
        "trusts/home.html",
        {
            "groups": groups,
            "school_count": len(schools),
            "roles": selectors.roles_description(request.user),
            "tasks": tasks,
            "tasks_to_do": sum(1 for t in tasks if t.count and not t.tag and t.status != "done"),
            "read_only": bool(tasks) and not access.can_anywhere(request.user,
                                                                 Capability.MANAGE_CASES),
        },
    )


@login_required
def school_detail(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab)
    return render(
        request,
        "trusts/school_detail.html",
        {"school": school, "links": selectors.school_links_for(request.user, school)},
    )


AUDIT_PAGE_SIZE = 50


@login_required
def audit_index(request):
    trusts = access.trusts_for(request.user, Capability.VIEW_AUDIT)
    return render(request, "trusts/audit_index.html", {"trusts": trusts})


@login_required
def audit_log(request, slug: str):
    trust = access.get_trust_for_user(request.user, slug, Capability.VIEW_AUDIT)
    page = Paginator(selectors.audit_entries_for_trust(trust), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "trusts/audit_log.html", {"trust": trust, "page": page})


@login_required
@recent_authentication_required
def audit_log_export(request, slug: str):
    trust = access.get_trust_for_user(request.user, slug, Capability.VIEW_AUDIT)
    entries = list(selectors.audit_entries_for_trust(trust))
    audit.record_export(actor=request.user, subject=trust, what="audit log CSV", rows=len(entries))
    return exports.csv_response(
        f"audit-{trust.slug}.csv",
        ["time (UTC)", "who", "action", "record type", "record", "school id", "changes"],
        (
            [e.timestamp.astimezone(UTC).isoformat(timespec="seconds"), e.actor_email or "",
             e.get_action_display(), e.content_type.model, e.object_repr,
             (e.additional_data or {}).get("school_id", ""), e.changes_str]
            for e in entries
        ),
    )


@login_required
def login_history(request, slug: str):
    trust = access.get_trust_for_user(request.user, slug, Capability.VIEW_AUDIT)
    page = Paginator(selectors.login_events_for_trust(trust), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "trusts/login_history.html", {"trust": trust, "page": page})
