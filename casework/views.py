"""Casework pages. Every view asks trusts.access for the schools or trusts it may show; an
object outside them answers 404. Writes go through casework.services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core import check_answers
from core.forms import add_service_errors
from core.listing import Column, Sorting, paginate
from core.views import form_page, saved
from core.years import academic_year_bounds, financial_year_bounds, financial_year_start
from pupils.models import Pupil
from trusts import access, audit
from trusts.access import Capability as C
from trusts.models import LocalAuthority

from . import deadlines as dl
from . import figures, forms, selectors, services
from .models import ActivityEntry, Case, EHCPlan, EHCRequest, NamingConsultation, rules_of


def _today() -> dt.date:
    return timezone.localdate()


_form_errors = add_service_errors


def _get_case_for_user(request, pk: int, capability: C = C.VIEW_CASES) -> Case:
    case = (
        Case.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("school__trust", "owner", "pupil")
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    return case


def _get_request_for_user(request, pk: int, capability: C = C.VIEW_CASES) -> EHCRequest:
    obj = (
        EHCRequest.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("school__trust", "owner", "pupil", "local_authority")
        .first()
    )
    if obj is None:
        raise Http404("No such request.")
    return obj


def _get_plan_for_user(request, pk: int, capability: C = C.VIEW_CASES) -> EHCPlan:
    obj = (
        EHCPlan.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("school__trust", "owner", "pupil", "local_authority")
        .first()
    )
    if obj is None:
        raise Http404("No such plan.")
    return obj


def _names_where_allowed(request, items: list) -> list:
    """Pupils' names (and case titles) only where the reader may see pupils."""
    return selectors.without_names(items, access.school_ids_for(request.user, C.VIEW_PUPILS))


def _owners_for(school):
    """People who may own a case of this school: those the access policy lets manage its
    cases (the current user is always among them)."""
    return access.users_allowed(C.MANAGE_CASES, school).order_by("full_name", "email")


# --- Case lists and the due list -------------------------------------------------------------
# Filtered in the URL (ids and codes), sorted by a whitelisted column and paged, with the
# mechanics of core.listing shared by every long list.

DUE_COLUMNS = (
    Column("due", "Due"),
    Column("status", "Status", sortable=False),
    Column("what", "What"),
    Column("record", "Record"),
    Column("kind", "Kind"),
    Column("school", "School"),
    Column("trust", "Trust"),
    Column("owner", "Owner"),
)
_DUE_VALUES = {
    "due": lambda i: i.due,
    "what": lambda i: i.what.lower(),
    "record": lambda i: (i.name or i.about).lower(),
    "kind": lambda i: i.kind_label.lower(),
    "school": lambda i: i.school_name.lower(),
    "trust": lambda i: i.trust_name.lower(),
    "owner": lambda i: i.owner_name.lower(),
}


def _filtered_school_ids(school_ids, schools, filters: dict) -> set[int]:
    """The reader's schools narrowed to the chosen trust (a trust they cannot see gives none)."""
    ids = set(school_ids)
    if filters.get("trust"):
        ids &= {s.pk for s in schools if s.trust_id == filters["trust"]}
    return ids


def _due_listing(request, items: list, *, schools, filters: dict, today: dt.date) -> dict:
    """Trusts put on, names blanked where the reader may not see pupils (before sorting, so
    the order gives nothing away), sorted, paged, and counted from the whole filtered set."""
    selectors.with_trusts(items, schools)
    _names_where_allowed(request, items)
    sorting = Sorting.from_params(request.GET, DUE_COLUMNS, default="due")
    items = sorting.sort_rows(
        items, value=lambda i, key: _DUE_VALUES[key](i), name=lambda i: ((i.name or i.about).lower(), i.ref)
    )
    return {
        "listing": paginate(request, items, sorting=sorting, filters=filters),
        "counts": {
            "total": len(items),
            "overdue": sum(selectors.is_overdue(i, today) for i in items),
            "week": sum(selectors.is_due_this_week(i, today) for i in items),
            "filtered": any(v for k, v in filters.items() if k not in ("view", "closed")),
        },
    }


def _filters_of(form) -> dict:
    return {name: form.cleaned_data.get(name) for name in form.fields} if form.is_valid() else {}


@login_required
def case_list(request):
    school_ids = access.school_ids_for(request.user, C.VIEW_CASES)
    if not school_ids:
        raise Http404("No cases to show.")
    view = "mine" if request.GET.get("view", "mine") == "mine" else "open"
    schools = list(access.schools_for(request.user, C.VIEW_CASES).order_by("name"))
    owners = selectors.case_owners(school_ids=school_ids)
    form = forms.CaseFilterForm(request.GET or None, schools=schools, owners=owners)
    filters = _filters_of(form)
    ids = _filtered_school_ids(school_ids, schools, filters)
    owner_id = request.user.pk if view == "mine" else filters.get("owner")
    if view == "mine":
        filters.pop("owner", None)
    rows = selectors.cases(
        school_ids=ids, school_id=filters.get("school"), kind=filters.get("kind") or "", owner_id=owner_id
    )
    today = _today()
    url = selectors.url_maker("casework:case_detail")
    items = [selectors._case_item(c, today, url) for c in rows]
    items = selectors.due_filter(items, filters.get("due") or "", today)
    return render(
        request,
        "casework/case_list.html",
        {
            "view": view,
            "form": form,
            "today": today,
            **_due_listing(request, items, schools=schools, filters={"view": view, **filters}, today=today),
            "manage_schools": access.schools_for(request.user, C.MANAGE_CASES).order_by("name"),
        },
    )  # a bad filter is named on the page and ignored (the home page's links reach here)


@login_required
def due_list(request):
    school_ids = access.school_ids_for(request.user, C.VIEW_CASES)
    if not school_ids:
        raise Http404("Nothing to show.")
    schools = list(access.schools_for(request.user, C.VIEW_CASES).order_by("name"))
    owners = selectors.case_owners(school_ids=school_ids)
    form = forms.DueFilterForm(request.GET or None, schools=schools, owners=owners)
    f = _filters_of(form)
    today = _today()
    items = selectors.due_list(
        school_ids=_filtered_school_ids(school_ids, schools, f),
        today=today,
        school_id=f.get("school"),
        kind=f.get("kind") or "",
        owner_id=f.get("owner"),
        due=f.get("due") or "",
    )
    return render(
        request,
        "casework/due_list.html",
        {
            "form": form,
            "today": today,
            **_due_listing(request, items, schools=schools, filters=f, today=today),
        },
        status=400 if request.GET and form.errors else 200,
    )


