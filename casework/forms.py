"""Forms validate input shape only; the services decide and write. There is no form to
change or delete a case note: the note form only adds one."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from core.date_input import DateInputField

from .models import ActivityEntry, AnnualReview, Case, EHCRequest
from .selectors import DUE_FILTERS, DUE_KINDS, REQUEST_SHOW, REVIEW_SHOW


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput,
                           help_text=help_text, input_formats=["%Y-%m-%d", "%d/%m/%Y"])


class CaseOpenForm(forms.Form):
    kind = forms.ChoiceField(choices=Case.Kind.choices)
    title = forms.CharField(max_length=120, help_text="A short description without names.")
    pupil = forms.ModelChoiceField(queryset=None, required=False, empty_label="No pupil",
                                   help_text="Required for a suspension.")
    owner = forms.ModelChoiceField(queryset=None)
    opened_on = date_field("Opened on", required=True)
    next_action_due = date_field("Next action due")
    decision_letter_date = date_field(
        "Date of the LA's decision letter", help_text="Tribunal appeals: the appeal deadline is "
        "2 months from this letter or 1 month from a mediation certificate, whichever is later.")
    mediation_certificate_date = date_field("Date of the mediation certificate")
    hearing_date = date_field("Tribunal hearing date")
    suspension_start = date_field("First day of the suspension")
    suspension_days = forms.IntegerField(label="School days of suspension", required=False,
                                         min_value=1, max_value=45)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                           label="First note", help_text="Starts the case's timeline.")

    def __init__(self, *args, pupils, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} (year {p.year_group})"
        self.fields["owner"].queryset = owners


class NoteForm(forms.Form):
    text = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)


class CaseUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=[(Case.Status.OPEN, "Open"),
                                        (Case.Status.WAITING, "Waiting on others")])
    owner = forms.ModelChoiceField(queryset=None)
    next_action_due = date_field("Next action due")
    appeal_lodged_on = date_field("Appeal lodged on")
    mediation_certificate_date = date_field("Mediation certificate date")
    hearing_date = date_field("Hearing date")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class CaseCloseForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    closed_on = date_field("Closed on", required=True)


def trusts_of(schools) -> list:
    """The trusts of these schools (their trust joined), by name: the reader's trusts."""
    return sorted({s.trust_id: s.trust for s in schools}.values(), key=lambda t: t.name)


class CaseFilterForm(forms.Form):
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
        self.fields["trust"].choices = [("", "All trusts")] + [
            (t.pk, t.name) for t in trusts_of(schools)]
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]
        self.fields["kind"].choices = [("", "All kinds")] + list(kinds or Case.Kind.choices)
        self.fields["owner"].choices = [("", "Anyone")] + [(u.pk, str(u)) for u in owners]


class DueFilterForm(CaseFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, kinds=DUE_KINDS, **kwargs)


class RequestFilterForm(forms.Form):
    """The EHC needs assessment requests list's filters, kept in the URL (ids and codes)."""

    trust = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    show = forms.ChoiceField(label="Status", choices=REQUEST_SHOW, required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        schools = list(schools)
        self.fields["trust"].choices = [("", "All trusts")] + [
            (t.pk, t.name) for t in trusts_of(schools)]
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]


class EHCRequestForm(forms.Form):
    pupil = forms.ModelChoiceField(queryset=None)
    requested_by = forms.ChoiceField(choices=EHCRequest.RequestedBy.choices)
    request_date = date_field("Date of the request", required=True)
    local_authority = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="The pupil's home LA",
        help_text="The LA asked to assess: the pupil's home LA unless you choose another.")

    def __init__(self, *args, pupils, local_authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} (year {p.year_group})"
        self.fields["local_authority"].queryset = local_authorities


STEP_CHOICES = [
    ("decision", "LA's decision whether to assess"),
    ("draft_plan", "Draft plan sent"),
    ("parents_comments", "Parents' comments received"),
    ("outcome", "Final outcome"),
]
RESULT_CHOICES = [("", "Not applicable")] + list(EHCRequest.Decision.choices) + list(
    EHCRequest.Outcome.choices)


class EHCStepForm(forms.Form):
    step = forms.ChoiceField(choices=STEP_CHOICES)
    date = date_field("Date", required=True)
    result = forms.ChoiceField(choices=RESULT_CHOICES, required=False,
                               help_text="For the decision and the final outcome.")


class ReviewFilterForm(forms.Form):
    """The annual reviews list's filters, kept in the URL (school ids and codes, never a name)."""

    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    show = forms.ChoiceField(label="Show", choices=REVIEW_SHOW, required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]


class PlanForm(forms.Form):
    """An existing plan. The phase-transfer year is worked out from the pupil's year group."""

    pupil = forms.ModelChoiceField(queryset=None)
    issue_date = date_field("Date the plan was issued", required=True)

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} (year {p.year_group})"


class PlanDetailsForm(forms.Form):
    """The details of a plan record made from the register."""

    issue_date = DateInputField(label="Issue date",
                                help_text="The date on the final EHC plan the LA issued.")


class ReviewForm(forms.Form):
    meeting_date = date_field("Date of the review meeting", required=True)


class ReviewDecisionForm(forms.Form):
    review = forms.TypedChoiceField(coerce=int)
    decision = forms.ChoiceField(choices=AnnualReview.Decision.choices)
    date = date_field("Date of the LA's decision", required=True)

    def __init__(self, *args, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [(r.pk, f"{r.meeting_date:%d %b %Y}") for r in reviews]


class FinancialYearForm(forms.Form):
    """The financial year of the EHC timeliness figures: the figure is kept per financial
    year of the final plan (casework.figures), and the current year runs to today."""

    year = forms.TypedChoiceField(label="Financial year", coerce=int, choices=())

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}-{(y + 1) % 100:02d}") for y in years]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=ActivityEntry.Kind.choices)
    date = date_field("Date", required=True)
    hours = forms.DecimalField(min_value=Decimal("0.25"), max_value=Decimal(24),
                               decimal_places=2, max_digits=5)
    trusts = forms.ModelMultipleChoiceField(
        queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes__input"}),
        help_text="Leave blank for the trust of the school chosen above. Tick two only for "
                  "time spent for both: its hours count equally for each.")
    school = forms.ModelChoiceField(queryset=None, required=False, empty_label="No school")
    topic = forms.CharField(max_length=200, required=False, help_text="Training: the topic.")
    staff_trained = forms.IntegerField(required=False, min_value=1, max_value=1000,
                                       label="Staff trained")
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
    reason = forms.CharField(max_length=200, required=False, label="What was wrong (optional)",
                             help_text="Kept with the entry's history. No pupils' names.")


class ActivityFilterForm(forms.Form):
    """The activity log's filters, kept in the URL (ids and codes)."""

    trust = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(required=False,
                             choices=[("", "All kinds"), *ActivityEntry.Kind.choices])
    person = forms.TypedChoiceField(label="Logged by", coerce=int, required=False,
                                    empty_value=None)

    def __init__(self, *args, trusts, schools, people, **kwargs):
        # Its own ids: the page also holds the form to log an activity, with the same names.
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Anyone")] + [(u.pk, str(u)) for u in people]
        self.fields["trust"].choices = [("", "All trusts")] + [(t.pk, t.name) for t in trusts]
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]
