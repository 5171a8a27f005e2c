"""The listening section of the client page (connected in apps.py), after the health score."""

from __future__ import annotations

from typing import Any

from accounts.models import Client, User


def client_panel(sender: type, client: Client, user: User, **kwargs: Any) -> dict[str, Any]:
    from accounts.access import may_edit_client
    from listening import selectors
    from listening.models import ClientListening

    setting = ClientListening.objects.filter(client=client).first()
    return {
        "order": 35,
        "template": "listening/client_panel.html",
        "client": client,
        "may_edit": may_edit_client(user, client),
        "no_surveys": bool(setting and setting.no_surveys),
        **selectors.client_listening(client=client, user=user),
    }


def stakeholder_panel(sender: type, stakeholder: Any, user: User, **kwargs: Any) -> dict[str, Any] | None:
    """The stakeholder's survey answers, beside their interactions (their timeline)."""
    from listening.selectors import stakeholder_responses

    responses = stakeholder_responses(stakeholder_id=stakeholder.pk)
    if not responses:
        return None
    return {"template": "listening/stakeholder_panel.html", "responses": responses}
