"""Evidence pack pages. Every view fetches its pupil or pack through trusts.access (a record
the user may not see answers 404), records each read of a pack in the audit log (the PDF as an
export), and writes only through evidence.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import check_answers
from core.forms import add_service_errors
from pupils.models import Pupil
from trusts import access, audit
from trusts.access import Capability as C

from . import forms, pdf, selectors, services
from .models import EvidencePack, PackKind


def _today() -> dt.date:
    return timezone.localdate()


def _pupil_for(request, pk: int, capability: C) -> Pupil:
    pupil = (
        Pupil.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("school__trust", "home_local_authority")
        .first()
    )
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


def _pack_for(request, pk: int, capability: C = C.VIEW_EVIDENCE_PACKS) -> EvidencePack:
    pack = (
        EvidencePack.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related(
            "pupil__school__trust",
            "pupil__home_local_authority",
            "school__trust",
            "local_authority",
            "template",
            "claim__requested_band",
            "ehc_request",
            "sent_by",
            "created_by",
        )
        .first()
    )
    if pack is None:
        raise Http404("No such pack.")
    return pack


# --- The packs of the reader's schools -------------------------------------------------------


@login_required
@require_GET
def pack_list(request):
    """Packs of the reader's schools, filtered in the URL (a school id and a status): the
    SENCO's home page links here for the packs being prepared."""
    schools = [
        s
        for s in access.schools_for(request.user, C.VIEW_EVIDENCE_PACKS).order_by("name")
        if access.can(request.user, C.VIEW_PUPILS, s)
    ]
    if not schools:
        raise Http404("No evidence packs to show.")
    form = forms.PackFilterForm(request.GET or None, schools=schools)
    f = form.cleaned_data if form.is_valid() else {}
    packs = selectors.packs_list(
        school_ids=[s.pk for s in schools], status=f.get("status", ""), school_id=f.get("school")
    )
    return render(
        request,
        "evidence/pack_list.html",
        {"packs": packs, "form": form, "filtered": bool(f.get("status") or f.get("school"))},
        status=400 if request.GET and not form.is_valid() else 200,
    )


# --- A pupil's packs -------------------------------------------------------------------------


def _pupil_page(request, pupil: Pupil, *, start_form=None, status: int = 200):
    packs = selectors.packs_for_pupil(pupil)
    professionals = selectors.professionals_for_pupil(pupil)
    may_write = (
        access.can(request.user, C.WRITE_EVIDENCE_PACKS, pupil.school_id) and pupil.left_school_on is None
    )
    claims = selectors.claims_to_bid_for(pupil)
    if start_form is None and may_write:
        start_form = forms.PackStartForm(claims=claims)
    return render(
        request,
        "evidence/pupil_packs.html",
        {
            "pupil": pupil,
            "school": pupil.school,
            "packs": packs,
            "professionals": professionals,
            "can_write": may_write,
            "form": start_form,
            "today": _today(),
        },
        status=status,
    )


@login_required
@require_GET
def pupil_packs(request, pupil_id: int):
    pupil = _pupil_for(request, pupil_id, C.VIEW_EVIDENCE_PACKS)
    return _pupil_page(request, pupil)


