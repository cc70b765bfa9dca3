"""The one shape of a page that writes through a form, for every app's views.

A GET shows the form. A POST of a valid form calls the service (`record(cleaned_data)`); a
ValidationError it raises goes on the form (on the field it names, else at the top), so the
page is shown again with the GOV.UK error summary and answers 400; success adds a message and
redirects. Steps that start or stop a legal clock go through check your answers instead
(core.check_answers), which keeps the same rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .forms import add_service_errors


def saved(
    request,
    form: forms.BaseForm,
    record: Callable[[dict], Any],
    *,
    message: str | Callable[[Any], str],
    then: Any,
) -> HttpResponse | None:
    """The redirect after a successful POST, or None when the form's page is to be shown (a
    GET, or errors now on the form). `message` and `then` (a URL, a URL name or an object with
    get_absolute_url) may be callables of what `record` returned."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = record(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, message(result) if callable(message) else message)
    return redirect(then(result) if callable(then) else then)


def form_page(request, template: str, context: dict, *, form: forms.BaseForm | None = None) -> HttpResponse:
    """The page of a form: 400 when the submitted form has errors, 200 otherwise."""
    form = form if form is not None else context["form"]
    return render(request, template, context, status=400 if form.errors else 200)
