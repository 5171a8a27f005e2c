"""Titles, alerts and digests are read through the wall when shown, not when they were made:
after a partner leaves a confidential client's team, no list they read names the client."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Assignment, Notification
from health.formula import ScoreResult
from health.services.alerts import alerts_raise
from reports.dashboard.digest import digest_send
from reports.pdf import services
from tests.factories import HealthScoreFactory

pytestmark = pytest.mark.django_db

HIDDEN = "Nightjar"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def alice_heard_of_nightjar(confidential_client, alice, scorecard, django_capture_on_commit_callbacks):
    """Alice, on Nightjar's team as its SAM, got a health alert and an account review of it."""
    Assignment.objects.filter(client=confidential_client, user=alice).update(role="sam")
    today = timezone.localdate()
    HealthScoreFactory(
        client=confidential_client,
        scorecard=scorecard,
        score=Decimal("80"),
        band="green",
        as_of=today - datetime.timedelta(days=10),
    )
    fell = ScoreResult(score=39.0, band="red", coverage=1.0, components=[])
    assert alerts_raise(results={confidential_client.pk: fell}, as_of=today, email=False) >= 1
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(
            actor=alice,
            kind="account_review",
            scope={"type": "client", "id": confidential_client.pk},
            quarter="2026-Q3",
        )
    Notification.objects.create(user=alice, title="Scorecard v2 is in force")
    return confidential_client


def what_alice_reads(alice, login) -> dict[str, str]:
    http = login(alice)
    mail.outbox.clear()
    alice.refresh_from_db()
    from reports.models import DigestDelivery

    DigestDelivery.objects.filter(user=alice).delete()
    digest_send(user_id=alice.pk)
    email = mail.outbox[-1]
    return {
        "home": http.get(reverse("partner-home")).content.decode(),
        "notifications": http.get(reverse("notification-list")).content.decode(),
        "reports": http.get(reverse("report-list")).content.decode(),
        "api reports": api(alice).get("/api/reports/").content.decode(),
        "api home": api(alice).get("/api/dashboard/home/").content.decode(),
        "digest": email.body + str(email.alternatives[0].content) + email.subject,
    }


def leave_team(alice, client):
    Assignment.objects.filter(client=client, user=alice).update(end_date=timezone.localdate())


def test_on_the_team_every_list_names_the_client(alice_heard_of_nightjar, alice, login):
    shown = what_alice_reads(alice, login)
    assert {name for name, text in shown.items() if HIDDEN in text} == set(shown)


def test_after_leaving_the_team_no_list_names_the_client(alice_heard_of_nightjar, alice, login):
    leave_team(alice, alice_heard_of_nightjar)
    shown = what_alice_reads(alice, login)
    assert {name for name, text in shown.items() if HIDDEN in text} == set()
    assert "Scorecard v2 is in force" in shown["notifications"]


def test_unread_counts_cover_only_what_the_reader_may_see(alice_heard_of_nightjar, alice, login):
    leave_team(alice, alice_heard_of_nightjar)
    page = login(alice).get(reverse("notification-list")).content.decode()
    assert 'aria-label="1 unread"' in page


def test_an_alert_about_a_client_now_hidden_cannot_be_opened_or_marked(alice_heard_of_nightjar, alice, login):
    alert = Notification.objects.get(user=alice, client=alice_heard_of_nightjar, title__contains="fell")
    leave_team(alice, alice_heard_of_nightjar)
    assert login(alice).post(reverse("dashboard-alert-read", args=[alert.pk])).status_code == 404


def test_a_report_ready_notice_is_linked_to_the_client_it_names(alice_heard_of_nightjar, alice):
    notice = Notification.objects.get(user=alice, title__startswith="Your report is ready")
    assert notice.client_id == alice_heard_of_nightjar.pk
