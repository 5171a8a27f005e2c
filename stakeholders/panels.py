"""The stakeholder section of the client page (connected in apps.py), first of the sections."""

from __future__ import annotations

from accounts.access import can_edit
from accounts.models import Client, User
from stakeholders import selectors
from stakeholders.forms import InteractionForm, log_form_for
from stakeholders.views.common import stakeholder_url_prefix


def client_panel(sender, client: Client, user: User, **kwargs) -> dict:
    """Gaps, key people, the quick log form, recent touchpoints."""
    return {"order": 10, "template": "stakeholders/panel.html", **panel_context(client, user, can_edit(user, client))}


def panel_context(client: Client, user: User, can_edit: bool, form: InteractionForm | None = None) -> dict:
    people = selectors.client_stakeholders(client)
    recent = list(selectors.timeline(client)[:5])
    return {
        "client": client, "can_edit": can_edit, "stakeholder_count": len(people),
        "gaps": selectors.coverage_gaps(people), "recent": recent,
        "frequency": selectors.contact_frequency(client),
        "key_people": sorted(people, key=lambda p: (-p.influence, p.name))[:8],
        "log_form": (form or log_form_for(client, user, stakeholders=people)) if can_edit else None,
        "detail_url": stakeholder_url_prefix(),
    }
