"""Pages for staff: the trust's template, each school's versions, a report, its changes since
last year, editing a section, the headteacher's approval and the PDF. Every page finds its
trust, school or report through trusts.access (anything not allowed answers 404) and writes
only through inforeports.services. Reports hold no pupil: nothing here reads a pupil's
record. The public pages are in public_views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors
from trusts import access
from trusts.access import Capability as C

from . import forms, pdf, selectors, services
from .models import InfoReport, academic_year_label
from .schedule import BY_KEY, HEADINGS


def _report_for(request, pk: int, capability: C = C.VIEW_SCHOOL) -> InfoReport:
    report = (
        InfoReport.objects.filter(pk=pk, school_id__in=access.school_ids_for(request.user, capability))
        .select_related("school__trust", "school__local_authority", "approved_by", "created_by", "updated_by")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report


@login_required
@require_GET
def index(request):
    schools = list(access.schools_for(request.user, C.VIEW_SCHOOL).order_by("name", "laestab"))
    trusts = list(access.trusts_for(request.user, C.WRITE_INFO_TEMPLATE).order_by("name"))
    if not schools and not trusts:
        raise Http404("No reports to show.")
    return render(
        request,
        "inforeports/index.html",
        {
            "rows": selectors.schools_with_status(schools),
            "trusts": trusts,
            "several_trusts": len({s.trust_id for s in schools}) > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, slug: str):
    trust = access.get_trust_for_user(request.user, slug, C.WRITE_INFO_TEMPLATE)
    template = selectors.template_for(trust)
    initial = {h.key: template.text(h.key) for h in HEADINGS} if template else {}
    form = forms.TemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(actor=request.user, trust=trust, sections=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The template for {trust.name} was saved. Every school's "
                "draft shows it now; approved reports keep their text.",
            )
            return redirect("inforeports:template_edit", slug=trust.slug)
    return render(
        request,
        "inforeports/template_form.html",
        {
            "trust": trust,
            "template": template,
            "form": form,
            "fields": [(h, form[h.key]) for h in HEADINGS],
        },
    )


@login_required
@require_GET
def school_reports(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, C.VIEW_SCHOOL)
    today = timezone.localdate()
    reports = selectors.school_reports(school)
    this_year = selectors.academic_year_of(today)
    drafts = {r.academic_year for r in reports if r.is_draft}
    may_edit = access.can(request.user, C.EDIT_INFO_REPORT, school)
    return render(
        request,
        "inforeports/school_reports.html",
        {
            "school": school,
            "reports": reports,
            "may_edit": may_edit,
            # (year, label, whether a version of it is approved: the next one is a new version)
            "years": [
                (y, academic_year_label(y), any(r.academic_year == y for r in reports))
                for y in (this_year, this_year + 1)
                if y not in drafts
            ],
            "published": next((r for r in reports if not r.is_draft), None),
        },
    )


@login_required
@require_POST
def report_new(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab, C.EDIT_INFO_REPORT)
    posted = request.POST.get("academic_year", "")
    if not (posted.isascii() and posted.isdigit() and len(posted) == 4):
        messages.error(request, "Choose the school year to start a draft for.")
        return redirect("inforeports:school_reports", laestab=school.laestab)
    year = int(posted)
    try:
        report = services.report_draft(actor=request.user, school=school, academic_year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inforeports:school_reports", laestab=school.laestab)
    messages.success(request, f"The draft for {report.year_label} was started.")
    return redirect("inforeports:report_detail", pk=report.pk)


@login_required
@require_GET
def report_detail(request, pk: int):
    report = _report_for(request, pk)
    today = timezone.localdate()
    view = selectors.report_view(report, today=today)
    previous = selectors.previous_report(report)
    return render(
        request,
        "inforeports/report_detail.html",
        {
            "report": report,
            "school": report.school,
            "view": view,
            "previous": previous,
            "may_edit": report.is_draft and access.can(request.user, C.EDIT_INFO_REPORT, report.school_id),
            "may_approve": report.is_draft
            and access.can(request.user, C.APPROVE_INFO_REPORT, report.school_id),
        },
    )


@login_required
@require_GET
def report_changes(request, pk: int):
    report = _report_for(request, pk)
    changes = selectors.changes_since_last_year(report, today=timezone.localdate())
    return render(
        request,
        "inforeports/report_changes.html",
        {
            "report": report,
            "school": report.school,
            "changes": changes,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk: int, key: str):
    report = _report_for(request, pk, C.EDIT_INFO_REPORT)
    heading = BY_KEY.get(key)
    if heading is None:
        raise Http404("No such heading.")
    if not report.is_draft:
        messages.error(request, services.FROZEN_MESSAGE)
        return redirect("inforeports:report_detail", pk=report.pk)
    template = selectors.template_for(report.school.trust_id)
    form = forms.SectionForm(
        request.POST if request.method == "POST" else None, initial={"text": report.school_text(key)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_section_save(
                actor=request.user, report=report, key=key, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{heading.title}” was saved.")
            return redirect(f"{_detail_url(report)}#section-{key}")
    return render(
        request,
        "inforeports/section_form.html",
        {
            "report": report,
            "school": report.school,
            "heading": heading,
            "form": form,
            "trust_text": template.text(key) if template else "",
        },
    )


def _detail_url(report: InfoReport) -> str:
    from django.urls import reverse

    return reverse("inforeports:report_detail", args=[report.pk])


@login_required
@require_http_methods(["GET", "POST"])
def report_approve(request, pk: int):
    report = _report_for(request, pk, C.APPROVE_INFO_REPORT)
    if not report.is_draft:
        messages.error(request, services.FROZEN_MESSAGE)
        return redirect("inforeports:report_detail", pk=report.pk)
    today = timezone.localdate()
    form = forms.ApproveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_approve(actor=request.user, report=report, today=today)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The report for {report.year_label} was approved on "
                f"{today.day} {today:%B %Y} and is published.",
            )
            return redirect("inforeports:report_detail", pk=report.pk)
    view = selectors.report_view(report, today=today)
    return render(
        request,
        "inforeports/report_approve.html",
        {
            "report": report,
            "school": report.school,
            "view": view,
            "form": form,
        },
    )


@login_required
@require_GET
def report_pdf(request, pk: int):
    report = _report_for(request, pk)
    view = selectors.report_view(report, today=timezone.localdate())
    response = HttpResponse(pdf.report_pdf(view), content_type="application/pdf")
    state = "draft" if report.is_draft else "approved"
    response["Content-Disposition"] = (
        f'attachment; filename="sen-information-report-{report.school.laestab}-'
        f'{report.academic_year}-v{report.version}-{state}.pdf"'
    )
    return response
