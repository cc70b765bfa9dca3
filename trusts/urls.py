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
]
