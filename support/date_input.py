"""The GOV.UK Design System's date input: three boxes (day, month, year) in a fieldset, with
the Design System's error messages ("Review date must include a month", "Review date must be
a real date"). Render it with templates/support/_date_input.html."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

PARTS = ("day", "month", "year")


class DateInput(forms.MultiWidget):
    """Three text boxes named `<name>_day`, `<name>_month` and `<name>_year`."""

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in PARTS}
        super().__init__(widgets, attrs)

    def id_for_label(self, id_):
        # The error summary links to the first box (Django's MultiWidget names no box).
        return f"{id_}_day" if id_ else ""

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]


class DateField(forms.MultiValueField):
    """A date typed into three boxes. The label is used in the messages, so it should read
    well on its own ("Review date")."""

    widget = DateInput

    def __init__(self, *, label: str, required: bool = True, help_text: str = "", **kwargs):
        fields = (forms.CharField(required=False), forms.CharField(required=False),
                  forms.CharField(required=False))
        super().__init__(fields=fields, label=label, required=required, help_text=help_text,
                         require_all_fields=False, **kwargs)

    def clean(self, value):
        parts = [str(p or "").strip() for p in (value or ["", "", ""])]
        name = str(self.label)
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {name[0].lower()}{name[1:]}", code="required")
            return None
        missing = [part for part, text in zip(PARTS, parts, strict=True) if not text]
        if missing:
            raise ValidationError(f"{name} must include a {' and a '.join(missing)}",
                                  code="incomplete")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValidationError(f"{name} must be a real date", code="invalid")
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValidationError(f"{name} must be a real date", code="invalid") from None

    def compress(self, data_list):  # clean() above does the whole job
        raise NotImplementedError

    def prepare_value(self, value):
        """The three texts to show in the boxes, from a date (initial) or from what was typed."""
        if isinstance(value, dt.date):
            return self.widget.decompress(value)
        if isinstance(value, list | tuple):
            return [str(v or "") for v in (list(value) + ["", "", ""])[:3]]
        return ["", "", ""]

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != self.prepare_value(data)
