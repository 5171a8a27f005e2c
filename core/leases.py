"""Leases: "one worker at a time does this", kept in a row rather than in a database session.

A session advisory lock lives as long as the connection that took it. Behind a transaction-mode
pooler (PgBouncer) every transaction may run on a different server connection and a client that dies
leaves its server connection to the next client, lock and all: session locks neither hold nor let go
when they should. A lease is a row's `holder` and `held_until`, written in ordinary transactions:

- `lease_take` claims the row when nobody holds it or the holder's time ran out. It skips a row another
  transaction has locked (a worker writing under its lease), so it never waits.
- `lease_renew` extends the caller's own lease and, in the caller's transaction, locks the row: a
  worker that renews at the start of each unit of work fences off anyone who took the lease over
  meanwhile (the renewal finds another holder and says so).
- `lease_release` lets go. A worker that is killed never does: its lease runs out after `seconds`.

Times are the database's (statement_timestamp), so workers' clocks do not matter.
"""

from __future__ import annotations

import datetime
import os
import socket
import uuid
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Now


def lease_holder_name() -> str:
    """A name for one run of one worker: the machine and process, and a random part for the run."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _until(seconds: float) -> CombinedExpression:
    return Now() + datetime.timedelta(seconds=seconds)


def lease_take[M: models.Model](
    model: type[M], pk: int, *, holder: str, seconds: float, using: str = DEFAULT_DB_ALIAS
) -> M | None:
    """Hold row `pk` of `model` for `seconds` when it is free or its lease ran out, and return the row;
    None when another holds it (or is writing under it right now) or the row does not exist.
    One statement: the claim is atomic without a transaction around it."""
    quote = connections[using].ops.quote_name
    column = model._meta.pk.column
    assert column is not None  # a concrete primary key
    table, key = quote(model._meta.db_table), quote(column)
    sql = (
        f"UPDATE {table} SET holder = %s, held_until = statement_timestamp() + %s * interval '1 second' "  # noqa: S608  # nosec B608
        f"WHERE {key} = (SELECT {key} FROM {table} WHERE {key} = %s "
        "AND (held_until IS NULL OR held_until < statement_timestamp()) FOR UPDATE SKIP LOCKED) RETURNING *"
    )
    claimed = list(model._default_manager.using(using).raw(sql, [holder, seconds, pk]))
    return claimed[0] if claimed else None


def lease_renew(
    model: type[models.Model],
    pk: int,
    *,
    holder: str,
    seconds: float,
    using: str = DEFAULT_DB_ALIAS,
    **changes: Any,
) -> bool:
    """Extend `holder`'s lease on row `pk` (writing `changes` with it); False when another took it over.
    Inside a transaction the row stays locked until it ends, so nobody can take it over meanwhile."""
    rows = model._default_manager.using(using).filter(pk=pk, holder=holder)
    return rows.update(held_until=_until(seconds), **changes) == 1


def lease_release(
    model: type[models.Model], pk: int, *, holder: str, using: str = DEFAULT_DB_ALIAS, **changes: Any
) -> bool:
    """Let go of `holder`'s lease on row `pk` (writing `changes` with it); False when it was no longer held."""
    rows = model._default_manager.using(using).filter(pk=pk, holder=holder)
    return rows.update(holder="", held_until=None, **changes) == 1
