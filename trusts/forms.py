"""The sign-in forms of django-allauth on the portal's base form, so their errors are in the
same self-contained GOV.UK words as every other form's (settings ACCOUNT_FORMS, MFA_FORMS)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm

from core.forms import GovukFormMixin


class LoginForm(GovukFormMixin, AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class AuthenticateForm(GovukFormMixin, AllauthAuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = (
            "Enter the code from your authenticator app, or a recovery code")
