"""Support plan and one-page profile pages. Every view fetches its pupil, plan or profile
through trusts.access (a record the user may not see answers 404), records each read of a
child's plan or profile in the audit log, and writes only through support.services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors
from core.views import form_page, saved
from pupils.models import Pupil
from trusts import access, audit
from trusts.access import Capability as C

from . import forms, pdf, selectors, services
from .models import OnePageProfile, Outcome, SupportPlan
from .selectors import Show

PAGE_SIZE = 50


def _today() -> dt.date:
    return timezone.localdate()


def _pupil_for(request, pk: int, capability: C) -> Pupil:
    pupil = (
        Pupil.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("school__trust")
        .first()
    )
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


def _plan_for(request, pk: int, capability: C = C.VIEW_SUPPORT_PLANS) -> SupportPlan:
    plan = (
        SupportPlan.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("pupil", "school__trust", "owner")
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _writable_plan_for(request, pk: int):
    """The plan to change, or a redirect to it when its cycle is closed."""
    plan = _plan_for(request, pk, C.WRITE_SUPPORT_PLANS)
    if plan.is_closed:
        messages.error(request, services.CLOSED_MESSAGE)
        return plan, redirect("support:plan_detail", pk=plan.pk)
    return plan, None


def _outcome_for(plan: SupportPlan, pk: int) -> Outcome:
    outcome = plan.outcomes.filter(pk=pk).first()
    if outcome is None:
        raise Http404("No such outcome.")
    outcome.plan = plan
    return outcome


def _profile_for(request, pk: int) -> OnePageProfile:
    profile = (
        OnePageProfile.objects.filter(
            pk=pk, pupil__school_id__in=access.school_ids_for(request.user, C.VIEW_SUPPORT_PLANS)
        )
        .select_related("pupil__school__trust", "created_by")
        .first()
    )
    if profile is None:
        raise Http404("No such profile.")
    return profile


# --- Lists ----------------------------------------------------------------------------------


def _list_page(request, schools, *, school=None):
    show = request.GET.get("show", Show.CURRENT)
    if show not in Show.LABELS:
        show = Show.CURRENT
    school_ids = [s.pk for s in schools]
    today = _today()
    if show == Show.NO_PLAN:
        rows = selectors.pupils_without_current_plan(school_ids=school_ids)
    else:
        rows = selectors.plan_list(school_ids=school_ids, show=show, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if show != Show.NO_PLAN:
        for plan in page:
            plan.tag = selectors.plan_tag(plan, today)
    base = request.path
    return render(
        request,
        "support/plan_list.html",
        {
            "school": school,
            "schools": schools,
            "show": show,
            "page": page,
            "tabs": [(key, label, f"{base}?show={key}") for key, label in Show.LABELS.items()],
            "query_prefix": f"show={show}&",
            "several_schools": len(schools) > 1,
            "write_ids": access.school_ids_for(request.user, C.WRITE_SUPPORT_PLANS),
            "title": Show.LABELS[show],
        },
    )


@login_required
@require_GET
def plan_list(request):
    schools = list(access.schools_for(request.user, C.VIEW_SUPPORT_PLANS).order_by("name"))
    if not schools:
        raise Http404("No support plans to show.")
    return _list_page(request, schools)


@login_required
@require_GET
def school_plans(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, C.VIEW_SUPPORT_PLANS)
    return _list_page(request, [school], school=school)


# --- A plan ---------------------------------------------------------------------------------


def _plan_context(request, plan: SupportPlan) -> dict:
    today = _today()
    review = selectors.plan_review(plan)
    return {
        "plan": plan,
        "pupil": plan.pupil,
        "school": plan.school,
        "tag": selectors.plan_tag(plan, today),
        "outcomes": selectors.plan_outcomes(plan),
        "review": review,
        "delivery": selectors.delivery_rows(plan, review, today),
        "delivery_end": plan.closed_on or min(today, plan.review_due),
        "followed": selectors.followed_review(plan),
        "can_write": access.can(request.user, C.WRITE_SUPPORT_PLANS, plan.school_id) and not plan.is_closed,
    }


@login_required
@require_GET
def plan_detail(request, pk: int):
    plan = _plan_for(request, pk)
    audit.record_view(plan)
    return render(request, "support/plan_detail.html", _plan_context(request, plan))


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request, pupil_id: int):
    pupil = _pupil_for(request, pupil_id, C.WRITE_SUPPORT_PLANS)
    plans = selectors.plans_for_pupil(pupil)
    open_plan = next((p for p in plans if not p.is_closed), None)
    if open_plan is not None:
        messages.info(
            request,
            "This pupil already has a plan in progress: review it (or finish "
            "the draft) before starting another.",
        )
        return redirect("support:plan_detail", pk=open_plan.pk)
    leads = selectors.possible_leads(pupil.school_id, pupil.school.trust_id)
    today = _today()
    form = forms.PlanStartForm(
        request.POST or None,
        leads=leads,
        initial={
            "starts_on": today,
            "review_due": today + dt.timedelta(weeks=12),
            "owner": request.user if leads.filter(pk=request.user.pk).exists() else None,
        },
    )
    done = saved(
        request,
        form,
        lambda data: services.plan_start(actor=request.user, pupil=pupil, **data),
        message="The plan was started as a draft.",
        then=lambda plan: reverse("support:plan_detail", kwargs={"pk": plan.pk}),
    )
    return done or form_page(
        request,
        "support/plan_new.html",
        {
            "pupil": pupil,
            "school": pupil.school,
            "form": form,
            "follows": next((p for p in plans if p.is_closed), None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_details(request, pk: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed:
        return closed
    leads = selectors.possible_leads(plan.school_id, plan.school.trust_id)
    form = forms.PlanDetailsForm(
        request.POST or None,
        leads=leads,
        initial={"starts_on": plan.starts_on, "review_due": plan.review_due, "owner": plan.owner},
    )
    done = saved(
        request,
        form,
        lambda data: services.plan_update_details(actor=request.user, plan=plan, **data),
        message="The plan's dates and lead were saved.",
        then=reverse("support:plan_detail", kwargs={"pk": plan.pk}),
    )
    if done:
        return done
    audit.record_view(plan)
    return form_page(
        request,
        "support/plan_form.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "form": form,
            "heading": "Dates and lead",
            "button": "Save",
            "date_fields": ["starts_on", "review_due"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_assessment(request, pk: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed:
        return closed
    form = forms.AssessmentForm(
        request.POST or None, initial={f: getattr(plan, f) for f in forms.AssessmentForm.base_fields}
    )
    done = saved(
        request,
        form,
        lambda data: services.plan_update_assessment(actor=request.user, plan=plan, **data),
        message="The assessment was saved.",
        then=reverse("support:plan_detail", kwargs={"pk": plan.pk}) + "#assess",
    )
    if done:
        return done
    audit.record_view(plan)
    return form_page(
        request,
        "support/plan_form.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "form": form,
            "heading": "Assess",
            "button": "Save the assessment",
            "date_fields": [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_new(request, pk: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed:
        return closed
    form = forms.OutcomeForm(
        request.POST or None,
        initial={"review_by": plan.review_due},
        enrolments=selectors.pupil_enrolments(plan.pupil),
    )
    done = saved(
        request,
        form,
        lambda data: services.outcome_add(actor=request.user, plan=plan, **data),
        message="The outcome was added.",
        then=reverse("support:plan_detail", kwargs={"pk": plan.pk}) + "#plan",
    )
    if done:
        return done
    audit.record_view(plan)
    return form_page(
        request,
        "support/plan_form.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "form": form,
            "heading": "Add an outcome",
            "button": "Add the outcome",
            "date_fields": ["review_by"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request, pk: int, outcome_id: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed:
        return closed
    outcome = _outcome_for(plan, outcome_id)
    initial = {f: getattr(outcome, f) for f in forms.OutcomeForm.base_fields if f != "enrolments"}
    initial["enrolments"] = list(outcome.enrolments.values_list("pk", flat=True))
    form = forms.OutcomeForm(
        request.POST or None, initial=initial, enrolments=selectors.pupil_enrolments(plan.pupil)
    )
    done = saved(
        request,
        form,
        lambda data: services.outcome_update(actor=request.user, outcome=outcome, **data),
        message="The outcome was saved.",
        then=reverse("support:plan_detail", kwargs={"pk": plan.pk}) + "#plan",
    )
    if done:
        return done
    audit.record_view(plan)
    return form_page(
        request,
        "support/plan_form.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "form": form,
            "heading": f"Outcome {outcome.position}",
            "button": "Save the outcome",
            "date_fields": ["review_by"],
        },
    )


@login_required
@require_POST
def outcome_remove(request, pk: int, outcome_id: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed:
        return closed
    outcome = _outcome_for(plan, outcome_id)
    try:
        services.outcome_remove(actor=request.user, outcome=outcome)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "The outcome was removed.")
    return redirect(reverse("support:plan_detail", kwargs={"pk": plan.pk}) + "#plan")


@login_required
@require_POST
def plan_activate(request, pk: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed:
        return closed
    try:
        services.plan_activate(actor=request.user, plan=plan)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "This is now the pupil's current plan.")
    return redirect("support:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_discard(request, pk: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed:
        return closed
    pupil_id = plan.pupil_id
    try:
        services.plan_discard(actor=request.user, plan=plan)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("support:plan_detail", pk=plan.pk)
    messages.success(request, "The draft was deleted.")
    return redirect("pupils:pupil_detail", pk=pupil_id)


# --- The review -----------------------------------------------------------------------------


def _reviewable_plan_for(request, pk: int):
    plan, closed = _writable_plan_for(request, pk)
    if closed is None and plan.is_draft:
        messages.error(request, "Start the plan before reviewing it.")
        closed = redirect("support:plan_detail", pk=plan.pk)
    return plan, closed


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, pk: int):
    plan, refused = _reviewable_plan_for(request, pk)
    if refused:
        return refused
    outcomes = selectors.plan_outcomes(plan)
    review = selectors.plan_review(plan)
    initial: dict[str, Any] = {"held_on": review.held_on if review else _today()}
    if review:
        initial.update(
            next_steps=review.next_steps, pupil_views=review.pupil_views, parent_views=review.parent_views
        )
    for o in outcomes:
        initial[f"progress_{o.pk}"], initial[f"evidence_{o.pk}"] = o.progress, o.evidence
    form = forms.ReviewForm(request.POST or None, outcomes=outcomes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = {
            o.pk: services.OutcomeResult(data[f"progress_{o.pk}"], data[f"evidence_{o.pk}"]) for o in outcomes
        }
        try:
            services.review_save(
                actor=request.user,
                plan=plan,
                held_on=data["held_on"],
                next_steps=data["next_steps"],
                pupil_views=data["pupil_views"],
                parent_views=data["parent_views"],
                results=results,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            return redirect("support:review_check", pk=plan.pk)
    audit.record_view(plan)
    return render(
        request,
        "support/review_form.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_check(request, pk: int):
    plan, refused = _reviewable_plan_for(request, pk)
    if refused:
        return refused
    review = selectors.plan_review(plan)
    if review is None:
        return redirect("support:review_edit", pk=plan.pk)
    if request.method == "POST":
        try:
            services.review_record(actor=request.user, plan=plan)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect("support:review_edit", pk=plan.pk)
        messages.success(request, "The review was recorded and this cycle is closed.")
        return redirect("support:plan_detail", pk=plan.pk)
    audit.record_view(plan)
    return render(
        request,
        "support/review_check.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "review": review,
            "outcomes": selectors.plan_outcomes(plan),
        },
    )


@login_required
@require_GET
def plan_pdf(request, pk: int):
    plan = _plan_for(request, pk)
    document = pdf.plan_pdf(plan, today=_today())
    audit.record_export(actor=request.user, subject=plan, what="support plan PDF", rows=1)
    return _pdf_response(document, f"support-plan-{plan.pk}.pdf")


def _pdf_response(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    # No name in the file name: downloads folders and browser histories keep it.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- One-page profiles ----------------------------------------------------------------------


@login_required
@require_GET
def profile_detail(request, pupil_id: int):
    """The latest version of the pupil's profile, with the earlier versions listed."""
    pupil = _pupil_for(request, pupil_id, C.VIEW_SUPPORT_PLANS)
    profile = selectors.latest_profile(pupil)
    if profile is not None:
        audit.record_view(profile)
    return render(
        request,
        "support/profile_detail.html",
        {
            "pupil": pupil,
            "school": pupil.school,
            "profile": profile,
            "latest": profile,
            "versions": selectors.profile_versions(pupil),
            "can_write": access.can(request.user, C.WRITE_SUPPORT_PLANS, pupil.school_id),
        },
    )


