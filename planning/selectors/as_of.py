"""Risks, opportunities and the pipeline as they stood on a day, for many clients at once.

A day not yet over reads the rows as they stand; a past day rebuilds them from the audit history
(`core.history`), so a quarter's pack or a back-dated score sees what was open then. Each read
costs one query for any number of clients, plus one to find the clients whose history starts later.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, F

from core.history import AsOf, as_model, history_starts_after, is_past, states_as_of
from planning.choices import OPEN_STAGES
from planning.models import Opportunity, Risk, RiskStatus

ClientIds = Sequence[int] | None


def open_risks_as_of(client_ids: Sequence[int], day: datetime.date) -> AsOf[Risk]:
    """Each client's risks open at the end of `day`, most severe first, with their owners."""
    if is_past(day):
        states = (
            states_as_of(Risk, day, client_id__in=list(client_ids))
            .filter(status=RiskStatus.OPEN)
            .select_related("owner")
        )
        risks = [as_model(Risk, e, owner=e.owner) for e in states]
        starts = history_starts_after(Risk, day, client_ids)
    else:
        risks = list(Risk.objects.filter(client_id__in=client_ids, status=RiskStatus.OPEN).select_related("owner"))
        starts = {}
    risks.sort(key=lambda r: (-r.severity, r.pk))
    found = AsOf[Risk](day=day, history_starts=starts)
    for risk in risks:
        found.rows.setdefault(risk.client_id, []).append(risk)
    return found


def open_opportunities_as_of(client_ids: Sequence[int], day: datetime.date) -> AsOf[Opportunity]:
    """Each client's open pipeline at the end of `day`, largest weighted value first."""
    if is_past(day):
        states = (
            states_as_of(Opportunity, day, client_id__in=list(client_ids))
            .filter(stage__in=OPEN_STAGES)
            .select_related("service_line", "owner")
        )
        opportunities = [as_model(Opportunity, e, service_line=e.service_line, owner=e.owner) for e in states]
        starts = history_starts_after(Opportunity, day, client_ids)
    else:
        opportunities = list(
            Opportunity.objects.filter(client_id__in=client_ids, stage__in=OPEN_STAGES).select_related(
                "service_line", "owner"
            )
        )
        starts = {}
    opportunities.sort(key=lambda o: (-o.weighted_value, o.pk))
    found = AsOf[Opportunity](day=day, history_starts=starts)
    for opportunity in opportunities:
        found.rows.setdefault(opportunity.client_id, []).append(opportunity)
    return found


def severe_open_risk_counts_as_of(client_ids: ClientIds, day: datetime.date, *, min_severity: int) -> dict[int, int]:
    """{client id: open risks with likelihood × impact ≥ `min_severity` at the end of `day`}
    (None: every client); clients with none are left out."""
    if is_past(day):
        which = {} if client_ids is None else {"client_id__in": list(client_ids)}
        rows = states_as_of(Risk, day, **which)
    else:
        rows = Risk.objects.all() if client_ids is None else Risk.objects.filter(client_id__in=client_ids)
    counts = (
        rows.filter(status=RiskStatus.OPEN)
        .alias(severity=F("likelihood") * F("impact"))
        .filter(severity__gte=min_severity)
        .values_list("client_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    return dict(counts)
