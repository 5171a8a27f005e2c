"""Demo data: groups of companies (clients sharing a first name join the first of them), source
system keys, and a few open matters with the time their teams recorded."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from accounts.models import Assignment, Client
from core.demo_registry import DemoContext, register_seeder
from feeds.models import ClientKey, Matter, MatterStatus, TimeEntry

MATTER_CLIENTS = 40


@register_seeder(order=15, name="client groups, matters and time")
def seed(ctx: DemoContext) -> None:
    clients = list(Client.objects.order_by("pk").only("pk", "name", "parent_id", "confidential"))
    stems: dict[str, list[Client]] = defaultdict(list)
    for client in clients:
        stems[client.name.split()[0]].append(client)
    for members in stems.values():
        open_members = [c for c in members if not c.confidential]
        if len(members) < 2 or not open_members:
            continue
        parent = open_members[0]  # an open parent: a confidential member shows how the wall holds
        Client.objects.filter(pk__in=[c.pk for c in members if c.pk != parent.pk], parent__isnull=True).update(
            parent=parent
        )
    ClientKey.objects.bulk_create(
        [ClientKey(client_id=c.pk, key=f"C-{1000 + c.pk}") for c in clients], ignore_conflicts=True
    )
    today = timezone.localdate()
    teams = defaultdict(list)
    for client_id, user_id in Assignment.objects.filter(end_date__isnull=True).values_list("client_id", "user_id"):
        teams[client_id].append(user_id)
    for client in clients[:MATTER_CLIENTS]:
        lead = teams[client.pk][0] if teams[client.pk] else None
        for n, name in enumerate(["Advisory retainer", "Transaction support"]):
            matter, _ = Matter.objects.get_or_create(
                number=f"M-{client.pk:05d}-{n + 1}",
                defaults={
                    "client": client,
                    "name": name,
                    "responsible_partner_id": lead,
                    "opened_on": today - datetime.timedelta(days=200 + 90 * n),
                    "status": MatterStatus.OPEN,
                },
            )
            entries = [
                TimeEntry(
                    external_id=f"T-{matter.number}-{user_id}-{week}",
                    matter=matter,
                    timekeeper_id=user_id,
                    worked_on=today - datetime.timedelta(days=7 * week + 3),
                    hours=Decimal(ctx.rng.choice([1, 2, 3, 5, 7])),
                )
                for user_id in teams[client.pk]
                for week in range(0, 40, 6)
            ]
            TimeEntry.objects.bulk_create(entries, ignore_conflicts=True)
