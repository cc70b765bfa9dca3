import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django_scopes import scope

from . import access

SESSION_LOGIN_AT = "send_login_at"


class TenantScopeMiddleware:
    """Every request runs inside a django-scopes scope holding the schools the user may see,
    so tenant-owned models (ScopedManager(school=...)) are filtered to them by the ORM, and an
    anonymous request sees no school at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        school_ids = sorted(access.school_ids_for(request.user)) if request.user else []
        with scope(school=school_ids):
            return self.get_response(request)


class AbsoluteSessionTimeoutMiddleware:
    """Ends a session a fixed time after login, however active (the idle timeout is
    SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            login_at = request.session.get(SESSION_LOGIN_AT)
            if login_at is None:
                request.session[SESSION_LOGIN_AT] = int(time.time())
            elif time.time() - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        return self.get_response(request)


# Pages a user who must still set up two-factor authentication can reach.
_TWO_FACTOR_SETUP_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireTwoFactorMiddleware:
    """A user whose role requires two-factor authentication and who has not set it up is sent
    to the TOTP set-up page before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_TWO_FACTOR_SETUP_PREFIXES)
            and access.requires_two_factor(user)
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreForSignedInUsersMiddleware:
    """Pages shown to a signed-in user may hold pupil data: browsers and proxies must not keep
    them (ICO guidance on special-category data; OWASP ASVS 8.2.1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
