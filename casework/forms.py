"""Forms validate input shape only; the services decide and write. There is no form to
change or delete a case note: the note form only adds one."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms

from core.date_input import DateInputField
from core.forms import Form

from .models import ActivityEntry, AnnualReview, Case, EHCRequest, NamingConsultation
from .selectors import CONSULTATION_SHOW, DUE_FILTERS, DUE_KINDS, REQUEST_SHOW, REVIEW_SHOW

if TYPE_CHECKING:
    from pupils.models import Pupil
    from trusts.models import LocalAuthority, School, Trust, User


def date_field(label: str, required: bool = False, help_text: str = "") -> DateInputField:
    """A date in three boxes (day, month, year), as on GOV.UK services."""
    return DateInputField(label=label, required=required, help_text=help_text)


class CaseKindForm(Form):
    """The first question of opening a case: its kind decides the questions that follow."""

    kind = forms.ChoiceField(
        label="What kind of case is it?",
        choices=Case.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of case", "invalid_choice": "Select the kind of case"},
    )


# The questions that apply to one kind of case only; every other kind is asked none of them.
KIND_FIELDS = {
    Case.Kind.TRIBUNAL_APPEAL: ("decision_letter_date", "mediation_certificate_date", "hearing_date"),
    Case.Kind.SUSPENSION: ("suspension_start", "suspension_days"),
}


class CaseOpenForm(Form):
    """The case's questions for its kind (chosen first, kept in a hidden field)."""

    kind = forms.ChoiceField(choices=Case.Kind.choices, widget=forms.HiddenInput)
    title = forms.CharField(max_length=120, help_text="A short description without names.")
    pupil: forms.ModelChoiceField[Pupil] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No pupil"
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None)
    opened_on = date_field("Date the case was opened", required=True)
    next_action_due = date_field("Next action due")
    decision_letter_date = date_field(
        "Date of the LA's decision letter",
        help_text="The appeal deadline is 2 months from this "
        "letter or 1 month from a mediation certificate, whichever is later.",
    )
    mediation_certificate_date = date_field("Date of the mediation certificate")
    hearing_date = date_field("Tribunal hearing date")
    suspension_start = date_field("First day of the suspension", required=True)
    suspension_days = forms.IntegerField(label="School days of suspension", min_value=1, max_value=45)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="First note",
        help_text="Starts the case's timeline.",
    )

    def __init__(self, *args, kind: str, pupils, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = kind
        for other, names in KIND_FIELDS.items():
            if other != kind:
                for name in names:
                    del self.fields[name]
        pupil, owner = self.fields["pupil"], self.fields["owner"]
        assert isinstance(pupil, forms.ModelChoiceField) and isinstance(owner, forms.ModelChoiceField)
        if kind == Case.Kind.SUSPENSION:
            pupil.required = True
            pupil.empty_label = "Choose a pupil"
        pupil.queryset = pupils
        # Replacing label_from_instance on the field instance is Django's way; the stubs type
        # it as a method only.
        pupil.label_from_instance = lambda p: f"{p.full_name} (year {p.year_group})"  # type: ignore[assignment]
        owner.queryset = owners


class NoteForm(Form):
    text = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class CaseUpdateForm(Form):
    status = forms.ChoiceField(
        choices=[(Case.Status.OPEN, "Open"), (Case.Status.WAITING, "Waiting on others")]
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None)
    next_action_due = date_field("Next action due")
    appeal_lodged_on = date_field("Date the appeal was lodged")
    mediation_certificate_date = date_field("Date of the mediation certificate")
    hearing_date = date_field("Tribunal hearing date")

    def __init__(self, *args, kind: str, owners, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = owners
        if kind != Case.Kind.TRIBUNAL_APPEAL:  # the tribunal's dates are an appeal's only
            for name in KIND_FIELDS[Case.Kind.TRIBUNAL_APPEAL]:
                self.fields.pop(name, None)


class CaseCloseForm(Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    closed_on = date_field("Date the case was closed", required=True)


def trusts_of(schools) -> list:
    """The trusts of these schools (their trust joined), by name: the reader's trusts."""
    return sorted({s.trust_id: s.trust for s in schools}.values(), key=lambda t: t.name)


class CaseFilterForm(Form):
    """The filters of the case lists and the due list, kept in the URL: ids and codes only.
    Only the trusts, schools and owners the reader may see are offered (and accepted)."""

    trust = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(required=False)
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    due = forms.ChoiceField(label="Status", choices=DUE_FILTERS, required=False)

    def __init__(self, *args, schools, owners, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        schools = list(schools)
        self.fields["trust"].choices = [("", "All trusts")] + [(t.pk, t.name) for t in trusts_of(schools)]
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]
        self.fields["kind"].choices = [("", "All kinds")] + list(kinds or Case.Kind.choices)
        self.fields["owner"].choices = [("", "Anyone")] + [(u.pk, str(u)) for u in owners]


class DueFilterForm(CaseFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, kinds=DUE_KINDS, **kwargs)


class RequestFilterForm(Form):
    """The EHC needs assessment requests list's filters, kept in the URL (ids and codes)."""

    trust = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    show = forms.ChoiceField(label="Status", choices=REQUEST_SHOW, required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        schools = list(schools)
        self.fields["trust"].choices = [("", "All trusts")] + [(t.pk, t.name) for t in trusts_of(schools)]
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]


class EHCRequestForm(Form):
    pupil: forms.ModelChoiceField[Pupil] = forms.ModelChoiceField(queryset=None)
    requested_by = forms.ChoiceField(
        choices=EHCRequest.RequestedBy.choices,
        error_messages={
            "required": "Select who made the request",
            "invalid_choice": "Select who made the request",
        },
    )
    request_date = date_field("Date of the request", required=True)
    local_authority: forms.ModelChoiceField[LocalAuthority] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="The pupil's home LA",
        help_text="The LA asked to assess: the pupil's home LA unless you choose another.",
    )

    def __init__(self, *args, pupils, local_authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} (year {p.year_group})"
        self.fields["local_authority"].queryset = local_authorities


class EHCStep:
    """One statutory step of an assessment request, and what recording it does to the clocks
    (said on its check-your-answers page)."""

    def __init__(
        self,
        key: str,
        name: str,
        date_label: str,
        result_label: str = "",
        results: tuple = (),
        warning: str = "",
    ):
        self.key, self.name, self.date_label = key, name, date_label
        self.result_label, self.results, self.warning = result_label, results, warning


EHC_STEPS = {
    s.key: s
    for s in (
        EHCStep(
            "decision",
            "the LA's decision whether to assess",
            "Date of the LA's decision",
            "The LA's decision",
            tuple(EHCRequest.Decision.choices),
            "Recording the decision stops the 6-week clock. A refusal finishes the request.",
        ),
        EHCStep(
            "draft_plan",
            "the draft plan being sent",
            "Date the draft plan was sent",
            warning="Recording the draft plan starts the parents' 15 days to comment.",
        ),
        EHCStep("parents_comments", "the parents' comments", "Date the parents' comments were received"),
        EHCStep(
            "outcome",
            "the final outcome",
            "Date of the final outcome",
            "The outcome",
            tuple(EHCRequest.Outcome.choices),
            "Recording the outcome finishes the request and stops the 20-week clock. A final "
            "plan issued records the pupil as having an EHC plan and starts the annual review "
            "clock.",
        ),
    )
}


def ehc_steps_open(obj: EHCRequest) -> list[EHCStep]:
    """The steps that can be recorded now, in order (the service checks them again)."""
    if obj.closed:
        return []
    if not obj.decision:
        return [EHC_STEPS["decision"]]
    steps = []
    if not obj.draft_plan_date:
        steps.append(EHC_STEPS["draft_plan"])
    elif not obj.parents_comments_date:
        steps.append(EHC_STEPS["parents_comments"])
    steps.append(EHC_STEPS["outcome"])
    return steps


class EHCStepChoiceForm(Form):
    step = forms.ChoiceField(
        label="Which step do you want to record?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the step to record",
            "invalid_choice": "Select the step to record",
        },
    )

    def __init__(self, *args, steps: list[EHCStep], **kwargs):
        super().__init__(*args, **kwargs)
        step = self.fields["step"]
        assert isinstance(step, forms.ChoiceField)
        step.choices = [(s.key, s.name[:1].upper() + s.name[1:]) for s in steps]


class EHCStepForm(Form):
    """The questions of one step: its date, and its result where the step has one."""

    def __init__(self, *args, step: EHCStep, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["date"] = date_field(step.date_label, required=True)
        if step.results:
            self.fields["result"] = forms.ChoiceField(
                label=step.result_label, choices=step.results, widget=forms.RadioSelect
            )

    def step_data(self) -> dict:
        return {
            "step": self.step.key,
            "date": self.cleaned_data["date"],
            "result": self.cleaned_data.get("result", ""),
        }


class ReviewFilterForm(Form):
    """The annual reviews list's filters, kept in the URL (school ids and codes, never a name)."""

    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    show = forms.ChoiceField(label="Show", choices=REVIEW_SHOW, required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]


class PlanForm(Form):
    """An existing plan. The phase-transfer year is worked out from the pupil's year group."""

    pupil: forms.ModelChoiceField[Pupil] = forms.ModelChoiceField(queryset=None)
    issue_date = date_field("Date the plan was issued", required=True)

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} (year {p.year_group})"


class PlanDetailsForm(Form):
    """The details of a plan record made from the register."""

    issue_date = DateInputField(label="Issue date", help_text="The date on the final EHC plan the LA issued.")


class ReviewForm(Form):
    meeting_date = date_field("Date of the review meeting", required=True)


class ReviewDecisionForm(Form):
    review = forms.TypedChoiceField(coerce=int)
    decision = forms.ChoiceField(choices=AnnualReview.Decision.choices)
    date = date_field("Date of the LA's decision", required=True)

    def __init__(self, *args, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [(r.pk, f"{r.meeting_date:%d %b %Y}") for r in reviews]


class FinancialYearForm(Form):
    """The financial year of the EHC timeliness figures: the figure is kept per financial
    year of the final plan (casework.figures), and the current year runs to today."""

    year = forms.TypedChoiceField(label="Financial year", coerce=int, choices=())

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, f"{y}-{(y + 1) % 100:02d}") for y in years]


