"""Dating audit events in tests.

An event carries the start time of the transaction that wrote it, and a test runs in one
transaction: every event of a test would share one timestamp. `recorded_at` stamps the events
written inside its block with the moment the test says they happened.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db.models import Max
from django.utils import timezone
from pghistory.models import Event


def event_models() -> list[type[Event]]:
    return [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.proxy]


def moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@contextmanager
def recorded_at(when: datetime.datetime | datetime.date) -> Iterator[None]:
    """Every audit event written inside the block is stamped `when` (a date means its noon)."""
    if not isinstance(when, datetime.datetime):
        when = moment(when)
    models = event_models()
    before = {m: m.objects.aggregate(last=Max("pgh_id"))["last"] or 0 for m in models}
    yield
    for model in models:
        model.objects.filter(pgh_id__gt=before[model]).update(pgh_created_at=when)
