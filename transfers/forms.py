import re

from django import forms
from django.conf import settings


class CtfUploadForm(forms.Form):
    file = forms.FileField(
        label="Common transfer file (XML)",
        help_text="The CTF the pupil's previous school sent you (CTF 26 or CTF 25), as it came "
                  "from their MIS or from the DfE's school to school service.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xml,text/xml,application/xml"

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.TRANSFERS_CTF_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                f"The file is too large; the largest accepted is {limit // 1_048_576} MB.")
        if f.size == 0:
            raise forms.ValidationError("The file is empty.")
        return f


class CtfExportForm(forms.Form):
    pupils = forms.MultipleChoiceField(
        label="Pupils leaving", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one pupil"})
    destination = forms.CharField(
        label="Next school's DfE number (LAESTAB), if known", required=False, max_length=8,
        help_text="7 digits, for example 8832001. Leave it empty if the next school is not "
                  "known.")

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_id = {str(p.pk): p for p in pupils}
        self.fields["pupils"].choices = [
            (str(p.pk), f"{p.surname}, {p.forename} (year {p.year_group}, "
                        f"{p.get_provision_display()})") for p in pupils]

    def clean_pupils(self):
        return [self.by_id[pk] for pk in self.cleaned_data["pupils"]]

    def clean_destination(self):
        value = re.sub(r"[\s/-]", "", self.cleaned_data["destination"])
        if value and not re.fullmatch(r"\d{7}", value):
            raise forms.ValidationError("Enter the next school's DfE number as 7 digits, for "
                                        "example 8832001")
        return value or None
