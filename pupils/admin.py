"""National averages for platform admins: the figures the dashboards compare the trusts with.
They are read each time a page shows them (pupils.figures.national_averages), and no kept
figure is computed from them, so a change here shows on the next page with nothing to rebuild."""

from decimal import Decimal

from django import forms
from django.contrib import admin

from .models import NationalAverage

PHASES = [("primary", "Primary"), ("secondary", "Secondary")]


class NationalAverageForm(forms.ModelForm):
    phase = forms.ChoiceField(
        choices=PHASES,
        help_text="Secondary compares with secondary and post-16 schools; primary with every other.",
    )

    class Meta:
        model = NationalAverage
        fields = ["phase", "ehcp_pct", "sen_support_pct", "total_send_pct", "source", "year"]
        labels = {
            "ehcp_pct": "EHC plans (%)",
            "sen_support_pct": "SEN support (%)",
            "total_send_pct": "Total SEND (%)",
        }
        help_texts = {
            "source": "Where the figures come from, shown under the tables that compare with them.",
            "year": "The year the figures are for, as the publication names it, e.g. 2024/25.",
        }

    def clean(self):
        cleaned = super().clean()
        fields = ["ehcp_pct", "sen_support_pct", "total_send_pct"]
        for name in fields:
            value = cleaned.get(name)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                self.add_error(name, "Enter a percentage from 0 to 100.")
        ehcp, support, total = (cleaned.get(name) for name in fields)
        # Published figures are rounded one by one, so the total may be 0.1 off the sum.
        if None not in (ehcp, support, total) and abs(ehcp + support - total) > Decimal("0.1"):
            self.add_error(
                "total_send_pct", f"Total SEND should be EHC plans plus SEN support ({ehcp + support})."
            )
        return cleaned


@admin.register(NationalAverage)
class NationalAverageAdmin(admin.ModelAdmin):
    form = NationalAverageForm
    list_display = ["phase", "ehcp", "sen_support", "total_send", "year", "source"]
    ordering = ["phase"]

    @admin.display(description="EHC plans (%)", ordering="ehcp_pct")
    def ehcp(self, obj):
        return obj.ehcp_pct

    @admin.display(description="SEN support (%)", ordering="sen_support_pct")
    def sen_support(self, obj):
        return obj.sen_support_pct

    @admin.display(description="Total SEND (%)", ordering="total_send_pct")
    def total_send(self, obj):
        return obj.total_send_pct
