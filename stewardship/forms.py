"""Forms of the stewardship pages. Choices come from the access rule; services validate again."""

from __future__ import annotations

from django import forms

from accounts.access import firm_people_for, visible_clients
from accounts.models import Client, Role, ServiceLine, User
from core.widgets import PickerSelect, PickerSelectMultiple
from planning.choices import Persona
from reports.pdf.periods import Quarter
from stewardship.choices import Decision, ProposalStatus, Readiness

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WordListField(forms.CharField):
    """Comma-separated entries ("English, German") as a list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("help_text", "Separate entries with commas.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [part.strip() for part in text.split(",") if part.strip()]


class QuarterField(forms.CharField):
    """'2027-Q2' as a Quarter (None when left empty)."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        quarter = Quarter.read(text)
        if quarter is None:
            raise forms.ValidationError("Write the quarter as year and quarter, e.g. 2027-Q2.")
        return quarter


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    review_on = forms.DateField(label="Review on", widget=DATE)


class RotationForm(forms.Form):
    status = forms.ChoiceField(choices=ProposalStatus.choices, label="Decision")
    quarter = QuarterField(required=False, max_length=8, help_text="For accept or move, e.g. 2027-Q2.")
    incoming = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Incoming CRP", widget=PickerSelect
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incoming"].queryset = (
            firm_people_for(client)
            .filter(is_active=True, role__in=[Role.PARTNER, Role.MANAGING_PARTNER])
            .order_by("full_name")
        )


class SuccessionForm(forms.Form):
    successor = forms.ModelChoiceField(queryset=User.objects.none(), widget=PickerSelect)
    readiness = forms.ChoiceField(choices=Readiness.choices)
    development_actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="What would make them ready: coaching, shadowing the CRP at QBRs, a credential…",
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            firm_people_for(client)
            .filter(is_active=True, role__in=[Role.PARTNER, Role.MANAGING_PARTNER])
            .order_by("full_name")
        )


class NeedsForm(forms.Form):
    languages = WordListField()
    required_credentials = WordListField(label="Required credentials")
    competitors = forms.ModelMultipleChoiceField(
        queryset=Client.objects.none(),
        required=False,
        widget=PickerSelectMultiple,
        help_text="Clients the firm records as this client's competitors: their CRPs are ranked down.",
    )

    def __init__(self, *args, client: Client, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competitors"].queryset = visible_clients(user).exclude(pk=client.pk).order_by("name")


class ProfileForm(forms.Form):
    sectors = WordListField()
    service_lines = forms.ModelMultipleChoiceField(
        queryset=ServiceLine.objects.filter(active=True), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = WordListField()
    jurisdictions = WordListField(label="Offices and jurisdictions")
    persona_strengths = forms.MultipleChoiceField(
        choices=Persona.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class CredentialForm(forms.Form):
    name = forms.CharField(max_length=150)
    obtained_on = forms.DateField(required=False, widget=DATE)
    expires_on = forms.DateField(required=False, widget=DATE)
