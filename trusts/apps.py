from django.apps import AppConfig


class TrustsConfig(AppConfig):
    name = "trusts"
    verbose_name = "Trusts, schools and roles"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the security log receivers)
        from .navigation import NavItem, register

        register(NavItem("Home", "home", None, order=0))
