"""Demo account plans: an active plan per active client, with its rows. Bulk writes; idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pgtrigger
from django.utils import timezone

from accounts.demo_registry import DemoContext, register_seeder
from accounts.models import Assignment, Client, ClientStatus
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
)

OBJECTIVES = [
    ("Grow fee income across service lines", "short", "Fee income (£k)", 800, 1000),
    ("Broaden senior relationships to the board", "medium", "Board members known", 1, 4),
    (
        "Become a trusted adviser on the client's transformation",
        "long",
        "Strategic mandates won",
        0,
        3,
    ),
    ("Cross-sell a second practice area", "short", "Service lines bought", 2, 3),
    ("Lift the client's satisfaction score", "medium", "Client NPS", 20, 45),
]
ACTIONS = [
    "Invite the general counsel to the spring briefing",
    "Send the regulatory horizon-scanning note",
    "Prepare the QBR pack",
    "Introduce our technology team to the CIO",
    "Agree the secondment plan",
    "Debrief the team on the pricing review",
    "Lunch with the CFO",
    "Share the sector benchmarking report",
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


@register_seeder(order=30, name="account plans")
def seed_plans(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    clients = [
        c
        for c in ctx.data.get("all_clients") or Client.objects.order_by("id")
        if c.status == ClientStatus.ACTIVE
    ]
    planned = set(AccountPlan.objects.filter(year=today.year).values_list("client_id", flat=True))
    clients = [c for c in clients if c.pk not in planned]
    if not clients:
        ctx.stdout.write("  plans already seeded")
        return
    crps = dict(
        Assignment.objects.filter(
            role="crp", end_date__isnull=True, client__in=[c.pk for c in clients]
        ).values_list("client_id", "user_id")
    )
    lines = ctx.data.get("service_lines") or []
    with pgtrigger.ignore("planning.AccountPlan:insert_insert"):
        plans = AccountPlan.objects.bulk_create(
            [
                AccountPlan(
                    client=client,
                    year=today.year,
                    status="active",
                    persona=rng.choice(Persona.values),
                    north_star=f"{client.name} aims to grow in its core markets.",
                    relationship_objectives="First call on strategic matters; board relationships.",
                    value_proposition="Sector depth, one joined-up team and predictable pricing.",
                    last_reviewed=today - datetime.timedelta(days=rng.randint(10, 200)),
                )
                for client in clients
            ],
            batch_size=2000,
        )
    objectives, actions, opportunities, risks, reviews, panels, guidelines = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for plan, client in zip(plans, clients, strict=True):
        owner = crps.get(client.pk)
        for title, horizon, kpi, base, target in rng.sample(OBJECTIVES, 3):
            objectives.append(
                Objective(
                    plan=plan,
                    title=title,
                    horizon=horizon,
                    kpi=kpi,
                    baseline_value=base,
                    target_value=target,
                    current_value=Decimal(base + (target - base) * rng.random()).quantize(1),
                )
            )
        for text in rng.sample(ACTIONS, 5):
            due = today + datetime.timedelta(days=rng.randint(-45, 90))
            done = due < today and rng.random() < 0.5
            actions.append(
                Action(
                    plan=plan,
                    description=text,
                    owner_id=owner,
                    due_date=due,
                    status="done" if done else "open",
                    completed_on=due if done else None,
                )
            )
        for text in rng.sample(OPPORTUNITIES, 2 + rng.randint(0, 2)):
            if lines:
                opportunities.append(
                    Opportunity(
                        client=client,
                        service_line=rng.choice(lines),
                        description=text,
                        owner_id=owner,
                        estimated_fees=Decimal(rng.choice([25, 60, 120, 250, 500]) * 1000),
                        stage=rng.choice(["identified", "qualified", "proposal", "won", "lost"]),
                        probability=rng.choice([10, 25, 40, 60, 80]),
                        origin=rng.choice(["sourced", "influenced"]),
                        expected_close=today + datetime.timedelta(days=rng.randint(-30, 270)),
                    )
                )
        for title, category in rng.sample(RISKS, 2):
            risks.append(
                Risk(
                    client=client,
                    title=title,
                    category=category,
                    owner_id=owner,
                    likelihood=rng.randint(1, 5),
                    impact=rng.randint(1, 5),
                )
            )
        cadence = client.review_cadence_days
        held = today - datetime.timedelta(days=rng.randint(20, cadence + 60))
        reviews.append(
            ClientReview(
                client=client,
                planned_date=held,
                held_date=held,
                notes="Reviewed service delivery and the year's priorities.",
                decisions="Agreed a quarterly steering call.",
            )
        )
        reviews.append(
            ClientReview(client=client, planned_date=held + datetime.timedelta(days=cadence))
        )
        if rng.random() < 0.3:
            panels.append(
                PanelAppointment(
                    client=client,
                    panel_name=f"{client.name} legal panel",
                    appointed_on=today - datetime.timedelta(days=rng.randint(300, 1000)),
                    retender_on=today + datetime.timedelta(days=rng.randint(20, 400)),
                    rate_review_on=today + datetime.timedelta(days=rng.randint(10, 200)),
                )
            )
            guidelines += [
                Guideline(client=client, category=cat, obligation=text) for cat, text in GUIDELINES
            ]
    for model, rows in [
        (Objective, objectives),
        (Action, actions),
        (Opportunity, opportunities),
        (Risk, risks),
        (ClientReview, reviews),
        (PanelAppointment, panels),
        (Guideline, guidelines),
    ]:
        # Demo rows are no one's edits: skipping their insert events halves the writes.
        with pgtrigger.ignore(f"planning.{model.__name__}:insert_insert"):
            model.objects.bulk_create(rows, batch_size=5000)
    ctx.data["plans"] = plans
    ctx.stdout.write(
        f"  {len(plans)} plans, {len(actions)} actions, {len(opportunities)} opportunities"
    )
