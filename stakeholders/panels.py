"""The stakeholder section of the client page (connected in apps.py), first of the sections."""

from __future__ import annotations

from accounts.access import may_edit_client
from accounts.models import Client, User
from stakeholders import selectors
from stakeholders.forms import InteractionForm, log_form_for
from stakeholders.views.common import stakeholder_url_prefix


def client_panel(sender, client: Client, user: User, **kwargs) -> dict:
    """Gaps, key people, the quick log form, recent touchpoints."""
    context = panel_context(client, user, may_edit_client(user, client))
    return {"order": 10, "template": "stakeholders/panel.html", **context}


def panel_context(client: Client, user: User, may_edit: bool, form: InteractionForm | None = None) -> dict:
    people = selectors.client_stakeholders(client)
    recent = list(selectors.timeline(client)[:5])
    return {
        "client": client,
        "may_edit": may_edit,
        "stakeholder_count": len(people),
        "gaps": selectors.coverage_gaps(people),
        "recent": recent,
        "frequency": selectors.contact_frequency(client),
        "key_people": sorted(people, key=lambda p: (-p.influence, p.name))[:8],
        "log_form": (form or log_form_for(client, user, stakeholders=people)) if may_edit else None,
        "detail_url": stakeholder_url_prefix(),
    }
