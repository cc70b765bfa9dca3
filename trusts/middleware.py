import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django_scopes import scope

from . import access, audit

SESSION_LOGIN_AT = "send_login_at"


class TenantScopeMiddleware:
    """Every request runs inside a django-scopes scope holding the schools the user may see,
    so tenant-owned models (TenantManager(school=...), trusts.scoping) are filtered to them by the ORM, and an
    anonymous request sees no school at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        school_ids = sorted(access.school_ids_for(request.user)) if request.user else []
        with scope(school=school_ids):
            return self.get_response(request)


class AbsoluteSessionTimeoutMiddleware:
    """Ends a session a fixed time after login, however active (the idle timeout is
    SESSION_COOKIE_AGE, moved on by SessionActivityMiddleware)."""

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


SESSION_SEEN_AT = "send_seen_at"


class SessionActivityMiddleware:
    """Keeps an active session alive: a signed-in request saves the session, and so moves its
    idle expiry (SESSION_COOKIE_AGE) on, when it was last saved for activity more than
    SESSION_ACTIVITY_INTERVAL seconds ago. Saving on every request would cost a database
    write per page for an idle timeout that is only ever that many seconds less exact."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SESSION_SEEN_AT, 0) >= settings.SESSION_ACTIVITY_INTERVAL:
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


# Pages a user who must still set up two-factor authentication can reach.
_TWO_FACTOR_SETUP_PREFIXES = ("/accounts/", "/static/", "/healthz")


SESSION_TOTP_SEEN = "send_totp_seen"


class RequireTwoFactorMiddleware:
    """A user whose role requires two-factor authentication and who has not set it up is sent
    to the TOTP set-up page before anything else. Once the session has seen the user's TOTP
    authenticator it remembers so, rather than asking the database on every page; removing
    the authenticator forgets it (trusts.signals)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(SESSION_TOTP_SEEN)
            and not request.path.startswith(_TWO_FACTOR_SETUP_PREFIXES)
            and access.requires_two_factor(user)
        ):
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                return redirect("mfa_activate_totp")
            request.session[SESSION_TOTP_SEEN] = True
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


class AuditPupilsReadMiddleware:
    """One audit row per trust for each request that read pupils' records, naming them
    (trusts.audit.record_pupils_read): lists, searches, forms and check pages alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.collecting_pupils_read() as read:
            response = self.get_response(request)
        user = getattr(request, "user", None)
        if read and user is not None and user.is_authenticated:
            audit.record_pupils_read(actor=user, pupil_ids=read, path=request.path)
        return response
