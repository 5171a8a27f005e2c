from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from accounts.access import visible_clients
from accounts.models import Client, User
from audit.log import HISTORY_KIND, HISTORY_KIND_LABEL
from audit.models import Kind
from audit.selectors import AuditFilter
from core.forms import ClientChoiceField, PersonChoiceField
from core.widgets import SearchPickerSelect


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
