"""The SENCO's pages for common transfer files: upload, check, confirm; and the export for
pupils leaving. Every view asks trusts.access for the school first: importing needs the right
to see and to change the school's pupils, exporting the right to see them; any other school
answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pupils import selectors as pupil_selectors
from trusts import access
from trusts.access import Capability
from trusts.decorators import recent_authentication_required

from . import selectors, services
from .forms import CtfExportForm, CtfUploadForm
from .models import TransferImport
from .services import STATUS_LABELS, CTFError, UnknownPupils


def _importable_school(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, Capability.EDIT_REGISTER)
    if not access.can(request.user, Capability.VIEW_PUPILS, school):
        raise Http404("No such school.")
    return school


def _get_import_for_user(request, pk: int) -> TransferImport:
    allowed = (access.school_ids_for(request.user, Capability.EDIT_REGISTER)
               & access.school_ids_for(request.user, Capability.VIEW_PUPILS))
    record = selectors.import_for_schools(pk, allowed)
    if record is None:
        raise Http404("No such import.")
    return record


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, laestab: str):
    school = _importable_school(request, laestab)
    form = CtfUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(upload.size + 1)
        name = (upload.name or "ctf.xml").rsplit("/", 1)[-1][:200]
        try:
            record = services.ctf_upload(actor=request.user, school=school, raw=raw,
                                         file_name=name)
        except CTFError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("transfers:import_detail", pk=record.pk)
    return render(request, "transfers/import_upload.html", {
        "school": school, "form": form,
        "recent": selectors.imports_for_school(school, limit=10),
    }, status=400 if form.errors else 200)


def _lines(record: TransferImport) -> list[dict]:
    """The check's lines with each pupil's name: from the file while the import waits, from
    the register once it is done (the record keeps ids, never names)."""
    lines = [dict(line) for line in (record.summary or {}).get("lines", [])]
    from_file = {p["position"]: p for p in record.pupils}
    ids = [line["pupil_id"] for line in lines if line.get("pupil_id")]
    stored = pupil_selectors.pupils_by_id(record.school, ids)
    for line in lines:
        line["label"] = STATUS_LABELS[line["status"]]
        pupil = stored.get(line.get("pupil_id"))
        payload = from_file.get(line["position"])
        if payload is not None:
            line["name"] = f"{payload['surname']}, {payload['forename']}"
            line["year_group"] = payload["year_group"]
        elif pupil is not None:
            line["name"] = f"{pupil.surname}, {pupil.forename}"
            line["year_group"] = pupil.year_group
        line["pupil"] = pupil if record.status == TransferImport.Status.IMPORTED else None
    return lines


@login_required
def import_detail(request, pk: int):
    record = _get_import_for_user(request, pk)
    counts = (record.summary or {}).get("counts", {})
    return render(request, "transfers/import_detail.html", {
        "record": record, "school": record.school, "lines": _lines(record),
        "counts": [(STATUS_LABELS[k], counts.get(k, 0)) for k in STATUS_LABELS],
        "changes": counts.get("new", 0) + counts.get("changed", 0),
        "Status": TransferImport.Status,
    })


@login_required
@require_POST
def import_confirm(request, pk: int):
    record = _get_import_for_user(request, pk)
    if services.ctf_import_confirm(actor=request.user, record=record):
        messages.success(request, "The common transfer file was imported.")
    else:
        messages.error(request, "This file is not ready to import (it has errors, or it has "
                                "already been imported).")
    return redirect("transfers:import_detail", pk=record.pk)


@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required
def export(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, Capability.VIEW_PUPILS)
    pupils = list(pupil_selectors.pupils_of_school(school))
    initial = {"pupils": [request.GET["pupil"]]} if request.GET.get("pupil", "").isdigit() else {}
    form = CtfExportForm(request.POST or None, pupils=pupils, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["pupils"]
        try:
            content, count = services.ctf_export(
                actor=request.user, school=school, upns=[p.upn for p in chosen],
                dest_laestab=form.cleaned_data["destination"])
        except UnknownPupils as exc:
            form.add_error("pupils", str(exc))
        else:
            dest = form.cleaned_data["destination"] or "MMMMMMM"
            response = HttpResponse(content, content_type="application/xml")
            # The DfE's file name: source LAESTAB, CTF, destination LAESTAB, a number.
            response["Content-Disposition"] = (
                f'attachment; filename="{school.laestab}_CTF_{dest}_001.xml"')
            return response
    return render(request, "transfers/export.html", {"school": school, "form": form,
                                                     "has_pupils": bool(pupils)},
                  status=400 if form.errors else 200)
