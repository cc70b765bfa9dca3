"""The two-factor forms (settings.MFA_FORMS): allauth's, with the attempt counted towards the
account's lockout and each TOTP code accepted once, both in PostgreSQL. allauth's own guards
(its failed-login limit and its record of used codes) live in the cache, which a Redis outage
empties or splits between web processes."""

from typing import TYPE_CHECKING, Any

from allauth.core import context
from allauth.mfa.base import forms as allauth_forms
from allauth.mfa.models import Authenticator
from django import forms

from core.forms import GovukFormMixin

from . import services
from .adapters import sign_in_attempt_begin

CODE_ALREADY_USED = (
    "That code has already been used. Wait for your authenticator app to show a new code, then enter it."
)


if TYPE_CHECKING:
    # The mixin's methods run on allauth's forms (which ship no types): their user,
    # authenticator and clean_code.
    _AllauthCodeForm = Any
else:
    _AllauthCodeForm = object


class _CountedAttempt(_AllauthCodeForm):
    def clean_code(self) -> str:
        attempt = sign_in_attempt_begin(context.request, self.user.email)
        code = super().clean_code()  # a wrong code raises: the attempt stays a failure
        if self.authenticator.type == Authenticator.Type.TOTP and not services.totp_code_use(
            user=self.user, code=code
        ):
            raise forms.ValidationError(CODE_ALREADY_USED, code="code_already_used")
        services.sign_in_attempt_succeed(attempt)
        return code


class _CodeInPortalWords(GovukFormMixin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = (
            "Enter the code from your authenticator app, or a recovery code"
        )


class AuthenticateForm(_CountedAttempt, _CodeInPortalWords, allauth_forms.AuthenticateForm):
    pass


class ReauthenticateForm(_CountedAttempt, _CodeInPortalWords, allauth_forms.ReauthenticateForm):
    pass
