"""The provision map's pages. Every view asks trusts.access for the school or record first: a
school or record the user may not see answers 404. SENCOs of the school and the Head of SEND
change the map (EDIT_REGISTER); those who may see pupils read it (VIEW_PUPILS); a reader of
the school's funding who may not see pupils (an executive) sees its cost totals, never names
and never interventions by name (a name typed for a 1:1 can name the child)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.views import form_page, saved
from pupils.models import Pupil
from trusts import access, audit
from trusts.access import Capability

from . import forms, selectors, services
from .models import Delivery, Enrolment, Intervention
from .rates import standard_rates_for

READ = Capability.VIEW_PUPILS
WRITE = services.WRITE
VIEWS = {
    "interventions": "Interventions",
    "pupils": "Pupils",
    "need": "By area of need",
    "year": "By year group",
}


def _schools(request, capability: Capability) -> frozenset[int]:
    return access.school_ids_for(request.user, capability)


def _intervention(request, pk: int, capability: Capability = READ) -> Intervention:
    intervention = (
        Intervention.objects.filter(pk=pk, school_id__in=_schools(request, capability))
        .select_related("school")
        .first()
    )
    if intervention is None:
        raise Http404("No such intervention.")
    return intervention


def _enrolment(request, pk: int, capability: Capability = WRITE) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(pk=pk, intervention__school_id__in=_schools(request, capability))
        .select_related("intervention", "intervention__school", "pupil")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    return enrolment


def _pupil(request, pk: int, capability: Capability = READ) -> Pupil:
    pupil = (
        Pupil.objects.filter(pk=pk, school_id__in=_schools(request, capability))
        .select_related("school")
        .first()
    )
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


# --- the school's map -------------------------------------------------------------------------


@login_required
def school_map(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, Capability.VIEW_SCHOOL)
    names = access.can(request.user, READ, school)
    if not names and not access.can(request.user, Capability.VIEW_FUNDING, school):
        raise Http404("No such school.")
    the_map = selectors.school_map(school)
    if not names:
        return render(request, "provision/school_totals.html", {"school": school, "map": the_map})
    view = request.GET.get("view", "interventions")
    if view not in VIEWS:
        view = "interventions"
    return render(
        request,
        "provision/school_map.html",
        {
            "school": school,
            "map": the_map,
            "view": view,
            "views": VIEWS,
            "standard": standard_rates_for(school.pk),
            "can_edit": access.can(request.user, WRITE, school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_new(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, WRITE)
    form = forms.InterventionForm(request.POST or None, initial={"group_size": 1})
    done = saved(
        request,
        form,
        lambda data: services.intervention_create(actor=request.user, school=school, **data),
        message=lambda intervention: f"{intervention.name} was added to the provision map.",
        then=lambda intervention: reverse("provision:intervention", args=[intervention.pk]),
    )
    return done or form_page(
        request,
        "provision/intervention_form.html",
        {
            "school": school,
            "form": form,
            "standard": standard_rates_for(school.pk),
        },
    )


# --- one intervention -------------------------------------------------------------------------


@login_required
def intervention_detail(request, pk: int):
    intervention = _intervention(request, pk)
    audit.record_view(intervention)
    detail = selectors.intervention_detail(intervention, timezone.localdate())
    return render(
        request,
        "provision/intervention_detail.html",
        {
            "school": intervention.school,
            "intervention": intervention,
            "detail": detail,
            "standard": standard_rates_for(intervention.school_id),
            "can_edit": access.can(request.user, WRITE, intervention.school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_edit(request, pk: int):
    intervention = _intervention(request, pk, WRITE)
    form = forms.InterventionChangeForm(
        request.POST or None,
        initial={**forms.InterventionForm.initial_for(intervention), "active": intervention.active},
    )
    done = saved(
        request,
        form,
        lambda data: services.intervention_update(actor=request.user, intervention=intervention, **data),
        message="The intervention was updated.",
        then=reverse("provision:intervention", args=[intervention.pk]),
    )
    return done or form_page(
        request,
        "provision/intervention_form.html",
        {
            "school": intervention.school,
            "form": form,
            "intervention": intervention,
            "standard": standard_rates_for(intervention.school_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request, pk: int):
    intervention = _intervention(request, pk, WRITE)
    form = forms.EnrolForm(
        request.POST or None,
        pupils=selectors.pupils_to_enrol(intervention),
        initial={"start_date": timezone.localdate()},
    )
    done = saved(
        request,
        form,
        lambda data: services.enrolment_create(actor=request.user, intervention=intervention, **data),
        message="The pupil was enrolled.",
        then=reverse("provision:intervention", args=[intervention.pk]),
    )
    return done or form_page(
        request,
        "provision/enrol_form.html",
        {
            "school": intervention.school,
            "intervention": intervention,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_new(request, pk: int):
    intervention = _intervention(request, pk, WRITE)
    form = forms.DeliveryForm(
        request.POST or None,
        enrolments=selectors.open_enrolments(intervention),
        initial={"date": timezone.localdate(), "minutes": intervention.minutes_per_session},
    )
    done = saved(
        request,
        form,
        lambda data: services.delivery_record(actor=request.user, intervention=intervention, **data),
        message="The session was recorded.",
        then=reverse("provision:intervention", args=[intervention.pk]),
    )
    return done or form_page(
        request,
        "provision/delivery_form.html",
        {
            "school": intervention.school,
            "intervention": intervention,
            "form": form,
        },
    )


@login_required
@require_POST
def delivery_remove(request, pk: int):
    delivery = (
        Delivery.objects.filter(pk=pk, intervention__school_id__in=_schools(request, WRITE))
        .select_related("intervention")
        .first()
    )
    if delivery is None:
        raise Http404("No such session.")
    services.delivery_remove(actor=request.user, delivery=delivery)
    messages.success(request, f"The session of {delivery.date:%-d %B %Y} was removed.")
    return redirect("provision:intervention", pk=delivery.intervention_id)


# --- one enrolment ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_measures(request, pk: int):
    enrolment = _enrolment(request, pk)
    audit.record_view(enrolment)
    form = forms.MeasuresForm(
        request.POST or None,
        initial={
            "entry_score": enrolment.entry_score,
            "exit_score": enrolment.exit_score,
            "notes": enrolment.notes,
        },
    )
    done = saved(
        request,
        form,
        lambda data: services.enrolment_record_measures(actor=request.user, enrolment=enrolment, **data),
        message="The scores were saved.",
        then=reverse("provision:intervention", args=[enrolment.intervention_id]),
    )
    return done or form_page(
        request,
        "provision/enrolment_form.html",
        {
            "school": enrolment.intervention.school,
            "enrolment": enrolment,
            "form": form,
            "title": "Entry and exit scores",
            "button": "Save the scores",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_end(request, pk: int):
    enrolment = _enrolment(request, pk)
    audit.record_view(enrolment)
    form = forms.EndForm(
        request.POST or None, initial={"end_date": timezone.localdate(), "exit_score": enrolment.exit_score}
    )
    done = saved(
        request,
        form,
        lambda data: services.enrolment_end(actor=request.user, enrolment=enrolment, **data),
        message="The enrolment was ended.",
        then=reverse("provision:intervention", args=[enrolment.intervention_id]),
    )
    return done or form_page(
        request,
        "provision/enrolment_form.html",
        {
            "school": enrolment.intervention.school,
            "enrolment": enrolment,
            "form": form,
            "title": "End the enrolment",
            "button": "End the enrolment",
        },
    )


# --- one pupil --------------------------------------------------------------------------------


@login_required
def pupil_provision(request, pk: int):
    pupil = _pupil(request, pk)
    audit.record_view(pupil)
    return render(
        request,
        "provision/pupil_provision.html",
        {
            "school": pupil.school,
            "pupil": pupil,
            "year_label": selectors.year_group_label(pupil.year_group),
            "provision": selectors.pupil_provision(pupil, timezone.localdate()),
            "can_edit": access.can(request.user, WRITE, pupil.school)
            and pupil.on_register
            and pupil.left_school_on is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pupil_enrol(request, pk: int):
    pupil = _pupil(request, pk, WRITE)
    form = forms.EnrolPupilForm(
        request.POST or None,
        interventions=selectors.interventions_open_to(pupil.school),
        initial={"start_date": timezone.localdate()},
    )
    done = saved(
        request,
        form,
        lambda data: services.enrolment_create(actor=request.user, pupil=pupil, **data),
        message="The pupil was enrolled.",
        then=reverse("provision:pupil", args=[pupil.pk]),
    )
    if done:
        return done
    audit.record_view(pupil)
    return form_page(
        request,
        "provision/pupil_enrol.html",
        {
            "school": pupil.school,
            "pupil": pupil,
            "form": form,
        },
    )
