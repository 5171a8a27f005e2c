"""The firm views of CRP stewardship: succession readiness and each practice group's bench, the
persona mix across Growth clients, and the capacity check (are there enough capable, unloaded CRPs
for the Growth clients, by practice group and office)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from accounts.crp_signals import CrpSignals, crp_signals
from accounts.models import Role, User
from planning.choices import Persona
from planning.models import AccountPlan, PlanStatus
from stewardship.choices import GROWTH_PERSONAS, MAINTAIN_PERSONAS, PERSONA_GUIDE, Readiness
from stewardship.models import CapabilityProfile, Succession

NO_GROUP = "No practice group"
NO_OFFICE = "No office"


@dataclass
class SuccessionRow:
    client_id: int
    client_name: str
    tier: str
    crp: str
    practice_group: str
    successor: str | None  # named, else the SAM
    readiness: str | None  # a Readiness value, None when not assessed
    development_actions: str = ""

    @property
    def readiness_label(self) -> str:
        return dict(Readiness.choices).get(self.readiness or "", "Not assessed")

    @property
    def ready(self) -> bool:
        return self.readiness == Readiness.READY_NOW


@dataclass
class Bench:
    practice_group: str
    clients: int = 0
    ready_now: int = 0
    within_2_years: int = 0

    @property
    def no_ready_successor(self) -> int:
        return self.clients - self.ready_now


@dataclass
class SuccessionView:
    rows: list[SuccessionRow]
    bench: list[Bench]

    @property
    def without_ready_successor(self) -> list[SuccessionRow]:
        return [r for r in self.rows if not r.ready]


def succession_view(reader: User, today: datetime.date | None = None) -> SuccessionView:
    partners = crp_signals(reader, on=today or timezone.localdate())
    groups = dict(User.objects.filter(pk__in=[p.user_id for p in partners]).values_list("pk", "practice_group__name"))
    named = {
        s.client_id: s
        for s in Succession.objects.filter(
            client_id__in=[c.client_id for p in partners for c in p.clients]
        ).select_related("successor")
    }
    rows: list[SuccessionRow] = []
    benches: dict[str, Bench] = {}
    for p in partners:
        group = groups.get(p.user_id) or NO_GROUP
        bench = benches.setdefault(group, Bench(group))
        for c in p.clients:
            s = named.get(c.client_id)
            row = SuccessionRow(
                client_id=c.client_id,
                client_name=c.name,
                tier=c.tier,
                crp=p.name,
                practice_group=group,
                successor=s.successor.full_name if s else c.successor,
                readiness=s.readiness if s else None,
                development_actions=s.development_actions if s else "",
            )
            rows.append(row)
            bench.clients += 1
            bench.ready_now += row.readiness == Readiness.READY_NOW
            bench.within_2_years += row.readiness == Readiness.WITHIN_2_YEARS
    rows.sort(key=lambda r: (r.ready, r.client_name, r.client_id))
    return SuccessionView(rows=rows, bench=sorted(benches.values(), key=lambda b: b.practice_group))


# --- personas --------------------------------------------------------------------------------


def persona_mismatch(tier: str, persona: str) -> str | None:
    """Why the persona a plan calls for does not suit the client's tier, or None."""
    from accounts.crp_signals import is_growth

    if not persona:
        return None
    label = dict(Persona.choices).get(persona, persona)
    if is_growth(tier) and persona in MAINTAIN_PERSONAS:
        return (
            f"A Growth-tier client whose plan calls for {label} "
            f"({PERSONA_GUIDE[persona].application.lower()}): growth needs a persona that builds the relationship."
        )
    return None


@dataclass
class PersonaMix:
    counts: list[tuple[str, int]]  # (persona label, Growth clients whose active plan calls for it)
    none: int  # Growth clients whose plan names no persona (or without an active plan)
    mismatches: list[tuple[int, str, str]] = field(default_factory=list)  # (client id, name, why)


