"""Client groups: a parent company and its subsidiaries at any depth, rolled up for one reader.

The wall applies per member: the roll-up walks down from the group only through members the reader
may see, so a confidential subsidiary (and whatever sits under it) is absent from every figure an
outsider reads, exactly as if it did not exist. Each figure is one set-based query over the
visible members' ids, whatever the group's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import visible_clients
from accounts.models import Client, FeeRecord, User
from accounts.selectors import fee_period
from feeds.models import reporting_currency
from health.selectors import latest_scores
from planning.choices import OPEN_STAGES
from planning.models import Action, ActionStatus, Opportunity, weighted_fees
from planning.selectors.portfolio import overdue_reviews
from stakeholders.models import SENIOR_LEVELS, Relationship, Stakeholder, StakeholderStatus

FEE_YEARS = 3


def group_tree(root_id: int) -> list[tuple[int, int | None, int]]:
    """(id, parent id, depth) of the client and every client below it, whoever may see them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE tree(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM accounts_client WHERE id = %s
                UNION ALL
                SELECT c.id, c.parent_id, t.depth + 1 FROM accounts_client c JOIN tree t ON c.parent_id = t.id
                WHERE t.depth < 50
            )
            SELECT id, parent_id, depth FROM tree ORDER BY depth, id
            """,
            [root_id],
        )
        return [(pk, parent, depth) for pk, parent, depth in cursor.fetchall()]


def visible_members(user: User, root: Client) -> list[tuple[int, int]]:
    """(id, depth) of the members of `root`'s group that `user` may see, the group itself first.
    A member hidden from `user` cuts off its own subsidiaries too: nothing under a wall shows."""
    tree = group_tree(root.pk)
    ids = [pk for pk, _, _ in tree]
    seen = set(visible_clients(user).filter(pk__in=ids).values_list("pk", flat=True))
    kept: dict[int, int] = {}
    for pk, parent, depth in tree:
        if pk in seen and (depth == 0 or parent in kept):
            kept[pk] = depth
    return list(kept.items())


def group_root_of(user: User, client: Client) -> Client | None:
    """The topmost parent of `client` that `user` may see, walking up through visible parents only
    (two queries at any depth, one for a client without a parent); None when `client` is in no group."""
    ancestors = _ancestors_of(client) if client.parent_id is not None else []
    seen = set(visible_clients(user).filter(pk__in=ancestors).values_list("pk", flat=True)) if ancestors else set()
    top = None
    for pk in ancestors:
        if pk not in seen:
            break
        top = pk
    if top is None:  # a group's own page only when a member is visible: a hidden one is no group
        return client if visible_clients(user).filter(parent=client).exists() else None
    return Client.objects.only("pk", "name").get(pk=top)


def _ancestors_of(client: Client) -> list[int]:
    """The client's parent, its parent and so on up to the top (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM accounts_client WHERE id = %s
                UNION ALL
                SELECT c.id, c.parent_id, u.depth + 1 FROM accounts_client c JOIN up u ON c.id = u.parent_id
                WHERE u.depth < 50
            )
            SELECT id FROM up ORDER BY depth
            """,
            [client.pk],
        )
        return [pk for (pk,) in cursor.fetchall()][1:]


@dataclass
class Member:
    client: Client
    depth: int
    fees: Decimal = Decimal(0)  # last complete financial year
    score: Decimal | None = None
    band: str = ""
    pipeline: Decimal = Decimal(0)
    stakeholders: int = 0


@dataclass
class GroupRollup:
    root: Client
    members: list[Member]
    currency: str
    years: list[int]
    fee_rows: list[dict] = field(default_factory=list)  # {"service_line": name, "amounts": [...]}
    fee_totals: list[Decimal] = field(default_factory=list)
    health: Decimal | None = None  # fee-weighted
    pipeline: Decimal = Decimal(0)
    weighted_pipeline: Decimal = Decimal(0)
    open_actions: int = 0
    overdue_actions: int = 0
    next_actions: list[Action] = field(default_factory=list)
    overdue_reviews: list[Client] = field(default_factory=list)
    stakeholders: int = 0
    senior_stakeholders: int = 0
    known_stakeholders: int = 0

    @property
    def size(self) -> int:
        return len(self.members)


def fee_weighted_health(members: list[Member]) -> Decimal | None:
    """Each scored member's score weighted by its fees in the last complete year; a plain mean when
    no scored member has fees (a new group), None when no member has a score."""
    scored = [m for m in members if m.score is not None]
    if not scored:
        return None
    weight = sum((m.fees for m in scored), Decimal(0))
    if not weight:
        plain = sum((m.score for m in scored if m.score is not None), Decimal(0)) / len(scored)
        return plain.quantize(Decimal("0.1"))
    total = sum((m.score * m.fees for m in scored if m.score is not None), Decimal(0))
    return (total / weight).quantize(Decimal("0.1"))


def group_rollup(user: User, root: Client, as_of: datetime.date | None = None) -> GroupRollup:
    """The group page's figures for `user`: only the members they may see count anywhere."""
    depths = dict(visible_members(user, root))
    ids = list(depths)
    clients = {c.pk: c for c in Client.objects.filter(pk__in=ids).select_related("tier").with_current_crp()}
    members = {pk: Member(client=clients[pk], depth=depth) for pk, depth in depths.items()}
    period = fee_period(as_of)
    years = list(range(period.year - FEE_YEARS + 1, period.year + 1))
    rollup = GroupRollup(root=root, members=list(members.values()), currency=reporting_currency(), years=years)
    _add_fees(rollup, members, ids, period.year)
    _add_health(members, ids)
    rollup.health = fee_weighted_health(rollup.members)
    _add_pipeline(rollup, members, ids)
    _add_actions(rollup, ids)
    _add_people(rollup, members, ids)
    rollup.overdue_reviews = list(overdue_reviews(user=user).filter(pk__in=ids).only("pk", "name"))
    return rollup


