from django.apps import AppConfig


class TrustsConfig(AppConfig):
    name = "trusts"
    verbose_name = "Trusts, schools and roles"

    def ready(self) -> None:
        from .navigation import NavItem, register

        register(NavItem("Home", "home", None, order=0))
