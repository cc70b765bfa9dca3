import re
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings

from core.forms import Form

if TYPE_CHECKING:
    from trusts.models import School


class CtfUploadForm(Form):
    file = forms.FileField(
        label="Common transfer file (XML)",
        help_text="The CTF the pupil's previous school sent you (CTF 26 or CTF 25), as it came "
        "from their MIS or from the DfE's school to school service.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xml,text/xml,application/xml"

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.TRANSFERS_CTF_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                f"The file is too large; the largest accepted is {limit // 1_048_576} MB."
            )
        if f.size == 0:
            raise forms.ValidationError("The file is empty.")
        return f


class CtfExportForm(Form):
    pupils = forms.MultipleChoiceField(
        label="Pupils leaving",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one pupil"},
    )
    destination = forms.CharField(
        label="Next school's DfE number (LAESTAB), if known",
        required=False,
        max_length=8,
        help_text="7 digits, for example 8832001. Leave it empty if the next school is not known.",
    )

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_id = {str(p.pk): p for p in pupils}
        self.fields["pupils"].choices = [
            (str(p.pk), f"{p.surname}, {p.forename} (year {p.year_group}, {p.get_provision_display()})")
            for p in pupils
        ]

    def clean_pupils(self):
        return [self.by_id[pk] for pk in self.cleaned_data["pupils"]]

    def clean_destination(self):
        value = re.sub(r"[\s/-]", "", self.cleaned_data["destination"])
        if value and not re.fullmatch(r"\d{7}", value):
            raise forms.ValidationError("Enter the next school's DfE number as 7 digits, for example 8832001")
        return value or None


class MoveReleaseForm(Form):
    to_school: "forms.ModelChoiceField[School]" = forms.ModelChoiceField(
        label="Which school is the pupil moving to?",
        queryset=None,
        empty_label="Choose a school",
        help_text="Schools using this service. The new school's SENCO receives the pupil's "
        "records when they accept them; until then they see only the pupil's name, "
        "UPN and date of birth.",
        error_messages={
            "required": "Choose the school the pupil is moving to",
            "invalid_choice": "Choose the school the pupil is moving to",
        },
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = schools
        self.fields["to_school"].label_from_instance = lambda s: f"{s.name} ({s.laestab}), {s.trust.name}"
