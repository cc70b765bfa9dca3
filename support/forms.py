"""Forms validate the shape of what was typed; the services decide and write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from core.date_input import DateInputField as DateField
from core.forms import Form

from .models import Outcome
from .services import PROFILE_PART_MAX_CHARS

if TYPE_CHECKING:
    from provision.models import Enrolment
    from trusts.models import User

TEXT = 4000  # the longest free text of a plan's part


def _text(
    label: str, *, required: bool = False, help_text: str = "", rows: int = 4, max_length: int = TEXT
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PlanStartForm(Form):
    starts_on = DateField(label="Start of the cycle")
    review_due = DateField(
        label="Review date", help_text="Usually about a term after the start. For example, 11 12 2026"
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Lead", help_text="Who leads this plan and its review."
    )

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = leads
        self.fields["owner"].label_from_instance = lambda u: u.full_name or u.email


class PlanDetailsForm(PlanStartForm):
    pass


class AssessmentForm(Form):
    needs = _text("Needs", help_text="What the pupil finds hard, in plain words.", rows=5)
    strengths = _text("Strengths", help_text="What the pupil is good at and enjoys.")
    tried_before = _text(
        "What has been tried", help_text="Support already given and what difference it made."
    )
    pupil_views = _text("The pupil's views", help_text="In their own words where you can.")
    parent_views = _text("The parents' or carers' views")


class OutcomeForm(Form):
    description = _text(
        "Outcome",
        required=True,
        rows=3,
        max_length=1000,
        help_text="What the pupil will be able to do by the review.",
    )
    success_criteria = _text(
        "Success criteria",
        required=True,
        rows=3,
        max_length=1000,
        help_text="How you will all know it has been achieved.",
    )
    support = _text("Support to be given", rows=3, max_length=1000, help_text="Who will do what, how often.")
    review_by = DateField(label="Review date of this outcome")
    enrolments: forms.ModelMultipleChoiceField[Enrolment] = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Provision from the provision map",
        help_text="The pupil's interventions that work towards this outcome.",
    )

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].queryset = enrolments
        self.fields["enrolments"].label_from_instance = enrolment_label


def enrolment_label(enrolment) -> str:
    intervention = enrolment.intervention
    when = f"from {enrolment.start_date:%-d %b %Y}"
    if enrolment.end_date:
        when += f" to {enrolment.end_date:%-d %b %Y}"
    return f"{intervention.name} ({intervention.get_kind_display()}, {when})"


class ReviewForm(Form):
    """The review: the date, each outcome's progress and evidence, views and next steps. The
    fields for outcomes are named after their ids (progress_12, evidence_12)."""

    held_on = DateField(label="Date of the review")
    next_steps = _text(
        "Next steps", required=True, help_text="What happens next: these start the next cycle."
    )
    pupil_views = _text("The pupil's views")
    parent_views = _text("The parents' or carers' views")

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)
        for o in self.outcomes:
            self.fields[f"progress_{o.pk}"] = forms.ChoiceField(
                label=f"Outcome {o.position}: progress",
                choices=Outcome.Progress.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose whether the outcome was achieved."},
            )
            self.fields[f"evidence_{o.pk}"] = _text(
                f"Outcome {o.position}: evidence", rows=3, max_length=2000
            )

    def outcome_fields(self):
        """(outcome, progress field, evidence field) for the template."""
        return [(o, self[f"progress_{o.pk}"], self[f"evidence_{o.pk}"]) for o in self.outcomes]


class ProfileForm(Form):
    like_and_admire = _text(
        "What people like and admire about me", required=True, rows=5, max_length=PROFILE_PART_MAX_CHARS
    )
    important_to_me = _text(
        "What is important to me", required=True, rows=5, max_length=PROFILE_PART_MAX_CHARS
    )
    how_to_support = _text("How best to support me", required=True, rows=5, max_length=PROFILE_PART_MAX_CHARS)
    my_needs = _text("My needs, in my own words", required=True, rows=5, max_length=PROFILE_PART_MAX_CHARS)
    written_with = forms.CharField(
        label="Who helped to write it",
        required=False,
        max_length=200,
        help_text="For example: written by Amira with her mum and Mrs Khan.",
    )
