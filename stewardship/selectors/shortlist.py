"""The ranked shortlist of partners who could lead (or succeed on) a key client, with the reason
for each rank.

Candidates are active partners and managing partners who may see the client (accounts.access: a
partner walled off from the client is never offered). Each need the client records is a point of
fit: its sector, its service lines, its languages, its required credentials (held and current), the
persona its plan calls for, and knowing the client already (on its team). Load comes from
accounts.crp_signals: leading the client would push a partner past `CRP_OVERLOAD_WEIGHT` or past
`CRP_MAX_GROWTH_CLIENTS`, which ranks them down with the reason shown; so does leading a client
the firm records as this one's competitor.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from accounts.access import firm_people_for
from accounts.crp_signals import CrpSignals, crp_signals, is_growth
from accounts.models import Assignment, AssignmentRole, Client, Role, User
from planning.models import AccountPlan, PlanStatus
from stewardship.models import CapabilityProfile, ClientNeeds, Credential

OVERLOAD_PENALTY = 3
GROWTH_PENALTY = 2
CONFLICT_PENALTY = 5


@dataclass
class Candidate:
    user: User
    fit: list[str] = field(default_factory=list)  # needs met, in words
    gaps: list[str] = field(default_factory=list)  # needs not met
    warnings: list[str] = field(default_factory=list)  # load and conflicts
    penalty: int = 0
    workload_after: Decimal = Decimal(0)
    growth_after: int = 0
    rank: int = 0

    @property
    def score(self) -> int:
        return len(self.fit) - self.penalty

    @property
    def reason(self) -> str:
        parts = []
        if self.fit:
            parts.append("Fits: " + "; ".join(self.fit))
        if self.gaps:
            parts.append("Missing: " + "; ".join(self.gaps))
        if self.warnings:
            parts.append("Ranked down: " + "; ".join(self.warnings))
        return ". ".join(parts) + "." if parts else "No recorded need to match."


@dataclass
class Shortlist:
    client: Client
    persona: str
    needs: ClientNeeds | None
    candidates: list[Candidate]


def _needs(client: Client) -> ClientNeeds | None:
    return ClientNeeds.objects.filter(client=client).prefetch_related("competitors").first()


def _persona(client: Client) -> str:
    plan = AccountPlan.objects.filter(client=client, status=PlanStatus.ACTIVE).only("persona").first()
    return plan.persona if plan else ""


def _loads(reader: User, on: datetime.date) -> dict[int, CrpSignals]:
    return {p.user_id: p for p in crp_signals(reader, on=on)}


def _judge(
    candidate: Candidate,
    *,
    client: Client,
    profile: CapabilityProfile | None,
    credentials: set[str],
    needs: ClientNeeds | None,
    persona: str,
    on_team: str | None,
    load: CrpSignals | None,
    competitors: dict[int, str],
) -> None:
    sectors = {s.lower() for s in profile.sectors} if profile else set()
    if client.sector:
        (candidate.fit if client.sector.lower() in sectors else candidate.gaps).append(f"sector {client.sector}")
    lines = {sl.name for sl in client.service_lines.all()}
    held_lines = {sl.name for sl in profile.service_lines.all()} if profile else set()
    if lines:
        shared = sorted(lines & held_lines)
        (candidate.fit if shared else candidate.gaps).append(
            f"service lines {', '.join(shared)}" if shared else "no service line of the client's"
        )
    languages = {x.lower() for x in profile.languages} if profile else set()
    for language in needs.languages if needs else []:
        (candidate.fit if language.lower() in languages else candidate.gaps).append(f"speaks {language}")
    for credential in needs.required_credentials if needs else []:
        held = credential.lower() in credentials
        (candidate.fit if held else candidate.gaps).append(f"credential {credential}{'' if held else ' (current)'}")
    if persona:
        strengths = set(profile.persona_strengths) if profile else set()
        label = dict(_persona_labels())[persona]
        (candidate.fit if persona in strengths else candidate.gaps).append(f"persona {label}")
    if on_team:
        candidate.fit.append(f"already on the team ({on_team})")
    weight = client.tier.workload_weight
    candidate.workload_after = (load.workload if load else Decimal(0)) + weight
    candidate.growth_after = (load.growth_clients if load else 0) + (1 if is_growth(client.tier.name) else 0)
    if candidate.workload_after > settings.CRP_OVERLOAD_WEIGHT:
        candidate.penalty += OVERLOAD_PENALTY
        candidate.warnings.append(
            f"overloaded: workload {candidate.workload_after:.1f} with this client, "
            f"above {settings.CRP_OVERLOAD_WEIGHT}"
        )
    if is_growth(client.tier.name) and candidate.growth_after > settings.CRP_MAX_GROWTH_CLIENTS:
        candidate.penalty += GROWTH_PENALTY
        candidate.warnings.append(
            f"{candidate.growth_after} Growth clients with this one, above {settings.CRP_MAX_GROWTH_CLIENTS}"
        )
    led_competitors = sorted(name for c in (load.clients if load else []) if (name := competitors.get(c.client_id)))
    if led_competitors:
        candidate.penalty += CONFLICT_PENALTY
        candidate.warnings.append(f"conflict: leads competitor {', '.join(led_competitors)}")


def _persona_labels() -> list[tuple[str, str]]:
    from planning.choices import Persona

    return list(Persona.choices)


def crp_shortlist(reader: User, client: Client, *, on: datetime.date | None = None, limit: int = 10) -> Shortlist:
    """The partners best placed to lead `client`, best first, excluding its current CRP. `reader`
    must see behind walls (the loads are read as they see them)."""
    on = on or timezone.localdate()
    needs = _needs(client)
    persona = _persona(client)
    competitors = {c.pk: c.name for c in needs.competitors.all()} if needs else {}
    current_crp = set(
        Assignment.objects.filter(client=client, role=AssignmentRole.CRP, end_date__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    team = dict(
        Assignment.objects.filter(client=client, end_date__isnull=True)
        .exclude(role=AssignmentRole.CRP)
        .values_list("user_id", "role")
    )
    people = list(
        firm_people_for(client)
        .filter(role__in=[Role.PARTNER, Role.MANAGING_PARTNER])
        .exclude(pk__in=current_crp)
        .select_related("practice_group", "office")
        .prefetch_related(
            Prefetch("capability", queryset=CapabilityProfile.objects.prefetch_related("service_lines")),
        )
        .order_by("full_name", "pk")
    )
    today = on
    held: dict[int, set[str]] = {}
    for user_id, name, expires in Credential.objects.filter(user__in=people).values_list(
        "user_id", "name", "expires_on"
    ):
        if expires is None or expires > today:
            held.setdefault(user_id, set()).add(name.lower())
    loads = _loads(reader, on)
    client = Client.objects.select_related("tier").prefetch_related("service_lines").get(pk=client.pk)
    roles = dict(AssignmentRole.choices)
    candidates = []
    for person in people:
        candidate = Candidate(user=person)
        _judge(
            candidate,
            client=client,
            profile=getattr(person, "capability", None),
            credentials=held.get(person.pk, set()),
            needs=needs,
            persona=persona,
            on_team=roles[team[person.pk]] if person.pk in team else None,
            load=loads.get(person.pk),
            competitors=competitors,
        )
        candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, c.workload_after, c.user.full_name, c.user.pk))
    for rank, candidate in enumerate(candidates, start=1):
        candidate.rank = rank
    return Shortlist(client=client, persona=persona, needs=needs, candidates=candidates[:limit])
