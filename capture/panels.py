"""Mailbox capture's section of the client page: the client's mail domains, whether capture is on, and
the proposals waiting for its team. One query (the client page's count is pinned)."""

from __future__ import annotations

from capture.selectors import client_capture_summary


def client_panel(sender, client, user, **kwargs) -> dict | None:
    return {
        "template": "capture/panel.html",
        "order": 45,
        "client": client,
        "capture": client_capture_summary(client, user),
    }
