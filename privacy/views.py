from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pupils.models import Pupil
from trusts import access, audit
from trusts.access import Capability

from . import selectors, services, subject_access
from .forms import CONFIRMATION_WORD, EraseForm


def _get_pupil_for_user(request, pk: int) -> Pupil:
    """The pupil if the user is a data protection lead of the pupil's trust (VIEW_AUDIT in
    the pupil's school), else 404."""
    try:
        pupil = Pupil.objects.select_related("school__trust").get(pk=pk)
    except Pupil.DoesNotExist:
        raise Http404("No such pupil.") from None
    if not access.can(request.user, Capability.VIEW_AUDIT, pupil.school):
        raise Http404("No such pupil.")
    return pupil


@login_required
def school(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, Capability.VIEW_AUDIT)
    cutoff = selectors.retention_cutoff(timezone.localdate(), selectors.retention_years())
    pupils = list(selectors.school_pupils(school))
    due = {p.pk for p in selectors.pupils_past_retention(schools=[school])}
    return render(
        request,
        "privacy/school.html",
        {
            "school": school,
            "pupils": pupils,
            "due": due,
            "cutoff": cutoff,
            "years": selectors.retention_years(),
        },
    )


@login_required
def pupil(request, pk: int):
    pupil = _get_pupil_for_user(request, pk)
    audit.record_view(pupil)
    return render(
        request,
        "privacy/pupil.html",
        {
            "pupil": pupil,
            "erased": selectors.is_erased(pupil),
            "same_child": _same_child(request, pupil),
        },
    )


@reauthentication_required
def _export(request, pupil: Pupil) -> HttpResponse:
    sections = selectors.subject_access_sections(pupil)
    data = subject_access.build_zip(pupil=pupil, sections=sections, generated_by=request.user.email)
    audit.record_export(
        actor=request.user,
        subject=pupil,
        what="subject access export",
        rows=sum(len(s.rows) for s in sections),
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{pupil.pk}.zip"'
    return response


@login_required
@require_POST
def pupil_export(request, pk: int):
    pupil = _get_pupil_for_user(request, pk)
    return _export(request, pupil)


def _same_child(request, pupil: Pupil) -> list[Pupil]:
    """The child's rows at the other schools where this user is a data protection lead."""
    return selectors.same_child_records(
        pupil, school_ids=access.school_ids_for(request.user, Capability.VIEW_AUDIT)
    )


@reauthentication_required(allow_get=True)
def _erase(request, pupil: Pupil) -> HttpResponse:
    if selectors.is_erased(pupil):
        messages.info(request, "This pupil's personal data has already been erased.")
        return redirect("privacy:pupil", pk=pupil.pk)
    same_child = _same_child(request, pupil)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erased = services.child_erase(
            actor=request.user, pupil=pupil, same_child=same_child, reason=form.cleaned_data["reason"]
        )
        if not erased:  # erased by someone else since the page was drawn
            messages.info(request, "This pupil's personal data has already been erased.")
        else:
            records = ", ".join(str(p.pk) for p in erased)
            messages.success(
                request, f"Record{'s' if len(erased) > 1 else ''} {records}: personal data erased."
            )
        return redirect("privacy:pupil", pk=pupil.pk)
    return render(
        request,
        "privacy/erase.html",
        {
            "pupil": pupil,
            "same_child": same_child,
            "form": form,
            "word": CONFIRMATION_WORD,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pupil_erase(request, pk: int):
    pupil = _get_pupil_for_user(request, pk)
    return _erase(request, pupil)