REQUEST_COLUMNS = (
    Column("record", "Request"),
    Column("requested", "Requested"),
    Column("step", "Next step"),
    Column("due", "Due"),
    Column("status", "Status", sortable=False),
    Column("la", "Local authority"),
    Column("school", "School"),
    Column("trust", "Trust"),
    Column("owner", "Owner"),
)
_REQUEST_VALUES = {
    "record": lambda r: (r.name or r.about).lower(),
    "requested": lambda r: r.request_date,
    "step": lambda r: r.step.lower() or None,
    "due": lambda r: r.due,
    "la": lambda r: r.local_authority.lower(),
    "school": lambda r: r.school_name.lower(),
    "trust": lambda r: r.trust_name.lower(),
    "owner": lambda r: r.owner_name.lower(),
}


@login_required
def ehc_requests(request):
    """Every EHC needs assessment request of the reader's schools, filtered in the URL, with
    its next statutory step; sorted and paged like the due list."""
    school_ids = access.school_ids_for(request.user, C.VIEW_CASES)
    if not school_ids:
        raise Http404("Nothing to show.")
    schools = list(access.schools_for(request.user, C.VIEW_CASES).order_by("name"))
    form = forms.RequestFilterForm(request.GET or None, schools=schools)
    f = _filters_of(form)
    today = _today()
    rows = selectors.ehc_requests(
        school_ids=_filtered_school_ids(school_ids, schools, f),
        today=today,
        school_id=f.get("school"),
        show=f.get("show") or "",
    )
    selectors.with_trusts(rows, schools)
    _names_where_allowed(request, rows)
    sorting = Sorting.from_params(request.GET, REQUEST_COLUMNS, default="due")
    rows = sorting.sort_rows(
        rows, value=lambda r, key: _REQUEST_VALUES[key](r), name=lambda r: ((r.name or r.about).lower(), r.pk)
    )
    return render(
        request,
        "casework/ehc_requests.html",
        {
            "form": form,
            "listing": paginate(request, rows, sorting=sorting, filters=f),
            "counts": {
                "total": len(rows),
                "overdue": sum(selectors.is_overdue(r, today) for r in rows),
                "week": sum(selectors.is_due_this_week(r, today) for r in rows),
                "filtered": any(f.values()),
            },
        },
        status=400 if request.GET and form.errors else 200,
    )


@login_required
def school_cases(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, C.VIEW_CASES)
    closed = request.GET.get("closed") == "1"
    rows = selectors.cases(school_ids=[school.pk], open_only=not closed)
    today = _today()
    url = selectors.url_maker("casework:case_detail")
    items = [selectors._case_item(c, today, url) for c in rows]
    return render(
        request,
        "casework/school_cases.html",
        {
            "school": school,
            "closed": closed,
            **_due_listing(
                request, items, schools=[school], filters={"closed": "1" if closed else ""}, today=today
            ),
            "can_manage": access.can(request.user, C.MANAGE_CASES, school),
            "suspensions": selectors.suspensions_this_year(school_ids=[school.pk], today=today),
            "show_pupils": access.can(request.user, C.VIEW_PUPILS, school),
            "year_label": dl.academic_year_label(dl.academic_year_start(today)),
        },
    )


# --- One case --------------------------------------------------------------------------------


@login_required
def case_open(request, laestab: str):
    """The kind of case first (radios), then only the questions for that kind."""
    school = access.get_school_for_user(request.user, laestab, C.MANAGE_CASES)
    source = request.POST if request.method == "POST" else request.GET
    pupil_id = request.GET.get("pupil", "")
    pupil_id = int(pupil_id) if pupil_id.isdigit() else None  # from the pupil page: an id only
    kind = source.get("kind")
    if kind not in Case.Kind.values:
        asked = "kind" in source or request.method == "POST"
        kind_form = forms.CaseKindForm(source if asked else None)
        if asked:
            kind_form.is_valid()
        return render(
            request,
            "casework/case_kind.html",
            {
                "school": school,
                "form": kind_form,
                "pupil_id": pupil_id,
            },
            status=400 if kind_form.errors else 200,
        )
    pupils = Pupil.objects.filter(school=school, left_school_on__isnull=True).order_by("surname", "forename")
    initial = {"owner": request.user.pk, "opened_on": _today(), "kind": kind}
    if pupil_id:
        initial["pupil"] = pupil_id
    form = forms.CaseOpenForm(
        request.POST or None, kind=kind, pupils=pupils, owners=_owners_for(school), initial=initial
    )
    done = saved(
        request,
        form,
        lambda data: services.case_open(actor=request.user, school=school, **data),
        message=lambda case: f"{case.get_kind_display()} case opened.",
        then=lambda case: reverse("casework:case_detail", kwargs={"pk": case.pk}),
    )
    if done:
        return done
    change_kind = reverse("casework:case_open", args=[school.laestab])
    if pupil_id:
        change_kind += f"?pupil={pupil_id}"
    return form_page(
        request,
        "casework/case_open.html",
        {
            "school": school,
            "form": form,
            "kind_label": Case.Kind(kind).label,
            "change_kind": change_kind,
        },
    )


def _case_context(request, case: Case, **forms_) -> dict:
    today = _today()
    can_manage = access.can(request.user, C.MANAGE_CASES, case.school)
    totals = []
    if case.pupil_id:
        totals = selectors.suspension_totals(pupil_ids=[case.pupil_id]).get(case.pupil_id, [])
    ctx = {
        "case": case,
        "notes": case.notes.select_related("author"),
        "today": today,
        "key_dates": case.key_dates(today),
        "due_next": case.due_next(today),
        "can_manage": can_manage,
        "suspension_totals": totals,
        "show_pupil": case.pupil_id and access.can(request.user, C.VIEW_PUPILS, case.school),
        "note_form": forms.NoteForm(),
        "update_form": forms.CaseUpdateForm(
            kind=case.kind,
            owners=_owners_for(case.school),
            initial={
                "status": case.status,
                "owner": case.owner_id,
                "next_action_due": case.next_action_due,
                "appeal_lodged_on": case.appeal_lodged_on,
                "mediation_certificate_date": case.mediation_certificate_date,
                "hearing_date": case.hearing_date,
            },
        ),
        "close_form": forms.CaseCloseForm(initial={"closed_on": today}),
    }
    ctx.update(forms_)
    return ctx


