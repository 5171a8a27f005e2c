"""The client's stakeholders with what the pages show beside them, the org chart and engagement."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from accounts.models import Client, Role
from stakeholders.models import (
    STRONG_STRENGTH,
    BuyingRole,
    Interaction,
    InteractionKind,
    Relationship,
    Seniority,
    Stakeholder,
    StakeholderStatus,
)

STALE_AFTER_DAYS = 90
# Engagement: each touchpoint counts by how personal it is, halving every 90 days.
ENGAGEMENT_HALF_LIFE_DAYS = 90
ENGAGEMENT_HORIZON_DAYS = 3 * 365
KIND_WEIGHTS = {
    InteractionKind.MEETING: 1.0,
    InteractionKind.CLIENT_REVIEW: 1.0,
    InteractionKind.SOCIAL: 0.8,
    InteractionKind.EVENT: 0.6,
    InteractionKind.CALL: 0.6,
    InteractionKind.EMAIL: 0.3,
}
SENIORITY_RANK = {level: rank for rank, level in enumerate(Seniority.values)}
# Firm people senior enough to hold a board relationship on their own.
SENIOR_FIRM_ROLES = {Role.PARTNER, Role.MANAGING_PARTNER}


# What the pages built on `client_stakeholders` show; notes and contact details load only on the detail page.
STAKEHOLDER_COLUMNS = [
    "id",
    "client_id",
    "name",
    "job_title",
    "department",
    "seniority",
    "reports_to_id",
    "buying_role",
    "attitude",
    "influence",
    "status",
    "version",
]
ROLE_LABELS = dict(BuyingRole.choices)
SENIORITY_LABELS = dict(Seniority.choices)
USER_COLUMNS = ["id", "full_name", "role", "is_active"]
RELATIONSHIP_FIELDS = [
    "id",
    "stakeholder_id",
    "user_id",
    "strength",
    "target_strength",
    "is_primary",
    "notes",
    "version",
]
RELATIONSHIP_COLUMNS = [*RELATIONSHIP_FIELDS, *(f"user__{name}" for name in USER_COLUMNS)]


def today_or_local(today: datetime.date | None) -> datetime.date:
    """`today` when given (tests, past-day reads), else the local date."""
    return today or timezone.localdate()


# --- Stakeholders with what the pages show beside them -------------------------------------------


def last_contacted_by_stakeholder(client: Client) -> dict[int, datetime.date]:
    through = Interaction.stakeholders.through
    rows = (
        through.objects.filter(interaction__client=client)
        .values("stakeholder_id")
        .annotate(last=Max("interaction__date"))
        .values_list("stakeholder_id", "last")  # type: ignore[misc]  # the plugin misses annotations on a through model
    )
    return dict(rows)


def _relationships_of(client: Client) -> dict[int, list[Relationship]]:
    """The client's relationships by stakeholder, primary owner first, then strongest, each with its
    firm person (joined in the same query: a few columns of a handful of people)."""
    rels = Relationship.objects.filter(stakeholder__client=client).select_related("user").only(*RELATIONSHIP_COLUMNS)
    by_stakeholder: dict[int, list[Relationship]] = defaultdict(list)
    for rel in rels:
        by_stakeholder[rel.stakeholder_id].append(rel)
    for group in by_stakeholder.values():
        group.sort(key=lambda rel: (not rel.is_primary, -rel.strength, rel.user.full_name))
    return by_stakeholder


def client_stakeholders(
    client: Client, *, include_left: bool = False, today: datetime.date | None = None
) -> list[Stakeholder]:
    """The client's stakeholders, each with `.rels` (relationships with users), `.primary`,
    `.last_contacted` and `.days_since_contact`. Three queries."""
    today = today_or_local(today)
    qs = Stakeholder.objects.filter(client=client).only(*STAKEHOLDER_COLUMNS)
    if not include_left:
        qs = qs.filter(status=StakeholderStatus.ACTIVE)
    people = list(qs)
    rels_of = _relationships_of(client)
    last = last_contacted_by_stakeholder(client)
    for person in people:
        person.rels = rels_of.get(person.pk, [])
        person.primary = next((rel for rel in person.rels if rel.is_primary), None)
        person.role_label = ROLE_LABELS.get(person.buying_role, person.buying_role)
        person.seniority_label = SENIORITY_LABELS.get(person.seniority, person.seniority)
        person.last_contacted = last.get(person.pk)
        person.days_since_contact = (today - person.last_contacted).days if person.last_contacted else None
    return people


# --- Org chart -----------------------------------------------------------------------------------


@dataclass
class OrgNode:
    stakeholder: Stakeholder
    children: list[OrgNode] = field(default_factory=list)
    depth: int = 0

    @property
    def size(self) -> int:
        return 1 + sum(child.size for child in self.children)


@dataclass
class OrgChart:
    roots: list[OrgNode]
    count: int
    depth: int

    def rows(self) -> list[tuple[str, OrgNode | None]]:
        """The tree as a flat run of ("node", n) / ("open", None) / ("close", None) steps, so a page
        renders it in one loop instead of one template include per person."""
        steps: list[tuple[str, OrgNode | None]] = []

        def walk(node: OrgNode) -> None:
            steps.append(("node", node))
            if node.children:
                steps.append(("open", None))
                for child in node.children:
                    walk(child)
                steps.append(("close", None))
            else:
                steps.append(("leaf", None))

        for root in self.roots:
            walk(root)
        return steps


def chart_order(person: Stakeholder) -> tuple[int, int, str]:
    """Seniority first, then influence, then name: the order of the org chart and the coverage matrix."""
    return (SENIORITY_RANK.get(person.seniority, 99), -person.influence, person.name.lower())


def build_org_chart(people: list[Stakeholder]) -> OrgChart:
    """A forest from `reports_to`. People without a manager (or whose manager is not in `people`)
    are roots; anything caught in a loop is shown at the top rather than lost."""
    by_id = {person.pk: person for person in people}
    children: dict[int | None, list[Stakeholder]] = defaultdict(list)
    for person in people:
        parent = person.reports_to_id if person.reports_to_id in by_id else None
        children[parent].append(person)
    placed: set[int] = set()
    max_depth = 0

    def grow(person: Stakeholder, depth: int) -> OrgNode:
        nonlocal max_depth
        placed.add(person.pk)
        max_depth = max(max_depth, depth)
        node = OrgNode(person, depth=depth)
        for child in sorted(children.get(person.pk, []), key=chart_order):
            if child.pk not in placed:
                node.children.append(grow(child, depth + 1))
        return node

    roots = [grow(person, 0) for person in sorted(children[None], key=chart_order)]
    for person in sorted(people, key=chart_order):
        if person.pk not in placed:
            roots.append(grow(person, 0))
    return OrgChart(roots=roots, count=len(people), depth=max_depth + 1 if people else 0)


# --- Engagement ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagement:
    score: float  # 0 … 5, comparable to the typed strength
    meetings: int
    last_date: datetime.date | None

    @property
    def figure(self) -> float:
        return round(min(5.0, self.score), 1)


NO_ENGAGEMENT = Engagement(0.0, 0, None)


ENGAGEMENT_SQL = """
    SELECT a.user_id, s.stakeholder_id,
           SUM((CASE i.kind {kind_weight} ELSE 0.5 END)
               * power(0.5, greatest(%(today)s::date - i.date, 0)::float / %(half_life)s)),
           COUNT(*), MAX(i.date)
    FROM {interactions} i
    JOIN {attendees} a ON a.interaction_id = i.id
    JOIN {met} s ON s.interaction_id = i.id
    JOIN {relationships} r ON r.user_id = a.user_id AND r.stakeholder_id = s.stakeholder_id
    WHERE i.client_id = %(client)s AND i.date >= %(since)s
    GROUP BY a.user_id, s.stakeholder_id
