from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from accounts.models import Client
        from accounts.signals import client_detail_panels
        from reports import panels
        from reports.dashboard import tasks as dashboard_tasks  # noqa: F401 - registers the tasks with Celery
        from reports.pdf import tasks as pdf_tasks  # noqa: F401 - registers the tasks with Celery

        client_detail_panels.connect(panels.client_panel, sender=Client, dispatch_uid="reports-client-panel")
