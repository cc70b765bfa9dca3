"""Register pages, pupil pages, the census upload and exports. Every view asks trusts.access
for the school or record first (a school or pupil the user may not see answers 404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.listing import Column, Sorting, paginate
from trusts import access, audit, navigation
from trusts.access import Capability
from trusts.decorators import recent_authentication_required
from trusts.jobs import enqueue_or_run_now

from . import selectors, services, tasks
from .census import LEAVERS_CONFIRM_ABOVE_PCT, SUMMARY_KEYS, SUMMARY_LABELS, YEAR_GROUPS, CensusFileError
from .forms import (
    AddToRegisterForm,
    CensusUploadForm,
    ConfirmLeaversForm,
    RegisterChangeForm,
    RegisterFilterForm,
    RegisterSearchForm,
    RemoveFromRegisterForm,
)
from .models import CensusImport, Pupil
from .resources import export_register
from .services import RegisterChangeError


def _get_pupil_for_user(request, pk: int, capability: Capability = Capability.VIEW_PUPILS) -> Pupil:
    pupil = (
        Pupil.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("school", "school__trust", "home_local_authority")
        .first()
    )
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


def _get_import_for_user(request, pk: int) -> CensusImport:
    record = (
        CensusImport.objects.filter(
            pk=pk, school_id__in=access.school_ids_for(request.user, Capability.IMPORT_CENSUS)
        )
        .select_related("school", "uploaded_by")
        .first()
    )
    if record is None:
        raise Http404("No such import.")
    return record


# --- The register ------------------------------------------------------------------------------


REGISTER_COLUMNS = (
    Column("name", "Name"),
    Column("upn", "UPN"),
    Column("year", "Year"),
    Column("provision", "Provision"),
    Column("primary_need", "Primary need"),
    Column("secondary_need", "Secondary need"),
    Column("home_la", "Home LA"),
)
REGISTER_ORDERINGS = {
    "name": ("surname", "forename"),
    "upn": ("upn",),
    # Nursery, reception, then years 1 to 14 (not "10" before "2").
    "year": (
        Case(
            *[When(year_group=g, then=Value(i)) for i, g in enumerate(YEAR_GROUPS)],
            default=Value(len(YEAR_GROUPS)),
        ),
    ),
    "provision": ("provision",),
    "primary_need": ("primary_need",),
    "secondary_need": ("secondary_need",),
    "home_la": ("home_local_authority__name",),
}


def _filters_key(school) -> str:
    return f"pupils:register-filters:{school.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def register(request, laestab: str):
    """The filters (provision, need, year group) are in the URL; a search by name or UPN is
    POSTed and kept in the session, never put in the URL: a name or UPN in a URL ends up in
    browser history and server logs."""
    school = access.get_school_for_user(request.user, laestab, Capability.VIEW_PUPILS)
    key = _filters_key(school)
    status = 200
    filter_form = RegisterFilterForm(request.GET)
    filters = filter_form.filters()
    if filter_form.errors:
        status = 400  # the form says what is wrong; the register is shown unfiltered
    back = reverse("pupils:register", kwargs={"laestab": school.laestab})
    if filters:
        back += "?" + urlencode(filters)
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(key, None)
            return redirect(back)
        search_form = RegisterSearchForm(request.POST)
        if search_form.is_valid():
            term = search_form.cleaned_data["q"]
            request.session[key] = {"q": term} if term else {}
            return redirect(back)
        status = 400
    else:
        search_form = RegisterSearchForm(initial=request.session.get(key, {}))
    search = request.session.get(key, {})
    sorting = Sorting.from_params(request.GET, REGISTER_COLUMNS, default="name")
    pupils = sorting.order_queryset(
        selectors.register_for_school(school, **filters, **search),
        REGISTER_ORDERINGS,
        names=("surname", "forename"),
    )
    listing = paginate(request, pupils, sorting=sorting, filters=filters, page_size=request_page_size())
    latest = selectors.latest_snapshots([school.pk]).get(school.pk)
    return render(
        request,
        "pupils/register.html",
        {
            "school": school,
            "form": search_form,
            "filter_form": filter_form,
            "page": listing.page,
            "listing": listing,
            "filter_query": urlencode(filters),
            "counts": selectors.register_counts(pupils),
            "latest": latest,
            "filtered": bool(filters or search),
            "searched": bool(search),
            "can_edit": access.can(request.user, Capability.EDIT_REGISTER, school),
            "can_import": access.can(request.user, Capability.IMPORT_CENSUS, school),
        },
        status=status,
    )


def request_page_size() -> int:
    from django.conf import settings

    return settings.PUPILS_REGISTER_PAGE_SIZE


@login_required
@recent_authentication_required
def register_export(request, laestab: str, fmt: str):
    school = access.get_school_for_user(request.user, laestab, Capability.VIEW_PUPILS)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format.")
    # The export holds what the register shows: the filters in the URL and the search saved in
    # the session.
    pupils = selectors.register_for_school(
        school, **RegisterFilterForm(request.GET).filters(), **request.session.get(_filters_key(school), {})
    )
    content, content_type, rows = export_register(pupils, fmt)
    audit.record_export(actor=request.user, subject=school, what=f"SEN register ({fmt.upper()})", rows=rows)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="sen-register-{school.laestab}.{fmt}"'
    return response


def _pupil_context(request, pupil: Pupil, *, change_form=None, remove_form=None) -> dict:
    """The pupil page: who the child is, then each app's section (trusts.navigation registry:
    the apps that own the records build them, each hidden from a user without its capability),
    what is due next across them, and the register forms for those who may change it."""
    can_edit = access.can(request.user, Capability.EDIT_REGISTER, pupil.school)
    on_register = pupil.on_register and pupil.left_school_on is None
    today = timezone.localdate()
    sections: list[dict[str, Any]] = []
    for section in navigation.pupil_sections():
        content = section.build(pupil, request.user, today)
        if content is not None:
            sections.append({"key": section.key, "title": section.title, "content": content})
    editable = can_edit and on_register
    return {
        "pupil": pupil,
        "school": pupil.school,
        "sections": sections,
        "due_next": [(s["title"], s["content"].due_next) for s in sections if s["content"].due_next],
        "can_edit": editable,
        "on_register": on_register,
        "change_form": (
            change_form
            or RegisterChangeForm(
                initial={
                    "provision": pupil.provision,
                    "primary_need": pupil.primary_need,
                    "secondary_need": pupil.secondary_need,
                }
            )
        )
        if editable
        else None,
        "remove_form": (remove_form or RemoveFromRegisterForm()) if editable else None,
    }


@login_required
def pupil_detail(request, pk: int):
    pupil = _get_pupil_for_user(request, pk)
    audit.record_view(pupil)
    return render(request, "pupils/pupil_detail.html", _pupil_context(request, pupil))


@login_required
@require_POST
def pupil_change(request, pk: int):
    pupil = _get_pupil_for_user(request, pk, Capability.EDIT_REGISTER)
    form = RegisterChangeForm(request.POST)
    if form.is_valid():
        try:
            events = services.pupil_change_register(
                actor=request.user,
                pupil=pupil,
                provision=form.cleaned_data["provision"],
                primary_need=form.cleaned_data["primary_need"],
                secondary_need=form.cleaned_data["secondary_need"],
                note=form.cleaned_data["note"],
            )
        except RegisterChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The register was updated." if events else "Nothing changed.")
            return redirect("pupils:pupil_detail", pk=pupil.pk)
    audit.record_view(pupil)
    return render(
        request, "pupils/pupil_detail.html", _pupil_context(request, pupil, change_form=form), status=400
    )


@login_required
@require_POST
def pupil_remove(request, pk: int):
    pupil = _get_pupil_for_user(request, pk, Capability.EDIT_REGISTER)
    form = RemoveFromRegisterForm(request.POST)
    if form.is_valid():
        try:
            services.pupil_remove_from_register(
                actor=request.user, pupil=pupil, note=form.cleaned_data["note"]
            )
        except RegisterChangeError as exc:
            messages.error(request, str(exc))
            return redirect("pupils:pupil_detail", pk=pupil.pk)
        messages.success(request, "The pupil was taken off the register; their history is kept.")
        return redirect("pupils:register", laestab=pupil.school.laestab)
    audit.record_view(pupil)
    return render(
        request, "pupils/pupil_detail.html", _pupil_context(request, pupil, remove_form=form), status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def pupil_add(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, Capability.EDIT_REGISTER)
    form = AddToRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pupil = services.pupil_add_to_register(
                actor=request.user,
                school=school,
                upn=data["upn"],
                surname=data["surname"],
                forename=data["forename"],
                date_of_birth=data["date_of_birth"],
                gender=data["gender"],
                year_group=data["year_group"],
                primary_need=data["primary_need"],
                secondary_need=data["secondary_need"],
                home_local_authority=data["home_local_authority"],
            )
        except RegisterChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The pupil was added to SEN Support.")
            return redirect("pupils:pupil_detail", pk=pupil.pk)
    return render(
        request, "pupils/pupil_add.html", {"school": school, "form": form}, status=400 if form.errors else 200
    )


# --- Census upload -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def census_upload(request, laestab: str | None = None):
    schools = list(access.schools_for(request.user, Capability.IMPORT_CENSUS).order_by("name"))
    if not schools:
        raise Http404("You may not import census files.")
    if laestab is not None:
        access.get_school_for_user(request.user, laestab, Capability.IMPORT_CENSUS)
    initial = {"school": laestab} if laestab else {}
    form = CensusUploadForm(request.POST or None, request.FILES or None, schools=schools, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.census_upload(
                actor=request.user,
                school=form.cleaned_data["school"],
                census_date=form.cleaned_data["census_date"],
                uploaded_file=form.cleaned_data["file"],
            )
        except CensusFileError as exc:
            form.add_error("file", str(exc))
        else:
            enqueue_or_run_now(tasks.check_census_import, record.pk)
            return redirect("pupils:import_detail", pk=record.pk)
    recent = selectors.imports_for_schools([s.pk for s in schools], limit=10)
    return render(
        request,
        "pupils/census_upload.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


def _import_context(record: CensusImport) -> dict:
    summary = record.summary or {}
    rows = [(SUMMARY_LABELS[k], summary.get("totals", {}).get(k, 0)) for k in SUMMARY_KEYS]
    return {
        "record": record,
        "summary": summary,
        "totals": rows,
        "schools": summary.get("schools", []),
        "progress": cache.get(services.progress_key(record.pk), 0),
        "Status": CensusImport.Status,
        "max_attempts": settings.JOBS_MAX_ATTEMPTS,
    }


# The pupils recorded as having left are listed by name on the check page, up to this many.
LEAVERS_SHOWN = 500


def _import_page(
    request, record: CensusImport, confirm_form: ConfirmLeaversForm | None = None, status: int = 200
):
    """The check or result page: the summary, the pupils recorded as having left and, when
    there are more of them than may leave unconfirmed, the tick box quoting their number."""
    context = _import_context(record)
    summary = context["summary"]
    leavers: list[Pupil] = []
    leavers_total = 0
    if record.is_finished:
        leavers, leavers_total = selectors.import_leavers(
            summary, access.school_ids_for(request.user, Capability.IMPORT_CENSUS), LEAVERS_SHOWN
        )
    to_confirm = summary.get("leavers_to_confirm", 0)
    if confirm_form is None and to_confirm and record.status == CensusImport.Status.READY:
        confirm_form = ConfirmLeaversForm(leavers=to_confirm)
    context.update(
        {
            "leavers": leavers,
            "leavers_total": leavers_total,
            "leavers_more": leavers_total - len(leavers),
            "leavers_to_confirm": to_confirm,
            "leaver_schools": [s for s in context["schools"] if s.get("leaver_ids")],
            "confirm_form": confirm_form,
            "leavers_percent_limit": LEAVERS_CONFIRM_ABOVE_PCT,
        }
    )
    return render(request, "pupils/import_detail.html", context, status=status)


@login_required
def import_detail(request, pk: int):
    record = _get_import_for_user(request, pk)
    return _import_page(request, record)


@login_required
def import_progress(request, pk: int):
    record = _get_import_for_user(request, pk)
    response = render(request, "pupils/_import_progress.html", _import_context(record))
    if record.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request, pk: int):
    record = _get_import_for_user(request, pk)
    confirmed = None
    to_confirm = (record.summary or {}).get("leavers_to_confirm", 0)
    if to_confirm and record.status == CensusImport.Status.READY:
        form = ConfirmLeaversForm(request.POST, leavers=to_confirm)
        if not form.is_valid():
            return _import_page(request, record, confirm_form=form, status=400)
        confirmed = form.cleaned_data["confirm_leavers"]
    if services.census_import_confirm(actor=request.user, record=record, confirmed_leavers=confirmed):
        enqueue_or_run_now(tasks.apply_census_import, record.pk, request.user.pk)
    else:
        messages.error(
            request, "This file is not ready to import (it has errors, or its import has already started)."
        )
    return redirect(reverse("pupils:import_detail", kwargs={"pk": record.pk}))


@login_required
@require_POST
def import_retry(request, pk: int):
    record = _get_import_for_user(request, pk)
    step = services.census_import_retry(actor=request.user, record=record)
    if step is None:
        messages.error(
            request,
            "This file's check or import cannot be tried again: it was "
            "refused for what is in the file, or it has already finished.",
        )
    else:
        tasks.send(step, record.pk, request.user.pk)
    return redirect(reverse("pupils:import_detail", kwargs={"pk": record.pk}))
