"""Check your answers (the GOV.UK pattern) before a step that starts or stops a legal clock is
recorded: the form's valid answers wait in the session, a page shows them with a "Change" link
to each question, and only confirming that page records the step. Changing an answer goes back
to the form with the answers filled in; submitting it comes back to the check page.

A view of the form calls `answered()`; the check page's view returns `check_page()`, which
renders the shared template `check_answers.html`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import redirect, render

from .forms import add_service_errors, field_anchor

_SESSION_KEY = "check_answers"


def keep(request, key: str, form: forms.BaseForm) -> None:
    """Keep the answers of a valid bound form until they are confirmed or changed."""
    data = form.data
    assert isinstance(data, QueryDict)  # a form bound to the request's POST
    answers = {name: data.getlist(name) for name in data if name != "csrfmiddlewaretoken"}
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
        # Django normalises choices to a list when they are set; the stubs give the getter
        # every type the setter accepts.
        for choice, label in field.choices:  # type: ignore[misc, union-attr]
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
        result.append(
            Row(
                key=label,
                value=display(bound.field, form.cleaned_data.get(bound.name)),
                href=f"{change_url}#{field_anchor(bound)}",
                what=label[:1].lower() + label[1:] if label[1:2].islower() else label,
            )
        )
    return result


class _DryRun(Exception):
    pass


def would_fail(record) -> ValidationError | None:
    """Run a service and roll it back: its own checks run before the answers are shown on a
    check page, so that page never leads to an error the form could have shown."""
    try:
        with transaction.atomic():
            record()
            raise _DryRun
    except _DryRun:
        return None
    except ValidationError as e:
        return e


def answered(request, key: str, form: forms.BaseForm, record) -> bool:
    """The form of a step was posted: True when its answers are valid (for the form and for
    `record(cleaned_data)`, tried and rolled back) and kept for the check page; otherwise the
    form carries the errors."""
    if request.method != "POST" or not form.is_valid():
        return False
    error = would_fail(lambda: record(form.cleaned_data))
    if error is not None:
        add_service_errors(form, error)
        return False
    keep(request, key, form)
    return True


def check_page(
    request, *, key: str, make_form, change_url: str, record, done_url, done: str, check: dict, seen=None
):
    """Check your answers, then record. GET shows the kept answers with "Change" links back to
    `change_url` (where the form is filled in with them); POST records them with
    `record(cleaned_data)` and goes to `done_url` (or `done_url(result)`). With nothing kept, or
    answers no longer valid, it goes back to the form, which says why. `check` gives the page's
    caption, heading, warning, button and any rows to show before the form's; `seen()` is
    called when the answers are shown (an audit of the view)."""
    data = kept(request, key)
    form = make_form(data) if data is not None else None
    if form is None or not form.is_valid():
        return redirect(change_url)
    if request.method == "POST":
        try:
            result = record(form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect(change_url)
        forget(request, key)
        messages.success(request, done)
        return redirect(done_url(result) if callable(done_url) else done_url)
    if seen is not None:
        seen()
    shown = list(check.get("rows", [])) + rows(form, change_url.split("#")[0])
    return render(request, "check_answers.html", {"check": {**check, "rows": shown}})
