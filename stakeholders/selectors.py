"""Reads for the stakeholder pages and API: a fixed number of queries whatever the client's size."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, FloatField, Max, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.access import visible
from accounts.models import Client, Role, User
from stakeholders.models import (
    SENIOR_LEVELS,
    BuyingRole,
    Interaction,
    InteractionKind,
    Relationship,
    Seniority,
    Stakeholder,
    StakeholderStatus,
)

CONTACT_TARGET_PER_YEAR = 10
STALE_AFTER_DAYS = 90
STRONG_STRENGTH = 3
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
STAKEHOLDER_COLUMNS = ["id", "client_id", "name", "job_title", "department", "seniority", "reports_to_id",
                       "buying_role", "attitude", "influence", "status", "version"]
ROLE_LABELS = dict(BuyingRole.choices)
SENIORITY_LABELS = dict(Seniority.choices)
RELATIONSHIP_COLUMNS = ["id", "stakeholder_id", "user_id", "strength", "target_strength", "is_primary", "notes",
                        "version", "user__id", "user__full_name", "user__role", "user__is_active"]


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- Stakeholders with what the pages show beside them -------------------------------------------


def last_contacted_by_stakeholder(client: Client) -> dict[int, datetime.date]:
    through = Interaction.stakeholders.through
    rows = (
        through.objects.filter(interaction__client=client)
        .values("stakeholder_id")
        .annotate(last=Max("interaction__date"))
        .values_list("stakeholder_id", "last")
    )
    return dict(rows)


def client_stakeholders(
    client: Client, *, include_left: bool = False, today: datetime.date | None = None
) -> list[Stakeholder]:
    """The client's stakeholders, each with `.rels` (relationships with users), `.primary`,
    `.last_contacted` and `.days_since_contact`. Three queries."""
    today = _today(today)
    qs = Stakeholder.objects.filter(client=client).only(*STAKEHOLDER_COLUMNS)
    if not include_left:
        qs = qs.filter(status=StakeholderStatus.ACTIVE)
    qs = qs.prefetch_related(
        Prefetch(
            "relationships",
            to_attr="rels",
            queryset=Relationship.objects.select_related("user")
            .only(*RELATIONSHIP_COLUMNS)
            .order_by("-is_primary", "-strength", "user__full_name"),
        )
    )
    people = list(qs)
    last = last_contacted_by_stakeholder(client)
    for person in people:
        person.primary = next((rel for rel in person.rels if rel.is_primary), None)
        person.role_label = ROLE_LABELS.get(person.buying_role, person.buying_role)
        person.seniority_label = SENIORITY_LABELS.get(person.seniority, person.seniority)
        person.last_contacted = last.get(person.pk)
        person.days_since_contact = (
            (today - person.last_contacted).days if person.last_contacted else None
        )
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


def _chart_order(person: Stakeholder) -> tuple:
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
        for child in sorted(children.get(person.pk, []), key=_chart_order):
            if child.pk not in placed:
                node.children.append(grow(child, depth + 1))
        return node

    roots = [grow(person, 0) for person in sorted(children[None], key=_chart_order)]
    for person in sorted(people, key=_chart_order):
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


def engagement_by_pair(
    client: Client, today: datetime.date | None = None
) -> dict[tuple[int, int], Engagement]:
    """{(firm user id, stakeholder id): Engagement} from the interactions they shared. One query."""
    today = _today(today)
    weight = Case(
        *[When(kind=kind, then=Value(w)) for kind, w in KIND_WEIGHTS.items()],
        default=Value(0.5),
        output_field=FloatField(),
    )
    decay = RawSQL(
        "power(0.5, greatest(%s::date - stakeholders_interaction.date, 0)::float / %s)",
        (today, ENGAGEMENT_HALF_LIFE_DAYS),
        output_field=FloatField(),
    )
    rows = (
        Interaction.objects.filter(
            client=client,
            date__gte=today - datetime.timedelta(days=ENGAGEMENT_HORIZON_DAYS),
            firm_attendees__isnull=False,
            stakeholders__isnull=False,
        )
        .values("firm_attendees", "stakeholders")
        .annotate(score=Sum(weight * decay), meetings=Count("id"), last=Max("date"))
        .order_by()
    )
    return {
        (row["firm_attendees"], row["stakeholders"]): Engagement(
            row["score"] or 0.0, row["meetings"], row["last"]
        )
        for row in rows
    }


def attach_engagement(
    people: list[Stakeholder], engagement: dict[tuple[int, int], Engagement]
) -> None:
    for person in people:
        for rel in person.rels:
            rel.engagement = engagement.get((rel.user_id, person.pk), NO_ENGAGEMENT)
            rel.is_stale = (
                rel.strength >= STRONG_STRENGTH and rel.engagement.figure < rel.strength - 2
            )


# --- Coverage gaps -------------------------------------------------------------------------------


class GapKind:
    NO_STRONG_RELATIONSHIP = "no_strong_relationship"
    NOT_CONTACTED = "not_contacted"
    SINGLE_THREADED = "single_threaded"
    SENIORITY_MISMATCH = "seniority_mismatch"
    HOSTILE_GATEKEEPER = "hostile_gatekeeper"


@dataclass(frozen=True)
class Gap:
    kind: str
    stakeholder: Stakeholder
    message: str
    action: str  # "log" (log an interaction) or "owner" (assign an owner / add a relationship)

    @property
    def action_label(self) -> str:
        return "Log an interaction" if self.action == "log" else "Assign an owner"


def _is_key(person: Stakeholder) -> bool:
    return person.buying_role == BuyingRole.DECISION_MAKER or person.seniority in SENIOR_LEVELS


def gaps_for(person: Stakeholder, today: datetime.date) -> list[Gap]:
    """The coverage rules for one stakeholder loaded by `client_stakeholders`."""
    gaps = []
    rels = person.rels
    if _is_key(person):
        if not any(rel.strength >= STRONG_STRENGTH for rel in rels):
            gaps.append(
                Gap(
                    GapKind.NO_STRONG_RELATIONSHIP,
                    person,
                    "No firm relationship of strength 3 or more.",
                    "owner",
                )
            )
        if person.last_contacted is None or (today - person.last_contacted).days > STALE_AFTER_DAYS:
            when = f"{person.days_since_contact} days ago" if person.last_contacted else "never"
            gaps.append(
                Gap(
                    GapKind.NOT_CONTACTED,
                    person,
                    f"No interaction in {STALE_AFTER_DAYS} days (last contact: {when}).",
                    "log",
                )
            )
    if person.seniority in SENIOR_LEVELS and len(rels) == 1:
        gaps.append(
            Gap(
                GapKind.SINGLE_THREADED,
                person,
                f"Single-threaded: only {rels[0].user} knows them.",
                "owner",
            )
        )
    if (
        person.seniority == Seniority.BOARD
        and rels
        and not any(rel.user.role in SENIOR_FIRM_ROLES for rel in rels)
    ):
        gaps.append(
            Gap(
                GapKind.SENIORITY_MISMATCH,
                person,
                "Board member known only by junior firm people: no partner relationship.",
                "owner",
            )
        )
    if person.buying_role in (BuyingRole.GATEKEEPER, BuyingRole.BLOCKER) and person.attitude < 0:
        gaps.append(
            Gap(
                GapKind.HOSTILE_GATEKEEPER,
                person,
                f"{person.get_buying_role_display()} with a negative attitude ({person.attitude}).",
                "owner" if not person.primary else "log",
            )
        )
    return gaps


def coverage_gaps(people: list[Stakeholder], today: datetime.date | None = None) -> list[Gap]:
    today = _today(today)
    ordered = sorted(people, key=lambda p: (_chart_order(p)[0], -p.influence, p.name.lower()))
    return [gap for person in ordered for gap in gaps_for(person, today)]


# --- Influence × attitude grid -------------------------------------------------------------------

ATTITUDES = [-2, -1, 0, 1, 2]
INFLUENCES = [5, 4, 3, 2, 1]


def influence_attitude_grid(people: list[Stakeholder]) -> list[dict]:
    """Rows from influence 5 down to 1, cells from attitude −2 to +2, each with its people."""
    cells: dict[tuple[int, int], list[Stakeholder]] = defaultdict(list)
    for person in people:
        cells[(person.influence, person.attitude)].append(person)
    return [
        {
            "influence": level,
            "cells": [{"attitude": att, "people": cells[(level, att)]} for att in ATTITUDES],
        }
        for level in INFLUENCES
    ]


# --- Coverage matrix -----------------------------------------------------------------------------


@dataclass
class CoverageMatrix:
    people: list[User]
    rows: list[dict]  # {"stakeholder", "cells": [Relationship | None], "holders": int}
    load: list[int]  # relationships per firm person, in `people` order


def coverage_matrix(people: list[Stakeholder]) -> CoverageMatrix:
    users = {rel.user_id: rel.user for person in people for rel in person.rels}
    firm = sorted(users.values(), key=lambda u: u.full_name)
    rows = []
    for person in sorted(people, key=_chart_order):
        by_user = {rel.user_id: rel for rel in person.rels}
        rows.append(
            {
                "stakeholder": person,
                "cells": [by_user.get(u.pk) for u in firm],
                "holders": len(by_user),
            }
        )
    load = [sum(1 for row in rows if row["cells"][i] is not None) for i in range(len(firm))]
    return CoverageMatrix(people=firm, rows=rows, load=load)


# --- Timeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilters:
    kind: str = ""
    user_id: int | None = None
    stakeholder_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def timeline(client: Client, filters: TimelineFilters = TimelineFilters()) -> QuerySet[Interaction]:
    qs = Interaction.objects.filter(client=client)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.user_id:
        qs = qs.filter(Q(firm_attendees=filters.user_id))
    if filters.stakeholder_id:
        qs = qs.filter(stakeholders=filters.stakeholder_id)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return with_people(qs.order_by("-date", "-id"))


def with_people(qs: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Interactions with `.attendee_list` and `.stakeholder_list` (plain lists: cheap to loop over)."""
    return qs.prefetch_related(
        Prefetch("firm_attendees", queryset=User.objects.only("id", "full_name"), to_attr="attendee_list"),
        Prefetch("stakeholders", queryset=Stakeholder.objects.only("id", "name", "client_id"),
                 to_attr="stakeholder_list"),
    )


