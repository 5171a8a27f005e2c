"""The health section of the client page (connected in apps.py), after the plans."""

from accounts.models import Client, User
from health import selectors


def client_panel(sender, client: Client, user: User, **kwargs) -> dict:
    health = selectors.client_health(client)
    return {
        "order": 30,
        "template": "health/client_panel.html",
        "health": health,
        "sparkline": selectors.sparkline(
            health.history,
            health.scorecard_change_dates,
            selectors.band_thresholds(health.latest.scorecard if health.latest else None),
        ),
        "client": client,
    }
