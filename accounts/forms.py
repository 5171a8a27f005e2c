from django import forms
from django.core.exceptions import ValidationError

from accounts.access import visible_clients
from accounts.models import (
    Assignment,
    AssignmentRole,
    Client,
    FeeRecord,
    ServiceLine,
    User,
)
from accounts.services import client_name_check, client_parent_check
from core.widgets import PickerSelect


def partner_field(label: str, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        label=label,
        required=required,
        widget=PickerSelect,
        error_messages={"invalid_choice": "Choose an active firm person from the list."},
    )


class ClientForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    service_lines = forms.ModelMultipleChoiceField(
        queryset=ServiceLine.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not a service line of the firm."},
    )

    class Meta:
        model = Client
        fields = [
            "name",
            "tier",
            "sector",
            "country",
            "status",
            "confidential",
            "service_lines",
            "review_cadence_days",
            "parent",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5}), "parent": PickerSelect}
        labels = {"parent": "Parent company (group)"}

    def __init__(self, *args, may_wall: bool = False, actor: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        # The parent's choices come from the wall: a hidden client reads as no choice at all.
        parents = visible_clients(actor) if actor is not None else Client.objects.none()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.only("pk", "name").order_by("name")
        self.fields["parent"].error_messages["invalid_choice"] = "Choose a client you can see as the parent."
        if not may_wall:
            # A posted value is ignored: the wall is a managing partner's or admin's decision.
            self.fields["confidential"].disabled = True
            self.fields[
                "confidential"
            ].help_text = (
                "Only a managing partner or an administrator can put a client behind an ethical wall or take it down."
            )

    def clean_parent(self) -> Client | None:
        parent = self.cleaned_data.get("parent")
        try:
            client_parent_check(client=self.instance, parent=parent)
        except ValidationError as error:
            raise ValidationError(error.message_dict["parent"]) from error
        return parent

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.actor is not None:  # the service's rule, early, so it shows beside the form's other errors
            try:
                client_name_check(actor=self.actor, name=name, client_pk=self.instance.pk)
            except ValidationError as error:
                raise ValidationError(error.message_dict["name"]) from error
        return name


class ClientCreateForm(ClientForm):
    crp = partner_field("Client Relationship Partner")
    sam = partner_field("Strategic account manager (deputy)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("crp") and data.get("sam") and data["crp"] == data["sam"]:
            self.add_error("sam", "The SAM must be someone other than the CRP.")
        return data


class AssignmentForm(forms.ModelForm):
    user = partner_field("Person")
    role = forms.ChoiceField(
        choices=[(AssignmentRole.SAM, AssignmentRole.SAM.label), (AssignmentRole.TEAM, AssignmentRole.TEAM.label)]
    )

    class Meta:
        model = Assignment
        fields = ["user", "role", "start_date"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}


class AssignmentEndForm(forms.Form):
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class FeeRecordForm(forms.ModelForm):
    financial_year = forms.IntegerField(
        min_value=1990,
        max_value=2100,
        label="Financial year",
        error_messages={"invalid": "Enter the financial year as four digits, e.g. 2026 for FY2026."},
    )
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.all(),
        error_messages={"invalid_choice": "Choose one of the firm's service lines."},
    )

    class Meta:
        model = FeeRecord
        fields = ["financial_year", "service_line", "amount"]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise ValidationError("Fees cannot be negative.")
        return amount