@login_required
@require_GET
def profile_version(request, pk: int):
    profile = _profile_for(request, pk)
    audit.record_view(profile)
    pupil = profile.pupil
    return render(
        request,
        "support/profile_detail.html",
        {
            "pupil": pupil,
            "school": pupil.school,
            "profile": profile,
            "latest": selectors.latest_profile(pupil),
            "versions": selectors.profile_versions(pupil),
            "can_write": access.can(request.user, C.WRITE_SUPPORT_PLANS, pupil.school_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, pupil_id: int):
    pupil = _pupil_for(request, pupil_id, C.WRITE_SUPPORT_PLANS)
    latest = selectors.latest_profile(pupil)
    initial = {f: getattr(latest, f) for f in services.PROFILE_FIELDS} if latest else {}
    form = forms.ProfileForm(request.POST or None, initial=initial)
    done = saved(
        request,
        form,
        lambda data: services.profile_save(actor=request.user, pupil=pupil, **data),
        message=lambda saved_as: (
            f"Version {saved_as[0].version} of the profile was saved."
            if saved_as[1]
            else "Nothing had changed: no new version was made."
        ),
        then=reverse("support:profile_detail", kwargs={"pupil_id": pupil.pk}),
    )
    if done:
        return done
    if latest is not None:
        audit.record_view(latest)
    return form_page(
        request,
        "support/profile_form.html",
        {
            "pupil": pupil,
            "school": pupil.school,
            "form": form,
            "latest": latest,
        },
    )


@login_required
@require_GET
def profile_pdf(request, pk: int):
    profile = _profile_for(request, pk)
    document = pdf.profile_pdf(profile)
    audit.record_export(actor=request.user, subject=profile, what="one-page profile PDF", rows=1)
    return _pdf_response(document, f"one-page-profile-{profile.pupil_id}-v{profile.version}.pdf")
