"""The GOV.UK date input: a date typed as day, month and year in three boxes, with the Design
System's error messages. Render a bound field with `includes/date_input.html`."""

from __future__ import annotations

import datetime

from django import forms

from . import bounds

PARTS = ("day", "month", "year")


def _split(value: str) -> list[str]:
    if "-" in value and value[:4].isdigit():
        year, _, rest = value.partition("-")
        month, _, day = rest.partition("-")
        return [day, month, year]
    if "/" in value:
        day, _, rest = value.partition("/")
        month, _, year = rest.partition("/")
        return [day, month, year]
    return [value, "", ""]


class DateInputWidget(forms.MultiWidget):
    govuk_date = True  # templates render it as a GOV.UK date input

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in PARTS}, attrs)

    def id_for_label(self, id_):
        # The error summary links to the day box.
        return f"{id_}_0" if id_ else ""

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        single = data.get(name)
        if not any(parts) and isinstance(single, str) and single.strip():
            # One value such as 2026-03-27 or 27/03/2026, from a link or a script that posts a
            # date whole: split into the three boxes, so it is checked like typed ones.
            return _split(single.strip())
        return parts

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateInputField(forms.MultiValueField):
    """A date from three boxes. Blank in all three is no date (or "Enter ..." when required);
    a part missing, a date that does not exist, or one outside what the domain allows
    (core.bounds, or this field's `earliest` and `latest`) is a clear error."""

    widget = DateInputWidget

    def __init__(
        self,
        *,
        label: str,
        required: bool = True,
        help_text: str = "",
        earliest: datetime.date | None = None,
        latest: datetime.date | None = None,
        **kwargs,
    ):
        self.earliest, self.latest = earliest, latest
        # GOV.UK's wording: "Date of birth must include a month", "Enter the date of birth".
        self.what = label[0].lower() + label[1:]
        parts = tuple(forms.CharField(required=False, max_length=4) for _ in PARTS)
        super().__init__(
            parts,
            label=label,
            required=required,
            require_all_fields=False,
            help_text=help_text or "For example, 27 3 2026",
            **kwargs,
        )
        self.error_messages["required"] = f"Enter the {self.what}"
        self.error_messages["incomplete"] = f"Enter the {self.what}"

    def compress(self, data_list):
        values = [str(v or "").strip() for v in (data_list or ["", "", ""])]
        if not any(values):
            return None
        missing = [part for part, value in zip(PARTS, values, strict=True) if not value]
        if missing:
            raise forms.ValidationError(f"{self.label} must include a {' and '.join(missing)}")
        if not all(v.isdigit() for v in values) or len(values[2]) != 4:
            raise forms.ValidationError(f"{self.label} must be a real date")
        day, month, year = (int(v) for v in values)
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"{self.label} must be a real date") from None
        problem = bounds.date_problem(value, str(self.label), earliest=self.earliest, latest=self.latest)
        if problem:
            raise forms.ValidationError(problem)
        return value
