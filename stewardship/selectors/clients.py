"""The stewardship section of a client's page."""

from __future__ import annotations

from typing import Any

from accounts.access import may_govern_crps
from accounts.models import Client, User
from planning.choices import Persona
from planning.models import PlanStatus
from planning.selectors import plans_of
from stewardship.choices import PERSONA_GUIDE
from stewardship.models import ClientNeeds, Succession
from stewardship.selectors.firm import persona_mismatch


def persona_guidance(client: Client) -> dict[str, Any] | None:
    """The persona the client's active plan calls for: its intent, typical application, suggested
    actions, and a mismatch with the client's tier if there is one."""
    plan = next((plan for plan in plans_of(client) if plan.status == PlanStatus.ACTIVE), None)
    if plan is None or not plan.persona:
        return None
    guide = PERSONA_GUIDE.get(plan.persona)
    if guide is None:
        return None
    return {
        "persona": dict(Persona.choices)[plan.persona],
        "guide": guide,
        "mismatch": persona_mismatch(client.tier.name, plan.persona),
    }


def stewardship_panel(*, client: Client, user: User) -> dict[str, Any] | None:
    governs = may_govern_crps(user)
    guidance = persona_guidance(client)
    if guidance is None and not governs:
        return None
    context: dict[str, Any] = {"order": 25, "template": "stewardship/client_panel.html", "guidance": guidance}
    if governs:
        context["succession"] = Succession.objects.filter(client=client).select_related("successor").first()
        context["needs"] = ClientNeeds.objects.filter(client=client).first()
        context["governs"] = True
    return context
