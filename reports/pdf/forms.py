"""The report request form: what kind, which scope, which quarter."""

from django import forms
from django.utils import timezone

from reports.models import ReportKind
from reports.pdf.periods import Quarter, last_complete_quarter

SCOPE_TYPES = [
    ("client", "One client (account review)"),
    ("firm", "The whole firm"),
    ("practice_group", "A practice group"),
    ("office", "An office"),
    ("crp", "A CRP's clients"),
    ("tier", "A tier"),
    ("client_group", "A client group"),
]


def recent_quarters(count: int = 8) -> list[str]:
    return [q.code for q in reversed(Quarter.containing(timezone.localdate()).back(count))]


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices, initial=ReportKind.QUARTERLY_PACK)
    scope = forms.CharField(help_text="What the report covers", max_length=40)
    quarter = forms.CharField(max_length=7, help_text="For example 2026-Q3")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("quarter", last_complete_quarter(timezone.localdate()).code)

    def clean(self):
        data = super().clean()
        raw = data.get("scope", "")
        scope_type, _, scope_id = raw.partition(":")
        if scope_type not in dict(SCOPE_TYPES):
            self.add_error("scope", "Choose what the report should cover.")
            return data
        if data.get("kind") == ReportKind.ACCOUNT_REVIEW and scope_type != "client":
            self.add_error("scope", "An account review covers one client: choose a client.")
        if data.get("kind") == ReportKind.QUARTERLY_PACK and scope_type == "client":
            self.add_error(
                "scope",
                "A quarterly pack covers a portfolio: choose the firm, a group, an office, a CRP or a tier.",
            )
        data["scope_dict"] = {"type": scope_type} | ({"id": scope_id} if scope_type != "firm" else {})
        return data