@login_required
@require_POST
def pack_new(request, pupil_id: int):
    pupil = _pupil_for(request, pupil_id, C.WRITE_EVIDENCE_PACKS)
    form = forms.PackStartForm(request.POST, claims=selectors.claims_to_bid_for(pupil))
    if form.is_valid():
        try:
            pack = services.pack_start(
                actor=request.user,
                pupil=pupil,
                kind=form.cleaned_data["kind"],
                claim=form.cleaned_data.get("claim"),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            return redirect("evidence:pack_detail", pk=pack.pk)
    return _pupil_page(request, pupil, start_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def professional_new(request, pupil_id: int):
    pupil = _pupil_for(request, pupil_id, C.WRITE_EVIDENCE_PACKS)
    form = forms.ProfessionalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.professional_add(actor=request.user, pupil=pupil, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, "The outside professional's involvement was added.")
            return redirect("evidence:pupil_packs", pupil_id=pupil.pk)
    return render(
        request, "evidence/professional_form.html", {"pupil": pupil, "school": pupil.school, "form": form}
    )


# --- A pack ----------------------------------------------------------------------------------


@login_required
@require_GET
def pack_detail(request, pk: int):
    pack = _pack_for(request, pk)
    audit.record_view(pack)
    context = pdf.pack_context(pack)
    request_steps = pack.ehc_request.steps(_today()) if pack.ehc_request else []
    return render(
        request,
        "evidence/pack_detail.html",
        {
            **context,
            "school": pack.school,
            "steps": request_steps,
            "can_write": access.can(request.user, C.WRITE_EVIDENCE_PACKS, pack.school_id)
            and not pack.is_sent,
            "can_see_request": access.can(request.user, C.VIEW_CASES, pack.school_id),
            "can_see_claim": access.can(request.user, C.VIEW_FUNDING, pack.school_id),
        },
    )


@login_required
@require_GET
def pack_pdf(request, pk: int):
    pack = _pack_for(request, pk)
    document = pdf.pack_pdf(pack)
    audit.record_export(actor=request.user, subject=pack, what="evidence pack PDF", rows=1)
    response = HttpResponse(document, content_type="application/pdf")
    # No name in the file name: downloads folders and browser histories keep it.
    response["Content-Disposition"] = f'attachment; filename="evidence-pack-{pack.pk}.pdf"'
    return response


def _sendable_pack_for(request, pk: int):
    pack = _pack_for(request, pk, C.WRITE_EVIDENCE_PACKS)
    if pack.is_sent:
        messages.error(request, f"This pack was already sent, on {selectors.long_date(pack.sent_on)}.")
        return pack, redirect("evidence:pack_detail", pk=pack.pk)
    return pack, None


def _send_key(pack: EvidencePack) -> str:
    return f"evidence-send:{pack.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def pack_send(request, pk: int):
    pack, refused = _sendable_pack_for(request, pk)
    if refused:
        return refused
    data = request.POST if request.method == "POST" else check_answers.kept(request, _send_key(pack))
    form = forms.SendForm(data, initial={"sent_on": _today()})
    if check_answers.answered(
        request,
        _send_key(pack),
        form,
        lambda d: services.pack_send(actor=request.user, pack=pack, sent_on=d["sent_on"]),
    ):
        return redirect("evidence:pack_send_check", pk=pack.pk)
    audit.record_view(pack)
    assembled = selectors.assemble_pack(pack)
    return render(
        request,
        "evidence/pack_send.html",
        {
            "pack": pack,
            "pupil": pack.pupil,
            "school": pack.school,
            "form": form,
            "missing": assembled.missing,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pack_send_check(request, pk: int):
    """Sending an EHC request pack starts the LA's statutory clock: the date is checked first."""
    pack, refused = _sendable_pack_for(request, pk)
    if refused:
        return refused
    ehc = pack.kind == PackKind.EHC_REQUEST
    warning = (
        "Recording this starts the EHC needs assessment request on the date sent: the "
        f"LA must decide whether to assess within 6 weeks of it, and {pack.local_authority}"
        " must issue any final plan within 20 weeks. The pack is kept as it is now."
        if ehc
        else "The pack is kept as it is now, recorded as sent with the top-up claim. The "
        "claim is submitted to the LA on its own page."
    )
    return check_answers.check_page(
        request,
        key=_send_key(pack),
        make_form=lambda d: forms.SendForm(d),
        change_url=reverse("evidence:pack_send", args=[pack.pk]),
        record=lambda d: services.pack_send(actor=request.user, pack=pack, sent_on=d["sent_on"]),
        done_url=reverse("evidence:pack_detail", args=[pack.pk]),
        done="The pack was recorded as sent."
        + (" The assessment request and its deadlines start from the date sent." if ehc else ""),
        check={
            "caption": f"{pack.get_kind_display()} for {pack.pupil.full_name}, to "
            f"{pack.local_authority.name}",
            "heading": "the pack as sent",
            "warning": warning,
            "button": "Record as sent",
        },
        seen=lambda: audit.record_view(pack),
    )


@login_required
@require_POST
def pack_discard(request, pk: int):
    pack, refused = _sendable_pack_for(request, pk)
    if refused:
        return refused
    pupil_id = pack.pupil_id
    services.pack_discard(actor=request.user, pack=pack)
    messages.success(request, "The pack was deleted.")
    return redirect("evidence:pupil_packs", pupil_id=pupil_id)
