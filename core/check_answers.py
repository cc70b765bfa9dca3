"""Check your answers (the GOV.UK pattern) before a step that starts or stops a legal clock is
recorded: the form's valid answers wait in the session, a page shows them with a "Change" link
to each question, and only confirming that page records the step. Changing an answer goes back
to the form with the answers filled in; submitting it comes back to the check page.

Render a check page with the shared template `check_answers.html` (rows from `rows()`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.http import QueryDict

from .forms import field_anchor

_SESSION_KEY = "check_answers"


def keep(request, key: str, form: forms.BaseForm) -> None:
    """Keep the answers of a valid bound form until they are confirmed or changed."""
    answers = {name: form.data.getlist(name) for name in form.data
               if name != "csrfmiddlewaretoken"}
    waiting = dict(request.session.get(_SESSION_KEY, {}))
    waiting[key] = answers
    request.session[_SESSION_KEY] = waiting


def kept(request, key: str) -> QueryDict | None:
    """The answers kept under `key`, as the form posted them; None when there are none."""
    answers = request.session.get(_SESSION_KEY, {}).get(key)
    if answers is None:
        return None
    data = QueryDict(mutable=True)
    for name, values in answers.items():
        data.setlist(name, values)
    return data


def forget(request, key: str) -> None:
    waiting = dict(request.session.get(_SESSION_KEY, {}))
    if waiting.pop(key, None) is not None:
        request.session[_SESSION_KEY] = waiting


@dataclass(frozen=True)
class Row:
    key: str
    value: str
    href: str  # the question, with its answer filled in
    what: str  # for screen readers: "Change the date of the decision"


def display(field: forms.Field, value) -> str:
    """An answer as the person chose it: the label of a choice, a date in words."""
    if value is None or value == "":
        return "Not given"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(field, forms.ModelChoiceField):
        return str(field.label_from_instance(value))
    if isinstance(field, forms.ChoiceField):
        labels = {}
        for choice, label in field.choices:
            if isinstance(label, (list, tuple)):  # an <optgroup>
                labels.update({str(c): lab for c, lab in label})
            else:
                labels[str(choice)] = label
        return str(labels.get(str(value), value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def rows(form: forms.BaseForm, change_url: str) -> list[Row]:
    """One row per question of a valid form, each linking back to its field."""
    result = []
    for bound in form.visible_fields():
        label = str(bound.label)
        result.append(Row(
            key=label, value=display(bound.field, form.cleaned_data.get(bound.name)),
            href=f"{change_url}#{field_anchor(bound)}",
            what=label[:1].lower() + label[1:] if label[1:2].islower() else label))
    return result
