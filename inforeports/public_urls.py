"""The public pages: no sign-in (see public_views)."""

from django.urls import path

from . import public_views

app_name = "inforeports_public"

urlpatterns = [
    path("<str:laestab>/", public_views.report, name="report"),
    path("<str:laestab>/report.pdf", public_views.report_pdf, name="report_pdf"),
]