@login_required
def case_detail(request, pk: int):
    case = _get_case_for_user(request, pk)
    audit.record_view(case)
    if case.pupil is not None:
        audit.record_view(case.pupil)
    return render(request, "casework/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_add_note(request, pk: int):
    case = _get_case_for_user(request, pk, C.MANAGE_CASES)
    form = forms.NoteForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services.case_add_note(actor=request.user, case=case, text=data["text"]),
        message="Note added.",
        then=reverse("casework:case_detail", kwargs={"pk": case.pk}),
    )
    return done or form_page(
        request, "casework/case_detail.html", _case_context(request, case, note_form=form), form=form
    )


@login_required
@require_POST
def case_update(request, pk: int):
    case = _get_case_for_user(request, pk, C.MANAGE_CASES)
    form = forms.CaseUpdateForm(request.POST, kind=case.kind, owners=_owners_for(case.school))
    done = saved(
        request,
        form,
        lambda data: services.case_update(actor=request.user, case=case, **data),
        message="Case updated.",
        then=reverse("casework:case_detail", kwargs={"pk": case.pk}),
    )
    return done or form_page(
        request, "casework/case_detail.html", _case_context(request, case, update_form=form), form=form
    )


@login_required
@require_POST
def case_close(request, pk: int):
    case = _get_case_for_user(request, pk, C.MANAGE_CASES)
    form = forms.CaseCloseForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services.case_close(actor=request.user, case=case, **data),
        message="Case closed.",
        then=reverse("casework:case_detail", kwargs={"pk": case.pk}),
    )
    return done or form_page(
        request, "casework/case_detail.html", _case_context(request, case, close_form=form), form=form
    )


# --- EHC needs assessments and plans ---------------------------------------------------------


def _school_ehc_context(request, school, **extra) -> dict:
    today = _today()
    requests_ = list(
        EHCRequest.objects.filter(school=school)
        .select_related("local_authority", "pupil")
        .order_by("-request_date", "-pk")
    )
    ctx = {
        "school": school,
        "today": today,
        "requests": [(r, r.next_step(today)) for r in requests_],
        "plans": selectors.annual_reviews(school_ids=[school.pk], today=today),
        "can_manage": access.can(request.user, C.MANAGE_CASES, school),
        "show_pupils": access.can(request.user, C.VIEW_PUPILS, school),
        "request_form": _request_form(school, check_answers.kept(request, f"ehc-request:{school.pk}")),
        "plan_form": _plan_form(school, check_answers.kept(request, f"ehc-plan:{school.pk}")),
    }
    ctx.update(extra)
    return ctx


@login_required
def school_ehc(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, C.VIEW_CASES)
    return render(request, "casework/school_ehc.html", _school_ehc_context(request, school))


def _request_form(school, data=None):
    return forms.EHCRequestForm(
        data,
        pupils=Pupil.objects.filter(school=school, left_school_on__isnull=True).order_by(
            "surname", "forename"
        ),
        local_authorities=LocalAuthority.objects.all(),
        initial={"request_date": _today()},
    )


def _plan_form(school, data=None):
    return forms.PlanForm(
        data,
        pupils=Pupil.objects.filter(school=school, left_school_on__isnull=True).order_by(
            "surname", "forename"
        ),
    )


@dataclass(frozen=True)
class _NewRecord:
    """A record made from the school's EHC page whose date starts a legal clock: its form is
    posted from that page, its answers are checked on a page of their own (check your
    answers), and only then recorded by the service."""

    key: str  # of the answers kept in the session, with the school's id
    form: Callable  # form(school, data)
    form_name: str  # the form's name on the school's EHC page
    anchor: str
    service: str  # the casework service that records it, called with the form's answers
    check_url: str
    done_url: str  # the record's page, by its pk
    done: str
    heading: str
    warning: str
    button: str

    def record(self, actor, data: dict):
        return getattr(services, self.service)(actor=actor, **data)


NEW_REQUEST = _NewRecord(
    key="ehc-request",
    form=_request_form,
    form_name="request_form",
    anchor="request",
    service="ehc_request_create",
    check_url="casework:ehc_request_new_check",
    done_url="casework:ehc_request_detail",
    done="EHC needs assessment request recorded.",
    heading="the assessment request",
    warning="Recording the request starts the clock: the LA decides whether to assess within 6 "
    "weeks and issues a final plan within 20 weeks.",
    button="Record the request",
)
NEW_PLAN = _NewRecord(
    key="ehc-plan",
    form=_plan_form,
    form_name="plan_form",
    anchor="plan",
    service="ehc_plan_create",
    check_url="casework:plan_new_check",
    done_url="casework:plan_detail",
    done="EHC plan recorded.",
    heading="the EHC plan",
    warning="Recording the plan starts the annual review clock: the first review is due 12 "
    "months from the issue date.",
    button="Record the plan",
)


def _new_record_posted(request, laestab: str, new: _NewRecord):
    school = access.get_school_for_user(request.user, laestab, C.MANAGE_CASES)
    form = new.form(school, request.POST)
    if check_answers.answered(
        request, f"{new.key}:{school.pk}", form, lambda data: new.record(request.user, data)
    ):
        return redirect(new.check_url, laestab=school.laestab)
    return render(
        request,
        "casework/school_ehc.html",
        _school_ehc_context(request, school, **{new.form_name: form}),
        status=400,
    )


def _new_record_check(request, laestab: str, new: _NewRecord):
    school = access.get_school_for_user(request.user, laestab, C.MANAGE_CASES)
    return check_answers.check_page(
        request,
        key=f"{new.key}:{school.pk}",
        make_form=lambda d: new.form(school, d),
        change_url=reverse("casework:school_ehc", args=[school.laestab]) + f"#{new.anchor}",
        record=lambda data: new.record(request.user, data),
        done_url=lambda obj: reverse(new.done_url, args=[obj.pk]),
        done=new.done,
        check={"caption": school.name, "heading": new.heading, "warning": new.warning, "button": new.button},
    )


@login_required
@require_POST
def ehc_request_new(request, laestab: str):
    return _new_record_posted(request, laestab, NEW_REQUEST)


@login_required
@require_http_methods(["GET", "POST"])
def ehc_request_new_check(request, laestab: str):
    """The request starts the 20-week clock: its answers are checked before it is recorded."""
    return _new_record_check(request, laestab, NEW_REQUEST)


@login_required
@require_POST
def plan_new(request, laestab: str):
    return _new_record_posted(request, laestab, NEW_PLAN)


@login_required
@require_http_methods(["GET", "POST"])
def plan_new_check(request, laestab: str):
    """The plan's issue date starts the annual review clock: checked before it is recorded."""
    return _new_record_check(request, laestab, NEW_PLAN)


