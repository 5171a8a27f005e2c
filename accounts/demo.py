"""Demo firm: people, practice groups, offices, service lines, key clients, teams and fees.

Over the ~400-line house limit on purpose: the name lists and sector facts read best in one place.
"""

from __future__ import annotations

import datetime
import math
import zlib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from random import Random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

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
from core.demo_registry import DemoContext, register_seeder

DEMO_PASSWORD = "keyline-demo-2026"  # noqa: S105 - printed for the demo on purpose
DOMAIN = "keyline.example"
PRACTICE_GROUPS = ["Corporate", "Disputes", "Finance", "Real Estate", "Tax", "Employment"]
OFFICES = ["London", "Manchester", "Edinburgh", "Dublin", "New York", "Singapore"]
SERVICE_LINES = [
    "Corporate M&A",
    "Banking & Finance",
    "Litigation",
    "Real Estate",
    "Tax Advisory",
    "Employment & Pensions",
    "Regulatory & Compliance",
    "Technology & Data",
]
# sector -> words that make a company's name sound like it belongs there, and its legal suffixes
SECTOR_NAMES = {
    "Financial services": (
        ["Capital", "Bank", "Asset Management", "Investments", "Finance"],
        ["plc", "Group", "Holdings", "& Co", "International"],
    ),
    "Energy": (["Energy", "Power", "Renewables", "Oil & Gas", "Utilities"], ["plc", "Group", "Holdings", "SE"]),
    "Healthcare": (["Health", "Healthcare", "Medical", "Care Homes", "Diagnostics"], ["plc", "Group", "Ltd"]),
    "Technology": (["Systems", "Software", "Data", "Digital", "Networks"], ["plc", "Group", "Ltd", "Inc"]),
    "Retail": (["Retail", "Foods", "Stores", "Fashion", "Home"], ["plc", "Group", "Ltd"]),
    "Infrastructure": (["Infrastructure", "Construction", "Ports", "Developments"], ["plc", "Group", "Holdings"]),
    "Insurance": (["Insurance", "Assurance", "Re", "Mutual", "Underwriting"], ["plc", "Group", "Ltd", "SE"]),
    "Pharmaceuticals": (["Pharma", "Therapeutics", "Biosciences", "Laboratories"], ["plc", "SE", "AG", "Ltd"]),
    "Media": (["Media", "Broadcasting", "Publishing", "Studios"], ["plc", "Group", "Ltd"]),
    "Public sector": (
        ["Borough Council", "Water Authority", "NHS Foundation Trust", "Transport Authority", "University"],
        [""],
    ),
    "Manufacturing": (["Engineering", "Industries", "Materials", "Motors", "Components"], ["plc", "Group", "Ltd"]),
    "Transport": (["Airways", "Logistics", "Rail", "Shipping", "Freight"], ["plc", "Group", "Holdings"]),
}
SECTORS = list(SECTOR_NAMES)
COUNTRIES = [
    "United Kingdom",
    "United Kingdom",
    "United Kingdom",
    "Ireland",
    "United States",
    "Germany",
    "France",
    "Singapore",
    "Netherlands",
]
# Firm people: partners, managing partners and BD. Client-side people take their names from other
# lists (stakeholders.demo), so nobody at a client shares a partner's name.
FIRST = [
    "Alice",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "James",
    "Kavita",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quentin",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Zoe",
    "Aidan",
    "Bella",
    "Callum",
    "Daisy",
    "Ethan",
    "Fiona",
]
LAST = [
    "Ashworth",
    "Bennett",
    "Chaudhry",
    "Doyle",
    "Ellison",
    "Fraser",
    "Gallagher",
    "Hughes",
    "Iqbal",
    "Jensen",
    "Kerr",
    "Lindqvist",
    "Morgan",
    "Nakamura",
    "O'Neill",
    "Patel",
    "Quinn",
    "Rossi",
    "Sinclair",
    "Thornton",
    "Underwood",
    "Vance",
    "Whitaker",
    "Young",
    "Zimmermann",
    "Abbott",
]
NAME_A = [
    "Northwind",
    "Blackmoor",
    "Silverline",
    "Harbour",
    "Meridian",
    "Crown",
    "Atlas",
    "Beacon",
    "Granite",
    "Summit",
    "Oakridge",
    "Pioneer",
    "Sterling",
    "Vantage",
    "Evergreen",
    "Albion",
    "Kestrel",
    "Lumen",
    "Orion",
    "Redwood",
    "Sapphire",
    "Thames",
    "Union",
    "Wessex",
    "Zenith",
]
TIERS = [
    ("Growth", 1, "Invest to grow share of wallet", Decimal("1.50")),
    ("Develop", 2, "Broaden the relationship", Decimal("1.00")),
    ("Maintain", 3, "Protect and retain", Decimal("0.70")),
]


