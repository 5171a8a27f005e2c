"""How a page shows errors: a service's ValidationError on its form, a form's errors as flash messages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


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
