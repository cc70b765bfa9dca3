"""The base of every form of the portal: error messages in the GOV.UK Design System's words.

The error summary shows each message alone, linked to its field, and the same message sits next
to the field, so every message must make sense on its own: "Enter the title", "Select the
owner", "Hours must be 24 or less", never "This field is required." A message a form or field
sets itself is kept as it is."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.forms.utils import pretty_name

from . import bounds

# Django's own wording, per error code, that a message replaces; anything else was chosen by
# the form and stays.
_DJANGO_DEFAULTS: dict[str, set[str]] = {}
for _cls in (
    forms.Field,
    forms.CharField,
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.ChoiceField,
    forms.MultipleChoiceField,
    forms.ModelChoiceField,
    forms.ModelMultipleChoiceField,
    forms.FileField,
    forms.EmailField,
    forms.RegexField,
    forms.BooleanField,
):
    for _code, _message in getattr(_cls, "default_error_messages", {}).items():
        _DJANGO_DEFAULTS.setdefault(_code, set()).add(str(_message))
# Validators' messages (max_length, min_value...) reach a field only by their code.
_VALIDATOR_CODES = {
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "step_size",
}

# Labels that already say what to do ("Type ERASE to confirm") are used as they are.
_IMPERATIVE = re.compile(r"^(type|enter|select|choose|tick|give|say|add)\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
# "Enter how best to support me", "Select the LA's decision": no second article.
_NO_ARTICLE = re.compile(
    r"(the|a|an|your|this|these|my|how|what|who|when|where|why|which|"
    r"whether) ",
    re.IGNORECASE,
)


def _choice(field: forms.Field) -> bool:
    return isinstance(
        field,
        (
            forms.ChoiceField,
            forms.ModelChoiceField,
            forms.ModelMultipleChoiceField,
            forms.BooleanField,
            forms.FileField,
        ),
    )


def _subject(label: str) -> str:
    """ "Amount (£)" -> "Amount": the words a message starts with."""
    return _PARENTHESES.sub("", label).strip() or label


def _lower_first(text: str) -> str:
    # "UPN" and "LA's reason" keep their capitals; "Title" becomes "title".
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def govuk_messages(field: forms.Field, name: str) -> dict[str, str]:
    """The messages, by error code, that make `field`'s errors self-contained."""
    label = _subject(str(field.label or pretty_name(name)))
    what = _lower_first(label)
    whole = isinstance(field, forms.IntegerField) and not isinstance(
        field, (forms.DecimalField, forms.FloatField)
    )  # both derive from IntegerField
    if whole and not what.startswith("number"):
        what = f"number of {what}"  # "Enter the number of pupils in a group"
    if not _NO_ARTICLE.match(what):
        what = f"the {what}"  # "the title"; "The LA's decision" stays "the LA's decision"
    if _IMPERATIVE.match(label):
        required = label
    elif isinstance(field, forms.FileField) or _choice(field):
        required = f"Select {what}"
    else:
        required = f"Enter {what}"
    number = "a whole number" if whole else "a number"
    from_list = f"Select {what} from the list"  # noqa: S608 (words, not SQL)
    return {
        "required": required,
        "invalid_choice": from_list,
        "invalid_pk_value": from_list,
        "invalid_list": from_list,
        "invalid": (
            f"{label} must be {number}"
            if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField))
            else "Enter an email address in the correct format, like name@example.com"
            if isinstance(field, forms.EmailField)
            else f"{label} is not in the right format"
        ),
        "max_length": f"{label} must be %(limit_value)d characters or fewer",
        "min_length": f"{label} must be %(limit_value)d characters or more",
        "max_value": f"{label} must be %(limit_value)s or less",
        "min_value": f"{label} must be %(limit_value)s or more",
        "max_digits": f"{label} must be %(max)s digits or fewer",
        "max_decimal_places": f"{label} must have %(max)s decimal places or fewer",
        "max_whole_digits": f"{label} is too large",
        "step_size": f"{label} must be a multiple of %(limit_value)s",
    }


def apply_govuk_messages(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if getattr(field, "govuk_messages_set", False):
            continue
        for code, message in govuk_messages(field, name).items():
            current = field.error_messages.get(code)
            if current is None and code not in _VALIDATOR_CODES:
                continue  # the field never raises it
            if current is None or str(current) in _DJANGO_DEFAULTS.get(code, ()):
                field.error_messages[code] = message
        setattr(field, "govuk_messages_set", True)  # noqa: B010 - a marker of our own, not a Field attribute


def apply_domain_bounds(form: forms.BaseForm) -> None:
    """Texts, numbers and sums no field of the portal needs beyond (core.bounds), for the fields
    that set no limit of their own: a megabyte of notes or a payment of 1e9 is refused with a
    message on the form rather than failing in the database."""
    for field in form.fields.values():
        if getattr(field, "domain_bounds_set", False):
            continue
        if isinstance(field, forms.CharField) and field.max_length is None:
            field.max_length = (
                bounds.TEXT_MAX if isinstance(field.widget, forms.Textarea) else bounds.LINE_MAX
            )
            field.validators.append(MaxLengthValidator(field.max_length))
        elif isinstance(field, forms.DecimalField) and field.max_value is None:
            # A DecimalField's bounds are Decimals; the stubs type them as the IntegerField's.
            field.max_value = bounds.MAX_MONEY  # type: ignore[assignment]
            field.validators.append(MaxValueValidator(bounds.MAX_MONEY))
        setattr(field, "domain_bounds_set", True)  # noqa: B010 - a marker of our own, not a Field attribute


class GovukFormMixin:
    """Set the messages and the domain's bounds when the form is cleaned, after a subclass's
    __init__ has set its labels, limits and any messages of its own."""

    def full_clean(self):
        apply_domain_bounds(self)
        apply_govuk_messages(self)
        super().full_clean()


class Form(GovukFormMixin, forms.Form):
    pass


def field_anchor(bound) -> str:
    """The id an error summary or a "Change" link goes to: the field's input, or the first of
    its radios or checkboxes, or the day box of a date."""
    if isinstance(bound.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{bound.auto_id}_0" if bound.auto_id else ""
    return bound.id_for_label


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errs in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)
