from django.apps import AppConfig


class TrustsConfig(AppConfig):
    name = "trusts"
    verbose_name = "Trusts, schools and roles"

    def ready(self) -> None:
        from core import lookups

        from . import signals  # noqa: F401  (signals: the security log receivers)
        from .access import Capability
        from .checks import check_session_timeouts  # noqa: F401  (registers the check)
        from .navigation import NavItem, SchoolLink, register, register_school_link

        lookups.register()
        register(NavItem("Home", "trusts:home", None, order=0))
        register(NavItem("Audit", "trusts:audit_index", Capability.VIEW_AUDIT, order=90))
        register(NavItem("Hand over work", "trusts:handover_index", Capability.HAND_OVER_WORK, order=85))
        register_school_link(
            SchoolLink(
                "Hand over a colleague's work",
                "trusts:handover_school",
                Capability.HAND_OVER_WORK,
                "When a SENCO leaves: their open cases, assessment requests, EHC plans and support "
                "plans here, to a colleague in one step.",
                order=90,
            )
        )