def _add_fees(rollup: GroupRollup, members: dict[int, Member], ids: list[int], year: int) -> None:
    by_line: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = (
        FeeRecord.objects.filter(client_id__in=ids, financial_year__in=rollup.years)
        .values_list("client_id", "financial_year", "service_line__name")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for client_id, fy, line, total in rows:
        by_line[line][fy] += total
        if fy == year:
            members[client_id].fees += total
    for line in sorted(by_line):
        rollup.fee_rows.append({"service_line": line, "amounts": [by_line[line][y] for y in rollup.years]})
    rollup.fee_totals = [sum((r["amounts"][i] for r in rollup.fee_rows), Decimal(0)) for i in range(len(rollup.years))]


def _add_health(members: dict[int, Member], ids: list[int]) -> None:
    latest = latest_scores(ids).values_list("client_id", "score", "band")
    for client_id, score, band in latest:
        members[client_id].score, members[client_id].band = score, band


def _add_pipeline(rollup: GroupRollup, members: dict[int, Member], ids: list[int]) -> None:
    money = DecimalField(max_digits=18, decimal_places=2)
    rows = (
        Opportunity.objects.filter(client_id__in=ids, stage__in=OPEN_STAGES)
        .values("client_id")
        .annotate(
            total=Coalesce(Sum("estimated_fees"), Value(0), output_field=money),
            weighted=Coalesce(Sum(weighted_fees()), Value(0), output_field=money),
        )
        .order_by()
    )
    for row in rows:
        members[row["client_id"]].pipeline = row["total"]
        rollup.pipeline += row["total"]
        rollup.weighted_pipeline += row["weighted"]


def _add_actions(rollup: GroupRollup, ids: list[int]) -> None:
    today = timezone.localdate()
    actions = Action.objects.filter(plan__client_id__in=ids, status=ActionStatus.OPEN)
    counts = actions.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    rollup.open_actions, rollup.overdue_actions = counts["open"], counts["overdue"]
    rollup.next_actions = list(actions.select_related("plan__client", "owner").order_by("due_date", "pk")[:10])


def _add_people(rollup: GroupRollup, members: dict[int, Member], ids: list[int]) -> None:
    """Coverage across the group: a stakeholder known at one member counts for the whole group."""
    people = Stakeholder.objects.filter(client_id__in=ids, status=StakeholderStatus.ACTIVE)
    for client_id, count in people.values_list("client_id").annotate(n=Count("pk")).order_by():
        members[client_id].stakeholders = count
    known = Relationship.objects.filter(stakeholder__in=people.values("pk")).values("stakeholder")
    totals = people.aggregate(
        all=Count("pk"),
        senior=Count("pk", filter=Q(seniority__in=SENIOR_LEVELS)),
        known=Count("pk", filter=Q(pk__in=known)),
    )
    rollup.stakeholders, rollup.senior_stakeholders, rollup.known_stakeholders = (
        totals["all"],
        totals["senior"],
        totals["known"],
    )
