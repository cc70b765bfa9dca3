"""The sign-in forms of django-allauth on the portal's base form, so their errors are in the
same self-contained GOV.UK words as every other form's (settings ACCOUNT_FORMS; the two-factor
forms, which also count attempts, are in trusts.mfa)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from core.forms import Form, GovukFormMixin

from .handover import Reason
from .models import User


class LoginForm(GovukFormMixin, AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class HandoverForm(Form):
    """Who takes on a colleague's open work, why, and whether their role ends with it."""

    new_owner: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        label="Who takes the work on?",
        empty_label=None,
        error_messages={
            "required": "Select who takes the work on",
            "invalid_choice": "Select who takes the work on from the list",
        },
    )
    reason = forms.ChoiceField(
        choices=Reason.choices,
        widget=forms.RadioSelect,
        label="Why is the work handed over?",
        error_messages={
            "required": "Select why the work is handed over",
            "invalid_choice": "Select why the work is handed over from the list",
        },
    )
    end_roles = forms.BooleanField(required=False)
    # The school the handover is narrowed to (its LAESTAB), or blank for the whole trust.
    school = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidates, person, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        described = {c.user.pk: c.roles for c in candidates}
        field = self.fields["new_owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=described).order_by("full_name", "email")
        # Replacing label_from_instance on the field instance is Django's way; the stubs type
        # it as a method only.
        field.label_from_instance = lambda u: f"{u} – {described[u.pk]}"  # type: ignore[assignment]
        field.help_text = (
            "Only people who may own every one of these records at its school "
            "are listed. The Head of SEND can hold the work while the post is "
            "vacant."
        )
        if roles:
            self.fields["end_roles"].label = f"Also end {person}'s role: {'; '.join(roles)}"
        else:
            del self.fields["end_roles"]
