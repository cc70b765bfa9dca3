from django.urls import path

from . import views

app_name = "trusts"

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<str:laestab>/", views.school_detail, name="school_detail"),
    path("audit/", views.audit_index, name="audit_index"),
    path("audit/<slug:slug>/", views.audit_log, name="audit_log"),
    path("audit/<slug:slug>/export.csv", views.audit_log_export, name="audit_log_export"),
    path("audit/<slug:slug>/logins/", views.login_history, name="login_history"),
    path("handover/", views.handover_index, name="handover_index"),
    path("handover/school/<str:laestab>/", views.handover_school, name="handover_school"),
    path("handover/<slug:slug>/", views.handover_trust, name="handover_trust"),
    path("handover/<slug:slug>/<int:user_id>/", views.handover_person, name="handover_person"),
    path("handover/<slug:slug>/<int:user_id>/check/", views.handover_check, name="handover_check"),
]
