from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from reports import tasks_digest  # noqa: F401 - registers the digest tasks with Celery
        from reports.panels_pdf import account_review_panel

        client_detail_panels.connect(
            account_review_panel, sender=Client, dispatch_uid="reports-pdf-account-review-panel"
        )
