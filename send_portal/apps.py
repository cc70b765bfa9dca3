from django.apps import AppConfig


class PlatformConfig(AppConfig):
    """The platform itself, not a part of the product: beat's heartbeat for /healthz, and the
    backup and restore commands."""

    name = "send_portal"
    verbose_name = "Platform"
