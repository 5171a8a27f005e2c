"""Demo firm: people, practice groups, offices, service lines, key clients, teams and fees."""

from __future__ import annotations

import datetime
from decimal import Decimal
from random import Random

from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.demo_registry import DemoContext, register_seeder
from accounts.models import (
    Assignment,
    Client,
    FeeRecord,
    Office,
    PracticeGroup,
    Role,
    ServiceLine,
    Tier,
    User,
    current_financial_year,
)

DEMO_PASSWORD = "keyline-demo-2026"  # noqa: S105 - printed for the demo on purpose
DOMAIN = "keyline.example"
PRACTICE_GROUPS = ["Corporate", "Disputes", "Finance", "Real Estate", "Tax", "Employment"]
OFFICES = ["London", "Manchester", "Edinburgh", "Dublin", "New York", "Singapore"]
SERVICE_LINES = ["Corporate M&A", "Banking & Finance", "Litigation", "Real Estate", "Tax Advisory",
                 "Employment & Pensions", "Regulatory & Compliance", "Technology & Data"]
SECTORS = ["Financial services", "Energy", "Healthcare", "Technology", "Retail", "Infrastructure",
           "Insurance", "Pharmaceuticals", "Media", "Public sector", "Manufacturing", "Transport"]
COUNTRIES = ["United Kingdom", "United Kingdom", "United Kingdom", "Ireland", "United States",
             "Germany", "France", "Singapore", "Netherlands"]
FIRST = ["Alice", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Isla", "James", "Kavita",
         "Liam", "Maya", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Sam", "Tariq", "Uma", "Victor",
         "Wendy", "Xavier", "Yara", "Zoe", "Aidan", "Bella", "Callum", "Daisy", "Ethan", "Fiona"]
LAST = ["Ashworth", "Bennett", "Chaudhry", "Doyle", "Ellison", "Fraser", "Gallagher", "Hughes", "Iqbal",
        "Jensen", "Kerr", "Lindqvist", "Morgan", "Nakamura", "O'Neill", "Patel", "Quinn", "Rossi",
        "Sinclair", "Thornton", "Underwood", "Vance", "Whitaker", "Young", "Zimmermann", "Abbott"]
NAME_A = ["Northwind", "Blackrock", "Silverline", "Harbour", "Meridian", "Crown", "Atlas", "Beacon",
          "Granite", "Summit", "Oakridge", "Pioneer", "Sterling", "Vantage", "Evergreen", "Albion",
          "Kestrel", "Lumen", "Orion", "Redwood", "Sapphire", "Thames", "Union", "Wessex", "Zenith"]
NAME_B = ["Energy", "Capital", "Health", "Logistics", "Foods", "Pharma", "Telecom", "Insurance",
          "Bank", "Retail", "Motors", "Infrastructure", "Media", "Systems", "Airways", "Water"]
NAME_C = ["plc", "Group", "Holdings", "Ltd", "International", "LLP", "& Co", "SE"]
TIERS = [("Growth", 1, "Invest to grow share of wallet", Decimal("1.50")),
         ("Develop", 2, "Broaden the relationship", Decimal("1.00")),
         ("Maintain", 3, "Protect and retain", Decimal("0.70"))]


def client_names(count: int, rng: Random) -> list[str]:
    """Distinct, believable company names; numbered once the combinations run out."""
    combos = [f"{a} {b} {c}" for a in NAME_A for b in NAME_B for c in NAME_C]
    rng.shuffle(combos)
    names = combos[:count]
    index = 0
    while len(names) < count:
        names.append(f"{combos[index % len(combos)]} {index // len(combos) + 2}")
        index += 1
    return names


def _people(ctx: DemoContext) -> dict[str, list[User]]:
    groups = [PracticeGroup.objects.get_or_create(name=name)[0] for name in PRACTICE_GROUPS]
    offices = [Office.objects.get_or_create(name=name)[0] for name in OFFICES]
    password = make_password(DEMO_PASSWORD)  # hashed once: the same password for every demo user
    specs = [("admin", Role.ADMIN, "Adele Administrator", "Systems administrator")]
    specs += [(f"mp{i}" if i else "mp", Role.MANAGING_PARTNER, name, "Managing partner")
              for i, name in enumerate(["Margaret Hale", "Richard Stone"])]
    specs += [(f"bd{i}" if i else "bd", Role.BD, name, "Business development")
              for i, name in enumerate(["Beatrice Cole", "Dominic Shaw", "Hannah Price", "Omar Reid"])]
    partner_names = [f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}" for i in range(30)]
    specs += [(f"partner{i}" if i else "partner", Role.PARTNER, name, "Partner")
              for i, name in enumerate(partner_names)]
    existing = {u.email: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}
    new = []
    for index, (local, role, name, title) in enumerate(specs):
        email = f"{local}@{DOMAIN}"
        if email not in existing:
            new.append(User(email=email, full_name=name, role=role, job_title=title, password=password,
                            practice_group=groups[index % len(groups)], office=offices[index % len(offices)],
                            is_superuser=role == Role.ADMIN))
    User.objects.bulk_create(new)
    users = list(User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("id"))
    by_role: dict[str, list[User]] = {}
    for user in users:
        by_role.setdefault(user.role, []).append(user)
    return by_role


