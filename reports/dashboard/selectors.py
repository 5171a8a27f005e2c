"""The portfolio: one set-based queryset of visible clients with everything the dashboard shows.

Every per-client figure is a correlated subquery or join evaluated by PostgreSQL in the same
statement, so a page costs the same number of queries at 50 clients as at 5,000. With a LIMIT,
PostgreSQL evaluates the columns a page does not sort on only for the rows it returns.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from accounts.access import visible_clients
from accounts.models import Client, ClientStatus, Office, PracticeGroup, Tier, User
from accounts.querysets import ClientQuerySet
from accounts.selectors import crp_choices, fees_in_year, last_complete_financial_year
from health.models import Band, HealthScore
from health.selectors import newest_scores
from listening.reporting import client_nps_expression
from planning.models import OPEN_STAGES, Action, ActionStatus, ClientReview, Opportunity, weighted_fees
from reports.dashboard.params import DashboardParams
from stakeholders.models import STRONG_STRENGTH, Interaction, Relationship, Stakeholder

TREND_DAYS = 90
MONEY = DecimalField(max_digits=16, decimal_places=2)
SCORE = DecimalField(max_digits=6, decimal_places=2)
BAND_ORDER = {Band.RED: 0, Band.AMBER: 1, Band.GREEN: 2, Band.INSUFFICIENT: 3}


def _count(queryset: QuerySet, client_field: str = "client") -> Coalesce:
    """COUNT(*) of `queryset` rows belonging to the outer client, as an integer (0 when none)."""
    counted = (
        queryset.filter(**{client_field: OuterRef("pk")})
        .order_by()
        .values(client_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def coverage_gap_stakeholders() -> QuerySet[Stakeholder]:
    """Active board, C-suite or decision-maker stakeholders nobody knows well (strength >= 3)."""
    strong = Relationship.objects.filter(stakeholder=OuterRef("pk"), strength__gte=STRONG_STRENGTH)
    return Stakeholder.objects.filter(status="active").key_people().filter(~Exists(strong))


_ANNOTATED: dict[tuple[datetime.date, int], ClientQuerySet] = {}


def portfolio_base(user: User, today: datetime.date | None = None) -> ClientQuerySet:
    """Visible active clients annotated with every dashboard column."""
    today = today or timezone.localdate()
    fy = last_complete_financial_year()
    # Resolving twenty annotated subqueries costs tens of milliseconds of Python; they depend only
    # on the day, so they are built once a day and each request filters a cheap clone.
    template = _ANNOTATED.get((today, fy))
    if template is None:
        _ANNOTATED.clear()
        template = _ANNOTATED[(today, fy)] = _annotated_clients(today, fy)
    # The access rule applied to the annotated clients themselves: "pk in (visible clients)" would
    # join every client to itself to learn what this row already says.
    return template.visible_to(user)


def _annotated_clients(today: datetime.date, fy: int) -> ClientQuerySet:
    scores = newest_scores(today)
    earlier = newest_scores(today - datetime.timedelta(days=TREND_DAYS), client="client").values("score")[:1]
    # Each derived figure is computed inside its own subquery: referencing another annotation
    # would make PostgreSQL evaluate that subquery again.
    trend = scores.annotate(change=F("score") - Subquery(earlier, output_field=SCORE)).values("change")[:1]
    band_rank = scores.annotate(
        rank=Case(
            *[When(band=band, then=Value(rank)) for band, rank in BAND_ORDER.items()],
            default=Value(9),
            output_field=IntegerField(),
        )
    ).values("rank")[:1]
    pipeline = (
        Opportunity.objects.filter(client=OuterRef("pk"), stage__in=OPEN_STAGES)
        .order_by()
        .values("client")
        .annotate(total=Sum(weighted_fees()))
        .values("total")
    )
    # ORDER BY … LIMIT 1 rather than MIN/MAX: PostgreSQL then reads one entry of the client's index.
    next_review = (
        ClientReview.objects.filter(client=OuterRef("pk"), held_date__isnull=True, planned_date__gte=today)
        .order_by("planned_date")
        .values("planned_date")[:1]
    )
    last_contact = Interaction.objects.filter(client=OuterRef("pk")).order_by("-date").values("date")[:1]
    overdue_actions = Action.objects.filter(status=ActionStatus.OPEN, due_date__lt=today)
    overdue_review = ClientReview.objects.filter(client=OuterRef("pk"), held_date__isnull=True, planned_date__lt=today)
    return (
        Client.objects.filter(status=ClientStatus.ACTIVE)
        .annotate(
            current_crp=FilteredRelation(
                "assignments",
                condition=Q(assignments__role="crp", assignments__end_date__isnull=True),
            )
        )
        .annotate(
            crp_id=F("current_crp__user_id"),
            crp_name=F("current_crp__user__full_name"),
            crp_practice_group_id=F("current_crp__user__practice_group_id"),
            crp_office_id=F("current_crp__user__office_id"),
            tier_name=F("tier__name"),
            tier_rank=F("tier__rank"),
            score=Subquery(scores.values("score")[:1], output_field=SCORE),
            band=Subquery(scores.values("band")[:1]),
            band_rank=Subquery(band_rank, output_field=IntegerField()),
            coverage=Subquery(scores.values("coverage")[:1]),
            trend=Subquery(trend, output_field=SCORE),
            fees_last_fy=fees_in_year(fy),
            fees_prev_fy=fees_in_year(fy - 1),
            pipeline=Coalesce(Subquery(pipeline, output_field=MONEY), Value(Decimal(0)), output_field=MONEY),
            next_review=Subquery(next_review),
            overdue_review=Exists(overdue_review),
            overdue_actions=_count(overdue_actions, "plan__client"),
            coverage_gaps=_count(coverage_gap_stakeholders()),
            last_contact=Subquery(last_contact),
            nps=client_nps_expression(today),
        )
        .annotate(
            fee_change=ExpressionWrapper(
                (F("fees_last_fy") - F("fees_prev_fy")) * 100 / NullIf(F("fees_prev_fy"), Value(0)),
                output_field=DecimalField(max_digits=12, decimal_places=1),
            ),
        )
    )


def falling_points() -> Decimal:
    return -Decimal(settings.ATTENTION_FALLING_POINTS)


def attention_q(reason: str, today: datetime.date | None = None) -> Q:
    """Rows needing attention for `reason` ("any": red, falling, no contact, a stalled plan, a missed review).

    Each signal is set so that it picks out the few clients a reader should act on this week; the
    thresholds are settings (ATTENTION_*).
    """
    today = today or timezone.localdate()
    stale = Q(last_contact__isnull=True) | Q(
        last_contact__lt=today - datetime.timedelta(days=settings.ATTENTION_NO_CONTACT_DAYS)
    )
    reasons = {
        "red": Q(band=Band.RED),
        "falling": Q(trend__lte=falling_points()),
        "no_contact": stale,
        "overdue_actions": Q(overdue_actions__gte=settings.ATTENTION_OVERDUE_ACTIONS),
        "overdue_review": Q(overdue_review=True),
        "coverage_gaps": Q(coverage_gaps__gt=0),
    }
    if reason == "any":
        return reasons["red"] | reasons["falling"] | stale | reasons["overdue_actions"] | reasons["overdue_review"]
    return reasons[reason]


# URL sort key -> expression. Descending flips the order; clients without a value always come last.
SORT_EXPRESSIONS = {
    "name": F("name"),
    "band": F("band_rank"),
    "score": F("score"),
    "nps": F("nps"),
    "trend": F("trend"),
    "coverage": F("coverage"),
    "fees": F("fees_last_fy"),
    "fee_change": F("fee_change"),
    "pipeline": F("pipeline"),
    "crp": F("crp_name"),
    "tier": F("tier_rank"),
    "next_review": F("next_review"),
    "overdue": F("overdue_actions"),
    "gaps": F("coverage_gaps"),
    # fewest days since contact first = most recent contact first; never contacted last
    "last_contact": F("last_contact"),
}
REVERSED_SORTS = {"last_contact"}


def _group_member_ids(user: User, group: int) -> list[int]:
    """The group's members `user` may see; none when the group itself is hidden or missing (alike)."""
    from feeds.groups import visible_members

    root = visible_clients(user).filter(pk=group).first()
    return [] if root is None else [pk for pk, _ in visible_members(user, root)]


