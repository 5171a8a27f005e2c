"""htmx requests: when a view answers with a partial rather than the whole page."""

from __future__ import annotations

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page. A history-restore request (the browser's back
    button after htmx evicted its cache) needs the whole page, like a plain request."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request
