"""The iCalendar feed of a person's open actions and the client reviews they attend, behind a secret,
regenerable token."""

from __future__ import annotations

import datetime
import secrets

import icalendar
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from planning import selectors
from planning.models import CalendarFeed


def feed_of(user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed


def feed_regenerate(*, user: User) -> CalendarFeed:
    """A new token; the old URL stops working at once."""
    feed, _ = CalendarFeed.objects.update_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed


def user_for_token(token: str) -> User | None:
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return feed.user if feed else None


def ical_for(user: User) -> bytes:
    """One all-day event per open action, on its due date."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Keyline//Account plan actions//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Keyline actions - {user.full_name}")
    stamp = timezone.now()
    host = (settings.ALLOWED_HOSTS or ["keyline"])[0].lstrip(".") or "keyline"
    for action in selectors.my_actions(user=user):
        event = icalendar.Event()
        event.add("uid", f"action-{action.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", action.due_date)
        event.add("dtend", action.due_date + datetime.timedelta(days=1))
        event.add("summary", f"{action.plan.client.name}: {action.description}")
        event.add(
            "description",
            f"Account plan {action.plan.year} action"
            + (f" (objective: {action.objective.title})" if action.objective else ""),
        )
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    for review in selectors.my_planned_reviews(user=user):
        event = icalendar.Event()
        event.add("uid", f"review-{review.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", review.planned_date)
        event.add("dtend", review.planned_date + datetime.timedelta(days=1))
        event.add("summary", f"{review.client.name}: client review")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