MAX_CLIENTS_PER_CRP = 8
CLIENTS_PER_PARTNER = 4.5  # the demo firm's partners lead about this many key clients each
LONG_SERVING_SHARE = 0.15  # partners who have led some clients for many years
SAM_SHARE = 0.92  # clients with a SAM, the CRP's natural successor


@dataclass(frozen=True)
class DemoProfile:
    """How a demo client is doing, drawn from its name so every seeder (and every run) agrees.

    `quality` (0–1) is roughly the health score / 100 its data is built to show today: drawn 57 %
    green, 35 % amber, 8 % red, so that scored bands land near 55/35/10. `earlier` is its quality
    more than a year ago (a few clients have slipped since); `quiet` clients have had no contact
    for months.
    """

    quality: float
    earlier: float
    quiet: bool


def demo_profile(client_name: str) -> DemoProfile:
    rng = Random(zlib.crc32(client_name.encode()))
    draw = rng.random()
    if draw < 0.57:
        quality = rng.uniform(0.74, 0.96)
    elif draw < 0.92:
        quality = rng.uniform(0.38, 0.58)
    else:
        quality = rng.uniform(0.08, 0.26)
    slipped = rng.random() < 0.08
    earlier = min(0.95, quality + rng.uniform(0.15, 0.3)) if slipped else quality
    return DemoProfile(quality=quality, earlier=earlier, quiet=0.36 <= quality < 0.6 and rng.random() < 0.1)


def client_names(count: int, rng: Random) -> list[tuple[str, str]]:
    """Distinct (name, sector) pairs whose names fit their sector; numbered once a sector's run out.

    The first n pairs are the same whatever `count`, so a bigger demo extends a smaller one.
    """
    pools = {}
    for sector, (words, suffixes) in SECTOR_NAMES.items():
        pool = [f"{a} {word} {suffix}".strip() for a in NAME_A for word in words for suffix in suffixes]
        rng.shuffle(pool)
        pools[sector] = pool
    named = []
    for index in range(count):
        sector = SECTORS[rng.randrange(len(SECTORS))]
        pool = pools[sector]
        named.append((pool.pop() if pool else f"{named[index - 1][0].split(' (')[0]} ({index})", sector))
    return named


def partner_count(client_count: int) -> int:
    return max(30, math.ceil(client_count / CLIENTS_PER_PARTNER))


