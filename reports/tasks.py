"""Celery tasks of the reports app: thin, they take ids and call services."""

from celery import shared_task
from django.conf import settings

from reports import services


@shared_task(
    soft_time_limit=settings.REPORTS_MAX_RENDER_SECONDS,
    time_limit=settings.REPORTS_MAX_RENDER_SECONDS + 60,
)
def render_report(report_id: str) -> str | None:
    report = services.report_render(report_id=report_id)
    return report.status if report else None


@shared_task
def generate_quarterly_packs() -> int:
    return len(services.quarterly_packs_generate())
