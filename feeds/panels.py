"""The client page's group, matters and timekeepers section (connected in apps.py)."""

from __future__ import annotations

from accounts.models import Client, User
from feeds import groups, selectors


def client_panel(sender, client: Client, user: User, **kwargs) -> dict:
    root = groups.group_root_of(user, client)
    return {
        "order": 15,
        "template": "feeds/panel.html",
        "client": client,
        "group_root": root,
        "matters": list(selectors.open_matters(client)[:20]),
        "timekeepers": list(selectors.timekeepers_of([client.pk])[:20]),
    }
