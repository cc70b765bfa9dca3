"""Forms check the shape of what is typed; the services decide and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from core.date_input import DateInputField
from core.forms import Form
from pupils.models import Need, Pupil

from .models import Enrolment, Intervention, Kind

NEED_CHOICES = [("", "Not for one area of need"), *[(n.value, f"{n.label} ({n.value})") for n in Need]]


def _decimal(
    label: str,
    *,
    places: int,
    digits: int,
    required: bool = True,
    help_text: str = "",
    minimum: str = "0",
    maximum: str | None = None,
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=digits,
        decimal_places=places,
        min_value=Decimal(minimum),
        max_value=Decimal(maximum) if maximum else None,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )


class InterventionForm(Form):
    name = forms.CharField(
        max_length=150,
        help_text="For example, “Precision teaching” or “Lego therapy”. Do not use pupils' names.",
    )
    kind = forms.ChoiceField(label="Kind", choices=Kind.choices)
    area_of_need = forms.ChoiceField(label="Area of need", choices=NEED_CHOICES, required=False)
    staff_role = forms.CharField(
        label="Delivered by",
        max_length=100,
        help_text="A staff role, such as “Teaching assistant” or “Speech and language therapist”.",
        error_messages={"required": "Enter who delivers it"},
    )
    sessions_per_week = _decimal("Sessions a week", places=2, digits=5, maximum="60")
    minutes_per_session = forms.IntegerField(
        label="Minutes a session",
        min_value=1,
        max_value=600,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    weeks = _decimal(
        "Weeks a year",
        places=1,
        digits=4,
        required=False,
        maximum="52",
        help_text="Leave blank for the school's standard weeks a year.",
    )
    group_size = forms.IntegerField(
        label="Pupils in a group",
        min_value=1,
        max_value=60,
        initial=1,
        help_text="The cost of a session is shared between them. 1 for 1:1 support.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    hourly_cost = _decimal(
        "Hourly cost with on-costs (£)",
        places=6,
        digits=12,
        required=False,
        help_text="What an hour of the staff member's time costs the school, including "
        "employer's pension and National Insurance. Leave blank for the school's "
        "standard teaching assistant rate.",
    )
    measure_scale = forms.CharField(
        label="Entry and exit measure",
        max_length=100,
        required=False,
        help_text="The scale of the scores you record, such as “Reading age (months)”, "
        "“Boxall profile” or “Words read a minute”.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.ONE_TO_ONE and data.get("group_size") not in (None, 1):
            self.add_error("group_size", "A 1:1 intervention has 1 pupil in a group.")
        return data

    @classmethod
    def initial_for(cls, intervention: Intervention) -> dict:
        initial = {name: getattr(intervention, name) for name in cls.base_fields}
        if intervention.hourly_cost is not None:
            # 15.873000 reads as 15.873.
            initial["hourly_cost"] = intervention.hourly_cost.normalize()
        return initial


class InterventionChangeForm(InterventionForm):
    active = forms.BooleanField(label="Still offered (untick to retire it)", required=False)


class EnrolForm(Form):
    pupil: forms.ModelChoiceField[Pupil] = forms.ModelChoiceField(queryset=None, empty_label="Choose a pupil")
    start_date = DateInputField(label="Start date")
    entry_score = _decimal(
        "Entry score",
        places=2,
        digits=8,
        required=False,
        minimum="-999999",
        help_text="On the intervention's measure, when taken.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: (
            f"{p.surname}, {p.forename} (Year {p.year_group})"
            if p.year_group.isdigit()
            else f"{p.surname}, {p.forename} ({p.year_group})"
        )


class EnrolPupilForm(Form):
    """Enrol one pupil, from their provision page: the intervention is chosen."""

    intervention: forms.ModelChoiceField[Intervention] = forms.ModelChoiceField(
        queryset=None, empty_label="Choose an intervention"
    )
    start_date = DateInputField(label="Start date")
    entry_score = EnrolForm.base_fields["entry_score"]
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions
        self.fields["intervention"].label_from_instance = lambda i: (
            f"{i.name} ({i.get_kind_display()}, {i.staff_role})"
        )


class MeasuresForm(Form):
    entry_score = _decimal("Entry score", places=2, digits=8, required=False, minimum="-999999")
    exit_score = _decimal("Exit score", places=2, digits=8, required=False, minimum="-999999")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("exit_score") is not None and data.get("entry_score") is None:
            self.add_error("entry_score", "Enter the entry score too: the exit score is compared with it.")
        return data


def _not_after_today(value, what: str):
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(f"The {what} is in the future: record it once it has happened")
    return value


class EndForm(Form):
    end_date = DateInputField(label="End date")
    exit_score = _decimal(
        "Exit score",
        places=2,
        digits=8,
        required=False,
        minimum="-999999",
        help_text="On the intervention's measure, if taken.",
    )

    def clean_end_date(self):
        return _not_after_today(self.cleaned_data["end_date"], "end date")


class DeliveryForm(Form):
    date = DateInputField(label="Date of the session")
    minutes = forms.IntegerField(
        label="Minutes",
        min_value=1,
        max_value=600,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    attended: forms.ModelMultipleChoiceField[Enrolment] = forms.ModelMultipleChoiceField(
        label="Pupils who attended", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        required=False, max_length=300, help_text="What was covered. Do not use pupils' names."
    )

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = enrolments
        self.fields["attended"].help_text = "Pupils enrolled now."
        self.fields["attended"].label_from_instance = lambda e: f"{e.pupil.forename} {e.pupil.surname}"

    def clean_date(self):
        return _not_after_today(self.cleaned_data["date"], "session's date")