def _people(ctx: DemoContext) -> dict[str, list[User]]:
    groups = [PracticeGroup.objects.get_or_create(name=name)[0] for name in PRACTICE_GROUPS]
    offices = [Office.objects.get_or_create(name=name)[0] for name in OFFICES]
    password = make_password(DEMO_PASSWORD)  # hashed once: the same password for every demo user
    specs = [("admin", Role.ADMIN, "Adele Administrator", "Systems administrator")]
    specs += [
        (f"mp{i}" if i else "mp", Role.MANAGING_PARTNER, name, "Managing partner")
        for i, name in enumerate(["Margaret Hale", "Richard Stone"])
    ]
    specs += [
        (f"bd{i}" if i else "bd", Role.BD, name, "Business development")
        for i, name in enumerate(["Beatrice Cole", "Dominic Shaw", "Hannah Price", "Omar Reid"])
    ]
    partner_names = [
        f"{FIRST[i % len(FIRST)]} {LAST[(i * 7 + i // len(FIRST)) % len(LAST)]}"
        for i in range(partner_count(ctx.client_count))
    ]
    specs += [
        (f"partner{i}" if i else "partner", Role.PARTNER, name, "Partner") for i, name in enumerate(partner_names)
    ]
    existing = {u.email: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}
    new = []
    for index, (local, role, name, title) in enumerate(specs):
        email = f"{local}@{DOMAIN}"
        if email not in existing:
            new.append(
                User(
                    email=email,
                    full_name=name,
                    role=role,
                    job_title=title,
                    password=password,
                    practice_group=groups[index % len(groups)],
                    office=offices[index % len(offices)],
                    is_superuser=role == Role.ADMIN,
                )
            )
    User.objects.bulk_create(new, batch_size=2000)
    users = list(User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("id"))
    by_role: dict[str, list[User]] = {}
    for user in users:
        by_role.setdefault(user.role, []).append(user)
    return by_role


def _reference_data() -> tuple[list[Tier], list[ServiceLine]]:
    tiers = []
    for name, rank, description, weight in TIERS:
        tier, _ = Tier.objects.get_or_create(
            name=name, defaults={"rank": rank, "description": description, "workload_weight": weight}
        )
        tiers.append(tier)
    lines = [ServiceLine.objects.get_or_create(name=name)[0] for name in SERVICE_LINES]
    return tiers, lines


def _new_clients(ctx: DemoContext, tiers: list[Tier], lines: list[ServiceLine]) -> list[Client]:
    """The firm's key clients up to `client_count`: a second run, or a smaller count, adds none."""
    rng = ctx.rng
    named = client_names(ctx.client_count, rng)
    missing = ctx.client_count - Client.objects.count()
    known = set(Client.objects.filter(name__in=[name for name, _ in named]).values_list("name", flat=True))
    clients = []
    for index, (name, sector) in enumerate(named):
        if name in known or len(clients) >= missing:
            continue
        tier = tiers[0] if rng.random() < 0.25 else tiers[1] if rng.random() < 0.6 else tiers[2]
        status = "active" if rng.random() < 0.9 else rng.choice(["dormant", "lost"])
        clients.append(
            Client(
                name=name,
                sector=sector,
                country=rng.choice(COUNTRIES),
                tier=tier,
                status=status,
                confidential=index % 17 == 3,
                notes=f"{name} is a {tier.name.lower()}-tier key client. Board relationships are led from "
                f"the {rng.choice(OFFICES)} office.",
            )
        )
    return Client.objects.bulk_create(clients, batch_size=2000)


def _crp_slots(clients: list[Client], partners: list[User], rng: Random) -> list[User]:
    """A CRP for each client: each partner leads a few, none more than MAX_CLIENTS_PER_CRP in all."""
    led = Counter(Assignment.objects.filter(role="crp", end_date__isnull=True).values_list("user_id", flat=True))
    slots: list[User] = []
    for partner in partners:
        room = MAX_CLIENTS_PER_CRP - led[partner.pk]
        wanted = rng.choice([2, 3, 4, 4, 5, 5, 5, 6, 6, 7])
        slots += [partner] * max(0, min(room, wanted))
    rng.shuffle(slots)
    if partners and partners[0] in slots:  # the demo partner login leads clients of its own
        slots.insert(0, slots.pop(slots.index(partners[0])))
    spare = [p for p in partners for _ in range(MAX_CLIENTS_PER_CRP - led[p.pk] - slots.count(p))]
    rng.shuffle(spare)
    return (slots + spare)[: len(clients)]


