"""The "account review" panel on a client's page (connected in apps.py)."""

from django.utils import timezone

from reports.pdf.periods import last_complete_quarter


def account_review_panel(sender, client, user, **kwargs) -> dict:
    # The client page already went through the access rule; the request is checked again on submit.
    quarter = last_complete_quarter(timezone.localdate())
    return {
        "order": 90,
        "template": "reports/pdf/client_panel.html",
        "client_id": client.pk,
        "quarter": quarter.code,
        "quarter_label": quarter.label,
    }
