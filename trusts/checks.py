"""System checks of the session settings (`manage.py check`, and every process start)."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def check_session_timeouts(app_configs, **kwargs) -> list:
    """The idle timeout (SESSION_COOKIE_AGE) is moved on only when an active session is saved,
    at most every SESSION_ACTIVITY_INTERVAL seconds (trusts.middleware.SessionActivityMiddleware):
    it must be longer than that interval, or a session in use could end between two saves."""
    idle = settings.SESSION_COOKIE_AGE
    interval = settings.SESSION_ACTIVITY_INTERVAL
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT
    out: list[CheckMessage] = []
    if idle <= 0 or absolute <= 0:
        out.append(
            Error(
                "SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_TIMEOUT must be positive numbers of seconds.",
                id="trusts.E002",
            )
        )
    elif interval >= idle:
        out.append(
            Error(
                f"SESSION_ACTIVITY_INTERVAL ({interval} s) must be shorter than SESSION_IDLE_TIMEOUT "
                f"({idle} s): activity moves the idle expiry on only that often.",
                hint="Lower SESSION_ACTIVITY_INTERVAL (default 60) or raise SESSION_IDLE_TIMEOUT.",
                id="trusts.E001",
            )
        )
    elif idle > absolute:
        out.append(
            Warning(
                f"SESSION_IDLE_TIMEOUT ({idle} s) is longer than SESSION_ABSOLUTE_TIMEOUT "
                f"({absolute} s), so a session never ends for being idle.",
                id="trusts.W001",
            )
        )
    return out


@register(deploy=True)
def check_site_url(app_configs, **kwargs) -> list:
    """E-mails link to SITE_URL: a deployment needs its own public https address there."""
    from urllib.parse import urlsplit

    parts = urlsplit(settings.SITE_URL)
    if parts.scheme != "https" or parts.hostname in (None, "localhost", "127.0.0.1", "::1"):
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in e-mails (reminders, password resets) "
                "would not reach the site.",
                hint="Set SITE_URL to the site's public address, e.g. https://send.example.org.",
                id="trusts.W002",
            )
        ]
    return []
