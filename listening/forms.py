"""Forms of the client-listening pages (the public response form is validated by the service)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Client, ServiceLine, Tier, User
from listening.models import Incident, Programme, RootCause
from stakeholders.models import BuyingRole


def _default_close() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=21)


class SurveyForm(forms.Form):
    name = forms.CharField(max_length=200)
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text="A few lines in the firm's voice: why you ask and how you will use the answer.",
    )
    asks_nps = forms.BooleanField(label="Ask NPS (0–10, with why)", required=False, initial=True)
    asks_csat = forms.BooleanField(label="Ask satisfaction (CSAT 1–5)", required=False)
    asks_ces = forms.BooleanField(label="Ask effort (CES 1–7)", required=False)
    question_1 = forms.CharField(label="Free-text question 1 (optional)", max_length=300, required=False)
    question_2 = forms.CharField(label="Free-text question 2 (optional)", max_length=300, required=False)
    question_3 = forms.CharField(label="Free-text question 3 (optional)", max_length=300, required=False)
    closes_on = forms.DateField(initial=_default_close, widget=forms.DateInput(attrs={"type": "date"}))


class RecipientsForm(forms.Form):
    clients = forms.ModelMultipleChoiceField(queryset=Client.objects.none())
    buying_roles = forms.MultipleChoiceField(
        label="Who at each client",
        choices=BuyingRole.choices,
        initial=[BuyingRole.DECISION_MAKER],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, clients=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["clients"].queryset = clients


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    tell_client = forms.BooleanField(label="Email the respondent a short note in the firm's name", required=False)


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "kind",
            "title",
            "description",
            "severity",
            "raised_by",
            "service_line",
            "matter_reference",
            "owner",
            "recovery_plan",
            "occurred_on",
            "acknowledged_on",
        ]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "acknowledged_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "recovery_plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, people=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = ServiceLine.objects.filter(active=True)
        self.fields["owner"].queryset = people if people is not None else User.objects.none()


class ResolveForm(forms.Form):
    root_cause = forms.ModelChoiceField(queryset=RootCause.objects.filter(active=True))
    resolved_on = forms.DateField(initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProgrammeForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="Also the start of each survey's name, e.g. “After each review”.")
    trigger = forms.ChoiceField(label="When it sends", choices=Programme.Trigger.choices)
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text="A few lines in the firm's voice: why you ask and how you will use the answer.",
    )
    asks_nps = forms.BooleanField(label="Ask NPS (0–10, with why)", required=False, initial=True)
    asks_csat = forms.BooleanField(label="Ask satisfaction (CSAT 1–5)", required=False, initial=True)
    asks_ces = forms.BooleanField(label="Ask effort (CES 1–7)", required=False)
    open_days = forms.IntegerField(
        label="Days each survey stays open",
        min_value=1,
        max_value=180,
        initial=21,
        help_text="From the day it is sent; one reminder goes to those who have not answered.",
    )

    every_months = forms.TypedChoiceField(
        label="How often (on a schedule)",
        choices=[("", "—"), *Programme.Every.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="A scheduled programme surveys each chosen client's decision-makers once per period.",
    )
    tiers = forms.ModelMultipleChoiceField(
        label="Clients of these tiers (on a schedule)",
        queryset=Tier.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every active key client.",
    )
    starts_on = forms.DateField(
        label="First period starts (on a schedule)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the day it is saved. Clients who asked for no surveys, and people who opted out, "
        "bounced or were erased, are never sent one.",
    )

    @classmethod
    def for_programme(cls, programme: Programme, data: Any = None) -> ProgrammeForm:
        initial = {name: getattr(programme, name) for name in cls.base_fields if name != "tiers"}
        initial["tiers"] = list(programme.tiers.all())
        return cls(data, initial=initial)
