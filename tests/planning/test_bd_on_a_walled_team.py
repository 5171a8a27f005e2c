"""One rule for "on the team": a BD person on a confidential client's team sees it everywhere,
and nobody else outside the wall sees it anywhere, not even through figures cached for BD."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Assignment, Role
from planning.calendar import feed_of
from planning.models import PanelAppointment
from tests.factories import AccountPlanFactory, ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol_on_the_wall(confidential_client, carol):
    """Carol (BD) joins Nightjar's team; the client has a panel re-tender soon and an action."""
    Assignment.objects.create(client=confidential_client, user=carol, role="team")
    soon = timezone.localdate() + datetime.timedelta(days=20)
    PanelAppointment.objects.create(client=confidential_client, panel_name="Nightjar legal panel", retender_on=soon)
    plan = AccountPlanFactory(client=confidential_client, year=2026, status="active")
    ActionFactory(plan=plan, owner=carol, description="Brief the Nightjar GC", due_date=soon)
    return confidential_client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def surfaces(user, client, login) -> dict[str, bool]:
    """Whether each page shows the client to `user`."""
    http = login(user)
    token = feed_of(user).token
    return {
        "client page": http.get(reverse("client-detail", args=[client.pk])).status_code == 200,
        "client list": client.name in http.get(reverse("client-list")).content.decode(),
        "my actions": "Nightjar legal panel" in http.get(reverse("my-actions")).content.decode(),
        "calendar": b"Brief the Nightjar GC" in http.get(reverse("calendar-feed", args=[token])).content,
        "dashboard": client.name in http.get(reverse("dashboard")).content.decode(),
        "api client": api(user).get(f"/api/clients/{client.pk}/").status_code == 200,
    }


def test_bd_on_a_confidential_team_sees_the_client_on_every_page(carol_on_the_wall, carol, login):
    assert surfaces(carol, carol_on_the_wall, login) == dict.fromkeys(
        ["client page", "client list", "my actions", "calendar", "dashboard", "api client"], True
    )


def test_bd_on_a_confidential_team_may_edit_it_as_the_team_does(carol_on_the_wall, carol, login):
    response = login(carol).get(reverse("client-edit", args=[carol_on_the_wall.pk]))
    assert response.status_code == 200


def test_bd_taken_off_the_team_sees_it_on_no_page(carol_on_the_wall, carol, login):
    Assignment.objects.filter(client=carol_on_the_wall, user=carol).update(end_date=timezone.localdate())
    assert not any(surfaces(carol, carol_on_the_wall, login).values())


def test_other_bd_never_see_figures_cached_for_a_bd_on_a_walled_team(carol_on_the_wall, carol, login, settings):
    settings.DASHBOARD_CHART_CACHE_SECONDS = 60
    dave = UserFactory(full_name="Dave Bd", role=Role.BD)
    assert carol_on_the_wall.name in login(carol).get(reverse("dashboard")).content.decode()
    login(carol).get(reverse("overview"))
    assert carol_on_the_wall.name not in login(dave).get(reverse("dashboard")).content.decode()
    overview = api(dave).get("/api/dashboard/overview/").json()
    assert overview["clients"] == 0
