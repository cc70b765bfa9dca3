"""The sign-in forms of django-allauth on the portal's base form, so their errors are in the
same self-contained GOV.UK words as every other form's (settings ACCOUNT_FORMS; the two-factor
forms, which also count attempts, are in trusts.mfa)."""

from allauth.account.forms import LoginForm as AllauthLoginForm

from core.forms import GovukFormMixin


class LoginForm(GovukFormMixin, AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
