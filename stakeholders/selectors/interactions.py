"""Interaction timeline, contact frequency and the firm people of a client."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Assignment, Client, User
from feeds.selectors import worked_here_recently
from stakeholders.models import (
    Interaction,
    Relationship,
    Stakeholder,
)
from stakeholders.selectors.people import today_or_local

# --- Timeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineFilters:
    kind: str = ""
    user_id: int | None = None
    stakeholder_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def timeline(client: Client, filters: TimelineFilters = TimelineFilters()) -> QuerySet[Interaction]:
    qs = Interaction.objects.filter(client=client)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.user_id:
        qs = qs.filter(Q(firm_attendees=filters.user_id))
    if filters.stakeholder_id:
        qs = qs.filter(stakeholders=filters.stakeholder_id)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return with_people(qs.order_by("-date", "-id"))


def with_people(qs: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Interactions with `.attendee_list` and `.stakeholder_list` (plain lists: cheap to loop over)."""
    return qs.prefetch_related(
        Prefetch("firm_attendees", queryset=User.objects.only("id", "full_name"), to_attr="attendee_list"),
        Prefetch(
            "stakeholders", queryset=Stakeholder.objects.only("id", "name", "client_id"), to_attr="stakeholder_list"
        ),
    )


def contact_target_per_year() -> int:
    """Touchpoints a year the programme expects with a key client: the one home of the target."""
    return settings.CONTACT_TARGET_PER_YEAR


@dataclass(frozen=True)
class ContactFrequency:
    count: int
    target: int = field(default_factory=contact_target_per_year)

    @property
    def on_target(self) -> bool:
        return self.count >= self.target

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.target)) if self.target else 100


def contact_frequency(client: Client, today: datetime.date | None = None) -> ContactFrequency:
    """Interactions in the trailing 12 months against the contact target."""
    today = today_or_local(today)
    since = today - datetime.timedelta(days=365)
    count = Interaction.objects.filter(client=client, date__gt=since, date__lte=today).count()
    return ContactFrequency(count=count)


def firm_people_of(client: Client, also: User | None = None) -> QuerySet[User]:
    """Firm people on the team, with a relationship there, or who recorded time on the client's matters
    in the last 12 months (plus `also`): the attendee choices.

    EXISTS per person, not joins: joining assignments and relationships multiplied rows (1.4 s on
    a client whose team knows many people, at 5,000 clients)."""
    on_team = Assignment.objects.filter(user=OuterRef("pk"), client=client, end_date__isnull=True)
    knows = Relationship.objects.filter(user=OuterRef("pk"), stakeholder__client=client)
    # Timekeepers of the last 12 months are part of the team for this purpose (not the formal team).
    who = Q(Exists(on_team)) | Q(Exists(knows)) | Q(worked_here_recently(client))
    if also is not None:
        who |= Q(pk=also.pk)
    return User.objects.filter(who, is_active=True).order_by("full_name").only("id", "full_name")
