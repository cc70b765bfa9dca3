"""Dashboards, exports and board packs. Every view asks trusts.access for the school, trust or
pack it shows; anything the user may not see answers 404."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pupils import figures as register
from trusts import access, audit
from trusts.access import Capability
from trusts.decorators import recent_authentication_required
from trusts.models import School, Trust

from . import exports, pages, services
from .forms import BoardPackRequestForm
from .models import BoardPack

# --- One helper per object: the access policy decides, a forbidden object is 404 -----------


def _get_school_for_user(request, laestab: str) -> School:
    return access.get_school_for_user(request.user, laestab, Capability.VIEW_SCHOOL)


def _get_trust_for_user(request, slug: str, capability: Capability) -> Trust:
    return access.get_trust_for_user(request.user, slug, capability)


def _get_cross_trust_ids_for_user(request) -> list[int]:
    trust_ids = pages.cross_trust_ids(request.user)
    if trust_ids is None:
        raise Http404("Cross-trust figures are only for someone with a role in several trusts.")
    return trust_ids


def _get_pack_for_user(request, pk: int) -> BoardPack:
    trust_ids = access.trust_ids_for(request.user, Capability.REQUEST_BOARD_PACK)
    pack = BoardPack.objects.filter(pk=pk, trust_id__in=trust_ids).select_related("trust").first()
    if pack is None:
        raise Http404("No such board pack.")
    return pack


def _census_from(request) -> datetime.date | None:
    value = request.GET.get("census", "")
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        messages.error(request, "The census date was not understood, so the latest census is shown.")
        return None


# --- Dashboards --------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    user = request.user
    trust_ids = access.trust_ids_for(user, Capability.VIEW_TRUST_DASHBOARD)
    if len(trust_ids) > 1:
        return redirect("reports:cross_trust")
    if len(trust_ids) == 1:
        trust = Trust.objects.get(pk=next(iter(trust_ids)))
        return redirect("reports:trust", slug=trust.slug)
    schools = list(access.schools_for(user, Capability.VIEW_SCHOOL).order_by("name", "laestab"))
    if len(schools) == 1:
        return redirect("reports:school", laestab=schools[0].laestab)
    return render(request, "reports/index.html", {"schools": schools})


@login_required
@require_GET
def school_dashboard(request, laestab: str):
    school = _get_school_for_user(request, laestab)
    page = pages.school_page(
        school.pk,
        _census_from(request),
        today=timezone.localdate(),
        **pages.school_page_options(request.user, school.pk),
    )
    return render(
        request,
        "reports/school.html",
        {
            "school": school,
            "page": page,
            "trust_dashboard": access.can_in_trust(
                request.user, Capability.VIEW_TRUST_DASHBOARD, school.trust_id
            ),
        },
    )


@login_required
@require_GET
def trust_dashboard(request, slug: str):
    trust = _get_trust_for_user(request, slug, Capability.VIEW_TRUST_DASHBOARD)
    visible = pages.dashboard_trust_ids(request.user)
    page = pages.trust_page(
        trust, _census_from(request), visible_trust_ids=visible, today=timezone.localdate()
    )
    return render(
        request,
        "reports/trust.html",
        {
            "trust": trust,
            "page": page,
            "can_request_pack": access.can_in_trust(request.user, Capability.REQUEST_BOARD_PACK, trust),
            "cross_trust": len(visible) > 1,
        },
    )


def _cross_trust_filters(request) -> tuple[dict[str, str], str]:
    return (
        {k: request.GET.get(k, "") for k in pages.CROSS_FILTERS},
        request.GET.get("sort", pages.DEFAULT_SORT),
    )


@login_required
@require_GET
def cross_trust_dashboard(request):
    trust_ids = _get_cross_trust_ids_for_user(request)
    filters, sort = _cross_trust_filters(request)
    body = pages.cross_trust_body(trust_ids, filters=filters, sort=sort, today=timezone.localdate())
    return render(request, "reports/cross_trust.html", {"body": body})


# --- Exports -----------------------------------------------------------------------------------


@login_required
@require_GET
@recent_authentication_required
def school_export(request, laestab: str, fmt: str):
    school = _get_school_for_user(request, laestab)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    profile = register.school_profile(school.pk, None)
    data = exports.school_profile_dataset(profile)
    audit.record_export(
        actor=request.user, subject=school, what=f"SEND figures by census ({fmt})", rows=len(data)
    )
    return exports.response(data, fmt, f"send-figures-{school.laestab}")


@login_required
@require_GET
@recent_authentication_required
def trust_export(request, slug: str, fmt: str):
    trust = _get_trust_for_user(request, slug, Capability.VIEW_TRUST_DASHBOARD)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    table = register.school_table(census_date=_census_from(request), trust_ids=[trust.pk])
    data = exports.school_table_dataset(table, table.rows)
    audit.record_export(
        actor=request.user, subject=trust, what=f"SEND school table ({fmt})", rows=len(table.rows)
    )
    return exports.response(data, fmt, f"send-schools-{trust.slug}")


@login_required
@require_GET
@recent_authentication_required
def cross_trust_export(request, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    trust_ids = _get_cross_trust_ids_for_user(request)
    table = register.school_table(trust_ids=trust_ids)
    filters, sort = _cross_trust_filters(request)
    rows = register.filter_and_sort(table.rows, sort=sort, **filters)
    data = exports.school_table_dataset(table, rows)
    for trust in Trust.objects.filter(pk__in={r.trust_id for r in rows}):
        audit.record_export(
            actor=request.user,
            subject=trust,
            what=f"SEND cross-trust school table ({fmt})",
            rows=sum(1 for r in rows if r.trust_id == trust.pk),
        )
    return exports.response(data, fmt, "send-schools-all-trusts")


# --- Board packs -------------------------------------------------------------------------------


@login_required
@require_GET
def board_pack_index(request):
    trusts = list(access.trusts_for(request.user, Capability.REQUEST_BOARD_PACK))
    if len(trusts) == 1:
        return redirect("reports:board_packs", slug=trusts[0].slug)
    return render(request, "reports/board_pack_index.html", {"trusts": trusts})


@login_required
@require_http_methods(["GET", "POST"])
def board_packs(request, slug: str):
    trust = _get_trust_for_user(request, slug, Capability.REQUEST_BOARD_PACK)
    dates = register.census_dates(School.objects.filter(trust=trust).values_list("pk", flat=True))
    if request.method == "POST":
        form = BoardPackRequestForm(request.POST, census_dates=dates)
        if form.is_valid():
            pack = services.board_pack_request(
                actor=request.user,
                trust=trust,
                census_date=form.cleaned_data["census"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
            if services.board_pack_is_waiting(pack):
                messages.warning(
                    request,
                    "Board pack requested, but the job service is not "
                    "answering just now: it is queued and will be produced "
                    "automatically when the service is back.",
                )
            else:
                messages.success(request, "Board pack requested. This page shows when it is ready.")
            return redirect("reports:board_packs", slug=trust.slug)
        status = 400
    else:
        form = BoardPackRequestForm(initial={"idempotency_key": uuid.uuid4().hex}, census_dates=dates)
        status = 200
    packs = list(BoardPack.objects.filter(trust=trust).select_related("requested_by")[:50])
    return render(
        request,
        "reports/board_packs.html",
        {
            "trust": trust,
            "form": form,
            "packs": packs,
        },
        status=status,
    )


@login_required
@require_GET
def board_pack_status(request, pk: int):
    pack = _get_pack_for_user(request, pk)
    return render(request, "reports/_pack_row.html", {"pack": pack})


@login_required
@require_POST
def board_pack_retry(request, pk: int):
    pack = _get_pack_for_user(request, pk)
    if services.board_pack_retry(actor=request.user, pack=pack):
        messages.success(request, "Board pack requested again. This page shows when it is ready.")
    else:
        messages.info(request, "That board pack has not failed: it is ready or on its way.")
    return redirect("reports:board_packs", slug=pack.trust.slug)


@login_required
@require_GET
def board_pack_download(request, pk: int):
    pack = _get_pack_for_user(request, pk)
    path = services.board_pack_file(pack)
    if path is None:
        raise Http404("This board pack is not ready.")
    audit.record_export(actor=request.user, subject=pack.trust, what=f"board pack {pack.pk}", rows=0)
    date = (pack.census_date or pack.created_at.date()).isoformat()
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,  # noqa: SIM115 - closed by Django
        filename=f"{pack.trust.slug}-board-pack-{date}.pdf",
        content_type="application/pdf",
    )
