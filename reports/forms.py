from django import forms

from core.forms import Form


class BoardPackRequestForm(Form):
    census = forms.TypedChoiceField(
        label="Census",
        coerce=str,
        required=False,
        help_text="The pack shows each school's figures at this census and the trend up to it.",
    )
    idempotency_key = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        widget=forms.HiddenInput,
        label="Request",
        error_messages={
            "required": "The form was incomplete: please request the pack again.",
            "invalid": "The form was incomplete: please request the pack again.",
        },
    )

    def __init__(self, *args, census_dates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["census"].choices = [("", "Latest census")] + [
            (d.isoformat(), f"{d:%-d %B %Y}") for d in census_dates
        ]
        self.census_dates = {d.isoformat(): d for d in census_dates}

    def clean_census(self):
        value = self.cleaned_data.get("census") or ""
        return self.census_dates.get(value) if value else None
