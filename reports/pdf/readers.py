"""Everything a report says, read set-based for a list of clients as of a quarter's last day.

A pack of any size costs the same fixed number of queries (about twenty): every read below
filters on `client_id IN (…)` and is grouped in Python.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncQuarter

from accounts.crp_signals import crp_signals, held_on, signals_of_clients
from accounts.models import Assignment, Client, User
from accounts.selectors import fees_for_period
from health.components import describe_components, measure_labels
from health.models import HealthScore, Measure, Scorecard
from health.selectors import latest_scores
from planning.models import AccountPlan, Action, ClientReview, Objective
from planning.selectors.as_of import open_opportunities_as_of, open_risks_as_of
from reports.pdf.data import (
    TREND_QUARTERS,
    ClientData,
    ReportData,
    Score,
)
from reports.pdf.periods import Quarter
from stakeholders.models import STRONG_STRENGTH, Interaction
from stakeholders.selectors.as_of import active_stakeholders_as_of, best_strengths_as_of


def gather(
    client_ids: list[int],
    quarter: Quarter,
    *,
    as_of: datetime.date | None = None,
    reader: User | None = None,
) -> ReportData:
    """Read every figure the reports show for `client_ids` as of the quarter's last day (or
    `as_of`, for the quarter still running)."""
    end, previous_end = as_of or quarter.end, quarter.previous.end
    clients = {c.id: c for c in _clients(client_ids)}
    ordered = [clients[pk] for pk in sorted(clients, key=lambda pk: clients[pk].name.lower())]
    _add_team(clients, end, reader)
    _add_scores(clients, quarter, end)
    _add_fees(clients, end)
    _add_pipeline_and_risks(clients, end)
    _add_plans(clients, end)
    _add_reviews(clients, end)
    _add_stakeholders(clients, end)
    _add_interactions(clients, quarter.start, end, quarter.previous.start, previous_end)
    _add_incidents(clients, end)
    scorecard = _scorecard_used(ordered)
    measures = list(Measure.objects.filter(scorecard=scorecard)) if scorecard else []
    return ReportData(
        quarter=quarter,
        clients=ordered,
        scorecard=scorecard,
        measures=measures,
        as_of=end,
    )


def _clients(client_ids: list[int]) -> list[ClientData]:
    rows = Client.objects.filter(pk__in=client_ids).values(
        "id", "name", "sector", "tier__name", "tier__rank", "confidential", "review_cadence_days"
    )
    return [
        ClientData(
            id=r["id"],
            name=r["name"],
            sector=r["sector"],
            tier=r["tier__name"],
            tier_rank=r["tier__rank"],
            confidential=r["confidential"],
            review_cadence_days=r["review_cadence_days"],
        )
        for r in rows
    ]


def _add_team(clients: dict[int, ClientData], end: datetime.date, reader: User | None) -> None:
    for a in Assignment.objects.filter(held_on(end), client_id__in=clients, role__in=["crp", "sam"]).values(
        "client_id", "role", "user_id", "user__full_name", "start_date"
    ):
        client = clients[a["client_id"]]
        if a["role"] == "crp":
            client.crp, client.crp_id, client.crp_since = (
                a["user__full_name"],
                a["user_id"],
                a["start_date"],
            )
        else:
            client.sam = a["user__full_name"]
    if reader is None:
        return
    # The CRP signals count only active clients the reader may see, so walls never show through.
    for pk, (partner, led) in signals_of_clients(crp_signals(reader, on=end)).items():
        if pk in clients:
            client = clients[pk]
            client.crp_signals_known = True
            client.rotation_due = led.rotation_due
            client.tenure_years = led.tenure_years
            client.has_successor = led.has_successor
            client.overloaded = partner.overloaded
            client.crp_workload = partner.workload


def _score(row: dict) -> Score:
    return Score(
        value=row["score"],
        band=row["band"],
        as_of=row["as_of"],
        coverage=row["coverage"],
        components=row.get("components") or [],
        scorecard_id=row.get("scorecard_id"),
    )


def _latest_scores(client_ids: Iterable[int], day: datetime.date, fields: tuple[str, ...]) -> dict[int, dict]:
    rows = latest_scores(client_ids, day).values(*fields)
    return {row["client_id"]: row for row in rows}


def _add_scores(clients: dict[int, ClientData], quarter: Quarter, end: datetime.date) -> None:
    fields = ("client_id", "score", "band", "as_of", "coverage", "components", "scorecard_id")
    latest = _latest_scores(clients, end, fields)
    labels = measure_labels(row["scorecard_id"] for row in latest.values())
    for pk, row in latest.items():
        clients[pk].score = _score(row)
        clients[pk].score.components = describe_components(clients[pk].score.components, labels, row["scorecard_id"])
    for pk, row in _latest_scores(clients, quarter.previous.end, fields[:-2]).items():
        clients[pk].previous_score = _score(row)
    quarters = quarter.back(TREND_QUARTERS)
    by_client: dict[int, dict[datetime.date, Decimal | None]] = defaultdict(dict)
    rows = (
        HealthScore.objects.filter(client_id__in=clients, as_of__gte=quarters[0].start, as_of__lte=end)
        .annotate(q=TruncQuarter("as_of"))
        .order_by("client_id", "q", "-as_of")
        .distinct("client_id", "q")
        .values("client_id", "q", "score")
    )
    for row in rows:
        by_client[row["client_id"]][row["q"]] = row["score"]
    for pk, client in clients.items():
        points = by_client.get(pk, {})
        client.trend = [(q, _round(points.get(q.start))) for q in quarters]


def _round(value: Decimal | None) -> int | None:
    return None if value is None else int(value.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def _add_fees(clients: dict[int, ClientData], as_of: datetime.date) -> None:
    for pk, fees in fees_for_period(clients, as_of).items():
        clients[pk].fees = fees


def _add_pipeline_and_risks(clients: dict[int, ClientData], end: datetime.date) -> None:
    opportunities = open_opportunities_as_of(list(clients), end)
    risks = open_risks_as_of(list(clients), end)
    for pk, client in clients.items():
        client.opportunities = opportunities.of(pk)
        client.risks = risks.of(pk)
        _note_history_start(client, "opportunities", opportunities.history_starts.get(pk))
        _note_history_start(client, "risks", risks.history_starts.get(pk))


def _add_incidents(clients: dict[int, ClientData], end: datetime.date) -> None:
    """Critical incidents and complaints open at the end of `end` (client listening): one query."""
    from listening.models import Incident, Severity

    rows = (
        Incident.objects.filter(client_id__in=list(clients), severity=Severity.CRITICAL, occurred_on__lte=end)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=end))
        .order_by("occurred_on", "pk")
        .values_list("client_id", "title", "occurred_on")
    )
    for client_id, title, occurred_on in rows:
        clients[client_id].open_critical_incidents.append((title, occurred_on))


def _note_history_start(client: ClientData, kind: str, first_day: datetime.date | None) -> None:
    if first_day is not None:
        client.history_starts[kind] = first_day


def _add_plans(clients: dict[int, ClientData], end: datetime.date) -> None:
    plans = {p.client_id: p for p in AccountPlan.objects.filter(client_id__in=clients, status="active")}
    for pk, plan in plans.items():
        clients[pk].plan = plan
    plan_ids = [p.pk for p in plans.values()]
    by_plan = {p.pk: clients[p.client_id] for p in plans.values()}
    for objective in Objective.objects.filter(plan_id__in=plan_ids):
        by_plan[objective.plan_id].objectives.append(objective)
    counts = (
        Action.objects.filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status="done")))
    )
    for row in counts:
        client = by_plan[row["plan_id"]]
        client.actions_total, client.actions_done = row["total"], row["done"]
    overdue = (
        Action.objects.filter(plan_id__in=plan_ids, status="open", due_date__lt=end)
        .select_related("owner")
        .order_by("due_date", "id")
    )
    for action in overdue:
        by_plan[action.plan_id].overdue_actions.append(action)


def _add_reviews(clients: dict[int, ClientData], end: datetime.date) -> None:
    held = (
        ClientReview.objects.filter(client_id__in=clients, held_date__lte=end)
        .values("client_id")
        .annotate(last=Max("held_date"))
    )
    for row in held:
        clients[row["client_id"]].last_review = row["last"]
    missed = set(
        ClientReview.objects.filter(client_id__in=clients, held_date__isnull=True, planned_date__lt=end).values_list(
            "client_id", flat=True
        )
    )
    for client in clients.values():
        stale = client.last_review is None or (end - client.last_review).days > client.review_cadence_days
        client.review_overdue = client.id in missed or stale


def _add_stakeholders(clients: dict[int, ClientData], end: datetime.date) -> None:
    people = active_stakeholders_as_of(list(clients), end)
    for pk, client in clients.items():
        client.stakeholders = people.of(pk)
        _note_history_start(client, "stakeholders", people.history_starts.get(pk))
    best = best_strengths_as_of(list(clients), end)
    for client in clients.values():
        client.best_strength = {p.pk: best.get(p.pk, 0) for p in client.stakeholders}
        key = [p for p in client.stakeholders if p.is_key_person]
        client.key_people = len(key)
        client.coverage_gaps = [p for p in key if client.best_strength[p.pk] < STRONG_STRENGTH]


def _add_interactions(
    clients: dict[int, ClientData],
    start: datetime.date,
    end: datetime.date,
    previous_start: datetime.date,
    previous_end: datetime.date,
) -> None:
    rows = Interaction.objects.filter(client_id__in=clients, date__gte=previous_start, date__lte=end).values(
        "client_id", "kind", "sentiment", "date"
    )
    sentiment: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        client = clients[row["client_id"]]
        if row["date"] >= start:
            client.interactions += 1
            client.interactions_by_kind[row["kind"]] = client.interactions_by_kind.get(row["kind"], 0) + 1
            sentiment[client.id].append(row["sentiment"])
        elif row["date"] <= previous_end:
            client.previous_interactions += 1
    for pk, values in sentiment.items():
        clients[pk].average_sentiment = sum(values) / len(values)
    # The contact target is a year's touchpoints: count the 12 months to the report's day.
    year = (
        Interaction.objects.filter(client_id__in=clients, date__gt=end - datetime.timedelta(days=365), date__lte=end)
        .values("client_id")
        .annotate(n=Count("id"))
    )
    for row in year:
        clients[row["client_id"]].interactions_last_year = row["n"]


def _scorecard_used(clients: list[ClientData]) -> Scorecard | None:
    ids = Counter(c.score.scorecard_id for c in clients if c.score and c.score.scorecard_id)
    if ids:
        return Scorecard.objects.filter(pk=ids.most_common(1)[0][0]).first()
    return Scorecard.objects.filter(is_current=True).first()
