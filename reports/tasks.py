"""Celery tasks of the reports app: thin, they take ids and call services."""

from celery import shared_task
from django.conf import settings

from reports import services
from reports.dashboard import pages


@shared_task(
    soft_time_limit=settings.REPORTS_MAX_RENDER_SECONDS,
    time_limit=settings.REPORTS_MAX_RENDER_SECONDS + 60,
)
def render_report(report_id: str, recheck: bool = True) -> str | None:
    report = services.report_render(report_id=report_id)
    if report is None and recheck and services.report_is_rendering(report_id):
        # A message redelivered after its worker was killed finds the report still marked as
        # rendering: look once more when that render counts as stalled, and take it over then.
        render_report.apply_async(
            (report_id,), {"recheck": False}, countdown=services.stale_after_seconds()
        )
    return report.status if report else None


@shared_task
def requeue_waiting_reports() -> int:
    return services.reports_requeue_waiting()


@shared_task
def generate_quarterly_packs() -> int:
    return len(services.quarterly_packs_generate())


@shared_task
def refresh_shared_figures() -> list[str]:
    return pages.shared_figures_refresh()


@shared_task
def withdraw_unavailable_reports() -> int:
    return services.reports_withdraw_unavailable()
