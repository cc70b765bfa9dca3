from django.apps import AppConfig


class TrustsConfig(AppConfig):
    name = "trusts"
    verbose_name = "Trusts, schools and roles"

    def ready(self) -> None:
        from core import lookups

        from . import signals  # noqa: F401  (signals: the security log receivers)
        from .access import Capability
        from .checks import check_session_timeouts  # noqa: F401  (registers the check)
        from .navigation import NavItem, register

        lookups.register()
        register(NavItem("Home", "trusts:home", None, order=0))
        register(NavItem("Audit", "trusts:audit_index", Capability.VIEW_AUDIT, order=90))