"""


def engagement_by_pair(client: Client, today: datetime.date | None = None) -> dict[tuple[int, int], Engagement]:
    """{(firm user id, stakeholder id): Engagement} for every recorded relationship of the client,
    from the interactions the two shared. One query; pairs without a relationship are not computed."""
    today = today_or_local(today)
    kind_weight = " ".join(f"WHEN '{kind}' THEN {weight}" for kind, weight in KIND_WEIGHTS.items())
    tables = {
        "interactions": Interaction._meta.db_table,
        "attendees": Interaction.firm_attendees.through._meta.db_table,
        "met": Interaction.stakeholders.through._meta.db_table,
        "relationships": Relationship._meta.db_table,
    }
    # Only this module's constants and table names are formatted in; values are parameters.
    sql = ENGAGEMENT_SQL.format(kind_weight=kind_weight, **tables)  # nosec B608
    params: dict[str, Any] = {
        "today": today,
        "half_life": ENGAGEMENT_HALF_LIFE_DAYS,
        "client": client.pk,
        "since": today - datetime.timedelta(days=ENGAGEMENT_HORIZON_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {(user, person): Engagement(score or 0.0, count, last) for user, person, score, count, last in rows}


def attach_engagement(people: list[Stakeholder], engagement: dict[tuple[int, int], Engagement]) -> None:
    for person in people:
        for rel in person.rels:
            rel.engagement = engagement.get((rel.user_id, person.pk), NO_ENGAGEMENT)
            rel.is_stale = rel.strength >= STRONG_STRENGTH and rel.engagement.figure < rel.strength - 2
