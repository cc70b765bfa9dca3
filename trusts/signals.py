"""Security events to the log and the login history. Never the password, and not the e-mail
address in clear."""

import logging

from allauth.account.signals import password_reset
from allauth.mfa.signals import authenticator_removed
from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .adapters import client_ip
from .middleware import SESSION_TOTP_SEEN
from .services import account_ref, login_event_record, sign_in_failures_clear

logger = logging.getLogger("send_portal.security")


def _client_ip(request) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_login_failed)
def log_failed_login(sender, credentials, request=None, **kwargs):
    email = credentials.get("email") or credentials.get("username") or ""
    logger.warning("login failed account=%s ip=%s", account_ref(email), _client_ip(request))
    login_event_record(email=email, ip_address=_client_ip(request), succeeded=False)


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("login account=%s ip=%s", account_ref(user.email), _client_ip(request))
    login_event_record(email=user.email, ip_address=_client_ip(request), succeeded=True)
    # The person is in (password and, where required, a two-factor code): earlier typos no
    # longer count towards locking the account.
    sign_in_failures_clear(email=user.email)


@receiver(password_reset)
def unlock_after_password_reset(sender, request, user, **kwargs):
    # A reset proves control of the mailbox; it is the way out of a lockout that the message
    # offers. (Failures still count against the IP address.)
    sign_in_failures_clear(email=user.email)


@receiver(user_logged_out)
def end_every_session_at_logout(sender, request, user, **kwargs):
    # Signing out on one device signs the person out everywhere (a shared staffroom PC
    # left signed in elsewhere is the risk this closes).
    if user is not None:
        for session in UserSession.objects.filter(user=user):
            session.end()


@receiver(authenticator_removed)
def forget_two_factor_seen(sender, request, user, authenticator, **kwargs):
    # The session remembered that this user has TOTP (RequireTwoFactorMiddleware): ask again.
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_TOTP_SEEN, None)
