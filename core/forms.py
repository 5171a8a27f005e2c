"""How a page shows forms: a service's ValidationError on its form, a form's errors as flash messages, a
folded form built only when opened."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.htmx import wants_partial


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under each named field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def flash_form_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    """For forms that post and redirect: each error becomes a message, after its field's label."""
    for field, texts in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for text in texts:
            messages.error(request, f"{label}: {text}" if label else str(text))


def render_deferred_form(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    action: str,
    submit: str,
    back: Any,
    intro: str = "",
    primary: bool = True,
) -> HttpResponse:
    """A form a page offers folded (includes/deferred_form.html) and builds only when it is opened:
    the form alone for the opening page's htmx request, a page of its own without scripts."""
    context = {
        "form": form,
        "title": title,
        "action": action,
        "submit": submit,
        "back": back,
        "intro": intro,
        "primary": primary,
    }
    template = "deferred_form.html#form" if wants_partial(request) else "deferred_form.html"
    return render(request, template, context)
