from django import forms

from core.forms import Form

from .services import ErasureReason

CONFIRMATION_WORD = "ERASE"


class EraseForm(Form):
    reason = forms.ChoiceField(label="Reason", choices=ErasureReason.choices, widget=forms.Select)
    confirmation = forms.CharField(
        label=f"Type {CONFIRMATION_WORD} to confirm",
        max_length=20,
        help_text="This cannot be undone.",
    )

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value != CONFIRMATION_WORD:
            raise forms.ValidationError(f"Type {CONFIRMATION_WORD} in capital letters to confirm.")
        return value
