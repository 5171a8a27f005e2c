"""The plan section of the client page (connected in apps.py), after the stakeholders."""

from __future__ import annotations

from typing import Any

from accounts.models import Client, User


def client_panel(sender: type, client: Client, user: User, **kwargs: Any) -> dict[str, Any]:
    """Plans by year, pipeline and open risks at a glance."""
    from accounts.access import may_hand_over_crp
    from planning import selectors

    return {
        "order": 20,
        "template": "planning/client_panel.html",
        **selectors.client_panel(client=client, user=user),
        "may_hand_over": may_hand_over_crp(user, client),
    }