class ActivityForm(Form):
    kind = forms.ChoiceField(choices=ActivityEntry.Kind.choices)
    date = date_field("Date", required=True)
    hours = forms.DecimalField(
        min_value=Decimal("0.25"), max_value=Decimal(24), decimal_places=2, max_digits=5
    )
    trusts: forms.ModelMultipleChoiceField[Trust] = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
        help_text="Leave blank for the trust of the school chosen above. Tick two only for "
        "time spent for both: its hours count equally for each.",
    )
    school: forms.ModelChoiceField[School] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No school"
    )
    topic = forms.CharField(max_length=200, required=False, help_text="Training: the topic.")
    staff_trained = forms.IntegerField(required=False, min_value=1, max_value=1000, label="Staff trained")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, trusts, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trusts"].queryset = trusts
        self.fields["school"].queryset = schools

    def clean(self):
        # No trust is ticked for the reader: a visit to one school is for that school's
        # trust, not split between every trust by default.
        data = super().clean()
        if not data.get("trusts"):
            school = data.get("school")
            if school is not None:
                data["trusts"] = [school.trust]
            elif "trusts" not in self.errors:
                self.add_error("trusts", "Choose a trust, or the school the activity was for.")
        return data


class ActivityCorrectionForm(ActivityForm):
    reason = forms.CharField(
        max_length=200,
        required=False,
        label="What was wrong (optional)",
        help_text="Kept with the entry's history. No pupils' names.",
    )


