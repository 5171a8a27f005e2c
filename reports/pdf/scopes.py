"""Report scopes: which clients a report covers, and which of them the requester may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.access import visible_clients
from accounts.models import Client, ClientStatus, Office, PracticeGroup, Tier, User

PACK_SCOPES = {
    "firm": "The whole firm",
    "practice_group": "A practice group",
    "office": "An office",
    "crp": "A CRP's clients",
    "tier": "A tier",
    "client_group": "A client group",
}


# One answer whether a scope holds no client at all or only clients behind a wall the requester
# is outside of: a different answer would tell them that hidden clients exist there.
NOTHING_TO_SHOW = "This scope has no active client you may see, so the pack would be empty."


@dataclass
class ResolvedScope:
    label: str
    client_ids: list[int]


def _scope_id(scope: dict) -> int:
    try:
        return int(scope.get("id"))
    except (TypeError, ValueError) as exc:
        raise ValidationError({"scope": "Choose what the report should cover."}) from exc


def _crp_of(queryset: QuerySet[Client], **user_filter) -> QuerySet[Client]:
    lookups = {f"assignments__user__{k}": v for k, v in user_filter.items()}
    return queryset.filter(assignments__role="crp", assignments__end_date__isnull=True, **lookups)


def scope_members(scope: dict) -> tuple[str, QuerySet[Client]]:
    """The scope's label and its active clients, before the access rule is applied."""
    kind = scope.get("type") if isinstance(scope, dict) else None
    active = Client.objects.filter(status=ClientStatus.ACTIVE)
    if kind == "firm":
        return "Whole firm", active
    if kind not in PACK_SCOPES:
        raise ValidationError({"scope": "Choose the firm, a practice group, an office, a CRP or a tier."})
    pk = _scope_id(scope)
    not_found = ValidationError({"scope": "That scope does not exist."})
    if kind == "practice_group":
        group = PracticeGroup.objects.filter(pk=pk).first()
        if group is None:
            raise not_found
        return f"{group.name} practice group", _crp_of(active, practice_group=group)
    if kind == "office":
        office = Office.objects.filter(pk=pk).first()
        if office is None:
            raise not_found
        return f"{office.name} office", _crp_of(active, office=office)
    if kind == "tier":
        tier = Tier.objects.filter(pk=pk).first()
        if tier is None:
            raise not_found
        return f"{tier.name} tier", active.filter(tier=tier)
    crp = User.objects.filter(pk=pk, is_active=True).first()
    if crp is None:
        raise not_found
    return f"Clients led by {crp.full_name}", _crp_of(active, pk=crp.pk)


def _group_scope(user: User, scope: dict) -> ResolvedScope:
    """A client group read as one: its parent and every subsidiary `user` may see. The wall applies
    per member (a hidden member and whatever sits below it are left out, and counted nowhere); a
    hidden or missing group reads exactly like an empty scope."""
    from feeds.groups import visible_members

    root = visible_clients(user).filter(pk=_scope_id(scope)).first()
    ids = [] if root is None else [pk for pk, _ in visible_members(user, root)]
    active = sorted(Client.objects.filter(pk__in=ids, status=ClientStatus.ACTIVE).values_list("pk", flat=True))
    if root is None or not active:
        raise ValidationError({"scope": NOTHING_TO_SHOW})
    return ResolvedScope(label=f"{root.name} group", client_ids=active)


def resolve_pack_scope(user: User, scope: dict) -> ResolvedScope:
    """The clients of a pack that `user` may see. Nothing is counted about the others."""
    if isinstance(scope, dict) and scope.get("type") == "client_group":
        return _group_scope(user, scope)
    label, members = scope_members(scope)
    seen = visible_clients(user).filter(pk__in=members.values("pk"))
    client_ids = sorted(seen.values_list("pk", flat=True))
    if not client_ids:
        raise ValidationError({"scope": NOTHING_TO_SHOW})
    return ResolvedScope(label=label, client_ids=client_ids)


def resolve_client_scope(user: User, scope: dict) -> ResolvedScope:
    if not isinstance(scope, dict) or scope.get("type") != "client":
        raise ValidationError({"scope": "An account review covers one client."})
    pk = _scope_id(scope)
    client = visible_clients(user).filter(pk=pk).first()
    if client is None:
        raise ValidationError({"scope": "No client you can see has that id."})
    return ResolvedScope(label=client.name, client_ids=[client.pk])
