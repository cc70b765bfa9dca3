import datetime

from django import forms
from django.conf import settings

from core.date_input import DateInputField
from core.forms import Form
from trusts.models import LocalAuthority

from . import upn as upn_module
from .census import YEAR_GROUPS
from .models import Gender, Need, Provision

PROVISION_CHOICES = [
    ("", "Any provision"),
    (Provision.EHC_PLAN, "EHC plan"),
    (Provision.SEN_SUPPORT, "SEN Support"),
]
NEED_CHOICES = [("", "Any need"), *[(n.value, f"{n.value} – {n.label}") for n in Need]]
YEAR_CHOICES = [
    ("", "Any year group"),
    *[(g, "Reception" if g == "R" else g if g[0] == "N" else f"Year {g}") for g in YEAR_GROUPS],
]


class RegisterSearchForm(Form):
    """A search by name or UPN: posted and kept in the session, never put in a URL (a name in a
    URL ends up in browser history and server logs)."""

    q = forms.CharField(label="Name or UPN", required=False, max_length=60)


class RegisterFilterForm(Form):
    """Filters with no personal data in them: in the URL, so a filtered register can be
    bookmarked and shared, and its pages and sort links keep them."""

    provision = forms.ChoiceField(label="Provision", choices=PROVISION_CHOICES, required=False)
    need = forms.ChoiceField(label="Need", choices=NEED_CHOICES, required=False)
    year_group = forms.ChoiceField(label="Year group", choices=YEAR_CHOICES, required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class CensusUploadForm(Form):
    school = forms.ChoiceField(label="School", help_text="Rows without a school column are for this school.")
    census_date = DateInputField(label="Census date", help_text="For example, 2 10 2025")
    file = forms.FileField(
        label="Census file (CSV)",
        help_text="UPN, Surname, Forename, DOB, Gender, YearGroup, SENProvision, PrimaryNeed, "
        "SecondaryNeed; optional LAESTAB and HomeLA columns.",
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {s.laestab: s for s in schools}
        self.fields["school"].choices = [("", "Choose a school")] + [
            (s.laestab, f"{s.name} ({s.laestab})") for s in schools
        ]
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_school(self):
        return self.schools[self.cleaned_data["school"]]

    def clean_census_date(self):
        value = self.cleaned_data["census_date"]
        if value > datetime.date.today() + datetime.timedelta(days=7):
            raise forms.ValidationError("The census date is in the future.")
        return value

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > settings.PUPILS_CENSUS_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is too large; the largest accepted is "
                f"{settings.PUPILS_CENSUS_MAX_BYTES // 1_048_576} MB."
            )
        return f


def _need_field(label: str, required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=[("", "None" if not required else "Choose a need"), *NEED_CHOICES[1:]],
    )


class RegisterChangeForm(Form):
    # Both forms are on the pupil page: distinct ids, same field names.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "change_%s")
        super().__init__(*args, **kwargs)

    provision = forms.ChoiceField(label="Provision", choices=PROVISION_CHOICES[1:])
    primary_need = _need_field("Primary need", True)
    secondary_need = _need_field("Secondary need", False)
    note = forms.CharField(label="Reason (optional)", required=False, max_length=300)


class RemoveFromRegisterForm(Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "remove_%s")
        super().__init__(*args, **kwargs)

    note = forms.CharField(
        label="Reason for removing",
        max_length=300,
        help_text="For example: needs met after a term of support.",
    )


class AddToRegisterForm(Form):
    upn = forms.CharField(label="UPN", max_length=20)
    forename = forms.CharField(label="Forename", max_length=100)
    surname = forms.CharField(label="Surname", max_length=100)
    date_of_birth = DateInputField(label="Date of birth", help_text="For example, 17 5 2016")
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices)
    year_group = forms.ChoiceField(label="Year group", choices=YEAR_CHOICES[1:])
    primary_need = _need_field("Primary need", True)
    secondary_need = _need_field("Secondary need", False)
    home_local_authority = forms.ModelChoiceField(
        label="Home local authority",
        required=False,
        queryset=LocalAuthority.objects.all(),
        empty_label="The school's local authority",
        help_text="The LA where the pupil lives pays top-up funding.",
    )

    def clean_upn(self):
        try:
            return upn_module.validate(self.cleaned_data["upn"]).value
        except upn_module.InvalidUPN as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if not datetime.date(1995, 1, 1) <= value <= datetime.date.today():
            raise forms.ValidationError("Enter a real date of birth for a pupil.")
        return value


class ConfirmLeaversForm(Form):
    """The tick box of a census import that would record more than a tenth of a school's
    pupils with SEND as having left: its value is the number shown on the page, so a page
    left open while the register changed cannot confirm another number."""

    confirm_leavers = forms.IntegerField(label="Pupils recorded as having left")

    def __init__(self, *args, leavers: int, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.leavers = leavers
        message = f"Tick the box to confirm that {leavers} pupils with SEND will be recorded as having left"
        self.fields["confirm_leavers"].error_messages.update(required=message, invalid=message)

    def clean_confirm_leavers(self) -> int:
        value = self.cleaned_data["confirm_leavers"]
        if value != self.leavers:
            raise forms.ValidationError(
                f"The file would record {self.leavers} pupils as having left, not {value}: "
                "check the list again and tick the box"
            )
        return value
