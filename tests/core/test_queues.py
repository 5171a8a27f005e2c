"""Every task of Keyline's goes to a named queue, so a long job never waits in front of a click."""

import pytest

from config.celery import app
from config.queues import HEAVY, INTERACTIVE, QUEUES, SCHEDULED, TASK_QUEUES

OWN_PREFIXES = ("accounts.", "audit.", "capture.", "core.", "feeds.", "health.", "identity.", "listening.")
OWN_PREFIXES += ("planning.", "reports.", "stakeholders.", "stewardship.", "workflow.")


def own_task_names() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if name.startswith(OWN_PREFIXES)}


def queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_every_task_is_routed_and_every_route_names_a_real_task():
    assert own_task_names() == set(TASK_QUEUES)


@pytest.mark.parametrize("name", sorted(TASK_QUEUES))
def test_each_task_is_sent_to_its_queue(name):
    assert queue_of(name) == TASK_QUEUES[name] and queue_of(name) in QUEUES


def test_a_partners_recompute_never_queues_behind_packs_imports_or_sweeps():
    assert queue_of("health.tasks.recompute_pending") == INTERACTIVE
    assert queue_of("reports.tasks.render_report") == HEAVY
    assert queue_of("reports.tasks.generate_quarterly_packs") == HEAVY
    assert queue_of("stakeholders.tasks.run_import_job") == HEAVY
    assert queue_of("workflow.tasks.scan_signals") == SCHEDULED


def test_every_scheduled_entry_goes_to_the_scheduled_or_heavy_queue():
    from django.conf import settings

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) in (SCHEDULED, HEAVY), entry["task"]
