from __future__ import annotations

from django import forms

from workflow.models import COMMENT_MAX_LENGTH, Audience, Channel, DocumentKind


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
