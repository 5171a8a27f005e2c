"""The iCalendar feed: secret token, no login, the person's open actions only."""

import icalendar
import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from planning.calendar import feed_of
from tests.factories import AccountPlanFactory, ActionFactory

pytestmark = pytest.mark.django_db


def fetch(token: str):
    return HttpClient().get(reverse("calendar-feed", args=[token]))


def test_feed_parses_and_holds_only_the_users_open_actions(plan, alice, bob):
    mine = ActionFactory(plan=plan, owner=alice, description="Prepare the QBR pack")
    ActionFactory(plan=plan, owner=alice, description="Already done", status="done")
    ActionFactory(plan=plan, owner=bob, description="Bob's action")
    response = fetch(feed_of(alice).token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [f"{plan.client.name}: Prepare the QBR pack"]
    assert events[0].decoded("DTSTART") == mine.due_date


def test_feed_works_without_a_session_login(plan, alice):
    ActionFactory(plan=plan, owner=alice)
    response = fetch(feed_of(alice).token)
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.content


def test_an_unknown_token_is_404(alice):
    assert fetch("not-a-real-token").status_code == 404


def test_regenerating_the_token_kills_the_old_url(alice, login):
    old = feed_of(alice).token
    login(alice).post(reverse("calendar-regenerate"))
    assert fetch(old).status_code == 404
    assert fetch(feed_of(alice).token).status_code == 200


def test_feed_leaves_out_actions_on_clients_the_user_can_no_longer_see(confidential_client, bob):
    walled = AccountPlanFactory(client=confidential_client)
    ActionFactory(plan=walled, owner=bob)
    calendar = icalendar.Calendar.from_ical(fetch(feed_of(bob).token).content)
    assert calendar.walk("VEVENT") == []
