from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from reports.panels_pdf import account_review_panel

        client_detail_panels.connect(
            account_review_panel, sender=Client, dispatch_uid="reports-pdf-account-review-panel"
        )