def _request_context(request, obj: EHCRequest, **extra) -> dict:
    today = _today()
    r = obj.request_date
    ctx = {
        "obj": obj,
        "today": today,
        "steps": obj.steps(today),
        "deadlines": [
            ("Decision whether to assess", dl.decision_to_assess_due(r)),
            ("Notice of a decision not to issue a plan", dl.notice_not_to_issue_due(r)),
            ("Final EHC plan", dl.final_plan_due(r)),
        ],
        "can_manage": access.can(request.user, C.MANAGE_CASES, obj.school) and not obj.closed,
        "show_pupil": access.can(request.user, C.VIEW_PUPILS, obj.school),
        "choice_form": forms.EHCStepChoiceForm(steps=forms.ehc_steps_open(obj)),
    }
    ctx.update(extra)
    return ctx


@login_required
def ehc_request_detail(request, pk: int):
    obj = _get_request_for_user(request, pk)
    audit.record_view(obj)
    audit.record_view(obj.pupil)
    return render(request, "casework/ehc_request_detail.html", _request_context(request, obj))


@login_required
@require_http_methods(["GET", "POST"])
def ehc_request_step(request, pk: int):
    """Which step to record: the questions that follow are that step's only."""
    obj = _get_request_for_user(request, pk, C.MANAGE_CASES)
    form = forms.EHCStepChoiceForm(request.POST or request.GET, steps=forms.ehc_steps_open(obj))
    if form.is_valid():
        return redirect("casework:ehc_step_form", pk=obj.pk, step=form.cleaned_data["step"])
    return render(
        request,
        "casework/ehc_request_detail.html",
        _request_context(request, obj, choice_form=form),
        status=400,
    )


def _open_step(request, pk: int, step: str):
    obj = _get_request_for_user(request, pk, C.MANAGE_CASES)
    spec = next((s for s in forms.ehc_steps_open(obj) if s.key == step), None)
    if spec is None:
        messages.error(
            request,
            "That step cannot be recorded now: the steps before it come first, and a step is recorded once.",
        )
        return obj, None, redirect("casework:ehc_request_detail", pk=obj.pk)
    return obj, spec, None


def _record_step(request, obj, form_or_data):
    return services.ehc_request_record_step(actor=request.user, request=obj, **form_or_data)


