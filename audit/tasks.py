from celery import shared_task

from audit.services import audit_purge_expired


@shared_task(name="audit.purge_expired")
def purge_expired() -> int:
    """Safe to run twice: the second run finds nothing past its retention date."""
    return audit_purge_expired()
