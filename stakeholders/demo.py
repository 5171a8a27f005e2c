"""Demo stakeholder maps: an org chart, firm relationships and a history of touchpoints per client.

Bulk writes only, level by level of each org chart; clients that already have stakeholders are left
alone, so running the seeder twice adds nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from random import Random

import pgtrigger
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from accounts.demo import demo_profile
from accounts.models import Assignment, Client
from core.demo_registry import STORY_DAYS, DemoContext, register_seeder
from stakeholders.models import Interaction, Relationship, Stakeholder

# (title, department, seniority, buying role, index of the manager in this list or None)
ROLES = [
    ("Chief Executive Officer", "Executive", "c_suite", "decision_maker", None),
    ("Chair of the Board", "Board", "board", "decision_maker", None),
    ("Chief Financial Officer", "Finance", "c_suite", "decision_maker", 0),
    ("General Counsel", "Legal", "c_suite", "influencer", 0),
    ("Chief Operating Officer", "Operations", "c_suite", "influencer", 0),
    ("Non-executive Director", "Board", "board", "influencer", 1),
    ("Head of Procurement", "Procurement", "senior", "gatekeeper", 2),
    ("Head of Legal Operations", "Legal", "senior", "champion", 3),
    ("Group Financial Controller", "Finance", "senior", "user", 2),
    ("Head of Strategy", "Strategy", "senior", "champion", 0),
    ("Executive Assistant to the CEO", "Executive", "other", "gatekeeper", 0),
    ("Senior Legal Counsel", "Legal", "middle", "user", 7),
]
SUMMARIES = {
    "meeting": [
        "Quarterly relationship meeting",
        "Discussed the refinancing timetable",
        "Walked through the regulatory change programme",
        "Lunch: priorities for next year",
    ],
    "call": ["Call about the dispute strategy", "Quick call on the board paper", "Catch-up call on fees"],
    "email": ["Sent our briefing on the new rules", "Followed up on the proposal"],
    "event": ["Attended our annual general counsel forum", "Joined the sector breakfast briefing"],
    "client_review": ["Annual client review: feedback on service", "Mid-year service review"],
    "social": ["Dinner after the board offsite", "Hospitality at the rugby"],
}
KINDS = list(SUMMARIES)
# Client-side people: names no partner of the demo firm has.
CLIENT_FIRST = [
    "Adrian",
    "Beatrix",
    "Cormac",
    "Delphine",
    "Edmund",
    "Felicity",
    "Gideon",
    "Harriet",
    "Ingrid",
    "Jasper",
    "Klaus",
    "Leonie",
    "Malcolm",
    "Niamh",
    "Oscar",
    "Penelope",
    "Rupert",
    "Saskia",
    "Tobias",
    "Ursula",
    "Vivienne",
    "Wilfred",
    "Yusuf",
    "Annika",
    "Bernard",
    "Celeste",
]
CLIENT_LAST = [
    "Achebe",
    "Brennan",
    "Castellano",
    "Drummond",
    "Eriksen",
    "Fairbairn",
    "Greenwood",
    "Hartley",
    "Ivanova",
    "Kowalski",
    "Lockhart",
    "Mbeki",
    "Novak",
    "Okafor",
    "Pemberton",
    "Ramsay",
    "Sørensen",
    "Tanaka",
    "Villiers",
    "Whitfield",
    "Yamamoto",
    "Ahlberg",
    "Bhatt",
    "Calloway",
]
HISTORY_DAYS = STORY_DAYS  # touchpoints as far back as the demo's story goes
HISTORY_TRIGGERS = [f"stakeholders.{model}:insert_insert" for model in ("Stakeholder", "Relationship", "Interaction")]
KIND_WEIGHTS = [5, 4, 2, 1, 1, 1]


def _sizes(ctx: DemoContext) -> tuple[int, int]:
    """Most stakeholders per client and days of touchpoints: a rich map for a small firm, lighter at scale."""
    if ctx.client_count <= 500:
        return 12, HISTORY_DAYS
    if ctx.client_count <= 3000:
        return 9, 400
    return 6, 200


def _team_by_client(client_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(client_id__in=client_ids, end_date__isnull=True)
        .order_by("client_id", "role")
        .values_list("client_id", "user_id", "role")
    )
    for client_id, user_id, role in rows:
        team[client_id].append((user_id, role))
    return team


def _stakeholders(clients: list[Client], rng: Random, most: int) -> dict[int, list[Stakeholder]]:
    """Each client's people, inserted one org-chart level at a time so managers exist before reports."""
    people: dict[int, list[Stakeholder]] = {}
    levels: dict[int, list[tuple[Stakeholder, Stakeholder | None]]] = defaultdict(list)
    for client in clients:
        count = rng.randint(max(3, most // 2), most)
        mine: list[Stakeholder] = []
        for index, (title, department, seniority, role, manager) in enumerate(ROLES[:count]):
            person = Stakeholder(
                client_id=client.pk,
                name=f"{rng.choice(CLIENT_FIRST)} {rng.choice(CLIENT_LAST)}",
                job_title=title,
                department=department,
                seniority=seniority,
                buying_role=role,
                attitude=rng.choice([-2, -1, 0, 0, 1, 1, 1, 2, 2]),
                influence=rng.randint(2, 5),
                email=f"person{index}.{client.pk}@client.example",
            )
            if role in ("gatekeeper", "blocker") and rng.random() < 0.3:
                person.attitude = -1
            mine.append(person)
            boss = mine[manager] if manager is not None else None
            levels[_depth(manager)].append((person, boss))
        people[client.pk] = mine
    for depth in sorted(levels):
        for person, boss in levels[depth]:
            person.reports_to_id = boss.pk if boss else None
        Stakeholder.objects.bulk_create([person for person, _ in levels[depth]], batch_size=5000)
    return people


def _depth(manager: int | None) -> int:
    depth = 0
    while manager is not None:
        depth += 1
        manager = ROLES[manager][4]
    return depth


def _relationships(
    people: dict[int, list[Stakeholder]],
    team: dict[int, list[tuple[int, str]]],
    clients: dict[int, Client],
    rng: Random,
) -> None:
    """Who knows whom. A healthy client's senior people are known well (senior coverage follows health)."""
    rows = []
    for client_id, mine in people.items():
        members = team.get(client_id, [])
        if not members:
            continue
        quality = demo_profile(clients[client_id].name).quality
        crp = next((user for user, role in members if role == "crp"), members[0][0])
        for index, person in enumerate(mine):
            senior = person.is_key_person
            knowers = {crp} if index < 2 else set()
            for user, _ in rng.sample(members, k=min(len(members), rng.randint(0, 2))):
                knowers.add(user)
            if senior and not knowers and rng.random() < 0.6:
                knowers.add(rng.choice(members)[0])
            covered = rng.random() < quality + 0.1
            for n, user in enumerate(sorted(knowers, key=lambda u: u != crp)):
                strength = (rng.randint(3, 5) if covered else rng.randint(1, 2)) if senior else rng.randint(2, 5)
                rows.append((person.pk, user, strength, rng.choice([None, 4, 5]), n == 0, "", 1))
    _copy(
        Relationship,
        ["stakeholder_id", "user_id", "strength", "target_strength", "is_primary", "notes", "version"],
        rows,
    )


def _contact_dates(quality: float, earlier: float, quiet: bool, span: int, rng: Random) -> list[int]:
    """Days ago of each touchpoint: a steady rhythm whose pace follows the client's health."""
    days, back = [], rng.randint(100, 200) if quiet else rng.randint(0, 20)
    while back < span:
        days.append(back)
        pace = 2 + 12 * (quality if back < 150 else earlier)  # touchpoints a year
        back += max(3, round(365 / pace * rng.uniform(0.6, 1.4)))
    return days


def _interactions(
    people: dict[int, list[Stakeholder]],
    team: dict[int, list[tuple[int, str]]],
    clients: dict[int, Client],
    rng: Random,
    span: int,
) -> None:
    today = timezone.localdate()
    made, who, met = [], [], []
    for client_id, mine in people.items():
        members = [user for user, _ in team.get(client_id, [])]
        if not members:
            continue
        profile = demo_profile(clients[client_id].name)
        for back in _contact_dates(profile.quality, profile.earlier, profile.quiet, span, rng):
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            # sentiment is a health measure (floor -1, target +1.5): its mean follows the client's health
            quality = profile.quality if back < 150 else profile.earlier
            mood = max(-2, min(2, round(-1 + 2.6 * quality + rng.gauss(0, 0.6))))
            made.append(
                Interaction(
                    client_id=client_id,
                    kind=kind,
                    summary=rng.choice(SUMMARIES[kind]),
                    date=today - datetime.timedelta(days=back),
                    sentiment=mood,
                )
            )
            who.append(rng.sample(members, k=min(len(members), rng.randint(1, 2))))
            met.append(rng.sample(mine, k=min(len(mine), rng.randint(1, 2))))
    Interaction.objects.bulk_create(made, batch_size=10000)
    _copy(
        Interaction.firm_attendees.through,
        ["interaction_id", "user_id"],
        ((i.pk, u) for i, users in zip(made, who, strict=True) for u in users),
    )
    _copy(
        Interaction.stakeholders.through,
        ["interaction_id", "stakeholder_id"],
        ((i.pk, s.pk) for i, persons in zip(made, met, strict=True) for s in persons),
    )


def _copy(model: type[Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL COPY: rows whose ids nobody needs back, an order of magnitude faster than INSERT."""
    names = ", ".join(f'"{column}"' for column in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)


@register_seeder(order=20, name="stakeholders, relationships and interactions")
def seed_stakeholders(ctx: DemoContext) -> None:
    rng = Random(ctx.rng.random())
    mapped = set(Stakeholder.objects.values_list("client_id", flat=True).distinct())
    clients = [
        client for client in ctx.data.get("all_clients") or Client.objects.order_by("id") if client.pk not in mapped
    ]
    if not clients:
        ctx.stdout.write("  stakeholder maps already seeded")
        return
    most_people, span = _sizes(ctx)
    team = _team_by_client([client.pk for client in clients])
    by_id = {client.pk: client for client in clients}
    # Demo rows are not anyone's edits: skipping their audit-history rows makes seeding ~4x faster.
    with pgtrigger.ignore(*HISTORY_TRIGGERS):
        people = _stakeholders(clients, rng, most_people)
        _relationships(people, team, by_id, rng)
        _interactions(people, team, by_id, rng, span)
        # The map was drawn when the story starts, so past quarters' packs read it from the history.
        story_start = timezone.now() - datetime.timedelta(days=STORY_DAYS)
        Stakeholder.objects.filter(client_id__in=by_id).update(created_at=story_start)
    ctx.stdout.write(f"  stakeholder maps for {len(clients)} clients")