class ActivityFilterForm(Form):
    """The activity log's filters, kept in the URL (ids and codes)."""

    trust = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *ActivityEntry.Kind.choices])
    person = forms.TypedChoiceField(label="Logged by", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, trusts, schools, people, **kwargs):
        # Its own ids: the page also holds the form to log an activity, with the same names.
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Anyone")] + [(u.pk, str(u)) for u in people]
        self.fields["trust"].choices = [("", "All trusts")] + [(t.pk, t.name) for t in trusts]
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]


# --- Annual reviews under the LA's rules ---------------------------------------------------------


class ReviewPreparationForm(Form):
    next_meeting_on = date_field(
        "Date the next review meeting is planned for",
        help_text="Leave empty until it is arranged: the steps are dated from the latest day "
        "the review may be held.",
    )
    reports_requested_on = date_field("Date the reports were requested")
    reports_circulated_on = date_field("Date the reports were circulated")


class ReviewReportForm(Form):
    sent_on = date_field("Date the review report was sent to the LA", required=True)


# --- LA consultations on naming a school ---------------------------------------------------------


class ConsultationForm(Form):
    local_authority: forms.ModelChoiceField[LocalAuthority] = forms.ModelChoiceField(
        queryset=None,
        label="Which LA is consulting the school?",
        error_messages={"required": "Select the LA", "invalid_choice": "Select the LA"},
    )
    received_on = date_field(
        "Date the consultation was received",
        required=True,
        help_text="The school has 15 days from this date to respond.",
    )
    pupil: forms.ModelChoiceField[Pupil] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Pupil on the register",
        empty_label="Not on the register: a prospective pupil",
        help_text="Or leave this and give a prospective pupil's name and date of birth.",
    )
    prospective_forename = forms.CharField(
        label="Prospective pupil's first name", required=False, max_length=100
    )
    prospective_surname = forms.CharField(label="Prospective pupil's surname", required=False, max_length=100)
    prospective_date_of_birth = date_field("Prospective pupil's date of birth")

    def __init__(self, *args, pupils, local_authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} (year {p.year_group})"
        self.fields["local_authority"].queryset = local_authorities


