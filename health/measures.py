"""Raw values of the computed measures, set-based: one aggregate query per measure for many clients.

Each function takes the as-of date and the client ids to compute (None: every client) and
returns {client_id: raw value}; a client absent from the result has no value ("missing").
Dated data (interactions, fees, actions, measurements) is read as of the date; the stakeholder map,
the relationships and the risk register as they stood at the end of that day, rebuilt from their
audit history for a past day (planning's and stakeholders' `as_of` selectors).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum

from accounts.models import FeeRecord, ServiceLine
from accounts.selectors import fee_period
from health.models import Measurement
from planning.models import Action, ActionStatus, ClientReview
from planning.selectors.as_of import severe_open_risk_counts_as_of
from stakeholders.models import Interaction
from stakeholders.selectors import contact_target_per_year
from stakeholders.selectors.as_of import senior_coverage_as_of

RawValues = dict[int, float]
ClientIds = Sequence[int] | None

CONTACT_DAYS = 365
SENTIMENT_DAYS = 180
PLAN_DAYS = 90
ENTERED_DAYS = 365
SENIOR_STRENGTH = 3
HIGH_RISK_SEVERITY = 15


# Past this many ids a batch (a run of ids in order) is filtered by its id range: cheaper to plan,
# and rows of clients outside the batch are simply not read by the caller.
RANGE_FILTER_FROM = 500


def for_clients(queryset: QuerySet, client_ids: ClientIds, field: str = "client_id") -> QuerySet:
    if client_ids is None:
        return queryset
    if len(client_ids) > RANGE_FILTER_FROM:
        return queryset.filter(**{f"{field}__gte": min(client_ids), f"{field}__lte": max(client_ids)})
    return queryset.filter(**{f"{field}__in": list(client_ids)})


def last_complete_financial_year(as_of: datetime.date) -> int:
    return fee_period(as_of).year


def interaction_measures(as_of: datetime.date, client_ids: ClientIds) -> dict[str, RawValues]:
    """Contact frequency (365 days) and mean sentiment (180 days) in one pass over interactions."""
    year_ago = as_of - datetime.timedelta(days=CONTACT_DAYS)
    half_year_ago = as_of - datetime.timedelta(days=SENTIMENT_DAYS)
    rows = (
        for_clients(Interaction.objects, client_ids)
        .filter(date__gt=min(year_ago, half_year_ago), date__lte=as_of)
        .values_list("client_id")
        .annotate(
            n=Count("id", filter=Q(date__gt=year_ago)),
            mean=Avg("sentiment", filter=Q(date__gt=half_year_ago)),
        )
        .order_by()
    )
    contact, mood = {}, {}
    for client_id, n, mean in rows:
        contact[client_id] = float(n)
        if mean is not None:
            mood[client_id] = float(mean)
    return {"contact_frequency": contact, "sentiment": mood}


def senior_coverage(as_of: datetime.date, client_ids: ClientIds) -> RawValues:
    mapped_and_covered = senior_coverage_as_of(client_ids, as_of, min_strength=SENIOR_STRENGTH)
    return {client_id: covered / mapped for client_id, (mapped, covered) in mapped_and_covered.items()}


def fee_measures(as_of: datetime.date, client_ids: ClientIds) -> dict[str, RawValues]:
    """Fee growth and service breadth in one pass over the last two complete years' fees."""
    last = last_complete_financial_year(as_of)
    active_lines = ServiceLine.objects.filter(active=True).count()
    billed_line = Q(financial_year=last, amount__gt=0, service_line__active=True)
    rows = (
        for_clients(FeeRecord.objects, client_ids)
        .filter(financial_year__in=[last - 1, last])
        .values_list("client_id")
        .annotate(
            recent=Sum("amount", filter=Q(financial_year=last), default=0),
            earlier=Sum("amount", filter=Q(financial_year=last - 1), default=0),
            lines=Count("service_line_id", filter=billed_line, distinct=True),
        )
        .order_by()
    )
    growth, breadth = {}, {}
    for client_id, recent, earlier, lines in rows:
        if earlier:
            growth[client_id] = float((recent - earlier) * 100 / earlier)
        if active_lines:
            breadth[client_id] = lines / active_lines
    if active_lines and client_ids is not None:
        # With active service lines to compare with, a client that billed none scores 0.
        breadth = {client_id: breadth.get(client_id, 0.0) for client_id in client_ids}
    return {"fee_growth": growth, "service_breadth": breadth}


