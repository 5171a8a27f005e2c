"""Captured data is personal data: what the export includes, and what erasure removes. An erased
person's address goes on the suppression list (as a hash), so they are never captured again."""

from __future__ import annotations

from typing import Any

from django.db.models import Value
from django.db.models.functions import Replace

from accounts.models import User
from accounts.services import audited_write
from capture.models import CapturedMessage, ReviewItem, ReviewKind, Suppression, address_hash, normalise_address
from stakeholders.models import Stakeholder

ERASED = "[erased]"


def capture_personal_data(stakeholder: Stakeholder) -> dict[str, Any]:
    """Proposals waiting in the review queue that name the person, and whether they are suppressed."""
    email = normalise_address(stakeholder.email)
    proposals = ReviewItem.objects.filter(kind=ReviewKind.PROPOSED_STAKEHOLDER, email__iexact=email) if email else []
    return {
        "proposals": [
            {
                "name": p.name,
                "job_title": p.job_title,
                "email": p.email,
                "status": p.get_status_display(),
                "proposed_at": p.created_at.isoformat(),
            }
            for p in proposals
        ],
        "captured_interactions": stakeholder.interactions.exclude(source="typed").count(),
        "never_captured_again": bool(email) and Suppression.objects.filter(address_hash=address_hash(email)).exists(),
    }


def suppression_add(*, address: str) -> Suppression:
    suppression, _ = Suppression.objects.get_or_create(address_hash=address_hash(address))
    return suppression


def capture_forget(*, stakeholder: Stakeholder, email: str, name: str) -> None:
    """Run inside the erasure's transaction: suppress the address, delete what the queue holds about the
    person, and scrub their name from stored snippets."""
    if email:
        address = normalise_address(email)
        suppression_add(address=address)
        ReviewItem.objects.filter(email__iexact=address).delete()
        for item in ReviewItem.objects.filter(payload__addresses__contains=[address]):
            item.payload["people"] = [p for p in item.payload.get("people", []) if p[1] != address]
            item.payload["addresses"] = [a for a in item.payload["addresses"] if a != address]
            item.save(update_fields=["payload"])
    ReviewItem.objects.filter(same_as=stakeholder).delete()
    if name:
        CapturedMessage.objects.filter(interaction__stakeholders=stakeholder).exclude(snippet="").update(
            snippet=Replace("snippet", Value(name), Value(ERASED))
        )


def address_suppress(*, actor: User, address: str) -> None:
    """Never capture this address again (a person who objected), and forget any proposal about it."""
    with audited_write(actor):
        suppression_add(address=address)
        ReviewItem.objects.filter(email__iexact=normalise_address(address)).delete()
