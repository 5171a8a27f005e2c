"""Database settings for running behind a connection pooler (DATABASE_POOLER).

In PgBouncer's transaction mode each transaction may run on a different server connection, and a
server connection passes from one client to the next without being reset. Whatever lives in a
session is then shared with strangers or lost between two statements: a server-side cursor that
`.iterator()` opens WITH HOLD in autocommit, a prepared statement, a session advisory lock. Keyline's
own code keeps none (locks are leases or row locks, temporary tables live within one transaction);
these settings turn off the two that Django would otherwise open.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

POOLER_MODES = ("", "session", "transaction")


def pooler_database(database: dict[str, Any], pooler: str) -> dict[str, Any]:
    """`database` (one entry of DATABASES) ready for a pooler in `pooler` mode: "" for none,
    "session" (nothing to change) or "transaction"."""
    if pooler not in POOLER_MODES:
        raise ImproperlyConfigured(f"DATABASE_POOLER must be transaction, session or empty, not {pooler!r}.")
    if pooler != "transaction":
        return database
    # No prepared statements is Django's default too: pinned, so that no OPTIONS entry turns them on.
    options = {**database.get("OPTIONS", {}), "prepare_threshold": None}
    return {**database, "DISABLE_SERVER_SIDE_CURSORS": True, "OPTIONS": options}
