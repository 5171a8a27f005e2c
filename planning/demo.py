"""Demo account plans: last year's and this year's plan per active client, with two years of rows.

Bulk writes; a client that already has this year's plan is left alone, so a second run adds nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from random import Random

import pgtrigger
from django.db import connection
from django.utils import timezone

from accounts.demo import demo_profile
from accounts.models import Assignment, Client, ClientStatus, ServiceLine
from core.demo_registry import DemoContext, register_seeder
from planning.demo_facts import ClientFacts, client_facts
from planning.models import (
    AccountPlan,
    Action,
    ClientReview,
    Guideline,
    Objective,
    Opportunity,
    PanelAppointment,
    Persona,
    Risk,
    RiskCategory,
    RiskStatus,
)

ACTIONS = [
    "Invite the general counsel to the spring briefing",
    "Send the regulatory horizon-scanning note",
    "Prepare the QBR pack",
    "Introduce our technology team to the CIO",
    "Agree the secondment plan",
    "Debrief the team on the pricing review",
    "Lunch with the CFO",
    "Share the sector benchmarking report",
    "Run a lessons-learned session on the last matter",
    "Map the new procurement team",
]
OPPORTUNITIES = [
    "Refinancing of the revolving facility",
    "Data-protection audit",
    "Supply-chain disputes",
    "Restructuring of the European group",
    "Panel re-tender",
    "Pensions de-risking",
]
RISKS = [
    ("Competitor firm courting the GC", RiskCategory.COMPETITOR),
    ("Fee pressure at the rate review", RiskCategory.PRICING),
    ("Key sponsor retiring next year", RiskCategory.RELATIONSHIP),
    ("Client's use of generative AI on our work product", RiskCategory.AI_GOVERNANCE),
    ("New regulator guidance on outsourcing", RiskCategory.REGULATORY),
    ("Ransomware incident at a shared supplier", RiskCategory.CYBERSECURITY),
]
GUIDELINES = [
    ("staffing", "No more than 2 partners at client meetings unless agreed in advance"),
    ("budgeting", "Budget estimate before any matter over £50k"),
    ("billing", "Invoices monthly, itemised by timekeeper, through the e-billing portal"),
]


HIGH_RISK = 15  # likelihood × impact from which a risk counts against health (health.measures)


def _objectives(plan: AccountPlan, facts: ClientFacts, rng: Random) -> list[Objective]:
    """Objectives whose KPIs start from the client's own figures."""
    fees_k = round(facts.fees_last / 1000)
    rows = [
        (
            "Grow fee income across service lines",
            "short",
            "Fee income (£k)",
            fees_k,
            round(fees_k * rng.uniform(1.08, 1.2)),
            round(facts.fees_so_far / 1000),
        ),
        (
            "Cross-sell a further practice area",
            "short",
            "Service lines bought",
            facts.lines,
            facts.lines + 1,
            facts.lines,
        ),
        (
            "Broaden senior relationships to the board",
            "medium",
            "Board and C-suite people known well",
            facts.seniors_known,
            min(facts.seniors, facts.seniors_known + 2),
            facts.seniors_known,
        ),
        ("Become a trusted adviser on the client's transformation", "long", "Strategic mandates won", 0, 3, facts.won),
    ]
    return [
        Objective(
            plan=plan,
            title=title,
            horizon=horizon,
            kpi=kpi,
            baseline_value=base,
            target_value=target,
            current_value=current,
        )
        for title, horizon, kpi, base, target, current in rng.sample(rows, 3)
    ]


def _actions(
    plan: AccountPlan, owner: int | None, quality: float, days: tuple[int, int], today: datetime.date, rng: Random
) -> list[Action]:
    """Actions due across `days` (relative to today); past ones done as often as the client is healthy."""
    rows = []
    for text in rng.sample(ACTIONS, 6):
        due = today + datetime.timedelta(days=rng.randint(*days))
        done = due < today and rng.random() < 0.35 + 0.65 * quality
        # long-missed actions were mostly dropped; last year's plan keeps none open
        dropped = not done and due < today - datetime.timedelta(days=45) and (days[1] < -365 or rng.random() < 0.6)
        rows.append(
            Action(
                plan=plan,
                description=text,
                owner_id=owner,
                due_date=due,
                status="done" if done else "dropped" if dropped else "open",
                completed_on=min(today, due + datetime.timedelta(days=rng.randint(-10, 5))) if done else None,
            )
        )
    return rows


