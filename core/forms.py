"""How a page shows forms: a service's ValidationError on its form, a form's errors as flash messages, a
folded form built only when opened, and long pickers whose options are read as (id, label) pairs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
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


class _LabelledChoices(ModelChoiceIterator):
    """A long picker's options read as (id, label) pairs in one query, without a model instance each:
    the same options, in the same order, as iterating the field's queryset would give."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.labelled(self.queryset)  # type: ignore[attr-defined]


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of firm people labelled as User.__str__ does (the full name, else the email)."""

    iterator = _LabelledChoices

    def labelled(self, queryset: QuerySet) -> Iterator[tuple[int, str]]:
        return ((pk, full_name or email) for pk, full_name, email in queryset.values_list("pk", "full_name", "email"))


class ClientChoiceField(forms.ModelChoiceField):
    """A choice of clients labelled as Client.__str__ does (the name)."""

    iterator = _LabelledChoices

    def labelled(self, queryset: QuerySet) -> Iterator[tuple[int, str]]:
        return iter(queryset.values_list("pk", "name"))
