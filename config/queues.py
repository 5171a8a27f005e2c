"""Which Celery queue each task goes to: the one home of the routing.

Three queues, so a long job never delays a partner's click:
- `interactive`: what a person is waiting for (one client's recompute, notifications, a webhook,
  an upload's virus scan, survey links);
- `heavy`: long jobs (quarterly packs and PDFs, recompute-all, imports and feeds, mailbox capture,
  survey batches);
- `scheduled`: the periodic sweeps Celery beat sends (digests, reminders, purges, re-queues).

A worker started without `-Q` consumes all three (the embedded default, the test suite); a
deployment runs a worker per queue and scales each on its own (docker-compose.yml).
"""

from __future__ import annotations

from kombu import Queue

INTERACTIVE, HEAVY, SCHEDULED = "interactive", "heavy", "scheduled"
QUEUES = (INTERACTIVE, HEAVY, SCHEDULED)

TASK_QUEUES: dict[str, str] = {
    # interactive
    "health.tasks.recompute_pending": INTERACTIVE,
    "workflow.tasks.deliver": INTERACTIVE,
    "workflow.tasks.scan_document": INTERACTIVE,
    "reports.send_user_digest": INTERACTIVE,
    "listening.tasks.fire_programmes_for_review": INTERACTIVE,
    # heavy
    "health.tasks.run_recompute_job": HEAVY,
    "health.tasks.nightly_recompute": HEAVY,
    "reports.tasks.render_report": HEAVY,
    "reports.tasks.generate_quarterly_packs": HEAVY,
    "stakeholders.tasks.run_import_job": HEAVY,
    "feeds.tasks.run_feed": HEAVY,
    "capture.tasks.poll_mailbox": HEAVY,
    "listening.tasks.send_invitations": HEAVY,
    # scheduled
    "audit.purge_expired": SCHEDULED,
    "reports.tasks.refresh_shared_figures": SCHEDULED,
    "stewardship.tasks.refresh_firm_headline": SCHEDULED,
    "reports.send_weekly_digests": SCHEDULED,
    "reports.tasks.requeue_waiting_reports": SCHEDULED,
    "reports.tasks.withdraw_unavailable_reports": SCHEDULED,
    "stakeholders.tasks.requeue_waiting_imports": SCHEDULED,
    "listening.tasks.daily_round": SCHEDULED,
    "listening.tasks.fire_scheduled_programmes": SCHEDULED,
    "stewardship.tasks.daily_stewardship": SCHEDULED,
    "workflow.tasks.scan_signals": SCHEDULED,
    "workflow.tasks.notify_due_dates": SCHEDULED,
    "workflow.tasks.send_daily_emails": SCHEDULED,
}

celery_queues = tuple(Queue(name, routing_key=name) for name in QUEUES)
celery_routes = {name: {"queue": queue, "routing_key": queue} for name, queue in TASK_QUEUES.items()}
