from datetime import UTC

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core import check_answers

from . import access, audit, exports, forms, handover, selectors, services
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
            "read_only": bool(tasks) and not access.can_anywhere(request.user, Capability.MANAGE_CASES),
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
            [
                e.timestamp.astimezone(UTC).isoformat(timespec="seconds"),
                e.actor_email or "",
                e.get_action_display(),
                e.content_type.model,
                e.object_repr,
                (e.additional_data or {}).get("school_id", ""),
                e.changes_str,
            ]
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


# --- Handing over a colleague's open work -----------------------------------------------------
# The Head of SEND (or a platform admin) picks the person leaving, sees everything they own that
# is open, picks who takes it on, checks the answers, then hands it all over in one step
# (trusts.services.work_hand_over).


@login_required
def handover_index(request):
    trusts = list(access.trusts_for(request.user, Capability.HAND_OVER_WORK))
    if len(trusts) == 1:
        return redirect("trusts:handover_trust", slug=trusts[0].slug)
    return render(request, "trusts/handover_index.html", {"trusts": trusts})


@login_required
def handover_school(request, laestab: str):
    """From a school's page: the trust's handover page narrowed to the school."""
    school = access.get_school_for_user(request.user, laestab, Capability.HAND_OVER_WORK)
    url = reverse("trusts:handover_trust", args=[school.trust.slug])
    return redirect(f"{url}?school={school.laestab}")


def _handover_scope(request, slug: str) -> tuple:
    """The trust (404 unless the reader may hand over work there), its schools, and the school
    the page is narrowed to (`?school=<LAESTAB>`, or None for the whole trust)."""
    trust = access.get_trust_for_user(request.user, slug, Capability.HAND_OVER_WORK)
    schools = list(trust.schools.order_by("name", "laestab"))
    laestab = request.GET.get("school") or request.POST.get("school") or ""
    school = next((s for s in schools if s.laestab == laestab), None)
    if laestab and school is None:
        raise Http404("No such school.")
    return trust, schools, school


def _school_ids(schools, school) -> set[int]:
    return {school.pk} if school else {s.pk for s in schools}


@login_required
def handover_trust(request, slug: str):
    trust, schools, school = _handover_scope(request, slug)
    providers = handover.providers()
    people = [
        (person, [person.counts.get(p.key, 0) for p in providers])
        for person in selectors.handover_people(_school_ids(schools, school))
    ]
    return render(
        request,
        "trusts/handover_trust.html",
        {
            "trust": trust,
            "schools": schools,
            "school": school,
            "people": people,
            "providers": providers,
        },
    )


def _handover_person(request, slug: str, user_id: int):
    trust, schools, school = _handover_scope(request, slug)
    school_ids = _school_ids(schools, school)
    person = next((p for p in selectors.handover_people(school_ids) if p.user.pk == user_id), None)
    if person is None:
        raise Http404("No such person.")
    groups = selectors.handover_work(person.user, school_ids)
    candidates = selectors.handover_candidates(trust, person.user, groups, school_ids)
    roles = person.roles

    def make_form(data=None):
        return forms.HandoverForm(
            data,
            candidates=candidates,
            person=person.user,
            roles=roles,
            initial={"school": school.laestab if school else ""},
        )

    def record(data):
        return services.work_hand_over(
            actor=request.user,
            trust=trust,
            from_owner=person.user,
            to_owner=data["new_owner"],
            school_ids=school_ids,
            reason=data["reason"],
            end_roles=bool(data.get("end_roles")),
        )

    return trust, school, person, groups, candidates, make_form, record


def _handover_key(trust, person, school) -> str:
    return f"handover:{trust.pk}:{person.user.pk}:{school.pk if school else ''}"


def _person_url(trust, person, school) -> str:
    url = reverse("trusts:handover_person", args=[trust.slug, person.user.pk])
    return f"{url}?school={school.laestab}" if school else url


@login_required
@require_http_methods(["GET", "POST"])
def handover_person(request, slug: str, user_id: int):
    trust, school, person, groups, candidates, make_form, record = _handover_person(request, slug, user_id)
    key = _handover_key(trust, person, school)
    data = request.POST if request.method == "POST" else check_answers.kept(request, key)
    form = make_form(data)
    if check_answers.answered(request, key, form, record):
        url = reverse("trusts:handover_check", args=[trust.slug, person.user.pk])
        return redirect(f"{url}?school={school.laestab}" if school else url)
    return render(
        request,
        "trusts/handover_person.html",
        {
            "trust": trust,
            "school": school,
            "person": person,
            "groups": groups,
            "total": sum(len(g.items) for g in groups),
            "form": form,
            "candidates": candidates,
        },
        status=400 if form.errors else 200,
    )


def _counts_text(groups) -> str:
    """ "Cases: 3", one line per kind with open records."""
    return "\n".join(f"{g.provider.label}: {len(g.items)}" for g in groups if g.items) or "No open records"


@login_required
@require_http_methods(["GET", "POST"])
def handover_check(request, slug: str, user_id: int):
    trust, school, person, groups, candidates, make_form, record = _handover_person(request, slug, user_id)
    change = _person_url(trust, person, school)
    where = school.name if school else f"Every school of {trust.name}"
    return check_answers.check_page(
        request,
        key=_handover_key(trust, person, school),
        make_form=make_form,
        change_url=change,
        record=record,
        done_url=lambda result: (
            reverse("trusts:handover_trust", args=[trust.slug])
            + (f"?school={school.laestab}" if school else "")
        ),
        done=f"{person.user}'s open work is handed over.",
        check={
            "caption": trust.name,
            "heading": f"the handover of {person.user}'s work",
            "warning": (
                "Every record listed moves to the new owner in one step, and each "
                "record's history says so. Nothing is handed over until you confirm."
            ),
            "button": "Hand over the work",
            "rows": [
                check_answers.Row("Whose work", str(person.user), change, "whose work"),
                check_answers.Row("Where", where, change, "where"),
                check_answers.Row("Open records", _counts_text(groups), f"{change}#work", "the open records"),
            ],
        },
    )
