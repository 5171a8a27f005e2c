from celery import shared_task

from feeds import services


@shared_task(acks_late=True)
def run_feed(run_id: int) -> str:
    """Check or import one uploaded feed file, whichever it is queued for. A second delivery finds it claimed."""
    run = services.feed_run_execute(run_id)
    return run.status if run else "not queued"
