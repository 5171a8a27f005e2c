"""Demo health data: two years of entered NPS and payment days, back-dated scores, today's alerts.

Only clients without scores are seeded, so a second run adds nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from random import Random

from django.utils import timezone

from accounts.demo import demo_profile
from accounts.models import Client
from core.demo_registry import DemoContext, register_seeder
from health.models import HealthScore, Measurement
from health.services.alerts import alerts_raise
from health.services.recompute import (
    compute_for,
    load_scorecard,
    recompute_batch,
    scored_client_ids,
)

HISTORY_STEP_DAYS = 28
HISTORY_DAYS = 756  # 27 steps of four weeks: a little over two years, so every quarter's pack has scores
SURVEY_DAYS_AGO = (700, 520, 340, 160, 30)  # client listening surveys and finance exports


def _measurements(clients: list[Client], rng: Random) -> list[Measurement]:
    """NPS and payment days that agree with how each client is doing (both are health measures)."""
    today = timezone.localdate()
    rows = []
    for client in clients:
        profile = demo_profile(client.name)
        for back in SURVEY_DAYS_AGO:
            quality = profile.quality if back < 150 else profile.earlier
            day = today - datetime.timedelta(days=back + rng.randint(0, 20))
            if rng.random() < 0.75:
                nps = min(10, max(0, round(5 + 5 * quality + rng.uniform(-1, 1))))
                rows.append(
                    Measurement(
                        client=client,
                        measure_key="client_nps",
                        value=Decimal(nps),
                        measured_on=day,
                        note="Client listening survey",
                    )
                )
            if rng.random() < 0.7:
                days_to_pay = max(15, round(125 - 95 * quality + rng.uniform(-10, 10)))
                rows.append(
                    Measurement(
                        client=client,
                        measure_key="payment_days",
                        value=Decimal(days_to_pay),
                        measured_on=day,
                        note="Finance system export",
                    )
                )
    return rows


@register_seeder(order=50, name="health scores and history")
def seed_health(ctx: DemoContext) -> None:
    today = timezone.localdate()
    clients = ctx.data.get("all_clients") or list(Client.objects.order_by("id"))
    measured = set(Measurement.objects.values_list("client_id", flat=True).distinct())
    rows = _measurements([client for client in clients if client.pk not in measured], Random(ctx.rng.random()))
    Measurement.objects.bulk_create(rows, ignore_conflicts=True, batch_size=10000)
    scored = set(HealthScore.objects.values_list("client_id", flat=True).distinct())
    ids = [pk for pk in scored_client_ids() if pk not in scored]
    if not ids:
        ctx.stdout.write(f"  {len(rows)} entered measurements; every client already scored")
        return
    loaded = load_scorecard()
    for back in range(HISTORY_DAYS, 0, -HISTORY_STEP_DAYS):
        recompute_batch(loaded=loaded, as_of=today - datetime.timedelta(days=back), client_ids=ids, alert=False)
    recompute_batch(loaded=loaded, as_of=today, client_ids=ids, alert=False)
    # Today's alerts appear in the notification list; the demo does not print the emails.
    alerts_raise(results=compute_for(loaded, today, ids), as_of=today, email=False)
    ctx.stdout.write(f"  {len(rows)} entered measurements, {len(ids)} clients scored with two years of history")