def persona_mix(partners: list[CrpSignals]) -> PersonaMix:
    growth = {c.client_id: c for p in partners for c in p.clients if c.growth}
    plans = dict(
        AccountPlan.objects.filter(client_id__in=list(growth), status=PlanStatus.ACTIVE).values_list(
            "client_id", "persona"
        )
    )
    labels = dict(Persona.choices)
    counter: Counter[str] = Counter()
    mix = PersonaMix(counts=[], none=0)
    for client_id, led in sorted(growth.items(), key=lambda item: item[1].name):
        persona = plans.get(client_id) or ""
        if not persona:
            mix.none += 1
            continue
        counter[labels.get(persona, persona)] += 1
        why = persona_mismatch(led.tier, persona)
        if why:
            mix.mismatches.append((client_id, led.name, why))
    mix.counts = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return mix


# --- capacity --------------------------------------------------------------------------------


@dataclass
class CapacityRow:
    name: str  # practice group or office
    growth_clients: int = 0
    capable: int = 0  # partners with a growth persona strength
    capable_unloaded: int = 0  # of them, not overloaded and below the Growth limit
    spare_slots: int = 0  # Growth clients the capable, unloaded partners could still take

    @property
    def enough(self) -> bool:
        return self.spare_slots > 0 or self.growth_clients == 0


@dataclass
class Capacity:
    growth_clients: int
    capable: int
    capable_unloaded: int
    spare_slots: int
    by_group: list[CapacityRow]
    by_office: list[CapacityRow]
    max_growth_clients: int
    overload_weight: int


def capacity_check(reader: User, today: datetime.date | None = None) -> Capacity:
    """Growth clients against the partners able to lead them. A partner is capable when their
    profile names a growth persona strength; unloaded when below `CRP_OVERLOAD_WEIGHT` and
    `CRP_MAX_GROWTH_CLIENTS` (accounts.crp_signals); their spare slots are the Growth clients they
    could still take under that limit."""
    partners = {p.user_id: p for p in crp_signals(reader, on=today or timezone.localdate())}
    people = list(
        User.objects.filter(is_active=True, role__in=[Role.PARTNER, Role.MANAGING_PARTNER])
        .select_related("practice_group", "office")
        .only("pk", "practice_group__name", "office__name")
    )
    strengths = dict(CapabilityProfile.objects.values_list("user_id", "persona_strengths"))
    groups: dict[str, CapacityRow] = {}
    offices: dict[str, CapacityRow] = {}
    limit = settings.CRP_MAX_GROWTH_CLIENTS
    for person in people:
        load = partners.get(person.pk)
        group = groups.setdefault(
            person.practice_group.name if person.practice_group else NO_GROUP,
            CapacityRow(person.practice_group.name if person.practice_group else NO_GROUP),
        )
        office = offices.setdefault(
            person.office.name if person.office else NO_OFFICE,
            CapacityRow(person.office.name if person.office else NO_OFFICE),
        )
        growth = load.growth_clients if load else 0
        capable = bool(set(strengths.get(person.pk) or []) & GROWTH_PERSONAS)
        unloaded = capable and not (load and load.overloaded) and growth < limit
        for row in (group, office):
            row.growth_clients += growth
            row.capable += capable
            row.capable_unloaded += unloaded
            row.spare_slots += (limit - growth) if unloaded else 0
    by_group = sorted(groups.values(), key=lambda r: r.name)
    by_office = sorted(offices.values(), key=lambda r: r.name)
    return Capacity(
        growth_clients=sum(r.growth_clients for r in by_group),
        capable=sum(r.capable for r in by_group),
        capable_unloaded=sum(r.capable_unloaded for r in by_group),
        spare_slots=sum(r.spare_slots for r in by_group),
        by_group=by_group,
        by_office=by_office,
        max_growth_clients=limit,
        overload_weight=settings.CRP_OVERLOAD_WEIGHT,
    )
