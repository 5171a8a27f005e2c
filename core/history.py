"""Tracked rows as they stood at the end of a past day, rebuilt from their audit history.

Every change to a tracked model writes an event row (pghistory): the row's values after an insert,
an update or a manual event, its last values on a delete, stamped with the time of the writing
transaction. A row's state at the end of a day is therefore its last event stamped before the next
midnight, unless that event is its deletion. One query answers this for every row of many clients:

    SELECT … FROM <model>event WHERE pgh_id IN (
        SELECT DISTINCT ON (pgh_obj_id) pgh_id FROM <model>event
        WHERE pgh_created_at < <next midnight> AND <rows of these clients>
        ORDER BY pgh_obj_id, pgh_created_at DESC, pgh_id DESC)
    AND pgh_label <> 'delete'

The domain apps build their typed "as of" selectors on these two functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models import Min, QuerySet
from django.utils import timezone

DELETED = "delete"  # the label pghistory gives a DeleteEvent


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the firm's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def is_past(day: datetime.date) -> bool:
    """A day already over: its state must come from the history, not from the rows as they stand."""
    return day < timezone.localdate()


def event_model_of(model: type[models.Model]) -> type[models.Model]:
    """The event model pghistory made for the tracked `model` (added to the class at run time)."""
    return model.pgh_event_model  # type: ignore[attr-defined]


def states_as_of(model: type[models.Model], day: datetime.date, **which: object) -> QuerySet:
    """Event rows holding the state, at the end of `day`, of every row of `model` that existed then.

    `which` picks the rows (e.g. `client_id__in=ids`) and is applied before the latest event is
    chosen; filters on the state itself (status, strength…) belong on the returned queryset, so a
    row that was open then and is closed now still counts as open then.
    """
    events = event_model_of(model)._default_manager
    latest = (
        events.filter(pgh_created_at__lt=end_of_day(day), **which)
        .order_by("pgh_obj_id", "-pgh_created_at", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_id")
    )
    return events.filter(pgh_id__in=latest).exclude(pgh_label=DELETED)


def history_starts_after(
    model: type[models.Model], day: datetime.date, client_ids: Iterable[int] | None, client_field: str = "client_id"
) -> dict[int, datetime.date]:
    """{client id: day its first recorded event of `model` was written} for the clients whose recorded
    history of `model` begins after `day`: what they held on that day is not known."""
    events = event_model_of(model)._default_manager.all()
    if client_ids is not None:
        events = events.filter(**{f"{client_field}__in": list(client_ids)})
    rows = (
        events.values_list(client_field)
        .annotate(first=Min("pgh_created_at"))
        .filter(first__gte=end_of_day(day))
        .order_by()
    )
    return {client_id: timezone.localdate(first) for client_id, first in rows}


def as_model[M: models.Model](model: type[M], event: models.Model, **related: models.Model | None) -> M:
    """An instance of `model` holding the values an event recorded (read-only: it is history), with
    the related objects the event's query loaded (`owner=event.owner`, …)."""
    instance = model(**{f.attname: getattr(event, f.attname) for f in model._meta.concrete_fields})
    instance._state.adding = False
    instance._state.db = event._state.db
    for name, value in related.items():
        setattr(instance, name, value)
    return instance


@dataclass(frozen=True)
class AsOf[Row: models.Model]:
    """Rows of many clients as they stood on a day, and where the recorded history is too short to say."""

    day: datetime.date
    rows: dict[int, list[Row]] = field(default_factory=dict)
    # client id -> first day with recorded history, for the clients whose history starts after `day`
    history_starts: dict[int, datetime.date] = field(default_factory=dict)

    def of(self, client_id: int) -> list[Row]:
        return self.rows.get(client_id, [])


def history_backfill(model: type[models.Model], *, undated: datetime.datetime | None = None) -> int:
    """Give each row of `model` that has no recorded event an insert event stamped with its
    `created_at` (or `undated`, default now, for models without one), and return how many were written.

    Rows bulk-loaded with the audit triggers switched off (the demo firm) then have a history that
    past-date reads can use. Rows with any event are left alone, so running it twice changes nothing.
    """
    event = event_model_of(model)
    tracked = [f.column for f in event._meta.concrete_fields if f.column and not f.column.startswith("pgh_")]
    stamp = "t.created_at" if "created_at" in {f.column for f in model._meta.concrete_fields} else "%s"
    columns = ", ".join(f'"{c}"' for c in tracked)
    values = ", ".join(f't."{c}"' for c in tracked)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{event._meta.db_table}" (pgh_created_at, pgh_label, pgh_obj_id, {columns}) '  # noqa: S608  # nosec B608 - model tables
            f"SELECT {stamp}, 'insert', t.\"{model._meta.pk.column}\", {values} "
            f'FROM "{model._meta.db_table}" AS t WHERE NOT EXISTS '
            f'(SELECT 1 FROM "{event._meta.db_table}" AS e WHERE e.pgh_obj_id = t."{model._meta.pk.column}")',
            [] if stamp == "t.created_at" else [undated or timezone.now()],
        )
        return cursor.rowcount
