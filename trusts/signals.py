"""Security events to the log. Never the password, and not the e-mail address in clear."""

import hashlib
import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("send_portal.security")


def account_ref(email: str) -> str:
    """A stable pseudonym for an account in log lines."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


@receiver(user_login_failed)
def log_failed_login(sender, credentials, request=None, **kwargs):
    email = credentials.get("email") or credentials.get("username") or ""
    logger.warning("login failed account=%s ip=%s", account_ref(email), _client_ip(request))


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("login account=%s ip=%s", account_ref(user.email), _client_ip(request))