@dataclass(frozen=True)
class ContactFrequency:
    count: int
    target: int = CONTACT_TARGET_PER_YEAR

    @property
    def on_target(self) -> bool:
        return self.count >= self.target

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.target)) if self.target else 100


def contact_frequency(client: Client, today: datetime.date | None = None) -> ContactFrequency:
    """Interactions in the trailing 12 months against the target of 10 a year."""
    today = _today(today)
    since = today - datetime.timedelta(days=365)
    count = Interaction.objects.filter(client=client, date__gt=since, date__lte=today).count()
    return ContactFrequency(count=count)


def firm_people_of(client: Client, also: User | None = None) -> QuerySet[User]:
    """Firm people on the team or with a relationship there (plus `also`): the attendee choices."""
    who = Q(assignments__client=client, assignments__end_date__isnull=True) | Q(
        relationships__stakeholder__client=client
    )
    if also is not None:
        who |= Q(pk=also.pk)
    ids = User.objects.filter(who).values("pk")
    return User.objects.filter(is_active=True, pk__in=ids).order_by("full_name").only("id", "full_name")


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
                to_attr="rels",
                queryset=Relationship.objects.select_related("user")
                .only(*RELATIONSHIP_COLUMNS)
                .order_by("-strength", "user__full_name"),
            )
        )
        .order_by("client__name", "name")
    )