def apply_filters(queryset: ClientQuerySet, params: DashboardParams, user: User) -> ClientQuerySet:
    # The crp_*, band lookups name annotations of portfolio_base, which the plugin does not follow
    # across functions: hence the ignores below.
    qs = queryset
    if params.search:
        qs = qs.filter(
            Q(name__icontains=params.search)
            | Q(sector__icontains=params.search)
            | Q(current_crp__user__full_name__icontains=params.search)
        )
    if params.practice_group:
        qs = qs.filter(crp_practice_group_id=params.practice_group)  # type: ignore[misc]
    if params.office:
        qs = qs.filter(crp_office_id=params.office)  # type: ignore[misc]
    if params.crp:
        qs = qs.filter(crp_id=params.crp)  # type: ignore[misc]
    if params.tier:
        qs = qs.filter(tier_id=params.tier)
    if params.group:
        qs = qs.filter(pk__in=_group_member_ids(user, params.group))
    if params.sector:
        qs = qs.filter(sector=params.sector)
    if params.band:
        qs = qs.filter(band=params.band)  # type: ignore[misc]
    if params.attention:
        qs = qs.filter(attention_q(params.attention))
    if params.mine:
        qs = qs.on_team_of(user)
    return qs


def apply_sort(queryset: QuerySet[Client], params: DashboardParams) -> QuerySet[Client]:
    expression = SORT_EXPRESSIONS[params.sort_key]
    descending = params.descending != (params.sort_key in REVERSED_SORTS)
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    if params.sort_key == "band":  # worst first within a band too: the lowest score, then the steepest fall
        return queryset.order_by(
            ordered, F("score").asc(nulls_last=True), F("trend").asc(nulls_last=True), "name", "pk"
        )
    return queryset.order_by(ordered, "name", "pk")


