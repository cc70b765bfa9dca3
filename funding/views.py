"""Funding pages. Every view asks trusts.access for the school or trust (404 when the user has
no such role there); pupil names appear only for roles with VIEW_PUPILS."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pupils.models import Provision, Pupil
from trusts import access, audit
from trusts.access import Capability

from . import calculations as calc
from . import exports, forms, selectors, services
from .models import Band, Claim, ClaimStatus, ProvisionCost

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
        .select_related("school__trust", "pupil__home_local_authority", "local_authority",
                        "requested_band__scheme")
        .first()
    )
    if claim is None or not (
        access.can(request.user, C.VIEW_FUNDING, claim.school)
        and access.can(request.user, C.VIEW_PUPILS, claim.school)
        and access.can(request.user, capability, claim.school)
    ):
        raise Http404("No such claim.")
    return claim


def _get_pupil_for_user(request, school, pupil_id: int) -> Pupil:
    pupil = Pupil.objects.filter(pk=pupil_id, school=school).first()
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


def _financial_year(request) -> int:
    """The year chosen with ?year=2025, or the current one; nonsense falls back to the current."""
    current = selectors.current_financial_year()
    try:
        year = int(request.GET.get("year", current))
    except (TypeError, ValueError):
        return current
    return year if 2000 <= year <= 2100 else current


def _year_choices(selected: int) -> list[dict]:
    years = set(selectors.available_years()) | {selectors.current_financial_year(), selected}
    return [{"value": y, "label": calc.financial_year_label(y), "selected": y == selected}
            for y in sorted(years, reverse=True)]


# --- pages ----------------------------------------------------------------------------------

@login_required
def index(request):
    trusts = access.trusts_for(request.user, C.VIEW_FUNDING).order_by("name")
    schools = access.schools_for(request.user, C.VIEW_FUNDING).order_by("trust__name", "name")
    if not trusts and len(schools) == 1:
        return redirect("funding_school", laestab=schools[0].laestab)
    if not trusts and not schools:
        raise Http404("No funding to show.")
    return render(request, "funding/index.html", {"trusts": trusts, "schools": schools})


@login_required
def school_funding(request, laestab: str):
    school = _get_school_for_user(request, laestab)
    year = _financial_year(request)
    summary = selectors.funding_summary([school.pk], year)
    can_see_pupils = access.can(request.user, C.VIEW_PUPILS, school)
    lines = selectors.school_pupil_lines(school, year) if can_see_pupils else None
    rates = selectors.rates_for_school(school)
    return render(request, "funding/school.html", {
        "school": school, "summary": summary, "lines": lines, "year": year,
        "years": _year_choices(year), "rates": rates,
        "hour_cost": calc.hourly_cost(rates.hourly_rate, rates.on_cost_percent),
        "can_prepare": access.can(request.user, C.PREPARE_CLAIMS, school),
        "schemes": selectors.schemes_for_year(year),
    })


@login_required
def trust_funding(request, slug: str):
    trust = _get_trust_for_user(request, slug)
    year = _financial_year(request)
    school_ids = access.school_ids_for(request.user, C.VIEW_FUNDING) & set(
        trust.schools.values_list("pk", flat=True)
    )
    summary = selectors.funding_summary(school_ids, year)
    return render(request, "funding/trust.html", {
        "trust": trust, "summary": summary, "year": year, "years": _year_choices(year),
        "pupil_school_ids": access.school_ids_for(request.user, C.VIEW_PUPILS),
    })


def _export_response(request, *, subject, resource, rows, fmt: str, what: str):
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    content, content_type, ext = exports.render(resource, rows, fmt)
    audit.record_export(actor=request.user, subject=subject, what=what, rows=len(rows))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{what}.{ext}"'
    return response


@login_required
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
def trust_export(request, slug: str, fmt: str):
    trust = _get_trust_for_user(request, slug)
    year = _financial_year(request)
    school_ids = access.school_ids_for(request.user, C.VIEW_FUNDING) & set(
        trust.schools.values_list("pk", flat=True)
    )
    rows = exports.totals_rows(selectors.funding_summary(school_ids, year))
    return _export_response(request, subject=trust, resource=exports.TotalsResource(), rows=rows,
                            fmt=fmt, what=f"funding-{trust.slug}-{year}")


@login_required
def claim_new(request, laestab: str):
    school = _get_school_for_user(request, laestab, C.PREPARE_CLAIMS)
    year = _financial_year(request)
    pupils = (
        Pupil.objects.filter(school=school, left_school_on__isnull=True,
                             provision__in=[Provision.EHC_PLAN, Provision.SEN_SUPPORT])
        .select_related("home_local_authority").order_by("surname", "forename", "pk")
    )
    bands = Band.objects.filter(scheme__financial_year=year).select_related(
        "scheme__local_authority").order_by("scheme__local_authority__name", "order", "annual_value")
    initial = {"pupil": request.GET.get("pupil")} if request.GET.get("pupil", "").isdigit() else {}
    form = forms.ClaimForm(request.POST or None, pupils=pupils, bands=bands, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "Claim drafted. The headteacher or Head of SEND submits it.")
            return redirect("funding_claim", claim_id=claim.pk)
    return render(request, "funding/claim_form.html", {"school": school, "form": form, "year": year,
                                                       "years": _year_choices(year)},
                  status=400 if form.errors else 200)


ACTIONS = {
    # action: (form, capability, statuses in which it is offered)
    "submit": (forms.SubmitForm, C.SUBMIT_CLAIMS, {S.DRAFT}),
    "award": (forms.AwardForm, C.SUBMIT_CLAIMS, {S.SUBMITTED, S.UNDER_APPEAL, S.AWARDED}),
    "refuse": (forms.RefusalForm, C.SUBMIT_CLAIMS, {S.SUBMITTED, S.UNDER_APPEAL}),
    "appeal": (forms.AppealForm, C.SUBMIT_CLAIMS, {S.REFUSED, S.AWARDED}),
    "end": (forms.EndForm, C.SUBMIT_CLAIMS, {S.SUBMITTED, S.AWARDED, S.REFUSED, S.UNDER_APPEAL}),
    "payment": (forms.PaymentForm, C.SUBMIT_CLAIMS, {S.AWARDED, S.UNDER_APPEAL, S.ENDED}),
}
TITLES = {"submit": "Submit to the LA", "award": "Record the LA's award", "refuse": "Record a refusal",
          "appeal": "Mark as under appeal", "end": "End the claim", "payment": "Record a payment"}


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
            actions.append({"name": name, "title": TITLES[name], "form": form})
    return render(request, "funding/claim.html", {
        "claim": claim, "pupil": claim.pupil, "school": claim.school,
        "awards": claim.awards.select_related("band__scheme"),
        "payments": claim.payments.all(),
        "events": claim.events.select_related("actor"),
        "expected": expected, "received": received, "shortfall": calc.shortfall(expected, received),
        "year_label": calc.financial_year_label(year), "actions": actions,
    }, status=status)


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
            return redirect("funding_claim", claim_id=claim.pk)
    claim.refresh_from_db()
    return _render_claim(request, claim, bound={action: form}, status=400)


@login_required
def provision_cost_edit(request, laestab: str, pupil_id: int):
    school = _get_school_for_user(request, laestab, C.PREPARE_CLAIMS)
    pupil = _get_pupil_for_user(request, school, pupil_id)
    audit.record_view(pupil)
    current = ProvisionCost.objects.filter(pupil=pupil).first()
    initial = {}
    if current:
        initial = {f: getattr(current, f) for f in
                   ("ta_hours_per_week", "weeks_per_year", "hourly_rate", "on_cost_percent", "description")}
    form = forms.ProvisionCostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_cost_set(actor=request.user, pupil=pupil, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "Provision cost saved.")
            return redirect(reverse("funding_school", kwargs={"laestab": school.laestab}) + "#pupils")
    rates = selectors.rates_for_school(school)
    return render(request, "funding/provision_form.html",
                  {"school": school, "pupil": pupil, "form": form, "rates": rates},
                  status=400 if form.errors else 200)
