from __future__ import annotations

from django import forms
from django.conf import settings

from feeds.kinds import COLUMNS
from feeds.models import FeedKind, RunMode


class FeedUploadForm(forms.Form):
    kind = forms.ChoiceField(label="The file holds", choices=FeedKind.choices)
    source = forms.CharField(
        label="Source",
        max_length=100,
        required=False,
        help_text="e.g. “3E monthly fees”: its column mapping is saved, so the next file from it maps itself.",
    )
    file = forms.FileField(
        label="File (CSV or XLSX)",
        help_text=(
            f"CSV in UTF-8 (with or without BOM) or Windows-1252, or an XLSX workbook (first sheet); "
            f"at most {settings.FEEDS_MAX_UPLOAD_BYTES // 1024 // 1024} MB."
        ),
    )


class MappingForm(forms.Form):
    """One choice per Keyline field: which of the file's columns holds it."""

    def __init__(self, *args, kind: str, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —"), *[(h, h) for h in headers if h]]
        for column in COLUMNS[kind]:
            self.fields[column.name] = forms.ChoiceField(
                label=f"{column.label}{' *' if column.required else ''}",
                choices=choices,
                required=False,
                help_text=column.help,
            )

    def mapping(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class ImportForm(forms.Form):
    mode = forms.ChoiceField(choices=RunMode.choices)
