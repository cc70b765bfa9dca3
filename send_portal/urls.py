from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import include, path

from .health import HealthzView

# The ModelAdmins are found here, with the URLconf, not when Django starts (send_portal.apps).
admin.autodiscover()
admin.site.site_header = "SEND Portal administration"
admin.site.site_title = "SEND Portal admin"


def admin_login(request):
    # The admin's own login form would skip two-factor: everyone signs in through allauth.
    if request.user.is_authenticated:
        # Signed in but not staff: the admin sends them here and the login page would send
        # them back, for ever. They see the app's 403 page instead.
        raise PermissionDenied("The admin is for platform admins.")
    return redirect_to_login(request.GET.get("next", "/admin/"), login_url=settings.LOGIN_URL)


urlpatterns = [
    path("healthz", HealthzView.as_view(), name="healthz"),
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("pupils/", include("pupils.urls")),
    path("provision/", include("provision.urls")),
    path("support/", include("support.urls")),
    path("funding/", include("funding.urls")),
    path("casework/", include("casework.urls")),
    path("transfers/", include("transfers.urls")),
    path("evidence/", include("evidence.urls")),
    path("information-reports/", include("inforeports.urls")),
    # Published SEN information reports: read by anyone, no sign-in (inforeports.public_views).
    path("sen-information-report/", include("inforeports.public_urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("trusts.urls")),
]
