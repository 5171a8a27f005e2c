"""The firm views of CRP stewardship: succession readiness and each practice group's bench, the
persona mix across Growth clients, and the capacity check (are there enough capable, unloaded CRPs
for the Growth clients, by practice group and office, capability read from the profiles)."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.crp_signals import CrpSignals, crp_signals
from accounts.models import Client, Role, User
from planning.choices import Persona
from planning.models import AccountPlan, PlanStatus
from stewardship.choices import GROWTH_PERSONAS, MAINTAIN_PERSONAS, PERSONA_GUIDE, Readiness
from stewardship.models import CapabilityProfile, ClientNeeds, Credential, Succession

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


def _ids(ids: Iterable[int]) -> RawSQL:
    """`ids` as one array parameter for `…__in=`: a firm's thousands of ids cost one parameter, not one each."""
    return RawSQL("SELECT unnest(%s::bigint[])", [sorted(set(ids))])  # nosec B611 - constant SQL


def succession_view(
    reader: User, today: datetime.date | None = None, *, partners: list[CrpSignals] | None = None
) -> SuccessionView:
    """Every led client's successor and readiness; `partners` is `crp_signals(reader, on=today)` when
    the caller has it already."""
    if partners is None:
        partners = crp_signals(reader, on=today or timezone.localdate())
    groups = dict(
        User.objects.filter(pk__in=_ids(p.user_id for p in partners)).values_list("pk", "practice_group__name")
    )
    named = {
        s.client_id: s
        for s in Succession.objects.filter(
            client_id__in=_ids(c.client_id for p in partners for c in p.clients)
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
        AccountPlan.objects.filter(client_id__in=_ids(growth), status=PlanStatus.ACTIVE).values_list(
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
    growth_clients: int = 0  # Growth clients led by this group's (office's) partners
    capable: int = 0  # partners here able to lead at least one of those clients
    capable_unloaded: int = 0  # of them, not overloaded and below the Growth limit
    spare_slots: int = 0  # Growth clients the capable, unloaded partners could still take
    uncovered: list[str] = field(default_factory=list)  # Growth clients no one here but their CRP could take on

    @property
    def enough(self) -> bool:
        return not self.uncovered


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


@dataclass(frozen=True)
class _Need:
    client_id: int
    name: str
    crp_id: int
    sector: str
    service_lines: frozenset[int]
    credentials: frozenset[str]


@dataclass(frozen=True)
class _Ability:
    growth_persona: bool
    sectors: frozenset[str]
    service_lines: frozenset[int]
    credentials: frozenset[str]  # held and current

    def fits(self, need: _Need) -> bool:
        """Able to lead the client: a growth persona, its sector, one of its service lines and every
        credential it requires (current) — the points of fit the shortlist reads."""
        return (
            self.growth_persona
            and (not need.sector or need.sector.lower() in self.sectors)
            and (not need.service_lines or bool(need.service_lines & self.service_lines))
            and need.credentials <= self.credentials
        )


def _growth_needs(partners: dict[int, CrpSignals]) -> list[_Need]:
    led = {c.client_id: (p.user_id, c.name) for p in partners.values() for c in p.clients if c.growth}
    clients = Client.objects.filter(pk__in=_ids(led)).values_list("pk", "sector")
    lines: dict[int, set[int]] = {}
    through = Client.service_lines.through.objects.filter(client_id__in=_ids(led))
    for client_id, line_id in through.values_list("client_id", "serviceline_id"):
        lines.setdefault(client_id, set()).add(line_id)
    required = dict(
        ClientNeeds.objects.filter(client_id__in=_ids(led)).values_list("client_id", "required_credentials")
    )
    return [
        _Need(
            client_id=pk,
            name=led[pk][1],
            crp_id=led[pk][0],
            sector=sector,
            service_lines=frozenset(lines.get(pk, ())),
            credentials=frozenset(x.lower() for x in required.get(pk) or []),
        )
        for pk, sector in clients
    ]


def _abilities(people: list[User], on: datetime.date) -> dict[int, _Ability]:
    ids = _ids(p.pk for p in people)
    profiles = {p.user_id: p for p in CapabilityProfile.objects.filter(user__in=ids)}
    lines: dict[int, set[int]] = {}
    through = CapabilityProfile.service_lines.through.objects.filter(capabilityprofile__user__in=ids)
    for profile_id, line_id in through.values_list("capabilityprofile_id", "serviceline_id"):
        lines.setdefault(profile_id, set()).add(line_id)
    held: dict[int, set[str]] = {}
    for user_id, name, expires in Credential.objects.filter(user__in=ids).values_list("user_id", "name", "expires_on"):
        if expires is None or expires > on:
            held.setdefault(user_id, set()).add(name.lower())
    found = {}
    for person in people:
        profile = profiles.get(person.pk)
        found[person.pk] = _Ability(
            growth_persona=bool(profile and set(profile.persona_strengths) & GROWTH_PERSONAS),
            sectors=frozenset(x.lower() for x in profile.sectors) if profile else frozenset(),
            service_lines=frozenset(lines.get(profile.pk, ())) if profile else frozenset(),
            credentials=frozenset(held.get(person.pk, set())),
        )
    return found


def _fitting(need: _Need, among: set[int], abilities: dict[int, _Ability], by_sector: dict[str, set[int]]) -> set[int]:
    """The people in `among` able to lead `need` (`_Ability.fits`), looking only at those of its sector."""
    pool = among & by_sector.get(need.sector.lower(), set()) if need.sector else among
    return {pk for pk in pool if abilities[pk].fits(need)}


def _capacity_rows(
    people: list[User],
    place: dict[int, str],
    needs: list[_Need],
    abilities: dict[int, _Ability],
    partners: dict[int, CrpSignals],
    limit: int,
) -> list[CapacityRow]:
    rows: dict[str, CapacityRow] = {}
    members: dict[str, list[User]] = {}
    for person in people:
        rows.setdefault(place[person.pk], CapacityRow(place[person.pk]))
        members.setdefault(place[person.pk], []).append(person)
    by_sector: dict[str, set[int]] = {}
    for pk, ability in abilities.items():
        for sector in ability.sectors:
            by_sector.setdefault(sector, set()).add(pk)
    for name, row in rows.items():
        here = [n for n in needs if place.get(n.crp_id) == name]
        row.growth_clients = len(here)
        present = {person.pk for person in members[name]}
        able_here = set().union(*(_fitting(n, present, abilities, by_sector) for n in here))
        unloaded_ids = set()
        for person in members[name]:
            if person.pk not in able_here:
                continue
            load = partners.get(person.pk)
            growth = load.growth_clients if load else 0
            row.capable += 1
            if not (load and load.overloaded) and growth < limit:
                row.capable_unloaded += 1
                row.spare_slots += limit - growth
                unloaded_ids.add(person.pk)
        row.uncovered = sorted(n.name for n in here if not _fitting(n, unloaded_ids, abilities, by_sector) - {n.crp_id})
    return sorted(rows.values(), key=lambda r: r.name)


def capacity_check(
    reader: User, today: datetime.date | None = None, *, partners: list[CrpSignals] | None = None
) -> Capacity:
    """Growth clients against the partners able to lead them, by practice group and by office (the
    group and office of the CRP who leads each client). A partner is able to lead a Growth client
    when their capability profile fits it: a growth persona among their strengths, the client's
    sector, one of its service lines and every credential it requires, held and current. Unloaded
    means below `CRP_OVERLOAD_WEIGHT` and `CRP_MAX_GROWTH_CLIENTS` (accounts.crp_signals); spare
    slots are the Growth clients they could still take under that limit. A group or office is short
    when one of its Growth clients has nobody there but its own CRP able and free to lead it."""
    on = today or timezone.localdate()
    led = {p.user_id: p for p in (crp_signals(reader, on=on) if partners is None else partners)}
    people = list(
        User.objects.filter(is_active=True, role__in=[Role.PARTNER, Role.MANAGING_PARTNER])
        .select_related("practice_group", "office")
        .only("pk", "practice_group__name", "office__name")
        .order_by("pk")
    )
    needs = _growth_needs(led)
    abilities = _abilities(people, on)
    limit = settings.CRP_MAX_GROWTH_CLIENTS
    group_of = {p.pk: p.practice_group.name if p.practice_group else NO_GROUP for p in people}
    office_of = {p.pk: p.office.name if p.office else NO_OFFICE for p in people}
    by_group = _capacity_rows(people, group_of, needs, abilities, led, limit)
    by_office = _capacity_rows(people, office_of, needs, abilities, led, limit)
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


# --- the overview's headline -------------------------------------------------------------------


@dataclass(frozen=True)
class FirmHeadline:
    """The firm figures the stewardship overview states, as counts (the full views have pages of their own)."""

    led_clients: int
    without_ready_successor: int
    growth_clients: int
    capable_unloaded: int
    spare_slots: int
    persona_mismatches: int
    computed_at: datetime.datetime


def _headline_key(today: datetime.date) -> str:
    return f"stewardship:firm-headline:{today}"


def firm_headline(reader: User, today: datetime.date, *, fresh: bool = False) -> FirmHeadline:
    """Succession, capacity and persona counts over every led client.

    In a large firm they take seconds (every CRP's book against every partner's profile), so they are
    kept for STEWARDSHIP_FIGURES_CACHE_SECONDS and refreshed by the scheduled queue before they lapse
    (stewardship.tasks.refresh_firm_headline): no managing partner waits for them. Kept only for readers
    who see every client, who all get the same figures; anyone else gets them computed for themselves."""
    from accounts.access import sees_behind_walls

    seconds = settings.STEWARDSHIP_FIGURES_CACHE_SECONDS
    shared = seconds > 0 and sees_behind_walls(reader)
    headline = cache.get(_headline_key(today)) if shared and not fresh else None
    if headline is None:
        partners = crp_signals(reader, on=today)
        succession = succession_view(reader, today, partners=partners)
        capacity = capacity_check(reader, today, partners=partners)
        headline = FirmHeadline(
            led_clients=len(succession.rows),
            without_ready_successor=len(succession.without_ready_successor),
            growth_clients=capacity.growth_clients,
            capable_unloaded=capacity.capable_unloaded,
            spare_slots=capacity.spare_slots,
            persona_mismatches=len(persona_mix(partners).mismatches),
            computed_at=timezone.now(),
        )
        if shared:
            cache.set(_headline_key(today), headline, seconds + HEADLINE_REFRESH_OVERLAP_SECONDS)
    return headline


HEADLINE_REFRESH_OVERLAP_SECONDS = 30  # kept a little longer than the beat that refreshes it
