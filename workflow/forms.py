from __future__ import annotations

from django import forms

from workflow.models import COMMENT_MAX_LENGTH, Audience, Channel, DocumentKind, OwnerRole, Trigger
from workflow.services.playbooks import MAX_STEP_DAYS

BANDS = ["red", "amber", "green"]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        help_text="Mention someone with @ and their full name, e.g. @Alice Partner.",
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": "Write something to post."},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DocumentForm(forms.Form):
    file = forms.FileField(label="File")
    title = forms.CharField(max_length=200, required=False, help_text="Defaults to the file name")
    kind = forms.ChoiceField(choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    expires_on = forms.DateField(required=False, widget=DateInput(), label="Expires on")
    renewal_on = forms.DateField(required=False, widget=DateInput(), label="Renewal or rate review on")


class VersionForm(forms.Form):
    file = forms.FileField(label="New version")


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "kind", "url", "audience", "send_alerts", "send_actions", "send_mentions"]
        labels = {"url": "Webhook address (https)"}

    def __init__(self, *args, firm: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if firm:
            self.fields["audience"].choices = [c for c in Audience.choices if c[0] != Audience.DIRECT]
        else:
            del self.fields["audience"]


class PlaybookForm(forms.Form):
    name = forms.CharField(max_length=200)
    trigger = forms.ChoiceField(choices=Trigger.choices)
    threshold = forms.IntegerField(
        label="N",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Points for a fall; days for no contact or a re-tender",
    )
    to_band = forms.ChoiceField(
        label="Only drops to", required=False, choices=[("", "Any band drop")] + [(b, b.capitalize()) for b in BANDS]
    )
    description = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label="Running (untick to pause it for every client)", required=False, initial=True)


class StepForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label="Action", max_length=500)
    owner_role = forms.ChoiceField(label="Owner", choices=OwnerRole.choices, initial=OwnerRole.CRP)
    due_in_days = forms.IntegerField(label="Due in (days)", min_value=0, max_value=MAX_STEP_DAYS, initial=14)


StepFormSet = forms.formset_factory(StepForm, extra=2, can_delete=True, max_num=30, validate_max=True)
