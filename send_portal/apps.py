from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks


class PlatformConfig(AppConfig):
    """The platform itself, not a part of the product: beat's heartbeat for /healthz, and the
    backup and restore commands."""

    name = "send_portal"
    verbose_name = "Platform"


class AdminConfig(SimpleAdminConfig):
    """Django's admin, with each app's ModelAdmins loaded by the URLconf (send_portal/urls.py)
    rather than when Django starts. They import django-import-export (and openpyxl) and the
    apps' services: about 0.4 s of every process, which commands such as `import_census` and
    `board_pack` spend before doing anything and never use. Anything that reaches the admin
    (a request, `reverse("admin:...")`) loads the URLconf first; the admin's system check loads
    the ModelAdmins itself, so `manage.py check` still checks every one of them."""

    def ready(self):
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(_check_every_model_admin, checks.Tags.admin)


def _check_every_model_admin(app_configs, **kwargs):
    from django.contrib import admin

    admin.autodiscover()
    return check_admin_app(app_configs, **kwargs)
