from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.access import firm_people_for
from accounts.models import Client, User
from core.forms import PersonChoiceField
from core.widgets import PickerSelect, PickerSelectMultiple
from stakeholders import selectors
from stakeholders.models import (
    BuyingRole,
    ImportKind,
    ImportMode,
    Interaction,
    InteractionKind,
    Relationship,
    Seniority,
    Stakeholder,
)

ISO_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})

SCORE_ERRORS = {"min_value": "Too low: see the allowed range.", "max_value": "Too high: see the allowed range."}


class StakeholderForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    attitude = forms.TypedChoiceField(
        coerce=int,
        initial=0,
        label="Attitude to the firm",
        choices=[(-2, "−2 Opponent"), (-1, "−1 Sceptic"), (0, "0 Neutral"), (1, "+1 Supporter"), (2, "+2 Advocate")],
    )
    influence = forms.IntegerField(
        min_value=1, max_value=5, initial=3, help_text="1 (low) … 5 (high)", error_messages=SCORE_ERRORS
    )

    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "job_title",
            "department",
            "seniority",
            "reports_to",
            "buying_role",
            "attitude",
            "influence",
            "email",
            "phone",
            "status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        managers = Stakeholder.objects.filter(client=client).only("id", "name", "job_title")
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = managers
        self.fields["reports_to"].error_messages["invalid_choice"] = "Choose a manager from this client's stakeholders."
        self.fields["reports_to"].label = "Reports to"


class RelationshipForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    user = PersonChoiceField(
        queryset=User.objects.filter(is_active=True).only("id", "full_name").order_by("full_name"),
        label="Firm person",
        widget=PickerSelect,
        error_messages={"invalid_choice": "Choose an active firm person."},
    )
    strength = forms.TypedChoiceField(
        coerce=int,
        initial=3,
        choices=[
            (1, "1 Acquaintance"),
            (2, "2 Contact"),
            (3, "3 Working relationship"),
            (4, "4 Strong"),
            (5, "5 Trusted adviser"),
        ],
    )
    target_strength = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "No target"), (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
    )
    is_primary = forms.BooleanField(required=False, label="Primary relationship owner")

    class Meta:
        model = Relationship
        fields = ["user", "strength", "target_strength", "is_primary", "notes"]
        widgets = {"notes": forms.TextInput()}

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if client is not None:  # offer only people who may take part in this client's work
            self.fields["user"].queryset = firm_people_for(client).only("id", "full_name")


class InteractionForm(forms.ModelForm):
    date = forms.DateField(
        widget=ISO_DATE, initial=timezone.localdate, error_messages={"invalid": "Enter a date like 2026-03-31."}
    )
    firm_attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label="Firm attendees",
        required=False,
        widget=PickerSelectMultiple(attrs={"size": 4}),
    )
    stakeholders = forms.ModelMultipleChoiceField(
        queryset=Stakeholder.objects.none(),
        label="Stakeholders met",
        required=False,
        widget=PickerSelectMultiple(attrs={"size": 4}),
        error_messages={"invalid_choice": "Choose stakeholders of this client."},
    )
    sentiment = forms.TypedChoiceField(
        coerce=int,
        initial=0,
        required=False,
        empty_value=0,
        choices=[
            (-2, "−2 Very negative"),
            (-1, "−1 Negative"),
            (0, "0 Neutral"),
            (1, "+1 Positive"),
            (2, "+2 Very positive"),
        ],
    )

    class Meta:
        model = Interaction
        fields = ["date", "kind", "firm_attendees", "stakeholders", "sentiment", "summary", "follow_up"]
        labels = {"kind": "Type", "follow_up": "Follow-up (optional)"}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise forms.ValidationError("An interaction cannot be dated in the future; plan it as an action instead.")
        return date

    def clean_firm_attendees(self):
        attendees = self.cleaned_data["firm_attendees"]
        if not attendees:
            raise forms.ValidationError("Name at least one firm person who took part.")
        return attendees

    def __init__(self, *args, client: Client, firm_people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm_attendees"].queryset = firm_people
        self.fields["stakeholders"].queryset = Stakeholder.objects.filter(client=client, status="active").only(
            "id", "name"
        )


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(
        queryset=Stakeholder.objects.none(),
        label="Duplicate to fold in",
        error_messages={"invalid_choice": "Choose another stakeholder of this client."},
    )

    def __init__(self, *args, keep: Stakeholder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = (
            Stakeholder.objects.filter(client_id=keep.client_id).exclude(pk=keep.pk).only("id", "name", "job_title")
        )


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any type"), *InteractionKind.choices], required=False, label="Type")
    person = forms.IntegerField(required=False, label="Firm person")
    stakeholder = forms.IntegerField(required=False)
    date_from = forms.DateField(required=False, widget=ISO_DATE, label="From")
    date_to = forms.DateField(required=False, widget=ISO_DATE, label="To")


class WhoKnowsSearchForm(forms.Form):
    client = forms.CharField(required=False, label="Client name contains")
    department = forms.CharField(required=False)
    seniority = forms.ChoiceField(choices=[("", "Any seniority"), *Seniority.choices], required=False)
    buying_role = forms.ChoiceField(choices=[("", "Any buying role"), *BuyingRole.choices], required=False)


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, label="What the file holds")
    file = forms.FileField(label="CSV file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Upload a .csv file (save the spreadsheet as CSV UTF-8).")
        limit = settings.STAKEHOLDER_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {upload.size / 1_048_576:.1f} MB; an import takes at most {limit / 1_048_576:.0f} MB "
                f"and {settings.STAKEHOLDER_IMPORT_MAX_ROWS:,} rows. Split it and upload the parts one by one."
            )
        return upload


class ImportRunForm(forms.Form):
    mode = forms.ChoiceField(choices=ImportMode.choices)


def log_form_for(
    client: Client,
    user: User,
    data=None,
    stakeholder_id: str | None = None,
    people: list[User] | None = None,
    stakeholders: list[Stakeholder] | None = None,
) -> InteractionForm:
    """The short "log an interaction" form. Lists already loaded for the page are reused as its choices."""
    initial = {"firm_attendees": [user.pk]}
    if stakeholder_id and stakeholder_id.isdigit():
        initial["stakeholders"] = [int(stakeholder_id)]
    form = InteractionForm(
        data, client=client, firm_people=selectors.firm_people_of(client, also=user), initial=initial, prefix="log"
    )
    if people is not None:
        form.fields["firm_attendees"].choices = [(u.pk, u.full_name) for u in people]
    if stakeholders is not None:
        form.fields["stakeholders"].choices = [(s.pk, s.name) for s in stakeholders if s.status == "active"]
    return form
