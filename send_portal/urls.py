from django.contrib import admin
from django.urls import include, path

from .health import HealthzView

admin.site.site_header = "SEND Portal administration"
admin.site.site_title = "SEND Portal admin"

urlpatterns = [
    path("healthz", HealthzView.as_view(), name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("pupils/", include("pupils.urls")),
    path("funding/", include("funding.urls")),
    path("casework/", include("casework.urls")),
    path("reports/", include("reports.urls")),
    path("", include("trusts.urls")),
]
