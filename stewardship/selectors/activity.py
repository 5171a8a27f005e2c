"""A CRP's own touchpoints with the clients they lead: per client against the contact target, and
their trend (the seeds' earliest disengagement signal is a partner's falling activity).

One query for any number of partners: interactions the partner attended on clients they led on the
day, counted over the trailing year and the last two 90-day windows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from accounts.crp_signals import CrpSignals
from stakeholders.models import Interaction
from stakeholders.selectors import contact_target_per_year

WINDOW_DAYS = 90
YEAR_DAYS = 365


@dataclass(frozen=True)
class Activity:
    clients: int
    year: int  # own touchpoints over the trailing 365 days
    recent: int  # the last 90 days
    before: int  # the 90 days before those

    @property
    def per_client(self) -> float | None:
        return round(self.year / self.clients, 1) if self.clients else None

    @property
    def target(self) -> int:
        return contact_target_per_year()

    @property
    def on_target(self) -> bool:
        return self.per_client is not None and self.per_client >= self.target

    @property
    def change(self) -> float | None:
        """% change of the last 90 days on the 90 before; None without a base."""
        return round((self.recent - self.before) * 100 / self.before, 1) if self.before else None

    @property
    def falling(self) -> bool:
        return self.change is not None and self.change <= -settings.CRP_ACTIVITY_FALL_PERCENT


def own_activity(partners: list[CrpSignals], on: datetime.date) -> dict[int, Activity]:
    """{partner id: Activity} for each CRP in `partners` (from accounts.crp_signals) on `on`."""
    led = {(p.user_id, c.client_id) for p in partners for c in p.clients}
    client_ids = sorted({client_id for _, client_id in led})
    year_ago = on - datetime.timedelta(days=YEAR_DAYS)
    recent_from = on - datetime.timedelta(days=WINDOW_DAYS)
    before_from = on - datetime.timedelta(days=2 * WINDOW_DAYS)
    rows = (
        Interaction.firm_attendees.through.objects.filter(
            user_id__in=[p.user_id for p in partners],
            interaction__client_id__in=client_ids,
            interaction__date__gt=min(year_ago, before_from),
            interaction__date__lte=on,
        )
        .values_list("user_id", "interaction__client_id")
        .annotate(
            year=Count("id", filter=Q(interaction__date__gt=year_ago)),
            recent=Count("id", filter=Q(interaction__date__gt=recent_from)),
            before=Count("id", filter=Q(interaction__date__gt=before_from, interaction__date__lte=recent_from)),
        )
        .order_by()
    )
    sums: dict[int, list[int]] = {p.user_id: [0, 0, 0] for p in partners}
    for user_id, client_id, year, recent, before in rows:
        if (user_id, client_id) in led:
            total = sums[user_id]
            total[0] += year
            total[1] += recent
            total[2] += before
    return {p.user_id: Activity(p.led, *sums[p.user_id]) for p in partners}