def _opportunities(
    client: Client, facts: ClientFacts, owner: int | None, lines: list, today: datetime.date, rng: Random
) -> list[tuple[Opportunity, datetime.date]]:
    """Opportunities sized against the client's fees: closed ones in the past, open ones ahead."""
    rows = []
    for text in rng.sample(OPPORTUNITIES, 3 + rng.randint(0, 2)):
        stage = rng.choice(["identified", "qualified", "proposal", "won", "won", "lost"])
        closed = stage in ("won", "lost")
        close = today + datetime.timedelta(days=rng.randint(-700, -10) if closed else rng.randint(20, 270))
        size = max(5_000, round(facts.fees_last * rng.uniform(0.05, 0.35) / 5_000) * 5_000)
        probability = {"won": 100, "lost": 0}.get(stage) or rng.choice([10, 25, 40, 60, 80])
        opportunity = Opportunity(
            client=client,
            service_line=rng.choice(lines),
            description=text,
            owner_id=owner,
            estimated_fees=Decimal(size),
            stage=stage,
            probability=probability,
            origin=rng.choice(["sourced", "influenced"]),
            expected_close=close,
        )
        opened = close - datetime.timedelta(days=rng.randint(90, 400))
        rows.append((opportunity, min(opened, today - datetime.timedelta(days=rng.randint(1, 60)))))  # never ahead
    return rows


def _risks(
    client: Client, owner: int | None, quality: float, today: datetime.date, rng: Random
) -> list[tuple[Risk, datetime.date]]:
    """Two or three risks; a client in trouble carries serious ones (open high risks is a health measure)."""
    high = 2 if quality < 0.35 else 1 if quality < 0.55 and rng.random() < 0.5 else 0
    rows = []
    for index, (title, category) in enumerate(rng.sample(RISKS, 3)):
        if index < high:
            likelihood, impact, status = rng.randint(4, 5), rng.randint(4, 5), RiskStatus.OPEN
        else:
            likelihood, impact = rng.randint(1, 3), rng.randint(1, 4)
            status = rng.choice([RiskStatus.OPEN, RiskStatus.OPEN, RiskStatus.MITIGATED, RiskStatus.CLOSED])
        risk = Risk(
            client=client,
            title=title,
            category=category,
            owner_id=owner,
            likelihood=likelihood,
            impact=impact,
            status=status,
        )
        rows.append((risk, today - datetime.timedelta(days=rng.randint(30, 700))))
    return rows


def _reviews(client: Client, quality: float, today: datetime.date, rng: Random) -> list[ClientReview]:
    """Reviews held at the client's cadence for two years; the next one is ahead unless the client is slipping."""
    cadence = client.review_cadence_days
    overdue = quality < 0.35 and rng.random() < 0.5
    next_planned = today + datetime.timedelta(days=-rng.randint(40, 90) if overdue else rng.randint(5, cadence - 5))
    rows = [ClientReview(client=client, planned_date=next_planned)]
    held = next_planned - datetime.timedelta(days=cadence)
    while held > today - datetime.timedelta(days=760):
        rows.append(
            ClientReview(
                client=client,
                planned_date=held,
                held_date=held,
                notes="Reviewed service delivery and the year's priorities.",
                decisions=rng.choice(
                    [
                        "Agreed a quarterly steering call.",
                        "Agreed to second an associate for the spring.",
                        "Agreed a fixed-fee pilot for routine matters.",
                    ]
                ),
            )
        )
        held -= datetime.timedelta(days=cadence)
    return rows


