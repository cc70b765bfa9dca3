from django.urls import path

from . import views

app_name = "inforeports"

urlpatterns = [
    path("", views.index, name="index"),
    path("trusts/<slug:slug>/template/", views.template_edit, name="template_edit"),
    path("schools/<str:laestab>/", views.school_reports, name="school_reports"),
    path("schools/<str:laestab>/new/", views.report_new, name="report_new"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/changes/", views.report_changes, name="report_changes"),
    path("<int:pk>/sections/<slug:key>/", views.section_edit, name="section_edit"),
    path("<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
