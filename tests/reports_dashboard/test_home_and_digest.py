"""Partner home: completing actions in one click, alerts, and the weekly digest email."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from planning.models import Action
from reports.dashboard.digest import digest_send
from reports.dashboard.tasks import send_weekly_digests
from reports.models import DigestDelivery
from tests.factories import AccountPlanFactory, ActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(alice, normal_client):
    return ActionFactory(
        plan=AccountPlanFactory(client=normal_client),
        owner=alice,
        description="Send the board pack",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )


def test_home_lists_my_overdue_action(alice, login, overdue):
    response = login(alice).get(reverse("partner-home"))
    assert [a.pk for a in response.context["summary"].overdue_actions] == [overdue.pk]


def test_one_click_completes_an_overdue_action(alice, login, overdue):
    response = login(alice).post(
        reverse("dashboard-action-complete", args=[overdue.pk]),
        {"version": overdue.version},
        HTTP_HX_REQUEST="true",
    )
    overdue.refresh_from_db()
    assert response.status_code == 200
    assert overdue.status == "done" and overdue.completed_on == timezone.localdate()
    assert "Done" in response.content.decode()


def test_completing_with_a_stale_version_changes_nothing_and_says_so(alice, login, overdue):
    Action.objects.filter(pk=overdue.pk).update(description="Send the revised board pack", version=2)
    response = login(alice).post(
        reverse("dashboard-action-complete", args=[overdue.pk]),
        {"version": 1},
        HTTP_HX_REQUEST="true",
    )
    overdue.refresh_from_db()
    assert overdue.status == "open"
    assert "changed this action" in response.content.decode()


def test_a_read_only_partner_cannot_complete_someone_elses_action(bob, login, overdue):
    response = login(bob).post(reverse("dashboard-action-complete", args=[overdue.pk]), {"version": 1})
    assert response.status_code == 403


def test_marking_an_alert_read_removes_it_from_home(alice, login, normal_client):
    alert = Notification.objects.create(user=alice, title="Harbour went amber")
    http = login(alice)
    http.post(reverse("dashboard-alert-read", args=[alert.pk]))
    assert "Harbour went amber" not in http.get(reverse("partner-home")).content.decode()


def test_someone_elses_alert_is_a_404(bob, alice, login):
    alert = Notification.objects.create(user=alice, title="Private")
    assert login(bob).post(reverse("dashboard-alert-read", args=[alert.pk])).status_code == 404


def test_the_digest_has_html_and_text_parts_with_my_overdue_action(alice, overdue):
    assert digest_send(user_id=alice.pk)
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert "Send the board pack" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Send the board pack" in html


def test_the_digest_goes_once_a_week_however_often_the_task_runs(alice, overdue):
    send_weekly_digests()
    send_weekly_digests()
    assert len([m for m in mail.outbox if m.to == [alice.email]]) == 1
    assert DigestDelivery.objects.filter(user=alice).count() == 1


def test_users_who_switched_the_digest_off_get_no_email(alice, login, overdue):
    login(alice).post(reverse("digest-settings"), {})
    alice.refresh_from_db()
    assert alice.weekly_digest is False
    send_weekly_digests()
    assert not [m for m in mail.outbox if m.to == [alice.email]]


def test_the_digest_is_on_the_beat_schedule(settings):
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "reports.send_weekly_digests" in entries
