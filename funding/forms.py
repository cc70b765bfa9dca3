from decimal import Decimal

from django import forms

from core.date_input import DateInputField
from core.forms import Form
from core.numbers import money
from pupils.models import Pupil

from .calculations import financial_year_label
from .models import Band


class BandChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Band) -> str:
        return f"{obj.display_label} – {money(obj.annual_value)} a year"


def grouped_band_choices(bands) -> list:
    """Bands as <optgroup>s per LA and year, so the LA a claim goes to is plain to see."""
    groups: dict[str, list] = {}
    for b in bands:
        key = f"{b.scheme.local_authority.name} {financial_year_label(b.scheme.financial_year)}"
        groups.setdefault(key, []).append((b.pk, f"{b.display_label} – {money(b.annual_value)} a year"))
    return [("", "Choose a band"), *groups.items()]


class ClaimForm(Form):
    pupil = forms.ModelChoiceField(queryset=Pupil.objects.none(), empty_label="Choose a pupil")
    requested_band = BandChoiceField(
        queryset=Band.objects.none(),
        label="Band requested",
        help_text="From the table of the LA where the pupil lives (shown next to each pupil).",
    )
    evidence_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    provision_to_fund = forms.CharField(
        label="Provision to be funded", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, pupils, bands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: (
            f"{p.full_name} – {p.get_provision_display()} – lives in {p.home_local_authority.name}"
        )
        self.fields["requested_band"].queryset = bands
        self.fields["requested_band"].choices = grouped_band_choices(bands)


class SubmitForm(Form):
    submitted_on = DateInputField(label="Date submitted to the LA")


class AwardForm(Form):
    band = BandChoiceField(queryset=Band.objects.none(), label="Band awarded")
    start_date = DateInputField(label="Award start date")
    end_date = DateInputField(
        label="Award end date", required=False, help_text="Leave blank if the LA gave no end date."
    )

    def __init__(self, *args, bands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["band"].queryset = bands
        self.fields["band"].choices = grouped_band_choices(bands)


class RefusalForm(Form):
    reason = forms.CharField(label="LA's reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    decided_on = DateInputField(label="Date of the decision")


class AppealForm(Form):
    lodged_on = DateInputField(label="Date the appeal was lodged")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class EndForm(Form):
    ended_on = DateInputField(label="Date the funding ends")
    reason = forms.CharField(required=False, max_length=300)


class PaymentForm(Form):
    amount = forms.DecimalField(
        label="Amount (£)", max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    received_on = DateInputField(label="Date received")
    reference = forms.CharField(required=False, max_length=100, label="LA remittance reference")


class FundingSettingsForm(Form):
    hourly_rate = forms.DecimalField(
        label="Teaching assistant pay per hour (£, before on-costs)",
        max_digits=6,
        decimal_places=2,
        min_value=0,
    )
    on_cost_percent = forms.DecimalField(
        label="On-costs (%)", max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    weeks_per_year = forms.DecimalField(
        label="Weeks of support a year", max_digits=4, decimal_places=1, min_value=0, max_value=52
    )
    notional_threshold = forms.DecimalField(
        label="Notional SEN threshold (£ a year)",
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text="SEN Support costing more than this is shown as eligible for top-up funding.",
    )


class RemittanceForm(Form):
    file = forms.FileField(
        label="LA remittance (CSV)", help_text="Columns UPN, Amount, Date and optionally Reference."
    )


class ClaimFilterForm(Form):
    """The claims list's filters, kept in the URL: trust, school and year ids, a status, no
    names. Only the reader's trusts and schools are offered (and accepted)."""

    trust = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    school = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False)
    year = forms.TypedChoiceField(label="Financial year", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, schools, years, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        trusts = sorted({s.trust_id: s.trust for s in schools}.values(), key=lambda t: t.name)
        self.fields["trust"].choices = [("", "All trusts")] + [(t.pk, t.name) for t in trusts]
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, str(s)) for s in schools]
        self.fields["status"].choices = statuses
        self.fields["year"].choices = [("", "Any year")] + [(y, financial_year_label(y)) for y in years]