def plan_execution(as_of: datetime.date, client_ids: ClientIds) -> RawValues:
    since = as_of - datetime.timedelta(days=PLAN_DAYS)
    done = Q(status=ActionStatus.DONE) & (Q(completed_on__isnull=True) | Q(completed_on__lte=as_of))
    rows = (
        for_clients(Action.objects, client_ids, "plan__client_id")
        .filter(due_date__gt=since, due_date__lte=as_of)
        .exclude(status=ActionStatus.DROPPED)
        .values_list("plan__client_id")
        .annotate(due=Count("id"), done=Count("id", filter=done))
        .order_by()
    )
    return {client_id: done_count / due for client_id, due, done_count in rows if due}


def open_risks(as_of: datetime.date, client_ids: ClientIds) -> RawValues:
    counts = severe_open_risk_counts_as_of(client_ids, as_of, min_severity=HIGH_RISK_SEVERITY)
    return {client_id: float(n) for client_id, n in counts.items()}


def review_rating(as_of: datetime.date, client_ids: ClientIds) -> RawValues:
    """The client's rating at the latest rated review held in the trailing year (QBR outcome)."""
    since = as_of - datetime.timedelta(days=ENTERED_DAYS)
    rows = (
        for_clients(ClientReview.objects.all(), client_ids)
        .filter(rating__isnull=False, held_date__gt=since, held_date__lte=as_of)
        .order_by("client_id", "-held_date", "-pk")
        .distinct("client_id")
        .values_list("client_id", "rating")
    )
    return {client_id: float(rating) for client_id, rating in rows}


def entered(keys: list[str], as_of: datetime.date, client_ids: ClientIds) -> dict[str, RawValues]:
    """Latest entered value per client of each key in the trailing year: one query for all keys."""
    values: dict[str, RawValues] = {key: {} for key in keys}
    if not keys:
        return values
    since = as_of - datetime.timedelta(days=ENTERED_DAYS)
    rows = (
        for_clients(Measurement.objects, client_ids)
        .filter(measure_key__in=keys, measured_on__gt=since, measured_on__lte=as_of)
        .order_by("measure_key", "client_id", "-measured_on")
        .distinct("measure_key", "client_id")
        .values_list("measure_key", "client_id", "value")
    )
    for key, client_id, value in rows:
        values[key][client_id] = float(value)
    return values


# key: value for a client with no rows (a count is 0; an average or ratio of nothing is missing)
COMPUTED: dict[str, float | None] = {
    "contact_frequency": 0.0,
    "senior_coverage": 0.0,  # none mapped counts as 0
    "sentiment": None,
    "fee_growth": None,
    "service_breadth": None,  # missing when the firm has no active service lines
    "plan_execution": None,
    "open_risks": 0.0,
    "review_rating": None,
}


def _single(key: str, function: Callable[[datetime.date, ClientIds], RawValues]) -> Callable:
    return lambda as_of, client_ids: {key: function(as_of, client_ids)}


# One query per group: measures read from the same rows are computed together.
GROUPS: list[tuple[tuple[str, ...], Callable[[datetime.date, ClientIds], dict[str, RawValues]]]] = [
    (("contact_frequency", "sentiment"), interaction_measures),
    (("senior_coverage",), _single("senior_coverage", senior_coverage)),
    (("fee_growth", "service_breadth"), fee_measures),
    (("plan_execution",), _single("plan_execution", plan_execution)),
    (("open_risks",), _single("open_risks", open_risks)),
    (("review_rating",), _single("review_rating", review_rating)),
]


# Measures whose target is a figure other pages show too: it is read from its one home (a setting),
# not from the scorecard, whose editor shows it read-only. {key: (setting name, reader)}
TARGETS_FROM_SETTINGS: dict[str, tuple[str, Callable[[], float]]] = {
    "contact_frequency": ("CONTACT_TARGET_PER_YEAR", contact_target_per_year),
}


def setting_target(key: str) -> Decimal | None:
    """The target of measure `key` when a setting holds it, else None (the scorecard's own)."""
    if key not in TARGETS_FROM_SETTINGS:
        return None
    return Decimal(str(TARGETS_FROM_SETTINGS[key][1]()))


def target_setting_name(key: str) -> str:
    return TARGETS_FROM_SETTINGS[key][0] if key in TARGETS_FROM_SETTINGS else ""


def register(
    keys: tuple[str, ...],
    function: Callable[[datetime.date, ClientIds], dict[str, RawValues]],
    defaults: dict[str, float | None],
) -> None:
    """Extension point for apps above health (client listening's open incidents): a computed group of
    measures, read in one query like the groups above. Called from an AppConfig.ready; idempotent."""
    if any(key in COMPUTED for key in keys):
        return
    COMPUTED.update(defaults)
    GROUPS.append((keys, function))
