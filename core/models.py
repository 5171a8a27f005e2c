"""Abstract model bases shared by the apps."""

from __future__ import annotations

import pghistory
import pghistory.models
from django.db import models


class Versioned(models.Model):
    """A record edited by several people: each save goes through `core.concurrency.save_versioned`,
    which refuses a stale write and counts the version up by one."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


def tracked[M: type[models.Model]](model: M) -> M:
    """Keep every insert, update and delete of `model` in its pghistory event table."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())(model)


class Event(pghistory.models.Event):
    """The base of every history table (PGHISTORY_BASE_MODEL; named Event as pghistory names each
    table after it): its time is indexed, so the audit log
    and "as of" readings walk each table newest first instead of sorting it whole."""

    pgh_created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
