"""The SENCO's pages for common transfer files: upload, check, confirm; and the export for
pupils leaving. Every view asks trusts.access for the school first: importing needs the right
to see and to change the school's pupils, exporting the right to see them; any other school
answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core import check_answers
from pupils import selectors as pupil_selectors
from pupils.services import RegisterChangeError
from trusts import access
from trusts.access import Capability
from trusts.decorators import recent_authentication_required

from . import selectors, services
from .forms import CtfExportForm, CtfUploadForm, MoveReleaseForm
from .models import PupilMove, TransferImport
from .services import STATUS_LABELS, CTFError, MoveError, UnknownPupils


def _importable_school(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, Capability.EDIT_REGISTER)
    if not access.can(request.user, Capability.VIEW_PUPILS, school):
        raise Http404("No such school.")
    return school


def _get_import_for_user(request, pk: int) -> TransferImport:
    allowed = access.school_ids_for(request.user, Capability.EDIT_REGISTER) & access.school_ids_for(
        request.user, Capability.VIEW_PUPILS
    )
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
            record = services.ctf_upload(actor=request.user, school=school, raw=raw, file_name=name)
        except CTFError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("transfers:import_detail", pk=record.pk)
    return render(
        request,
        "transfers/import_upload.html",
        {
            "school": school,
            "form": form,
            "recent": selectors.imports_for_school(school, limit=10),
        },
        status=400 if form.errors else 200,
    )


def _lines(record: TransferImport) -> list[dict]:
    """The check's lines with each pupil's name: from the file while the import waits, from
    the register once it is done (the record keeps ids, never names)."""
    lines = [dict(line) for line in (record.summary or {}).get("lines", [])]
    from_file = {p["position"]: p for p in record.pupils}
    ids = [line["pupil_id"] for line in lines if line.get("pupil_id")]
    stored = pupil_selectors.pupils_by_id(record.school, ids)
    for line in lines:
        line["label"] = STATUS_LABELS[line["status"]]
        pupil_id = line.get("pupil_id")
        pupil = stored.get(pupil_id) if pupil_id else None
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
    return render(
        request,
        "transfers/import_detail.html",
        {
            "record": record,
            "school": record.school,
            "lines": _lines(record),
            "counts": [(STATUS_LABELS[k], counts.get(k, 0)) for k in STATUS_LABELS],
            "changes": counts.get("new", 0) + counts.get("changed", 0),
            "Status": TransferImport.Status,
        },
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    record = _get_import_for_user(request, pk)
    if services.ctf_import_confirm(actor=request.user, record=record):
        messages.success(request, "The common transfer file was imported.")
    else:
        messages.error(
            request, "This file is not ready to import (it has errors, or it has already been imported)."
        )
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
                actor=request.user,
                school=school,
                upns=[p.upn for p in chosen],
                dest_laestab=form.cleaned_data["destination"],
            )
        except UnknownPupils as exc:
            form.add_error("pupils", str(exc))
        else:
            dest = form.cleaned_data["destination"] or "MMMMMMM"
            response = HttpResponse(content, content_type="application/xml")
            # The DfE's file name: source LAESTAB, CTF, destination LAESTAB, a number.
            response["Content-Disposition"] = f'attachment; filename="{school.laestab}_CTF_{dest}_001.xml"'
            return response
    return render(
        request,
        "transfers/export.html",
        {"school": school, "form": form, "has_pupils": bool(pupils)},
        status=400 if form.errors else 200,
    )


# --- A pupil moving to another school of the deployment ------------------------------------------
# The sending school's register editors release; the receiving school's register editors
# receive. Anyone else, in either trust or another, gets 404 for the move and its pages.


def _editable_ids(request) -> frozenset[int]:
    return access.school_ids_for(request.user, Capability.EDIT_REGISTER) & access.school_ids_for(
        request.user, Capability.VIEW_PUPILS
    )


def _releasable_pupil(request, pk: int):
    pupil = selectors.pupil_for_schools(pk, _editable_ids(request))
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


def _release_form(pupil, data=None) -> MoveReleaseForm:
    return MoveReleaseForm(data, schools=selectors.schools_to_release_to(pupil.school))


def _release_key(pupil) -> str:
    return f"pupil-move:{pupil.pk}"


def _release(request, pupil):
    return lambda data: services.pupil_move_release(
        actor=request.user, pupil=pupil, to_school=data["to_school"]
    )


@login_required
@require_http_methods(["GET", "POST"])
def move_release(request, pk: int):
    pupil = _releasable_pupil(request, pk)
    data = request.POST if request.method == "POST" else check_answers.kept(request, _release_key(pupil))
    form = _release_form(pupil, data)
    if check_answers.answered(request, _release_key(pupil), form, _release(request, pupil)):
        return redirect("transfers:move_release_check", pk=pupil.pk)
    return render(
        request,
        "transfers/move_release.html",
        {
            "pupil": pupil,
            "school": pupil.school,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def move_release_check(request, pk: int):
    pupil = _releasable_pupil(request, pk)
    return check_answers.check_page(
        request,
        key=_release_key(pupil),
        make_form=lambda data: _release_form(pupil, data),
        change_url=reverse("transfers:move_release", args=[pupil.pk]),
        record=_release(request, pupil),
        done_url=lambda move: reverse("transfers:move_detail", args=[move.pk]),
        done=f"{pupil.full_name} was released. Their new school's SENCO can now receive them.",
        check={
            "caption": f"{pupil.full_name}, {pupil.school.name}",
            "heading": "the pupil's move",
            "rows": [
                check_answers.Row(
                    "Pupil",
                    f"{pupil.full_name} (UPN {pupil.upn})",
                    reverse("pupils:pupil_detail", args=[pupil.pk]),
                    "pupil",
                )
            ],
            "warning": "The new school will see the pupil's name, UPN and date of birth "
            "now, and their SEN support plans, one-page profile, EHC plan and "
            "provision history once they receive them. The pupil then leaves "
            "your register; you keep their records, read-only.",
            "button": "Release the pupil",
        },
    )


def _get_move_for_user(request, pk: int):
    move = selectors.move_for_schools(pk, _editable_ids(request))
    if move is None:
        raise Http404("No such move.")
    return move


def _sides(request, move) -> tuple[bool, bool]:
    ids = _editable_ids(request)
    return move.from_school_id in ids, move.to_school_id in ids


@login_required
def move_detail(request, pk: int):
    move = _get_move_for_user(request, pk)
    sender, receiver = _sides(request, move)
    return render(
        request,
        "transfers/move_detail.html",
        {
            "move": move,
            "sender": sender,
            "receiver": receiver,
            "Status": PupilMove.Status,
            # The receiving school reads the records only on its own copies, once received.
            "show_provision": move.status == PupilMove.Status.RECEIVED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def move_receive(request, pk: int):
    move = _get_move_for_user(request, pk)
    sender, receiver = _sides(request, move)
    if not receiver:
        raise Http404("No such move.")
    if move.status != PupilMove.Status.RELEASED:
        messages.error(request, "This pupil is no longer waiting to be received.")
        return redirect("transfers:move_detail", pk=move.pk)
    if request.method == "POST":
        try:
            services.pupil_move_receive(actor=request.user, move=move)
        except (MoveError, RegisterChangeError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{move.pupil.full_name} joined your register with their records.")
        return redirect("transfers:move_detail", pk=move.pk)
    here = reverse("transfers:move_detail", args=[move.pk])
    pupil = move.pupil
    rows = [
        check_answers.Row(key, value, here, key.lower())
        for key, value in (
            ("Pupil", pupil.full_name),
            ("UPN", pupil.upn),
            ("Date of birth", f"{pupil.date_of_birth.day} {pupil.date_of_birth:%B %Y}"),
            ("From", f"{move.from_school.name} ({move.from_school.laestab})"),
            ("To", f"{move.to_school.name} ({move.to_school.laestab})"),
        )
    ]
    return render(
        request,
        "check_answers.html",
        {
            "check": {
                "caption": move.to_school.name,
                "heading": "the pupil joining your school",
                "rows": rows,
                "warning": "The pupil joins your register today with their SEN history, and you get "
                "their support plans, one-page profile, EHC plan and its reviews, and "
                "provision history. Their old school keeps its records, read-only.",
                "button": "Receive the pupil",
            }
        },
    )


@login_required
@require_POST
def move_cancel(request, pk: int):
    move = _get_move_for_user(request, pk)
    sender, _ = _sides(request, move)
    if not sender:
        raise Http404("No such move.")
    if services.pupil_move_cancel(actor=request.user, move=move):
        messages.success(request, "The release was cancelled.")
    else:
        messages.error(request, "This release can no longer be cancelled.")
    return redirect("transfers:move_detail", pk=move.pk)


@login_required
def moves_incoming(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, Capability.EDIT_REGISTER)
    if not access.can(request.user, Capability.VIEW_PUPILS, school):
        raise Http404("No such school.")
    return render(
        request,
        "transfers/moves_incoming.html",
        {
            "school": school,
            "waiting": list(selectors.moves_released_to([school.pk])),
            "received": list(selectors.moves_received_by(school)),
        },
    )
