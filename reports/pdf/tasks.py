"""Celery tasks of the PDF reports: thin, they take ids and call services.

Their names predate this module and are kept: queued messages and the beat schedule hold them."""

from celery import shared_task
from django.conf import settings

from reports.pdf import services


@shared_task(
    name="reports.tasks.render_report",
    soft_time_limit=settings.REPORTS_MAX_RENDER_SECONDS,
    time_limit=settings.REPORTS_MAX_RENDER_SECONDS + 60,
)
def render_report(report_id: str, recheck: bool = True) -> str | None:
    report = services.report_render(report_id=report_id)
    if report is None and recheck and services.report_is_rendering(report_id):
        # A message redelivered after its worker was killed finds the report still marked as
        # rendering: look once more when that render counts as stalled, and take it over then.
        render_report.apply_async((report_id,), {"recheck": False}, countdown=services.stale_after_seconds())
    return report.status if report else None


@shared_task(name="reports.tasks.requeue_waiting_reports")
def requeue_waiting_reports() -> int:
    return services.reports_requeue_waiting()


@shared_task(name="reports.tasks.generate_quarterly_packs")
def generate_quarterly_packs() -> int:
    return len(services.quarterly_packs_generate())


@shared_task(name="reports.tasks.withdraw_unavailable_reports")
def withdraw_unavailable_reports() -> int:
    return services.reports_withdraw_unavailable()