@login_required
@require_http_methods(["GET", "POST"])
def ehc_step_form(request, pk: int, step: str):
    obj, spec, refused = _open_step(request, pk, step)
    if refused:
        return refused
    key = f"ehc-step:{obj.pk}:{spec.key}"
    data = request.POST if request.method == "POST" else check_answers.kept(request, key)
    form = forms.EHCStepForm(data, step=spec, initial={"date": _today()})
    if check_answers.answered(request, key, form, lambda _: _record_step(request, obj, form.step_data())):
        return redirect("casework:ehc_step_check", pk=obj.pk, step=spec.key)
    audit.record_view(obj)
    return render(
        request,
        "casework/ehc_step.html",
        {
            "obj": obj,
            "step": spec,
            "form": form,
            "show_pupil": access.can(request.user, C.VIEW_PUPILS, obj.school),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ehc_step_check(request, pk: int, step: str):
    obj, spec, refused = _open_step(request, pk, step)
    if refused:
        return refused
    show_pupil = access.can(request.user, C.VIEW_PUPILS, obj.school)
    detail = reverse("casework:ehc_request_detail", args=[obj.pk])

    def record(data):
        return _record_step(
            request, obj, {"step": spec.key, "date": data["date"], "result": data.get("result", "")}
        )

    return check_answers.check_page(
        request,
        key=f"ehc-step:{obj.pk}:{spec.key}",
        make_form=lambda data: forms.EHCStepForm(data, step=spec),
        change_url=reverse("casework:ehc_step_form", args=[obj.pk, spec.key]),
        record=record,
        done_url=detail,
        done="Step recorded.",
        seen=lambda: audit.record_view(obj),
        check={
            "caption": (
                f"EHC needs assessment request for {obj.pupil.full_name}"
                if show_pupil
                else f"EHC needs assessment request of {obj.request_date:%-d %B %Y}"
            ),
            "heading": spec.name,
            "warning": spec.warning,
            "button": "Record the step",
            "rows": [
                check_answers.Row(
                    "Step", spec.name[:1].upper() + spec.name[1:], f"{detail}#id_step_0", "the step"
                )
            ],
        },
    )


def _plan_context(request, plan: EHCPlan, **extra) -> dict:
    today = _today()
    reviews = list(plan.reviews.order_by("meeting_date"))
    last = reviews[-1].meeting_date if reviews else None
    awaiting = [r for r in reviews if not r.la_decision]
    ctx = {
        "plan": plan,
        "today": today,
        "reviews": [(r, r.decision_status(today)) for r in reviews],
        "next_review": dl.step_status(next_review, None, today)
        if (next_review := plan.next_review_due(last))
        else None,
        "phase_transfer": plan.phase_transfer_status(today),
        "can_manage": access.can(request.user, C.MANAGE_CASES, plan.school),
        "show_pupil": access.can(request.user, C.VIEW_PUPILS, plan.school),
        "review_form": forms.ReviewForm(
            check_answers.kept(request, f"review:{plan.pk}"), initial={"meeting_date": today}
        ),
        "decision_form": _decision_form(plan, check_answers.kept(request, f"review-decision:{plan.pk}"))
        if awaiting
        else None,
        "details_form": forms.PlanDetailsForm() if plan.details_to_complete else None,
        **_review_steps(plan, reviews, today),
    }
    ctx.update(extra)
    return ctx


def _review_steps(plan: EHCPlan, reviews: list, today: dt.date) -> dict:
    """The next review's steps under the plan's LA's rules, dated from the planned meeting (or
    the latest day it may be held), and the report of the last review to the LA."""
    la_rules = getattr(plan.local_authority, "review_rules", None)
    rules = rules_of(la_rules)
    last = reviews[-1] if reviews else None
    due = plan.next_review_due(last.meeting_date if last else None)
    meeting = plan.next_meeting_on or due
    steps = []
    if meeting and not plan.ceased_on:
        steps = [
            (what, dl.step_status(d, done, today))
            for what, d, done in dl.review_preparation_items(
                meeting=meeting,
                rules=rules,
                requested_on=plan.reports_requested_on,
                circulated_on=plan.reports_circulated_on,
            )
        ]
    report = None
    if last is not None and not last.la_decision:
        report = last.report_status(rules, today)
    return {
        "rules": rules,
        "la_rules": la_rules,
        "review_meeting": meeting,
        "review_steps": steps,
        "report_review": last if report else None,
        "report_status": report,
        "preparation_form": forms.ReviewPreparationForm(
            initial={
                "next_meeting_on": plan.next_meeting_on,
                "reports_requested_on": plan.reports_requested_on,
                "reports_circulated_on": plan.reports_circulated_on,
            }
        ),
        "report_form": forms.ReviewReportForm(initial={"sent_on": today})
        if report and report.pending
        else None,
    }


@login_required
def plan_detail(request, pk: int):
    plan = _get_plan_for_user(request, pk)
    audit.record_view(plan)
    audit.record_view(plan.pupil)
    return render(request, "casework/plan_detail.html", _plan_context(request, plan))


@login_required
@require_POST
def plan_complete(request, pk: int):
    """Enter the issue date of a plan record made from the register."""
    plan = _get_plan_for_user(request, pk, C.MANAGE_CASES)
    form = forms.PlanDetailsForm(request.POST)
    done = saved(
        request,
        form,
        lambda data: services.ehc_plan_complete(actor=request.user, plan=plan, **data),
        message="Issue date recorded: the annual reviews are now dated.",
        then=reverse("casework:plan_detail", kwargs={"pk": plan.pk}),
    )
    if done:
        return done
    plan.refresh_from_db()
    return render(
        request, "casework/plan_detail.html", _plan_context(request, plan, details_form=form), status=400
    )


@login_required
@require_POST
def plan_review(request, pk: int):
    plan = _get_plan_for_user(request, pk, C.MANAGE_CASES)
    form = forms.ReviewForm(request.POST)
    if check_answers.answered(
        request,
        f"review:{plan.pk}",
        form,
        lambda data: services.annual_review_record(actor=request.user, plan=plan, **data),
    ):
        return redirect("casework:plan_review_check", pk=plan.pk)
    return render(
        request, "casework/plan_detail.html", _plan_context(request, plan, review_form=form), status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_review_check(request, pk: int):
    """The review meeting starts the LA's 4 weeks to decide: checked before it is recorded."""
    plan = _get_plan_for_user(request, pk, C.MANAGE_CASES)
    detail = reverse("casework:plan_detail", args=[plan.pk])
    return check_answers.check_page(
        request,
        key=f"review:{plan.pk}",
        make_form=forms.ReviewForm,
        change_url=detail,
        record=lambda data: services.annual_review_record(actor=request.user, plan=plan, **data),
        done_url=detail,
        done="Review meeting recorded.",
        seen=lambda: audit.record_view(plan),
        check=_plan_check(
            request,
            plan,
            "the annual review meeting",
            "Recording the meeting starts the LA's 4 weeks to decide whether to "
            "keep, amend or cease the plan, and dates the next annual review "
            "from it.",
            "Record the meeting",
        ),
    )


def _plan_check(request, plan: EHCPlan, heading: str, warning: str, button: str) -> dict:
    show_pupil = access.can(request.user, C.VIEW_PUPILS, plan.school)
    return {
        "caption": f"EHC plan of {plan.pupil.full_name}" if show_pupil else plan.school.name,
        "heading": heading,
        "warning": warning,
        "button": button,
    }


def _decision_form(plan: EHCPlan, data=None):
    awaiting = list(plan.reviews.filter(la_decision="").order_by("meeting_date"))
    return forms.ReviewDecisionForm(data, reviews=awaiting, initial={"date": _today()})


def _record_decision(request, plan: EHCPlan, data: dict):
    review = plan.reviews.get(pk=data["review"])
    return services.annual_review_record_decision(
        actor=request.user, review=review, decision=data["decision"], date=data["date"]
    )


@login_required
@require_POST
def plan_review_decision(request, pk: int):
    plan = _get_plan_for_user(request, pk, C.MANAGE_CASES)
    form = _decision_form(plan, request.POST)
    if check_answers.answered(
        request, f"review-decision:{plan.pk}", form, lambda data: _record_decision(request, plan, data)
    ):
        return redirect("casework:plan_review_decision_check", pk=plan.pk)
    return render(
        request, "casework/plan_detail.html", _plan_context(request, plan, decision_form=form), status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_review_decision_check(request, pk: int):
    """The LA's decision stops its 4-week clock (and a decision to cease ends the plan)."""
    plan = _get_plan_for_user(request, pk, C.MANAGE_CASES)
    detail = reverse("casework:plan_detail", args=[plan.pk])
    return check_answers.check_page(
        request,
        key=f"review-decision:{plan.pk}",
        make_form=lambda d: _decision_form(plan, d),
        change_url=detail,
        record=lambda data: _record_decision(request, plan, data),
        done_url=detail,
        done="LA decision recorded.",
        seen=lambda: audit.record_view(plan),
        check=_plan_check(
            request,
            plan,
            "the LA's decision after the review",
            "Recording the decision stops the LA's 4-week clock. A decision to cease the plan ends it.",
            "Record the decision",
        ),
    )


@login_required
@require_POST
def plan_review_preparation(request, pk: int):
    """The next review's planned meeting date and the days its reports were requested and
    circulated: they date its steps and take the done ones off the due list."""
    plan = _get_plan_for_user(request, pk, C.MANAGE_CASES)
    form = forms.ReviewPreparationForm(request.POST)
    if form.is_valid():
        try:
            services.annual_review_prepare(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as e:
            _form_errors(form, e)
        else:
            messages.success(request, "The next review's steps are saved.")
            return redirect(reverse("casework:plan_detail", args=[plan.pk]) + "#review-steps")
    plan.refresh_from_db()
    return render(
        request, "casework/plan_detail.html", _plan_context(request, plan, preparation_form=form), status=400
    )


@login_required
@require_POST
def plan_review_report(request, pk: int):
    """The report of the latest review sent to the LA (regulation 20(7))."""
    plan = _get_plan_for_user(request, pk, C.MANAGE_CASES)
    review = plan.reviews.order_by("-meeting_date").first()
    form = forms.ReviewReportForm(request.POST)
    if review is None:
        messages.error(request, "No review meeting is recorded yet.")
        return redirect("casework:plan_detail", pk=plan.pk)
    if form.is_valid():
        try:
            services.annual_review_report_sent(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as e:
            _form_errors(form, e)
        else:
            messages.success(request, "Review report recorded as sent to the LA.")
            return redirect(reverse("casework:plan_detail", args=[plan.pk]) + "#review-steps")
    return render(
        request, "casework/plan_detail.html", _plan_context(request, plan, report_form=form), status=400
    )


@login_required
def reviews_due(request):
    school_ids = access.school_ids_for(request.user, C.VIEW_CASES)
    if not school_ids:
        raise Http404("Nothing to show.")
    schools = access.schools_for(request.user, C.VIEW_CASES).order_by("name")
    form = forms.ReviewFilterForm(request.GET or None, schools=schools)
    f = form.cleaned_data if form.is_valid() else {}
    rows = selectors.annual_reviews(
        school_ids=school_ids, today=_today(), school_id=f.get("school"), show=f.get("show", "")
    )
    named = access.school_ids_for(request.user, C.VIEW_PUPILS)
    for row in rows:
        if row.school_id not in named:
            row.pupil_name = ""
    return render(
        request,
        "casework/reviews_due.html",
        {"rows": rows, "form": form, "show": f.get("show", "")},
        status=400 if request.GET and not form.is_valid() else 200,
    )


@login_required
def timeliness(request):
    """The EHC 20-week figures by LA for a financial year (the current one to today), with the
    one definition and label the dashboards use (casework.figures.timeliness)."""
    school_ids = access.school_ids_for(request.user, C.VIEW_CASES)
    if not school_ids:
        raise Http404("Nothing to show.")
    today = _today()
    current = financial_year_start(today)
    years = list(range(current, current - 5, -1))
    form = forms.FinancialYearForm(request.GET or None, years=years, initial={"year": current})
    year = form.cleaned_data["year"] if (request.GET and form.is_valid()) else current
    start, end = financial_year_bounds(year)
    end = min(end, today)
    kept = figures.timeliness(school_ids, start, end, today)
    return render(
        request,
        "casework/timeliness.html",
        {
            "timeliness": kept,
            "rows": kept.rows,
            "form": form,
            "period": {"start": start, "end": end},
            "today": today,
        },
    )


# --- Head of SEND activity -------------------------------------------------------------------

ACTIVITY_COLUMNS = (
    Column("date", "Date"),
    Column("kind", "Kind"),
    Column("trusts", "Trusts"),
    Column("school", "School"),
    Column("topic", "Topic"),
    Column("person", "Logged by"),
    Column("hours", "Hours", numeric=True),
)
_ACTIVITY_VALUES = {
    "date": lambda r: r["entry"].date,
    "kind": lambda r: r["entry"].get_kind_display().lower(),
    "trusts": lambda r: ", ".join(r["trusts"]).lower(),
    "school": lambda r: r["entry"].school.name.lower() if r["entry"].school else None,
    "topic": lambda r: r["entry"].topic.lower() or None,
    "person": lambda r: str(r["entry"].person).lower(),
    "hours": lambda r: r["entry"].hours,
}


def _activity_year(request, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", dl.academic_year_start(today)))
    except ValueError:
        year = dl.academic_year_start(today)
    return min(max(year, 2000), dl.academic_year_start(today))


def _activity_choices(request, trust_ids):
    trusts = access.trusts_for(request.user, C.LOG_ACTIVITY).order_by("name")
    schools = access.schools_for(request.user, C.VIEW_SCHOOL).filter(trust_id__in=trust_ids).order_by("name")
    return trusts, schools


def _activity_context(request, trust_ids, **extra) -> dict:
    today = _today()
    year = _activity_year(request, today)
    start, end = academic_year_bounds(year)
    trust_qs, school_qs = _activity_choices(request, trust_ids)
    trusts, schools = list(trust_qs), list(school_qs)
    split = selectors.activity_split(trust_ids=trust_ids, person=request.user, year_start=year, today=today)
    filter_form = forms.ActivityFilterForm(
        request.GET or None,
        trusts=trusts,
        schools=schools,
        people=selectors.activity_people(trust_ids=trust_ids),
    )
    f = _filters_of(filter_form)
    entries = selectors.activity_entries(
        trust_ids=trust_ids,
        start=start,
        end=end,
        trust_id=f.get("trust"),
        school_id=f.get("school"),
        kind=f.get("kind") or "",
        person_id=f.get("person"),
    )
    sorting = Sorting.from_params(request.GET, ACTIVITY_COLUMNS, default="-date")
    entries = sorting.sort_rows(
        entries,
        value=lambda r, key: _ACTIVITY_VALUES[key](r),
        name=lambda r: (r["entry"].get_kind_display().lower(), -r["entry"].pk),
    )
    # With one trust there is nothing to choose; with several, none is ticked for the reader.
    initial = {"date": today, "trusts": trusts if len(trusts) == 1 else []}
    ctx = {
        "year": year,
        "year_label": dl.academic_year_label(year),
        "years": list(range(dl.academic_year_start(today), 2022, -1)),
        "split": split,
        "agreed_rows": [(t.name, split.agreed.get(t.pk, 0)) for t in split.trusts],
        "split_rows": [
            (row, [(row.hours[t.pk], row.pct[t.pk], split.agreed.get(t.pk)) for t in split.trusts])
            for row in [*split.months, split.year_to_date]
        ],
        # The kept figure, as on the dashboards (an entry for two trusts counted once).
        "training": figures.training(trust_ids, start, end).rows,
        "filter_form": filter_form,
        "listing": paginate(
            request,
            entries,
            sorting=sorting,
            filters={"year": year if year != dl.academic_year_start(today) else "", **f},
        ),
        "counts": {
            "total": len(entries),
            "hours": sum((r["entry"].hours for r in entries), Decimal(0)),
            "filtered": any(f.values()),
        },
        "form": forms.ActivityForm(trusts=trust_qs, schools=school_qs, initial=initial),
    }
    ctx.update(extra)
    return ctx


@login_required
def activity(request):
    trust_ids = access.trust_ids_for(request.user, C.LOG_ACTIVITY)
    if not trust_ids:
        raise Http404("No activity log.")
    if request.method == "POST":
        trusts, schools = _activity_choices(request, trust_ids)
        form = forms.ActivityForm(request.POST, trusts=trusts, schools=schools)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["trusts"] = list(data["trusts"])
            try:
                entry = services.activity_log(actor=request.user, **data)
            except ValidationError as e:
                _form_errors(form, e)
            else:
                messages.success(
                    request, f"{entry.get_kind_display()} on {entry.date.day} {entry.date:%B %Y} logged."
                )
                return redirect("casework:activity")
        return render(request, "casework/activity.html", _activity_context(request, trust_ids, form=form))
    return render(request, "casework/activity.html", _activity_context(request, trust_ids))


def _get_activity_for_user(request, pk: int, *, author_only: bool = False):
    """An entry of the reader's trusts (404 otherwise); to correct it, theirs alone: another
    person's entry answers 404 as anything outside the access policy does."""
    record = selectors.activity_entry(trust_ids=access.trust_ids_for(request.user, C.LOG_ACTIVITY), pk=pk)
    if record is None or (author_only and record.entry.person_id != request.user.pk):
        raise Http404("No such activity entry.")
    return record


@login_required
def activity_detail(request, pk: int):
    record = _get_activity_for_user(request, pk)
    return render(
        request,
        "casework/activity_detail.html",
        {
            "record": record,
            "entry": record.entry,
            "can_correct": record.entry.person_id == request.user.pk,
            "kinds": dict(ActivityEntry.Kind.choices),
        },
    )


@login_required
def activity_correct(request, pk: int):
    record = _get_activity_for_user(request, pk, author_only=True)
    entry = record.entry
    trust_ids = access.trust_ids_for(request.user, C.LOG_ACTIVITY)
    trusts, schools = _activity_choices(request, trust_ids)
    status = 200
    if request.method == "POST":
        form = forms.ActivityCorrectionForm(request.POST, trusts=trusts, schools=schools)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["trusts"] = list(data["trusts"])
            try:
                services.activity_correct(actor=request.user, entry=entry, **data)
            except ValidationError as e:
                _form_errors(form, e)
            else:
                messages.success(request, "Entry corrected. What it said before is kept in its history.")
                return redirect("casework:activity_detail", pk=entry.pk)
        status = 400
    else:
        form = forms.ActivityCorrectionForm(
            trusts=trusts,
            schools=schools,
            initial={
                "kind": entry.kind,
                "date": entry.date,
                "hours": entry.hours,
                "trusts": record.trusts,
                "school": entry.school_id,
                "topic": entry.topic,
                "staff_trained": entry.staff_trained,
                "notes": entry.notes,
            },
        )
    return render(
        request,
        "casework/activity_correct.html",
        {"record": record, "entry": entry, "form": form},
        status=status,
    )


# --- LA consultations on naming a school -------------------------------------------------------


def _get_consultation_for_user(request, pk: int, capability: C = C.VIEW_CASES) -> NamingConsultation:
    obj = (
        NamingConsultation.objects.filter(
            pk=pk, school_id__in=access.school_ids_for(request.user, capability)
        )
        .select_related("school__trust", "owner", "pupil", "local_authority", "drafted_by", "signed_off_by")
        .first()
    )
    if obj is None:
        raise Http404("No such consultation.")
    return obj


def _consultation_form(school, data=None):
    return forms.ConsultationForm(
        data,
        pupils=Pupil.objects.filter(school=school, left_school_on__isnull=True).order_by(
            "surname", "forename"
        ),
        local_authorities=LocalAuthority.objects.all(),
        initial={"received_on": _today()},
    )


def _school_consultations_context(request, school, **extra) -> dict:
    today = _today()
    ctx = {
        "school": school,
        "today": today,
        "rows": selectors.naming_consultations(school_ids=[school.pk], today=today),
        "can_manage": access.can(request.user, C.MANAGE_CASES, school),
        "show_pupils": access.can(request.user, C.VIEW_PUPILS, school),
        "form": _consultation_form(school, check_answers.kept(request, f"consultation:{school.pk}")),
    }
    if not ctx["show_pupils"]:
        for row in ctx["rows"]:
            row.name = ""
    ctx.update(extra)
    return ctx


@login_required
def school_consultations(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, C.VIEW_CASES)
    return render(
        request, "casework/school_consultations.html", _school_consultations_context(request, school)
    )


def _log_consultation(request, school, data: dict) -> NamingConsultation:
    return services.naming_consultation_log(actor=request.user, school=school, **data)


@login_required
@require_POST
def consultation_new(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, C.MANAGE_CASES)
    form = _consultation_form(school, request.POST)
    if check_answers.answered(
        request, f"consultation:{school.pk}", form, lambda data: _log_consultation(request, school, data)
    ):
        return redirect("casework:consultation_new_check", laestab=school.laestab)
    return render(
        request,
        "casework/school_consultations.html",
        _school_consultations_context(request, school, form=form),
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new_check(request, laestab: str):
    """The consultation starts the school's 15 days: checked before it is logged."""
    school = access.get_school_for_user(request.user, laestab, C.MANAGE_CASES)
    return check_answers.check_page(
        request,
        key=f"consultation:{school.pk}",
        make_form=lambda d: _consultation_form(school, d),
        change_url=reverse("casework:school_consultations", args=[school.laestab]) + "#log",
        record=lambda data: _log_consultation(request, school, data),
        done_url=lambda obj: reverse("casework:consultation_detail", args=[obj.pk]),
        done="Consultation logged.",
        check={
            "caption": school.name,
            "heading": "the LA's consultation",
            "warning": "Logging the consultation starts the clock: the school responds within "
            "15 days of the day it was received, with the headteacher's sign-off.",
            "button": "Log the consultation",
        },
    )


def _consultation_context(request, obj: NamingConsultation, **extra) -> dict:
    today = _today()
    can_manage = access.can(request.user, C.MANAGE_CASES, obj.school)
    open_ = not obj.responded_on and not obj.outcome
    ctx = {
        "obj": obj,
        "today": today,
        "status": obj.response_status(today),
        "stage": selectors.consultation_stage(obj),
        "show_pupil": access.can(request.user, C.VIEW_PUPILS, obj.school),
        "can_manage": can_manage,
        "can_draft": can_manage and open_,
        "can_sign_off": (
            access.can(request.user, C.SIGN_OFF_CONSULTATIONS, obj.school) and open_ and obj.drafted
        ),
        "outcome_form": forms.ConsultationOutcomeForm(initial={"outcome_on": today})
        if can_manage and not obj.outcome
        else None,
    }
    ctx.update(extra)
    return ctx


@login_required
def consultation_detail(request, pk: int):
    obj = _get_consultation_for_user(request, pk)
    audit.record_view(obj)
    if obj.pupil is not None:
        audit.record_view(obj.pupil)
    return render(request, "casework/consultation_detail.html", _consultation_context(request, obj))


def _consultation_caption(request, obj: NamingConsultation) -> str:
    if access.can(request.user, C.VIEW_PUPILS, obj.school):
        return f"{obj.local_authority.name} consultation about {obj.child_name}"
    return selectors.consultation_about(obj.local_authority.name, obj.received_on)


def _draft(request, obj, data: dict):
    return services.naming_consultation_draft_response(actor=request.user, consultation=obj, **data)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_response(request, pk: int):
    """The school's answer, drafted for the headteacher's sign-off."""
    obj = _get_consultation_for_user(request, pk, C.MANAGE_CASES)
    if obj.responded_on or obj.outcome:
        messages.error(
            request, "The response has been sent or the consultation is decided: it is not changed."
        )
        return redirect("casework:consultation_detail", pk=obj.pk)
    key = f"consultation-response:{obj.pk}"
    data = request.POST if request.method == "POST" else check_answers.kept(request, key)
    initial = {}
    if obj.drafted:
        initial = {
            "can_meet_needs": "yes" if obj.can_meet_needs else "no",
            "ground": obj.ground,
            "reasons": obj.reasons,
        }
    form = forms.ConsultationResponseForm(data, initial=initial)
    if check_answers.answered(request, key, form, lambda _: _draft(request, obj, form.response_data())):
        return redirect("casework:consultation_response_check", pk=obj.pk)
    audit.record_view(obj)
    return render(
        request,
        "casework/consultation_response.html",
        {
            "obj": obj,
            "form": form,
            "caption": _consultation_caption(request, obj),
            "status": obj.response_status(_today()),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_response_check(request, pk: int):
    obj = _get_consultation_for_user(request, pk, C.MANAGE_CASES)

    def make_form(data):
        return forms.ConsultationResponseForm(data)

    def record(_data):
        form = make_form(check_answers.kept(request, f"consultation-response:{obj.pk}"))
        form.is_valid()
        return _draft(request, obj, form.response_data())

    return check_answers.check_page(
        request,
        key=f"consultation-response:{obj.pk}",
        make_form=make_form,
        change_url=reverse("casework:consultation_response", args=[obj.pk]),
        record=record,
        done_url=reverse("casework:consultation_detail", args=[obj.pk]),
        done="Response saved for the headteacher's sign-off.",
        seen=lambda: audit.record_view(obj),
        check={
            "caption": _consultation_caption(request, obj),
            "heading": "the school's response",
            "warning": "The response goes to the LA once the headteacher signs it off. The 15 "
            f"days end on {obj.response_due.day} {obj.response_due:%B %Y}.",
            "button": "Save for sign-off",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_sign_off(request, pk: int):
    """The headteacher reads the drafted response and signs it off: it is sent to the LA on
    the date given, which stops the 15-day clock."""
    obj = _get_consultation_for_user(request, pk, C.SIGN_OFF_CONSULTATIONS)
    if obj.responded_on or obj.outcome or not obj.drafted:
        messages.error(request, "There is no drafted response waiting for sign-off.")
        return redirect("casework:consultation_detail", pk=obj.pk)
    form = forms.ConsultationSignOffForm(
        request.POST if request.method == "POST" else None, initial={"responded_on": _today()}
    )
    if form.is_valid():
        try:
            services.naming_consultation_sign_off(
                actor=request.user, consultation=obj, responded_on=form.cleaned_data["responded_on"]
            )
        except ValidationError as e:
            _form_errors(form, e)
        else:
            messages.success(request, "Response signed off and recorded as sent to the LA.")
            return redirect("casework:consultation_detail", pk=obj.pk)
    audit.record_view(obj)
    return render(
        request,
        "casework/consultation_sign_off.html",
        {
            "obj": obj,
            "form": form,
            "caption": _consultation_caption(request, obj),
            "status": obj.response_status(_today()),
            "show_pupil": access.can(request.user, C.VIEW_PUPILS, obj.school),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def consultation_outcome(request, pk: int):
    obj = _get_consultation_for_user(request, pk, C.MANAGE_CASES)
    form = forms.ConsultationOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.naming_consultation_record_outcome(
                actor=request.user, consultation=obj, **form.cleaned_data
            )
        except ValidationError as e:
            _form_errors(form, e)
        else:
            messages.success(request, "Outcome recorded.")
            return redirect("casework:consultation_detail", pk=obj.pk)
    return render(
        request,
        "casework/consultation_detail.html",
        _consultation_context(request, obj, outcome_form=form),
        status=400,
    )


CONSULTATION_COLUMNS = (
    Column("record", "Consultation"),
    Column("received", "Received"),
    Column("due", "Response due"),
    Column("status", "Status", sortable=False),
    Column("stage", "Stage"),
    Column("la", "Local authority"),
    Column("school", "School"),
)
_CONSULTATION_VALUES = {
    "record": lambda r: (r.name or r.about).lower(),
    "received": lambda r: r.received_on,
    "due": lambda r: dl.naming_response_due(r.received_on),
    "stage": lambda r: r.stage.lower(),
    "la": lambda r: r.local_authority.lower(),
    "school": lambda r: r.school_name.lower(),
}


@login_required
def consultations(request):
    """Consultations per LA and school with response times and outcomes: for the Head of SEND
    (and every reader of cases) with the list, for trust executives the figures only (no
    names, no list)."""
    case_ids = access.school_ids_for(request.user, C.VIEW_CASES)
    figure_ids = case_ids | access.school_ids_for(request.user, C.VIEW_TRUST_DASHBOARD)
    if not figure_ids:
        raise Http404("Nothing to show.")
    today = _today()
    schools = list(access.schools_for(request.user, C.VIEW_CASES).order_by("name"))
    form = forms.ConsultationFilterForm(request.GET or None, schools=schools)
    f = _filters_of(form)
    by_school, by_la = selectors.naming_consultation_figures(school_ids=figure_ids, today=today)
    listing = None
    if case_ids:
        rows = selectors.naming_consultations(
            school_ids=case_ids, today=today, show=f.get("show") or "", school_id=f.get("school")
        )
        named = access.school_ids_for(request.user, C.VIEW_PUPILS)
        for row in rows:
            if row.school_id not in named:
                row.name = ""
        sorting = Sorting.from_params(request.GET, CONSULTATION_COLUMNS, default="-received")
        rows = sorting.sort_rows(
            rows,
            value=lambda r, key: _CONSULTATION_VALUES[key](r),
            name=lambda r: ((r.name or r.about).lower(), r.pk),
        )
        listing = paginate(request, rows, sorting=sorting, filters=f)
    return render(
        request,
        "casework/consultations.html",
        {
            "by_school": by_school,
            "by_la": by_la,
            "form": form,
            "today": today,
            "listing": listing,
            "filtered": any(f.values()),
        },
        status=400 if request.GET and form.errors else 200,
    )
