from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from reports import tasks_digest  # noqa: F401 - registers the digest tasks with Celery