def _reference_data() -> tuple[list[Tier], list[ServiceLine]]:
    tiers = []
    for name, rank, description, weight in TIERS:
        tier, _ = Tier.objects.get_or_create(
            name=name, defaults={"rank": rank, "description": description, "workload_weight": weight})
        tiers.append(tier)
    lines = [ServiceLine.objects.get_or_create(name=name)[0] for name in SERVICE_LINES]
    return tiers, lines


def _new_clients(ctx: DemoContext, tiers: list[Tier], lines: list[ServiceLine]) -> list[Client]:
    rng = ctx.rng
    names = client_names(ctx.client_count, rng)
    known = set(Client.objects.filter(name__in=names).values_list("name", flat=True))
    clients = []
    for index, name in enumerate(names):
        if name in known:
            continue
        tier = tiers[0] if rng.random() < 0.25 else tiers[1] if rng.random() < 0.6 else tiers[2]
        status = "active" if rng.random() < 0.9 else rng.choice(["dormant", "lost"])
        clients.append(Client(
            name=name, sector=rng.choice(SECTORS), country=rng.choice(COUNTRIES), tier=tier, status=status,
            confidential=index % 17 == 3,
            notes=f"{name} is a {tier.name.lower()}-tier key client. Board relationships are led from "
                  f"the {rng.choice(OFFICES)} office.",
        ))
    return Client.objects.bulk_create(clients, batch_size=2000)


def _teams(ctx: DemoContext, clients: list[Client], partners: list[User]) -> None:
    rng = ctx.rng
    today = datetime.date.today()
    rows = []
    for index, client in enumerate(clients):
        crp = partners[0] if index % 9 == 0 else rng.choice(partners)
        others = [p for p in partners if p != crp]
        years_ago = rng.choice([1, 2, 3, 4, 6, 8]) if index % 5 else 7
        start = today - datetime.timedelta(days=365 * years_ago + rng.randint(0, 200))
        if rng.random() < 0.3:  # a previous CRP, for history
            previous = rng.choice(others)
            rows.append(Assignment(client=client, user=previous, role="crp",
                                   start_date=start - datetime.timedelta(days=365 * 3), end_date=start))
        rows.append(Assignment(client=client, user=crp, role="crp", start_date=start))
        team = rng.sample(others, k=3)
        if rng.random() < 0.75:
            rows.append(Assignment(client=client, user=team[0], role="sam", start_date=start))
        for member in team[1:1 + rng.randint(0, 2)]:
            rows.append(Assignment(client=client, user=member, role="team",
                                   start_date=start + datetime.timedelta(days=rng.randint(0, 300))))
    Assignment.objects.bulk_create(rows, batch_size=5000)


def _fees(ctx: DemoContext, clients: list[Client], lines: list[ServiceLine]) -> None:
    rng = ctx.rng
    last = current_financial_year() - 1
    rows = []
    through = Client.service_lines.through
    links = []
    for client in clients:
        bought = rng.sample(lines, k=rng.randint(1, 5))
        links += [through(client_id=client.pk, serviceline_id=line.pk) for line in bought]
        base = rng.choice([80_000, 150_000, 300_000, 600_000, 1_200_000])
        trend = rng.uniform(-0.25, 0.3)
        for line in bought:
            share = rng.uniform(0.2, 1.0)
            for offset, year in enumerate(range(last - 2, last + 1)):
                amount = base * share * (1 + trend) ** offset * rng.uniform(0.85, 1.15)
                rows.append(FeeRecord(client=client, service_line=line, financial_year=year,
                                      amount=Decimal(round(amount, -2))))
    through.objects.bulk_create(links, batch_size=10000, ignore_conflicts=True)
    FeeRecord.objects.bulk_create(rows, batch_size=10000)


@register_seeder(order=10, name="firm, clients, teams and fees")
def seed_firm(ctx: DemoContext) -> None:
    by_role = _people(ctx)
    tiers, lines = _reference_data()
    clients = _new_clients(ctx, tiers, lines)
    partners = by_role[Role.PARTNER]
    _teams(ctx, clients, partners)
    _fees(ctx, clients, lines)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    ctx.data.update(
        password=DEMO_PASSWORD, users=by_role, tiers=tiers, service_lines=lines,
        new_clients=clients, all_clients=list(Client.objects.order_by("id")),
        logins=[("partner", f"partner@{DOMAIN}"), ("bd", f"bd@{DOMAIN}"),
                ("managing_partner", f"mp@{DOMAIN}"), ("admin", f"admin@{DOMAIN}")],
    )
    ctx.stdout.write(f"  {len(clients)} new clients ({Client.objects.count()} in all)")
