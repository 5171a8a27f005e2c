"""Reads of matters and the time recorded on them."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Client, User
from feeds.models import Matter, MatterStatus, TimeEntry

TIMEKEEPER_MONTHS = 12


def open_matters(client: Client) -> QuerySet[Matter]:
    """The client's open matters with their responsible partner and how many timekeepers worked on each."""
    return (
        Matter.objects.filter(client=client, status=MatterStatus.OPEN)
        .select_related("service_line", "responsible_partner")
        .annotate(timekeepers=Count("time_entries__timekeeper", distinct=True))
        .order_by("-opened_on", "number")
    )


def timekeepers_of(client_ids: list[int], as_of: datetime.date | None = None) -> QuerySet[User]:
    """Firm people who recorded time on the clients' matters in the last 12 months, with their hours:
    part of the team for coverage and who-knows-whom, shown as timekeepers, not as the formal team."""
    today = as_of or timezone.localdate()
    since = today - datetime.timedelta(days=365)
    entries = TimeEntry.objects.filter(matter__client_id__in=client_ids, worked_on__gt=since, worked_on__lte=today)
    return (
        User.objects.filter(pk__in=entries.values("timekeeper"))
        .annotate(hours=Sum("time_entries__hours", filter=_entries_filter(client_ids, since, today)))
        .order_by("-hours", "full_name")
    )


def _entries_filter(client_ids: list[int], since: datetime.date, today: datetime.date) -> Q:
    return Q(
        time_entries__matter__client_id__in=client_ids,
        time_entries__worked_on__gt=since,
        time_entries__worked_on__lte=today,
    )


def timekeepers_at(client: Client, as_of: datetime.date | None = None) -> list[User]:
    """The client's timekeepers of the last 12 months (see `timekeepers_of`), each with `knows`: how
    many of the client's stakeholders they have a relationship with (0: time recorded, nobody known)."""
    from stakeholders.models import Relationship

    knows = (
        Relationship.objects.filter(user=OuterRef("pk"), stakeholder__client=client)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(timekeepers_of([client.pk], as_of).annotate(knows=Coalesce(Subquery(knows), 0)))


def clients_worked_for(viewer: User, person: User, as_of: datetime.date | None = None) -> QuerySet[Client]:
    """The clients `viewer` may see on whose matters `person` recorded time in the last 12 months,
    with their hours: who-knows-whom's “worked for”, apart from the relationships recorded."""
    from accounts.access import visible_clients

    today = as_of or timezone.localdate()
    since = today - datetime.timedelta(days=365)
    window = Q(
        matters__time_entries__timekeeper=person,
        matters__time_entries__worked_on__gt=since,
        matters__time_entries__worked_on__lte=today,
    )
    return (
        visible_clients(viewer)
        .filter(window)
        .annotate(hours=Sum("matters__time_entries__hours", filter=window))
        .order_by("-hours", "name")
    )


def worked_here_recently(client: Client, as_of: datetime.date | None = None) -> Exists:
    """EXISTS: the outer firm person (OuterRef "pk") recorded time on the client's matters in the last 12 months."""
    today = as_of or timezone.localdate()
    since = today - datetime.timedelta(days=365)
    return Exists(
        TimeEntry.objects.filter(
            timekeeper=OuterRef("pk"), matter__client=client, worked_on__gt=since, worked_on__lte=today
        )
    )
