"""The one access rule and every role gate. Every page, partial, API endpoint, export and download
goes through here; no other module compares roles.

- Partners see and edit clients whose current team they are on, and see other
  non-confidential clients read-only.
- BD sees and edits all non-confidential clients; managing partners and admins see and edit all.
- A confidential client is a 404 to anyone outside its team except managing partners and admins.

Team roles (the `may_*` predicates below):
- The client's CRP, managing partners and admins add and end SAM and team roles; so does BD
  for clients without an ethical wall. Anyone may end their own SAM or team role.
- Appointing or handing over the CRP is a managing partner's (or admin's) decision, made through
  a recorded transition. Planning a transition is for those who manage the team.
- Only managing partners and admins put a client behind an ethical wall or take it down.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from accounts.models import Assignment, AssignmentRole, Client, Role, User
from accounts.querysets import ClientQuerySet

M = TypeVar("M", bound=models.Model)


def visible_clients(user: User) -> ClientQuerySet:
    return Client.objects.visible_to(user)


def editable_clients(user: User) -> ClientQuerySet:
    return Client.objects.editable_by(user)


def may_edit_client(user: User, client: Client) -> bool:
    """Asked once per person for a loaded client: every panel of a page shares the answer."""
    answers = client.__dict__.setdefault("_editable_by", {})
    if user.pk not in answers:
        answers[user.pk] = editable_clients(user).filter(pk=client.pk).exists()
    return answers[user.pk]


def get_visible_client(user: User, pk: Any) -> Client:
    """The client, or 404 if it does not exist or `user` is walled off from it.

    The same query answers whether `user` may edit it and leads it, which a client's pages then ask
    of every section (may_edit_client, is_current_crp): no round trip per question."""
    try:
        client = (
            visible_clients(user)
            .select_related("tier")
            .annotate(
                user_may_edit=models.Exists(editable_clients(user).filter(pk=models.OuterRef("pk"))),
                user_is_crp=models.Exists(_current_crp_rows(user).filter(client=models.OuterRef("pk"))),
            )
            .get(pk=int(pk))
        )
    except (Client.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such client.") from exc
    client.__dict__.setdefault("_editable_by", {})[user.pk] = client.user_may_edit
    client.__dict__.setdefault("_led_by", {})[user.pk] = client.user_is_crp
    return client


def get_editable_client(user: User, pk: object) -> Client:
    """The client for a write: 404 when invisible, 403 when visible but read-only to `user`."""
    client = get_visible_client(user, pk)
    if not may_edit_client(user, client):
        raise PermissionDenied("You can view this client but not change it.")
    return client


def visible[M: models.Model](
    user: User, queryset: models.QuerySet[M], client_field: str = "client"
) -> models.QuerySet[M]:
    """Filter any client-owned queryset down to rows of clients `user` may see."""
    return queryset.filter(**{f"{client_field}__in": visible_clients(user).values("pk")})


def editable[M: models.Model](
    user: User, queryset: models.QuerySet[M], client_field: str = "client"
) -> models.QuerySet[M]:
    return queryset.filter(**{f"{client_field}__in": editable_clients(user).values("pk")})


def get_visible_object[M: models.Model](
    user: User, queryset: models.QuerySet[M], pk: Any, client_field: str = "client"
) -> M:
    try:
        return visible(user, queryset, client_field).get(pk=int(pk))
    except (ObjectDoesNotExist, TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc


def get_editable_object[M: models.Model](
    user: User, queryset: models.QuerySet[M], pk: object, client_field: str = "client"
) -> M:
    obj = get_visible_object(user, queryset, pk, client_field)
    client: Any = obj
    for part in client_field.split("__"):
        client = getattr(client, part)
    if not editable_clients(user).filter(pk=client.pk).exists():
        raise PermissionDenied("You can view this but not change it.")
    return obj


# --- role gates -----------------------------------------------------------------------------

FIRM_WIDE_ROLES = frozenset({Role.BD, Role.MANAGING_PARTNER, Role.ADMIN})
BEHIND_WALL_ROLES = frozenset({Role.MANAGING_PARTNER, Role.ADMIN})

TEAM_REFUSED = (
    "Only the client's CRP, a managing partner or an administrator can change this team "
    "(or the BD team, for a client without an ethical wall)."
)
CRP_REFUSED = (
    "Handing over the CRP role is a managing partner's decision: ask a managing partner "
    "or an administrator to record the transition."
)
SCORECARD_REFUSED = "Only administrators change the scorecard."
OVERVIEW_REFUSED = "The firm overview is for managing partners, BD and administrators."
WALL_REFUSED = "Only a managing partner or an administrator can put a client behind an ethical wall or take it down."


def _has_role(user: User, roles: frozenset[str]) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.role in roles


def require(allowed: bool, message: str) -> None:
    """Refuse with 403 and `message` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def sees_behind_walls(user: User) -> bool:
    """Managing partners and admins see every client, confidential ones included."""
    return _has_role(user, BEHIND_WALL_ROLES)


def sees_all_open_clients(user: User) -> bool:
    """BD, managing partners and admins see every client without an ethical wall."""
    return _has_role(user, FIRM_WIDE_ROLES)


def is_administrator(user: User) -> bool:
    return _has_role(user, frozenset({Role.ADMIN}))


def starts_on_own_portfolio(user: User) -> bool:
    """Partners' dashboards open on the clients they serve; firm-wide roles see the whole portfolio."""
    return user.is_authenticated and not sees_all_open_clients(user)


def may_read_audit_log(user: User) -> bool:
    """The firm-wide audit log: administrators, managing partners and BD (risk and programme oversight).
    Entries about a walled client are still cut by the wall (`audit_entries_visible_to`)."""
    return sees_all_open_clients(user)


