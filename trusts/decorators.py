import time
from functools import wraps

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings


def recent_authentication_required(view):
    """Exports need a password or TOTP entered in the last ACCOUNT_REAUTHENTICATION_TIMEOUT
    seconds: at login or on allauth's re-authentication page, where AccountMiddleware sends
    the user (and back again afterwards). Step-up protects what takes data out of the portal
    (exports here; subject-access exports and erasure use allauth's stricter
    reauthentication_required): reading and writing records inside a signed-in session,
    two-factor already given, does not ask again.

    allauth's own reauthentication_required counts only a re-authentication, never the login
    itself, so a user who has just signed in would be asked for their password at once."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        records = get_authentication_records(request, request.user)
        last = max((record.get("at", 0) for record in records), default=0)
        if time.time() - last > settings.ACCOUNT_REAUTHENTICATION_TIMEOUT:
            raise ReauthenticationRequired()
        return view(request, *args, **kwargs)

    return wrapper