def portfolio(user: User, params: DashboardParams) -> QuerySet[Client]:
    """The dashboard's rows: visible, filtered, searched and sorted."""
    return apply_sort(apply_filters(portfolio_base(user), params, user), params)


@dataclass
class FilterOptions:
    practice_groups: list[tuple[int, str]]
    offices: list[tuple[int, str]]
    tiers: list[tuple[int, str]]
    crps: list[tuple[int, str]]
    sectors: list[str]


def filter_options(user: User) -> FilterOptions:
    """Choices for the filter bar, in three queries whatever the firm's size."""
    rows = (
        PracticeGroup.objects.annotate(kind=Value("pg"))
        .values_list("kind", "id", "name")
        .union(
            Office.objects.annotate(kind=Value("office")).values_list("kind", "id", "name"),
            Tier.objects.annotate(kind=Value("tier")).values_list("kind", "id", "name"),
            all=True,
        )
    )
    grouped: dict[str, list[tuple[int, str]]] = {"pg": [], "office": [], "tier": []}
    for kind, pk, name in rows:
        grouped[kind].append((pk, name))
    for choices in grouped.values():
        choices.sort(key=lambda item: item[1])
    crps = list(crp_choices(user, status=ClientStatus.ACTIVE).values_list("id", "full_name"))
    sectors = list(
        visible_clients(user)
        .filter(status=ClientStatus.ACTIVE)
        .exclude(sector="")
        .order_by("sector")
        .values_list("sector", flat=True)
        .distinct()
    )
    return FilterOptions(
        practice_groups=grouped["pg"],
        offices=grouped["office"],
        tiers=grouped["tier"],
        crps=crps,
        sectors=sectors,
    )


def check_choices(params: DashboardParams, options: FilterOptions) -> None:
    """Drop filter ids that name nothing (a deleted tier, a mistyped link), with a notice."""
    checks = [
        ("practice_group", "practice group", options.practice_groups),
        ("office", "office", options.offices),
        ("tier", "tier", options.tiers),
        ("crp", "CRP", options.crps),
    ]
    for attribute, label, choices in checks:
        value = getattr(params, attribute)
        if value is not None and value not in {pk for pk, _ in choices}:
            params.notices.append(f"Ignored the {label} filter: there is no such {label} you can see.")
            setattr(params, attribute, None)
    if params.sector and params.sector not in options.sectors:
        params.notices.append("Ignored the sector filter: no client you can see is in that sector.")
        params.sector = ""


def sparklines(client_ids: list[int], today: datetime.date | None = None) -> dict[int, list[float]]:
    """Each client's last score in each week of the trend window, oldest first."""
    today = today or timezone.localdate()
    points: dict[int, list[float]] = {pk: [] for pk in client_ids}
    weeks_back = RawSQL("(%s::date - health_healthscore.as_of) / 7", [today], output_field=IntegerField())
    rows = (
        HealthScore.objects.filter(
            client_id__in=client_ids,
            score__isnull=False,
            as_of__gte=today - datetime.timedelta(days=TREND_DAYS),
        )
        .annotate(weeks_back=weeks_back)
        .order_by("client_id", "-weeks_back", "-as_of")
        .values_list("client_id", "weeks_back", "score")
        .distinct("client_id", "weeks_back")
    )
    for client_id, _, score in rows:
        points[client_id].append(float(score))  # type: ignore[arg-type]  # score__isnull=False above
    return points


class AttentionRow(Protocol):
    """What attention_reasons reads: a client row annotated by portfolio_base."""

    band: str | None
    trend: Decimal | None
    last_contact: datetime.date | None
    overdue_actions: int
    overdue_review: bool


def days_since(day: datetime.date | None, today: datetime.date | None = None) -> int | None:
    if day is None:
        return None
    return ((today or timezone.localdate()) - day).days


def attention_reasons(row: AttentionRow, today: datetime.date | None = None) -> list[str]:
    """Why this row needs attention, in words, from its annotations."""
    today = today or timezone.localdate()
    reasons = []
    if row.band == Band.RED:
        reasons.append("Red")
    if row.trend is not None and row.trend <= falling_points():
        reasons.append(f"Fell {abs(row.trend):.0f} pts")
    since = days_since(row.last_contact, today)
    if since is None:
        reasons.append("Never contacted")
    elif since > settings.ATTENTION_NO_CONTACT_DAYS:
        reasons.append(f"No contact {since} days")
    if row.overdue_actions >= settings.ATTENTION_OVERDUE_ACTIONS:
        reasons.append(f"{row.overdue_actions} overdue action{'s' if row.overdue_actions != 1 else ''}")
    if row.overdue_review:
        reasons.append("Review overdue")
    return reasons