def _backdate(model, created: list[tuple[int, datetime.date]]) -> None:
    """Demo rows were "created" when the story says, not when the seeder ran."""
    if not created:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{model._meta.db_table}" AS t SET created_at = v.day::timestamptz '  # noqa: S608  # nosec B608 - a model's table
            "FROM unnest(%s::bigint[], %s::date[]) AS v(id, day) WHERE t.id = v.id",
            [[pk for pk, _ in created], [day for _, day in created]],
        )


@register_seeder(order=30, name="account plans")
def seed_plans(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    clients = [
        c for c in ctx.data.get("all_clients") or Client.objects.order_by("id") if c.status == ClientStatus.ACTIVE
    ]
    planned = set(AccountPlan.objects.filter(year=today.year).values_list("client_id", flat=True))
    clients = [c for c in clients if c.pk not in planned]
    if not clients:
        ctx.stdout.write("  plans already seeded")
        return
    ids = [c.pk for c in clients]
    crps = dict(
        Assignment.objects.filter(role="crp", end_date__isnull=True, client__in=ids).values_list("client_id", "user_id")
    )
    facts = client_facts(ids, today)
    lines = ctx.data.get("service_lines") or list(ServiceLine.objects.all())
    with pgtrigger.ignore("planning.AccountPlan:insert_insert"):
        plans = AccountPlan.objects.bulk_create(
            [
                AccountPlan(
                    client=client,
                    year=year,
                    status="active" if year == today.year else "archived",
                    persona=rng.choice(Persona.values),
                    north_star=f"{client.name} aims to grow in its core markets.",
                    relationship_objectives="First call on strategic matters; board relationships.",
                    value_proposition="Sector depth, one joined-up team and predictable pricing.",
                    last_reviewed=today - datetime.timedelta(days=rng.randint(10, 120) + 365 * (today.year - year)),
                )
                for client in clients
                for year in (today.year - 1, today.year)
            ],
            batch_size=2000,
        )
    rows: dict[type, list] = {model: [] for model in (Objective, Action, ClientReview, PanelAppointment, Guideline)}
    dated: dict[type, list] = {Opportunity: [], Risk: []}
    for index, client in enumerate(clients):
        earlier_plan, plan = plans[2 * index], plans[2 * index + 1]
        owner, quality = crps.get(client.pk), demo_profile(client.name).quality
        if lines:
            mine = _opportunities(client, facts[client.pk], owner, lines, today, rng)
            facts[client.pk].won = sum(
                1 for row, _ in mine if row.stage == "won" and row.expected_close.year == today.year
            )
            dated[Opportunity] += mine
        rows[Objective] += _objectives(plan, facts[client.pk], rng)
        rows[Action] += _actions(earlier_plan, owner, min(1.0, quality + 0.2), (-700, -370), today, rng)
        rows[Action] += _actions(plan, owner, quality, (-150, 120), today, rng)
        dated[Risk] += _risks(client, owner, quality, today, rng)
        rows[ClientReview] += _reviews(client, quality, today, rng)
        if rng.random() < 0.3:
            rows[PanelAppointment].append(
                PanelAppointment(
                    client=client,
                    panel_name=f"{client.name} legal panel",
                    appointed_on=today - datetime.timedelta(days=rng.randint(300, 1000)),
                    retender_on=today + datetime.timedelta(days=rng.randint(20, 400)),
                    rate_review_on=today + datetime.timedelta(days=rng.randint(10, 200)),
                )
            )
            rows[Guideline] += [Guideline(client=client, category=cat, obligation=text) for cat, text in GUIDELINES]
    for model, made in [*rows.items(), *((model, [row for row, _ in pairs]) for model, pairs in dated.items())]:
        # Demo rows are no one's edits: skipping their insert events halves the writes.
        with pgtrigger.ignore(f"planning.{model.__name__}:insert_insert"):
            model.objects.bulk_create(made, batch_size=5000)
    for model, pairs in dated.items():
        _backdate(model, [(row.pk, day) for row, day in pairs])
    ctx.data["plans"] = plans
    ctx.stdout.write(f"  {len(plans)} plans, {len(rows[Action])} actions, {len(dated[Opportunity])} opportunities")
