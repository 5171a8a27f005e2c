"""Forms of the plan page: one per editable record, each carrying the version it was loaded at."""

from __future__ import annotations

from django import forms
from django.db.models import Model

from accounts.access import firm_people_for
from accounts.models import User
from core.widgets import PickerSelect, PickerSelectMultiple
from planning.choices import bounds
from planning.models import (
    AccountPlan,
    Action,
    ChecklistItem,
    ClientReview,
    Guideline,
    Objective,
    Opportunity,
    PanelAppointment,
    Risk,
    Transition,
)
from stakeholders.models import Stakeholder

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def limit_to_model_range(field: forms.Field, model: type[Model], name: str) -> None:
    """The number box offers the range the model's field validates (not only the column's)."""
    limits = bounds(model, name)
    field.widget.attrs.update(min=limits["min_value"], max=limits["max_value"])


def active_people() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        widget=PickerSelect,
        error_messages={"invalid_choice": "Choose an active firm person from the list."},
    )


# People who take part in the client's work: offered and accepted only if they may see the client.
PARTICIPANT_FIELDS = {"owner", "firm_attendees"}


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: AccountPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        for name in PARTICIPANT_FIELDS & set(self.fields):
            self.fields[name].queryset = firm_people_for(plan.client).order_by("full_name")
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class PlanForm(VersionedForm):
    class Meta:
        model = AccountPlan
        fields = AccountPlan.EDITABLE_FIELDS
        widgets = {
            "north_star": forms.Textarea(attrs={"rows": 3}),
            "relationship_objectives": forms.Textarea(attrs={"rows": 3}),
            "value_proposition": forms.Textarea(attrs={"rows": 3}),
            "last_reviewed": DATE,
        }


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(**bounds(AccountPlan, "year"))
    from_last_year = forms.BooleanField(required=False, label="Start from last year's plan")


class ObjectiveForm(VersionedForm):
    class Meta:
        model = Objective
        fields = Objective.EDITABLE_FIELDS


class ActionForm(VersionedForm):
    owner = active_people()

    class Meta:
        model = Action
        fields = Action.EDITABLE_FIELDS
        widgets = {"due_date": DATE, "stakeholders": PickerSelectMultiple(attrs={"size": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(plan=self.plan)
        self.fields["stakeholders"].queryset = Stakeholder.objects.filter(client_id=self.plan.client_id)
        self.fields["stakeholders"].required = False


class OpportunityForm(VersionedForm):
    class Meta:
        model = Opportunity
        fields = Opportunity.EDITABLE_FIELDS
        widgets = {"expected_close": DATE}


class RiskForm(VersionedForm):
    class Meta:
        model = Risk
        fields = Risk.EDITABLE_FIELDS
        widgets = {"mitigation": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("likelihood", "impact"):
            limit_to_model_range(self.fields[name], Risk, name)


class ReviewForm(VersionedForm):
    class Meta:
        model = ClientReview
        fields = ClientReview.EDITABLE_FIELDS
        widgets = {
            "planned_date": DATE,
            "held_date": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.Textarea(attrs={"rows": 2}),
            "agenda_performance": forms.Textarea(attrs={"rows": 2}),
            "agenda_value": forms.Textarea(attrs={"rows": 2}),
            "agenda_roadmap": forms.Textarea(attrs={"rows": 2}),
            "firm_attendees": PickerSelectMultiple(attrs={"size": 3}),
            "client_attendees": PickerSelectMultiple(attrs={"size": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_attendees"].queryset = Stakeholder.objects.filter(client_id=self.plan.client_id)


class PanelForm(VersionedForm):
    class Meta:
        model = PanelAppointment
        fields = PanelAppointment.EDITABLE_FIELDS
        widgets = {
            "appointed_on": DATE,
            "retender_on": DATE,
            "rate_review_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class GuidelineForm(VersionedForm):
    class Meta:
        model = Guideline
        fields = Guideline.EDITABLE_FIELDS


class ChecklistItemForm(VersionedForm):
    class Meta:
        model = ChecklistItem
        fields = ChecklistItem.EDITABLE_FIELDS
        widgets = {"due_date": DATE}


class TransitionForm(VersionedForm):
    incoming = active_people()

    class Meta:
        model = Transition
        fields = Transition.EDITABLE_FIELDS
        widgets = {
            "overlap_start": DATE,
            "overlap_end": DATE,
            "consent_received_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class CrpHandoverForm(forms.ModelForm):
    """The client page's quick handover: a transition recorded and completed on the same day."""

    new_crp = active_people()
    on_date = forms.DateField(widget=DATE, label="Handover date")

    class Meta:
        model = Transition
        fields = ["reason", "consent_required", "consent_received_on", "notes"]
        widgets = {"consent_received_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_crp"].label = "New Client Relationship Partner"
        self.order_fields(["new_crp", "on_date", "reason", "consent_required", "consent_received_on"])
