from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}


@register.filter
def govuk_widget(field):
    """Render a bound field's widget with the GOV.UK Frontend class for its kind."""
    css = _WIDGET_CLASSES.get(field.widget_type, "govuk-input")
    if field.errors:
        css += {"govuk-input": " govuk-input--error", "govuk-select": " govuk-select--error",
                "govuk-textarea": " govuk-textarea--error"}.get(css, "")
    attrs = {"class": css}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def pounds(value) -> str:
    """GBP with pence, thousands separated: 12345.5 -> £12,345.50."""
    if value is None or value == "":
        return "–"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
