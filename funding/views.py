"""Funding pages. Every view asks trusts.access for the school or trust (404 when the user has
no such role there); pupil names appear only for roles with VIEW_PUPILS."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.listing import Column, Sorting, paginate
from core.views import form_page, saved
from pupils.models import ON_REGISTER, Pupil
from trusts import access, audit
from trusts.access import Capability
from trusts.decorators import recent_authentication_required

from . import calculations as calc
from . import exports, forms, remittances, selectors, services
from .models import Band, Claim, ClaimStatus

C = Capability
S = ClaimStatus


# --- one helper per object ------------------------------------------------------------------


def _get_school_for_user(request, laestab: str, capability: Capability = C.VIEW_FUNDING):
    return access.get_school_for_user(request.user, laestab, capability)


def _get_trust_for_user(request, slug: str):
    return access.get_trust_for_user(request.user, slug, C.VIEW_FUNDING)


def _get_claim_for_user(request, claim_id: int, capability: Capability = C.VIEW_PUPILS) -> Claim:
    """A claim names a pupil: it needs VIEW_FUNDING and VIEW_PUPILS (or `capability`) in its school."""
    claim = (
        Claim.objects.filter(pk=claim_id)
        .select_related(
            "school__trust", "pupil__home_local_authority", "local_authority", "requested_band__scheme"
        )
        .first()
    )
    if claim is None or not (
        access.can(request.user, C.VIEW_FUNDING, claim.school)
        and access.can(request.user, C.VIEW_PUPILS, claim.school)
        and access.can(request.user, capability, claim.school)
    ):
        raise Http404("No such claim.")
    return claim


def _financial_year(request) -> int:
    """The year chosen with ?year=2025; by default (or for nonsense) the current financial year,
    or, while its banding tables are not loaded yet, the latest earlier year that has them."""
    default = selectors.default_financial_year()
    try:
        year = int(request.GET.get("year", default))
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _missing_tables(summary) -> list[str]:
    """LAs in the summary without a banding table for its year (their last values are used)."""
    have = {s.local_authority_id for s in selectors.schemes_for_year(summary.financial_year)}
    return [r.local_authority.name for r in summary.local_authorities if r.local_authority.pk not in have]


def _year_choices(selected: int) -> list[dict]:
    years = set(selectors.available_years()) | {selectors.current_financial_year(), selected}
    return [
        {"value": y, "label": calc.financial_year_label(y), "selected": y == selected}
        for y in sorted(years, reverse=True)
    ]


# --- pages ----------------------------------------------------------------------------------


@login_required
def index(request):
    trusts = access.trusts_for(request.user, C.VIEW_FUNDING).order_by("name")
    schools = access.schools_for(request.user, C.VIEW_FUNDING).order_by("trust__name", "name")
    if not trusts and len(schools) == 1:
        return redirect("funding:school", laestab=schools[0].laestab)
    if not trusts and not schools:
        raise Http404("No funding to show.")
    return render(
        request,
        "funding/index.html",
        {
            "trusts": trusts,
            "schools": schools,
            "can_list_claims": any(access.can(request.user, C.VIEW_PUPILS, s) for s in schools),
        },
    )


@login_required
def school_funding(request, laestab: str):
    school = _get_school_for_user(request, laestab)
    year = _financial_year(request)
    summary = selectors.funding_summary([school.pk], year)
    can_see_pupils = access.can(request.user, C.VIEW_PUPILS, school)
    lines = selectors.school_pupil_lines(school, year) if can_see_pupils else None
    rates = selectors.rates_for_school(school)
    schemes = selectors.schemes_for_year(year)
    return render(
        request,
        "funding/school.html",
        {
            "school": school,
            "summary": summary,
            "lines": lines,
            "year": year,
            "years": _year_choices(year),
            "rates": rates,
            "hour_cost": calc.hourly_cost(rates.hourly_rate, rates.on_cost_percent),
            "can_prepare": access.can(request.user, C.PREPARE_CLAIMS, school),
            "can_set_rates": access.can(request.user, C.SUBMIT_CLAIMS, school),
            "can_record": access.can(request.user, C.SUBMIT_CLAIMS, school),
            "schemes": schemes,
            "missing_tables": _missing_tables(summary),
            "banding": selectors.banding_year(year, schemes),
            "hourly_funding": selectors.hourly_funding_sentences(schemes, rates.weeks_per_year),
        },
    )


@login_required
def trust_funding(request, slug: str):
    trust = _get_trust_for_user(request, slug)
    year = _financial_year(request)
    school_ids = access.school_ids_for(request.user, C.VIEW_FUNDING) & set(
        trust.schools.values_list("pk", flat=True)
    )
    summary = selectors.funding_summary(school_ids, year)
    return render(
        request,
        "funding/trust.html",
        {
            "trust": trust,
            "summary": summary,
            "year": year,
            "years": _year_choices(year),
            "missing_tables": _missing_tables(summary),
            "banding": selectors.banding_year(year),
        },
    )


def _export_response(request, *, subject, resource, rows, fmt: str, what: str):
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    content, content_type, ext = exports.render(resource, rows, fmt)
    audit.record_export(actor=request.user, subject=subject, what=what, rows=len(rows))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{what}.{ext}"'
    return response


@login_required
@recent_authentication_required
def school_export(request, laestab: str, fmt: str):
    school = _get_school_for_user(request, laestab)
    year = _financial_year(request)
    if access.can(request.user, C.VIEW_PUPILS, school):
        rows = exports.pupil_rows(selectors.school_pupil_lines(school, year))
        resource, what = exports.PupilResource(), f"funding-pupils-{school.laestab}-{year}"
    else:
        rows = exports.totals_rows(selectors.funding_summary([school.pk], year), schools=False)
        resource, what = exports.TotalsResource(), f"funding-{school.laestab}-{year}"
    return _export_response(request, subject=school, resource=resource, rows=rows, fmt=fmt, what=what)


@login_required
@recent_authentication_required
def trust_export(request, slug: str, fmt: str):
    trust = _get_trust_for_user(request, slug)
    year = _financial_year(request)
    school_ids = access.school_ids_for(request.user, C.VIEW_FUNDING) & set(
        trust.schools.values_list("pk", flat=True)
    )
    rows = exports.totals_rows(selectors.funding_summary(school_ids, year))
    return _export_response(
        request,
        subject=trust,
        resource=exports.TotalsResource(),
        rows=rows,
        fmt=fmt,
        what=f"funding-{trust.slug}-{year}",
    )


@login_required
def claim_new(request, laestab: str):
    school = _get_school_for_user(request, laestab, C.PREPARE_CLAIMS)
    year = _financial_year(request)
    pupils = (
        Pupil.objects.filter(school=school, left_school_on__isnull=True, provision__in=ON_REGISTER)
        .select_related("home_local_authority")
        .order_by("surname", "forename", "pk")
    )
    bands = (
        Band.objects.filter(scheme__financial_year=year)
        .select_related("scheme__local_authority")
        .order_by("scheme__local_authority__name", "order", "annual_value")
    )
    initial = {"pupil": request.GET.get("pupil")} if request.GET.get("pupil", "").isdigit() else {}
    form = forms.ClaimForm(request.POST or None, pupils=pupils, bands=bands, initial=initial)
    done = saved(
        request,
        form,
        lambda data: services.claim_create(actor=request.user, **data),
        message="Claim drafted. The headteacher or Head of SEND submits it.",
        then=lambda claim: reverse("funding:claim", kwargs={"claim_id": claim.pk}),
    )
    return done or form_page(
        request,
        "funding/claim_form.html",
        {
            "school": school,
            "form": form,
            "year": year,
            "years": _year_choices(year),
            "banding": selectors.banding_year(year),
        },
    )


ACTIONS = {
    # action: (form, capability, statuses in which it is offered)
    "submit": (forms.SubmitForm, C.SUBMIT_CLAIMS, {S.DRAFT}),
    "award": (forms.AwardForm, C.SUBMIT_CLAIMS, {S.SUBMITTED, S.UNDER_APPEAL, S.AWARDED}),
    "refuse": (forms.RefusalForm, C.SUBMIT_CLAIMS, {S.SUBMITTED, S.UNDER_APPEAL}),
    "appeal": (forms.AppealForm, C.SUBMIT_CLAIMS, {S.REFUSED, S.AWARDED}),
    "end": (forms.EndForm, C.SUBMIT_CLAIMS, {S.SUBMITTED, S.AWARDED, S.REFUSED, S.UNDER_APPEAL}),
    "payment": (forms.PaymentForm, C.SUBMIT_CLAIMS, {S.AWARDED, S.UNDER_APPEAL, S.ENDED}),
}
TITLES = {
    "submit": "Submit to the LA",
    "award": "Record the LA's award",
    "refuse": "Record a refusal",
    "appeal": "Mark as under appeal",
    "end": "End the claim",
    "payment": "Record a payment",
}


def _action_form(action: str, claim: Claim, data=None):
    form_class = ACTIONS[action][0]
    if form_class is forms.AwardForm:
        return form_class(data, bands=selectors.bands_of_la(claim.local_authority), prefix=action)
    return form_class(data, prefix=action)


def _render_claim(request, claim: Claim, bound: dict | None = None, status: int = 200):
    audit.record_view(claim)
    year = claim.financial_year
    expected, received = selectors.claim_money(claim, year)
    actions = []
    for name, (_, capability, statuses) in ACTIONS.items():
        if name == "appeal" and claim.status == S.AWARDED and not services.is_under_awarded(claim):
            continue
        if claim.status in statuses and access.can(request.user, capability, claim.school):
            form = (bound or {}).get(name) or _action_form(name, claim)
            title = TITLES[name]
            if name == "award" and claim.status == S.AWARDED:
                title = "Change the award from a date"
            actions.append({"name": name, "title": title, "form": form})
    return render(
        request,
        "funding/claim.html",
        {
            "claim": claim,
            "pupil": claim.pupil,
            "school": claim.school,
            "awards": claim.awards.select_related("band__scheme"),
            "payments": claim.payments.all(),
            "events": claim.events.select_related("actor"),
            "expected": expected,
            "received": received,
            "shortfall": calc.shortfall(expected, received),
            "year_label": calc.financial_year_label(year),
            "actions": actions,
        },
        status=status,
    )


CLAIM_COLUMNS = (
    Column("pupil", "Pupil"),
    Column("school", "School"),
    Column("trust", "Trust"),
    Column("la", "Claimed from"),
    Column("year", "Year"),
    Column("band", "Band requested"),
    Column("status", "Status"),
    Column("submitted", "Submitted"),
)
CLAIM_ORDERINGS = {
    "pupil": ("pupil__surname", "pupil__forename"),
    "school": ("school__name",),
    "trust": ("school__trust__name",),
    "la": ("local_authority__name",),
    "year": ("financial_year",),
    "band": ("requested_band__annual_value",),
    "status": ("status",),
    "submitted": ("submitted_on",),
}


@login_required
def claim_list(request):
    """Claims of the user's schools (where they may see pupils' funding), filtered in the URL:
    the SENCO's home page links here for the claims awaiting the LA's decision."""
    schools = [
        s
        for s in access.schools_for(request.user, C.VIEW_FUNDING).order_by("name")
        if access.can(request.user, C.VIEW_PUPILS, s)
    ]
    if not schools:
        raise Http404("No claims to show.")
    years = sorted(set(selectors.available_years()) | {selectors.current_financial_year()}, reverse=True)
    form = forms.ClaimFilterForm(
        request.GET or None, schools=schools, years=years, statuses=selectors.CLAIM_STATUS_FILTERS
    )
    f = {name: form.cleaned_data.get(name) for name in form.fields} if form.is_valid() else {}
    ids = {s.pk for s in schools if not f.get("trust") or s.trust_id == f["trust"]}
    claims = selectors.claims_list(
        school_ids=ids, school_id=f.get("school"), status=f.get("status") or "", financial_year=f.get("year")
    )
    sorting = Sorting.from_params(request.GET, CLAIM_COLUMNS, default="-year")
    claims = sorting.order_queryset(claims, CLAIM_ORDERINGS, names=("pupil__surname", "pupil__forename"))
    return render(
        request,
        "funding/claims.html",
        {
            "listing": paginate(request, claims, sorting=sorting, filters=f),
            "counts": {**selectors.claims_counts(claims), "filtered": any(f.values())},
            "form": form,
            "status": f.get("status", ""),
            "awaiting": f.get("status") == selectors.AWAITING,
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


@login_required
def claim_detail(request, claim_id: int):
    return _render_claim(request, _get_claim_for_user(request, claim_id))


@login_required
@require_POST
def claim_action(request, claim_id: int, action: str):
    if action not in ACTIONS:
        raise Http404("No such action.")
    claim = _get_claim_for_user(request, claim_id, ACTIONS[action][1])
    form = _action_form(action, claim, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "submit":
                services.claim_submit(actor=request.user, claim=claim, **data)
            elif action == "award":
                services.claim_record_award(actor=request.user, claim=claim, **data)
            elif action == "refuse":
                services.claim_record_refusal(actor=request.user, claim=claim, **data)
            elif action == "appeal":
                services.claim_appeal(actor=request.user, claim=claim, **data)
            elif action == "end":
                services.claim_end(actor=request.user, claim=claim, **data)
            elif action == "payment":
                services.payment_record(actor=request.user, claim=claim, **data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, f"{TITLES[action]}: done.")
            return redirect("funding:claim", claim_id=claim.pk)
    claim.refresh_from_db()
    return _render_claim(request, claim, bound={action: form}, status=400)


@login_required
def settings_edit(request, laestab: str):
    school = _get_school_for_user(request, laestab, C.SUBMIT_CLAIMS)
    rates = selectors.rates_for_school(school)
    form = forms.FundingSettingsForm(request.POST or None, initial=vars(rates))
    done = saved(
        request,
        form,
        lambda data: services.funding_settings_update(actor=request.user, school=school, **data),
        message="Costing figures saved.",
        then=reverse("funding:school", kwargs={"laestab": school.laestab}),
    )
    return done or form_page(request, "funding/settings_form.html", {"school": school, "form": form})


REMITTANCE_SESSION_KEY = "funding_remittance"


@login_required
def payments_import(request, laestab: str):
    """Check an LA remittance file, show what it would record, then record it on confirmation
    (the checked file is kept in the session between the two steps)."""
    school = _get_school_for_user(request, laestab, C.SUBMIT_CLAIMS)
    form = forms.RemittanceForm(request.POST or None, request.FILES or None)
    result, token, status = None, "", 200
    if request.method == "POST" and request.POST.get("confirm"):
        stash = request.session.get(REMITTANCE_SESSION_KEY) or {}
        if stash.get("school") != school.pk or stash.get("token") != request.POST["confirm"]:
            messages.error(request, "Check the file again before importing it.")
            return redirect("funding:payments_import", laestab=school.laestab)
        data = base64.b64decode(stash["data"])
        try:
            result = services.payments_import(actor=request.user, school=school, data=data, dry_run=False)
        except (remittances.RemittanceFileError, ValidationError) as e:
            messages.error(request, "; ".join(e.messages) if isinstance(e, ValidationError) else str(e))
            return redirect("funding:payments_import", laestab=school.laestab)
        del request.session[REMITTANCE_SESSION_KEY]
        if result.written:
            messages.success(request, f"{result.new} payments recorded.")
        else:
            messages.error(request, "Nothing was recorded: the file has errors or no new payment.")
        return redirect("funding:school", laestab=school.laestab)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(remittances.MAX_BYTES + 1)
        try:
            result = services.payments_import(actor=request.user, school=school, data=data, dry_run=True)
        except remittances.RemittanceFileError as e:
            form.add_error("file", str(e))
        else:
            if not result.errors and result.new:
                token = hashlib.sha256(data).hexdigest()
                request.session[REMITTANCE_SESSION_KEY] = {
                    "school": school.pk,
                    "token": token,
                    "data": base64.b64encode(data).decode(),
                }
        status = 400 if form.errors or (result and result.errors) else 200
    return render(
        request,
        "funding/payments_import.html",
        {"school": school, "form": form, "result": result, "token": token},
        status=status,
    )
