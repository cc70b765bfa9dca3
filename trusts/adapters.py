from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.urls import reverse

from core.links import absolute_url

from . import services


def sign_in_refused_message(attempt: services.SignInAttempt) -> str:
    minutes = max(1, -(-attempt.retry_in_seconds // 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    if attempt.refused == "ip":
        return f"Too many failed sign-in attempts from your network. Try again in {wait}."
    return (
        f"Too many failed attempts to sign in to this account. Try again in {wait}, or reset your password."
    )


def client_ip(request) -> str | None:
    """The client's address as allauth reads it (through TRUSTED_PROXY_COUNT proxies)."""
    try:
        return AccountAdapter(request).get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        # Fewer X-Forwarded-For entries than proxies configured, or no address at all.
        return request.META.get("REMOTE_ADDR") or None


def sign_in_attempt_begin(request, email: str) -> services.SignInAttempt:
    """Start an attempt (password or two-factor code), or refuse it with a clear message."""
    attempt = services.sign_in_attempt_begin(email=email, ip_address=client_ip(request))
    if attempt.refused:
        raise forms.ValidationError(sign_in_refused_message(attempt), code="too_many_login_attempts")
    return attempt


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created by a trust's data admin or a platform admin, never by sign-up.
        return False

    # Failed passwords are counted in PostgreSQL, not by allauth in the cache (its
    # "login_failed" limit is off): every web process sees the same count, and a Redis outage
    # neither forgets failures nor lets more through. This covers the login form, the admin's
    # (the same form) and re-authentication.

    def pre_authenticate(self, request, **credentials) -> None:
        email = credentials.get("email") or credentials.get("username") or ""
        self._sign_in_attempt = sign_in_attempt_begin(request, email)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            services.sign_in_attempt_succeed(self._sign_in_attempt)
        return user

    # E-mails link to SITE_URL, the site's public address, not to the host the request came
    # to (behind a proxy that is not the public one, and a Host header is the sender's to set).

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {
            **context,
            "site_url": absolute_url("/"),
            "current_site": SimpleNamespace(name="SEND Portal", domain=urlsplit(settings.SITE_URL).netloc),
        }
        super().send_mail(template_prefix, email, context)

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))
