"""The health section of the client page (connected in apps.py), after the plans."""

from accounts.models import Client, User
from health import selectors


def client_panel(sender: type, client: Client, user: User, **kwargs: object) -> dict:
    health = selectors.client_health(client)
    return {
        "order": 30,
        "template": "health/client_panel.html",
        "health": health,
        "sparkline": selectors.sparkline(
            health.history, health.scorecard_change_dates, selectors.band_thresholds(health.latest.scorecard)
        )
        if health.latest
        else None,
        "client": client,
        # Data changed since the score was computed (an interaction logged, a fee entered): the
        # debounced recompute is on its way, and the panel says so rather than look current.
        "recompute_queued": health.recompute_queued,
    }
