"""The CRP signals: who leads which client, and the reasons to review it. The one home of each rule.

Every page, export, API, digest and PDF that shows a CRP's clients, Growth clients, workload,
tenure, rotation review or successor reads them from `crp_signals` below:

- Population: active clients the reader may see, led by the CRP holding the role on the day.
- Growth: a client whose tier is named `GROWTH_TIER` (the programme's most strategic tier).
- Tenure: days as the client's CRP / 365.25; a rotation review is due from
  `settings.CRP_ROTATION_REVIEW_YEARS` years.
- Workload: the sum of the led clients' tier workload weights; overloaded above
  `settings.CRP_OVERLOAD_WEIGHT`; too many Growth clients above `settings.CRP_MAX_GROWTH_CLIENTS`.
- Successor: the client's SAM holding the role on the day.

One query whatever the firm's size: the CRP and SAM assignments held on the day, with their
client and tier, filtered by the access rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.access import visible_clients
from accounts.models import Assignment, AssignmentRole, ClientStatus, User

GROWTH_TIER = "Growth"
DAYS_A_YEAR = 365.25


def is_growth(tier_name: str | None) -> bool:
    return tier_name == GROWTH_TIER


def growth_q(tier_path: str = "tier") -> Q:
    """The Growth rule as a filter, for querysets that count Growth clients in SQL."""
    return Q(**{f"{tier_path}__name": GROWTH_TIER})


def tenure_years(start: datetime.date, on: datetime.date) -> float:
    return (on - start).days / DAYS_A_YEAR


def rotation_review_due(start: datetime.date, on: datetime.date) -> bool:
    return tenure_years(start, on) >= settings.CRP_ROTATION_REVIEW_YEARS


def held_on(day: datetime.date) -> Q:
    """Assignments whose role someone held on `day`."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


@dataclass(frozen=True)
class LedClient:
    client_id: int
    name: str
    tier: str
    weight: Decimal
    crp_since: datetime.date
    tenure_years: float
    successor: str | None

    @property
    def growth(self) -> bool:
        return is_growth(self.tier)

    @property
    def rotation_due(self) -> bool:
        return self.tenure_years >= settings.CRP_ROTATION_REVIEW_YEARS

    @property
    def has_successor(self) -> bool:
        return self.successor is not None

    @property
    def tenure_label(self) -> str:
        return f"{self.tenure_years:.1f}"


@dataclass
class CrpSignals:
    user_id: int
    name: str
    clients: list[LedClient] = field(default_factory=list)

    @property
    def led(self) -> int:
        return len(self.clients)

    @property
    def growth_clients(self) -> int:
        return sum(c.growth for c in self.clients)

    @property
    def workload(self) -> Decimal:
        return sum((c.weight for c in self.clients), Decimal(0))

    @property
    def overloaded(self) -> bool:
        return self.workload > settings.CRP_OVERLOAD_WEIGHT

    @property
    def too_many_growth(self) -> bool:
        return self.growth_clients > settings.CRP_MAX_GROWTH_CLIENTS

    @property
    def rotation_due(self) -> list[LedClient]:
        return [c for c in self.clients if c.rotation_due]

    @property
    def without_successor(self) -> list[LedClient]:
        return [c for c in self.clients if not c.has_successor]

    @property
    def longest_tenure_years(self) -> float:
        return max((c.tenure_years for c in self.clients), default=0.0)

    @property
    def flags(self) -> list[str]:
        """The reasons to review this CRP, in words, for tables and exports."""
        flags = []
        if self.rotation_due:
            flags.append(
                f"Rotation review due on {len(self.rotation_due)} "
                f"client{'s' if len(self.rotation_due) > 1 else ''} "
                f"(longest {self.longest_tenure_years:.1f} years as CRP)"
            )
        if self.without_successor:
            count = len(self.without_successor)
            flags.append(f"No successor on {count} client{'s' if count > 1 else ''}")
        if self.overloaded:
            flags.append(f"Overloaded (workload {self.workload:.1f})")
        if self.too_many_growth:
            flags.append(f"Too many Growth clients ({self.growth_clients})")
        return flags


def thresholds() -> dict[str, int]:
    """The settings the signals judge by, for pages and docs that state them."""
    return {
        "rotation_review_years": settings.CRP_ROTATION_REVIEW_YEARS,
        "overload_weight": settings.CRP_OVERLOAD_WEIGHT,
        "max_growth_clients": settings.CRP_MAX_GROWTH_CLIENTS,
    }


def crp_signals(
    reader: User,
    *,
    on: datetime.date | None = None,
    within: Iterable[int] | None = None,
) -> list[CrpSignals]:
    """Every CRP leading an active client `reader` may see on `on` (today by default), heaviest
    workload first. `within` (client ids) narrows the clients further: a dashboard's filters."""
    on = on or timezone.localdate()
    population = visible_clients(reader).filter(status=ClientStatus.ACTIVE)
    if within is not None:
        population = population.filter(pk__in=list(within))
    rows = (
        Assignment.objects.filter(
            held_on(on),
            client__in=population.values("pk"),
            role__in=[AssignmentRole.CRP, AssignmentRole.SAM],
        )
        .order_by("client__name", "client_id", "role", "start_date")
        .values_list(
            "client_id",
            "role",
            "user_id",
            "user__full_name",
            "start_date",
            "client__name",
            "client__tier__name",
            "client__tier__workload_weight",
        )
    )
    successors: dict[int, str] = {}
    crps: list[tuple] = []
    for row in rows:
        if row[1] == AssignmentRole.SAM:
            successors.setdefault(row[0], row[3])
        else:
            crps.append(row)
    by_partner: dict[int, CrpSignals] = {}
    for client_id, _, user_id, user_name, start, client_name, tier, weight in crps:
        partner = by_partner.setdefault(user_id, CrpSignals(user_id, user_name))
        partner.clients.append(
            LedClient(
                client_id=client_id,
                name=client_name,
                tier=tier,
                weight=weight,
                crp_since=start,
                tenure_years=tenure_years(start, on),
                successor=successors.get(client_id),
            )
        )
    return sorted(by_partner.values(), key=lambda p: (-p.workload, p.name, p.user_id))


def signals_of_clients(signals: list[CrpSignals]) -> dict[int, tuple[CrpSignals, LedClient]]:
    """Each led client's CRP signals, by client id, for pages that list clients."""
    return {led.client_id: (partner, led) for partner in signals for led in partner.clients}


def crp_figures(partner: CrpSignals) -> dict:
    """One CRP's signals as plain values, the shape every API and export gives them."""
    return {
        "user": partner.user_id,
        "name": partner.name,
        "clients": partner.led,
        "growth_clients": partner.growth_clients,
        "workload": partner.workload,
        "overloaded": partner.overloaded,
        "too_many_growth": partner.too_many_growth,
        "rotation_due": [c.client_id for c in partner.rotation_due],
        "without_successor": [c.client_id for c in partner.without_successor],
        "flags": partner.flags,
    }
