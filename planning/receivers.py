"""Reactions to events of the accounts app (which must not import planning)."""

from __future__ import annotations

from typing import Any

from accounts.models import Assignment


def start_onboarding_checklist(
    sender: type, instance: Assignment, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A new CRP gets a 30/60/90-day onboarding checklist, in the same transaction."""
    if created and not raw:
        from planning.services import onboarding_checklist_create

        onboarding_checklist_create(assignment=instance)
