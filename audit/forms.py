from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.urls import reverse_lazy

from accounts.access import visible_clients
from accounts.models import Client, User
from audit.log import HISTORY_KIND, HISTORY_KIND_LABEL
from audit.models import Kind
from audit.selectors import AuditFilter
from core.widgets import SearchPickerSelect


class _LabelledChoices(ModelChoiceIterator):
    """A long picker's options read as (id, label) pairs in one query, without a model instance each:
    the same options, in the same order, as the field's queryset would give."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.labelled(self.queryset)


class ClientChoiceField(forms.ModelChoiceField):
    iterator = _LabelledChoices

    def labelled(self, queryset: QuerySet[Client]) -> Iterator[tuple[int, str]]:
        return iter(queryset.values_list("pk", "name"))  # Client.__str__


class PersonChoiceField(forms.ModelChoiceField):
    iterator = _LabelledChoices

    def labelled(self, queryset: QuerySet[User]) -> Iterator[tuple[int, str]]:
        return ((pk, full_name or email) for pk, full_name, email in queryset.values_list("pk", "full_name", "email"))


class AuditFilterForm(forms.Form):
    """The filters of the page, the API and the export. Client choices come from the access rule, so a
    walled client's id is refused exactly like one that does not exist."""

    user = PersonChoiceField(
        User.objects.all(), required=False, widget=SearchPickerSelect(reverse_lazy("api:user-list"))
    )
    client = ClientChoiceField(
        Client.objects.none(), required=False, widget=SearchPickerSelect(reverse_lazy("api:client-list"))
    )
    kind = forms.ChoiceField(
        choices=[("", "Any kind"), *Kind.choices, (HISTORY_KIND, HISTORY_KIND_LABEL)], required=False
    )
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")

    def __init__(self, *args, viewer: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(viewer)  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date cannot be before the start date.")
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            user=data.get("user"),
            client=data.get("client"),
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
