"""Forms validate the shape of what was typed; the services decide and write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from core.date_input import DateInputField as DateField
from core.forms import Form

from .models import EvidencePack, PackKind, ProfessionalInvolvement

if TYPE_CHECKING:
    from funding.models import Claim


class PackStartForm(Form):
    kind = forms.ChoiceField(
        label="What is the pack for?", choices=PackKind.choices, widget=forms.RadioSelect
    )
    claim: forms.ModelChoiceField[Claim] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Draft claim (top-up bids only)",
        help_text="A top-up bid goes with one of the pupil's draft claims on the funding pages.",
    )

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = claims
        self.fields["claim"].label_from_instance = lambda c: (
            f"{c.requested_band.display_label}, {c.financial_year}-{(c.financial_year + 1) % 100:02d} (draft)"
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == PackKind.TOP_UP and not data.get("claim"):
            self.add_error("claim", "Select the draft claim the bid is for.")
        return data


class ProfessionalForm(Form):
    role = forms.ChoiceField(
        label="Who is the professional?",
        choices=ProfessionalInvolvement.Role.choices,
        widget=forms.RadioSelect,
    )
    who = forms.CharField(
        label="Name or service",
        max_length=200,
        help_text="For example, Dr Jo Smith, Thurrock Educational Psychology Service",
    )
    started_on = DateField(label="Involved since", help_text="For example, 27 3 2026")
    report_on = DateField(label="Date of their latest report or advice (optional)", required=False)
    advice = forms.CharField(
        label="What they found and advised", max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )


class SendForm(Form):
    sent_on = DateField(label="Date the pack was sent to the LA", help_text="For example, 27 3 2026")


PACK_STATUSES = [("", "Any status"), *EvidencePack.Status.choices]


class PackFilterForm(Form):
    """The packs list's filters, kept in the URL: a school id and a status, never a name.
    Only the reader's schools are offered (and accepted)."""

    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="Status", choices=PACK_STATUSES, required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]
