"""Demo health data: entered NPS and payment days, a year of back-dated scores, today's alerts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.demo_registry import DemoContext, register_seeder
from health.models import Measurement
from health.services.alerts import alerts_raise
from health.services.recompute import (
    compute_for,
    load_scorecard,
    recompute_batch,
    scored_client_ids,
)

HISTORY_STEP_DAYS = 28
HISTORY_DAYS = 364


@register_seeder(order=50, name="health scores and history")
def seed_health(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    clients = ctx.data.get("all_clients", [])
    rows = []
    for client in clients:
        leaning = rng.random()  # some clients are happy, some are not, consistently
        for back in (300, 160, 30):
            day = today - datetime.timedelta(days=back + rng.randint(0, 20))
            if rng.random() < 0.7:
                nps = min(10, max(0, round(3 + 7 * leaning + rng.uniform(-1.5, 1.5))))
                rows.append(
                    Measurement(
                        client=client,
                        measure_key="client_nps",
                        value=Decimal(nps),
                        measured_on=day,
                        note="Client listening survey",
                    )
                )
            if rng.random() < 0.6:
                days_to_pay = max(15, round(130 - 100 * leaning + rng.uniform(-15, 15)))
                rows.append(
                    Measurement(
                        client=client,
                        measure_key="payment_days",
                        value=Decimal(days_to_pay),
                        measured_on=day,
                        note="Finance system export",
                    )
                )
    Measurement.objects.bulk_create(rows, ignore_conflicts=True)
    loaded = load_scorecard()
    ids = scored_client_ids()
    for back in range(HISTORY_DAYS, 0, -HISTORY_STEP_DAYS):
        recompute_batch(
            loaded=loaded, as_of=today - datetime.timedelta(days=back), client_ids=ids, alert=False
        )
    recompute_batch(loaded=loaded, as_of=today, client_ids=ids, alert=False)
    # Today's alerts appear in the notification list; the demo does not print the emails.
    alerts_raise(results=compute_for(loaded, today, ids), as_of=today, email=False)
    ctx.stdout.write(
        f"  {len(rows)} entered measurements, {len(ids)} clients scored with a year of history"
    )
