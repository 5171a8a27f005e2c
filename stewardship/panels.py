"""The stewardship section of the client page: persona guidance, and for managing partners the
successor and the CRP needs (connected in apps.py)."""

from __future__ import annotations

from typing import Any

from accounts.models import Client, User


def client_panel(sender: type, client: Client, user: User, **kwargs: Any) -> dict[str, Any] | None:
    from stewardship.selectors.clients import stewardship_panel

    return stewardship_panel(client=client, user=user)
