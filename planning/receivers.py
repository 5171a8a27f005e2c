"""Reactions to events of the accounts app (which must not import planning)."""

from __future__ import annotations

from typing import Any

from accounts.models import Assignment, Client, User


def start_onboarding_checklist(
    sender: type, instance: Assignment, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A new CRP gets a 30/60/90-day onboarding checklist, in the same transaction."""
    if created and not raw:
        from planning.services import onboarding_checklist_create

        onboarding_checklist_create(assignment=instance)


def plan_panel(sender: type, client: Client, user: User, **kwargs: Any) -> dict[str, Any]:
    """The plan section of the client page: plans by year, pipeline and open risks at a glance."""
    from accounts.access import may_hand_over_crp
    from planning import selectors
    from planning.forms import CrpHandoverForm

    return {
        "order": 20,
        "template": "planning/client_panel.html",
        **selectors.client_panel(client=client, user=user),
        "handover_form": CrpHandoverForm() if may_hand_over_crp(user, client) else None,
    }
