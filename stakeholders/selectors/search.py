"""Who knows whom: one firm person's relationships, and the firm-wide search."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.access import visible
from accounts.models import User
from stakeholders.models import (
    Relationship,
    Stakeholder,
    StakeholderStatus,
)
from stakeholders.selectors.people import RELATIONSHIP_COLUMNS

# --- Who knows whom ------------------------------------------------------------------------------


def relationships_of_person(viewer: User, person: User) -> QuerySet[Relationship]:
    """Everyone `person` knows, across the clients `viewer` may see."""
    return (
        visible(viewer, Relationship.objects.filter(user=person), "stakeholder__client")
        .select_related("stakeholder", "stakeholder__client")
        .order_by("stakeholder__client__name", "-strength", "stakeholder__name")
    )


def who_we_know(
    viewer: User,
    *,
    client_query: str = "",
    department: str = "",
    seniority: str = "",
    buying_role: str = "",
) -> QuerySet[Stakeholder]:
    """Firm-wide search: stakeholders at visible clients, with the firm people who know them."""
    qs = visible(viewer, Stakeholder.objects.filter(status=StakeholderStatus.ACTIVE))
    if client_query:
        qs = qs.filter(client__name__icontains=client_query)
    if department:
        qs = qs.filter(department__icontains=department)
    if seniority:
        qs = qs.filter(seniority=seniority)
    if buying_role:
        qs = qs.filter(buying_role=buying_role)
    return (
        qs.select_related("client")
        .prefetch_related(
            Prefetch(
                "relationships",
                to_attr="rels",  # type: ignore[no-redef]  # the page-row attribute declared on Stakeholder
                queryset=Relationship.objects.select_related("user")
                .only(*RELATIONSHIP_COLUMNS)
                .order_by("-strength", "user__full_name"),
            )
        )
        .order_by("client__name", "name")
    )
