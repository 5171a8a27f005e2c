from __future__ import annotations

from django import forms
from django.conf import settings


class DomainForm(forms.Form):
    domain = forms.CharField(max_length=253, label="Mail domain", help_text="e.g. harbour-energy.com")


class CaptureSwitchForm(forms.Form):
    off = forms.BooleanField(required=False, label="Do not capture this client's mail and meetings")
    reason = forms.CharField(max_length=200, required=False, label="Why (e.g. the client forbids it)")


class UploadForm(forms.Form):
    file = forms.FileField(label=".ics or .eml file", help_text="A meeting invite, a calendar export or a saved email")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".ics", ".eml")):
            raise forms.ValidationError("Choose an .ics (calendar) or .eml (email) file.")
        if upload.size > settings.CAPTURE_UPLOAD_MAX_BYTES:
            limit = settings.CAPTURE_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is larger than {limit} MB.")
        return upload


class SuppressForm(forms.Form):
    address = forms.EmailField(label="Address never to capture", max_length=254)