YES_NO = [("yes", "Yes"), ("no", "No")]


class ConsultationResponseForm(Form):
    can_meet_needs = forms.ChoiceField(
        label="Can the school meet the child's needs?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the school can meet the child's needs",
            "invalid_choice": "Select yes if the school can meet the child's needs",
        },
    )
    ground = forms.ChoiceField(
        label="If not, on which ground (Children and Families Act 2014 s.39(4))?",
        choices=NamingConsultation.Ground.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select the ground"},
    )
    reasons = forms.CharField(
        label="Why: the evidence for the LA",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )

    def response_data(self) -> dict:
        d = self.cleaned_data
        return {
            "can_meet_needs": d["can_meet_needs"] == "yes",
            "ground": d.get("ground") or "",
            "reasons": d.get("reasons") or "",
        }


class ConsultationSignOffForm(Form):
    responded_on = date_field("Date the response is sent to the LA", required=True)
    confirm = forms.BooleanField(
        label="I have read the response and sign it off as the school's answer to the LA",
        error_messages={"required": "Confirm that you sign off the response"},
    )


class ConsultationOutcomeForm(Form):
    outcome = forms.ChoiceField(
        label="What did the LA decide?",
        choices=NamingConsultation.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome", "invalid_choice": "Select the outcome"},
    )
    outcome_on = date_field("Date of the LA's decision or withdrawal", required=True)


class ConsultationFilterForm(Form):
    show = forms.ChoiceField(choices=CONSULTATION_SHOW, required=False, label="Show")
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="School")

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]