def sees_whole_audit_log(user: User) -> bool:
    """Administrators read every entry, those of walled clients (and of since-deleted ones) included."""
    return is_administrator(user)


def may_manage_identity(user: User) -> bool:
    """Sign-on settings, claim and group mappings, provisioning tokens and the leavers list's decisions."""
    return is_administrator(user)


def may_see_leavers(user: User) -> bool:
    """The leavers list (open actions and team roles of deactivated people) is for BD to reassign."""
    return sees_all_open_clients(user)


def may_create_client(user: User) -> bool:
    return sees_all_open_clients(user)


def may_see_firm_overview(user: User) -> bool:
    """The firm overview, CRP signals and recompute progress: firm-wide figures, not for partners."""
    return sees_all_open_clients(user)


def may_edit_scorecard(user: User) -> bool:
    return is_administrator(user)


def may_run_feeds(user: User) -> bool:
    """Bulk feeds of clients, matters, fees, hours and exchange rates: BD, managing partners and admins.
    A feed only ever matches the clients its sender may change (accounts.querysets.editable_by)."""
    return sees_all_open_clients(user)


FEEDS_REFUSED = "Data feeds are run by the BD team, managing partners and administrators."


def may_see_every_import(user: User) -> bool:
    """Import jobs are their uploader's own; managing partners and admins may look at any."""
    return sees_behind_walls(user)


def may_change_confidentiality(user: User) -> bool:
    return sees_behind_walls(user)


def _current_crp_rows(user: User) -> models.QuerySet[Assignment]:
    return Assignment.objects.filter(user_id=user.pk, role=AssignmentRole.CRP, end_date__isnull=True)


def is_current_crp(user: User, client: Client) -> bool:
    """Asked once per person for a loaded client, as `may_edit_client`: the view's gate and the
    service's own check share the answer (get_visible_client answers it in its own query)."""
    answers = client.__dict__.setdefault("_led_by", {})
    if user.pk not in answers:
        answers[user.pk] = _current_crp_rows(user).filter(client=client).exists()
    return answers[user.pk]


def may_manage_team(user: User, client: Client) -> bool:
    """Add and end SAM and team roles, and plan (not complete) a CRP transition."""
    if not (user.is_authenticated and user.is_active):
        return False
    if sees_behind_walls(user):
        return True
    if sees_all_open_clients(user) and not client.confidential:
        return True
    return is_current_crp(user, client)


def may_hand_over_crp(user: User, client: Client) -> bool:
    """Appoint, hand over or end a CRP: a managing partner's decision, recorded as a transition."""
    return sees_behind_walls(user)


def may_add_member(user: User, client: Client, role: str) -> bool:
    if role == AssignmentRole.CRP:
        return may_hand_over_crp(user, client)
    return may_manage_team(user, client)


def may_end_assignment(user: User, assignment: Assignment, *, manages_team: bool | None = None) -> bool:
    """`manages_team` may carry `may_manage_team(user, client)` when a page asks for every row."""
    if assignment.role == AssignmentRole.CRP:
        return may_hand_over_crp(user, assignment.client)
    if assignment.user_id == user.pk and user.is_active:
        return True  # anyone may step off a team
    return manages_team if manages_team is not None else may_manage_team(user, assignment.client)


def may_plan_transition(user: User, client: Client) -> bool:
    return may_manage_team(user, client)


@functools.cache
def client_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to the client its rows belong to ("client", "plan__client", …), or None
    for data no client owns (firm people, service lines, tiers). Found by following foreign keys."""
    if model is Client:
        return "pk"
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _depth in range(3):
        next_frontier = []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                if not field.is_relation or field.related_model is None:
                    continue
                path = f"{prefix}{field.name}"
                if field.related_model is Client:
                    return path
                next_frontier.append((field.related_model, f"{path}__"))
        frontier = next_frontier
    return None


def visible_rows[M: models.Model](user: User, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """`queryset` cut down to the rows `user` may see: client data by the wall, other data as it is.

    Every choice offered or accepted by a filter or a related field goes through here, so an id
    behind the wall reads exactly like an id that does not exist."""
    path = client_path(queryset.model)
    if path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": visible_clients(user).values("pk")})


def firm_people_for(client: Client) -> models.QuerySet[User]:
    """Active firm people who may see `client`: those who may own its actions or attend its meetings."""
    return User.objects.active().who_may_see(client)


def may_take_part(person: User, client: Client) -> bool:
    return person.is_active and visible_clients(person).filter(pk=client.pk).exists()


# Each role's start page (where "/" and the brand link lead), and what breadcrumbs call it.
START_PAGES: dict[str, str] = {
    Role.PARTNER: "partner-home",
    Role.BD: "dashboard",
    Role.MANAGING_PARTNER: "overview",
    Role.ADMIN: "overview",
}
START_PAGE_LABELS = {"partner-home": "Home", "dashboard": "Portfolio dashboard", "overview": "Firm overview"}


def start_page(user: User) -> str:
    """The URL name of the user's start page (the client list for a role without one)."""
    return START_PAGES.get(getattr(user, "role", ""), "client-list")


# --- CRP stewardship ----------------------------------------------------------------------------


def may_govern_crps(user: User) -> bool:
    """Record CRP decisions, rotations and successions, and read the firm's stewardship views:
    managing partners and admins (HR-sensitive, so not BD)."""
    return sees_behind_walls(user)


def may_see_partner_scorecard(viewer: User, partner: User) -> bool:
    """A partner's scorecard and capability profile: the partner themself, managing partners, admins."""
    if not (viewer.is_authenticated and viewer.is_active):
        return False
    return viewer.pk == partner.pk or sees_behind_walls(viewer)
