"""The "account review" section of the client page (connected in apps.py), last on the page."""

from django.utils import timezone

from reports.pdf.periods import last_complete_quarter


def client_panel(sender, client, user, **kwargs) -> dict:
    # The client page already went through the access rule; the request is checked again on submit.
    quarter = last_complete_quarter(timezone.localdate())
    return {
        "order": 40,
        "template": "reports/pdf/client_panel.html",
        "client_id": client.pk,
        "quarter": quarter.code,
        "quarter_label": quarter.label,
    }