def _tenure_days(long_serving: bool, rng: Random) -> int:
    """Days as CRP: up to 12 years for a long-serving partner, under the rotation review for the rest."""
    years = rng.uniform(1, 12) if long_serving and rng.random() < 0.5 else rng.uniform(0.5, 4.6)
    return round(years * 365.25)


def _teams(ctx: DemoContext, clients: list[Client], partners: list[User]) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    long_serving = {p.pk for index, p in enumerate(partners) if index and rng.random() < LONG_SERVING_SHARE}
    rows = []
    for client, crp in zip(clients, _crp_slots(clients, partners, rng), strict=False):
        others = [p for p in partners if p != crp]
        start = today - datetime.timedelta(days=_tenure_days(crp.pk in long_serving, rng))
        if rng.random() < 0.3:  # a previous CRP, for history
            previous = rng.choice(others)
            rows.append(
                Assignment(
                    client=client,
                    user=previous,
                    role="crp",
                    start_date=start - datetime.timedelta(days=365 * 3),
                    end_date=start,
                )
            )
        rows.append(Assignment(client=client, user=crp, role="crp", start_date=start))
        team = rng.sample(others, k=3)
        if rng.random() < SAM_SHARE:
            rows.append(Assignment(client=client, user=team[0], role="sam", start_date=start))
        for member in team[1 : 1 + rng.randint(0, 2)]:
            rows.append(
                Assignment(
                    client=client,
                    user=member,
                    role="team",
                    start_date=start + datetime.timedelta(days=rng.randint(0, 300)),
                )
            )
    Assignment.objects.bulk_create(rows, batch_size=5000)


def line_count(quality: float, rng: Random) -> int:
    """Service lines a client buys: breadth grows with the relationship's health."""
    return max(1, min(6, round(1 + quality * 3.4 + rng.uniform(-0.6, 0.6))))


def _fees(ctx: DemoContext, clients: list[Client], lines: list[ServiceLine]) -> None:
    """Four complete financial years and the current one so far, growing or shrinking with health."""
    rng = ctx.rng
    current = current_financial_year()
    start = datetime.date(
        current - 1 if settings.FINANCIAL_YEAR_START_MONTH > 1 else current, settings.FINANCIAL_YEAR_START_MONTH, 1
    )
    elapsed = min(1.0, max(0.05, (timezone.localdate() - start).days / 365))
    rows = []
    through = Client.service_lines.through
    links = []
    for client in clients:
        profile = demo_profile(client.name)
        bought = rng.sample(lines, k=line_count(profile.quality, rng))
        links += [through(client_id=client.pk, serviceline_id=line.pk) for line in bought]
        base = rng.choice([80_000, 150_000, 300_000, 600_000, 1_200_000])
        # fee growth is a health measure (floor -20 %, target +10 %): the trend follows the profile
        trend = -0.22 + 0.34 * profile.quality + rng.uniform(-0.03, 0.03)
        for line in bought:
            share = rng.uniform(0.2, 1.0)
            for offset, year in enumerate(range(current - 4, current + 1)):
                amount = base * share * (1 + trend) ** offset * rng.uniform(0.97, 1.03)
                if year == current:
                    amount *= elapsed
                rows.append(
                    FeeRecord(client=client, service_line=line, financial_year=year, amount=Decimal(round(amount, -2)))
                )
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
        password=DEMO_PASSWORD,
        users=by_role,
        tiers=tiers,
        service_lines=lines,
        new_clients=clients,
        all_clients=list(Client.objects.order_by("id")),
        logins=[
            ("partner", f"partner@{DOMAIN}"),
            ("bd", f"bd@{DOMAIN}"),
            ("managing_partner", f"mp@{DOMAIN}"),
            ("admin", f"admin@{DOMAIN}"),
        ],
    )
    ctx.stdout.write(f"  {len(clients)} new clients ({Client.objects.count()} in all)")
