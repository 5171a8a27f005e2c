"""What the demo already knows about each client, so plan targets and opportunity sizes fit it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from accounts.models import FeeRecord, current_financial_year
from stakeholders.models import SENIOR_LEVELS, Stakeholder


@dataclass
class ClientFacts:
    fees_last: int = 0  # last complete financial year
    fees_so_far: int = 0  # this financial year to date
    lines: int = 0
    seniors: int = 0
    seniors_known: int = 0
    won: int = 0


def client_facts(client_ids: list[int], today: datetime.date) -> dict[int, ClientFacts]:
    facts = {pk: ClientFacts() for pk in client_ids}
    current = current_financial_year(today)
    fees = (
        FeeRecord.objects.filter(client_id__in=client_ids, financial_year__in=[current - 1, current])
        .values("client_id")
        .annotate(
            last=Sum("amount", filter=Q(financial_year=current - 1), default=0),
            so_far=Sum("amount", filter=Q(financial_year=current), default=0),
            lines=Count("service_line", filter=Q(financial_year=current - 1), distinct=True),
        )
    )
    for row in fees:
        fact = facts[row["client_id"]]
        fact.fees_last, fact.fees_so_far, fact.lines = int(row["last"]), int(row["so_far"]), row["lines"]
    seniors = (
        Stakeholder.objects.filter(client_id__in=client_ids, seniority__in=SENIOR_LEVELS)
        .values("client_id")
        .annotate(
            mapped=Count("pk", distinct=True),
            known=Count("pk", filter=Q(relationships__strength__gte=3), distinct=True),
        )
    )
    for row in seniors:
        facts[row["client_id"]].seniors, facts[row["client_id"]].seniors_known = row["mapped"], row["known"]
    return facts
