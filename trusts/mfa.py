"""The two-factor forms (settings.MFA_FORMS): allauth's, with the attempt counted towards the
account's lockout and each TOTP code accepted once, both in PostgreSQL. allauth's own guards
(its failed-login limit and its record of used codes) live in the cache, which a Redis outage
empties or splits between web processes."""

from allauth.core import context
from allauth.mfa.base import forms as allauth_forms
from allauth.mfa.models import Authenticator
from django import forms

from . import services
from .adapters import sign_in_attempt_begin

CODE_ALREADY_USED = ("That code has already been used. Wait for your authenticator app to show "
                     "a new code, then enter it.")


class _CountedAttempt:
    def clean_code(self) -> str:
        attempt = sign_in_attempt_begin(context.request, self.user.email)
        code = super().clean_code()  # a wrong code raises: the attempt stays a failure
        if (self.authenticator.type == Authenticator.Type.TOTP
                and not services.totp_code_use(user=self.user, code=code)):
            raise forms.ValidationError(CODE_ALREADY_USED, code="code_already_used")
        services.sign_in_attempt_succeed(attempt)
        return code


class AuthenticateForm(_CountedAttempt, allauth_forms.AuthenticateForm):
    pass


class ReauthenticateForm(_CountedAttempt, allauth_forms.ReauthenticateForm):
    pass
