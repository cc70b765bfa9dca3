from decimal import Decimal

from django import template
from django.forms import BaseForm
from django.utils.functional import LazyObject

from core.forms import field_anchor as _field_anchor
from core.numbers import money

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
        css += {
            "govuk-input": " govuk-input--error",
            "govuk-select": " govuk-select--error",
            "govuk-textarea": " govuk-textarea--error",
        }.get(css, "")
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
    return money(None if value is None or value == "" else Decimal(value))


def _forms_in(value, depth: int = 0):
    if isinstance(value, LazyObject):
        return  # the user, the CSRF token: never a form, and not to be evaluated here
    if isinstance(value, BaseForm):
        yield value
    elif depth < 2 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _forms_in(item, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for item in value.values():
            yield from _forms_in(item, depth + 1)


@register.simple_tag(takes_context=True)
def forms_with_errors(context) -> list:
    """The page's submitted forms that have errors, found once for the whole page: the base
    template puts "Error: " before the title and the error summary at the top of the page for
    them, so no page has to. Each form found is marked, so a page that still includes the
    summary itself does not show it twice."""
    found, seen = [], set()
    for value in context.flatten().values():
        for form in _forms_in(value):
            if id(form) not in seen and form.is_bound and form.errors:
                seen.add(id(form))
                form.error_summary_at_top = True
                found.append(form)
    return found


@register.filter
def field_anchor(bound) -> str:
    """The id an error summary links to for a field (its first radio for radios)."""
    return _field_anchor(bound)
