"""After a partner logs an interaction, every figure on the client's pages that depends on
interactions is current on the next page load, and the health score is recomputed by its queued
task (run at once here: Celery is eager in tests), the panel saying when it was last computed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from health.models import HealthScore, PendingRecompute
from tests.factories import RelationshipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ceo(normal_client, alice):
    person = StakeholderFactory(client=normal_client, name="Clara Chief", seniority="c_suite")
    RelationshipFactory(stakeholder=person, user=alice, strength=3)  # typed strong, never met: stale
    return person


def log_meeting(http, client, alice, ceo) -> None:
    response = http.post(
        reverse("interaction-log", args=[client.pk]),
        {
            "log-date": timezone.localdate().isoformat(),
            "log-kind": "meeting",
            "log-firm_attendees": [alice.pk],
            "log-stakeholders": [ceo.pk],
            "log-sentiment": "1",
            "log-summary": "Meeting about the regulatory review",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200


def matrix_cell(http, client) -> str:
    html = http.get(reverse("stakeholder-matrix", args=[client.pk])).content.decode()
    return re.search(r'<td class="str-3">(.*?)</td>', html, re.S).group(1)


def test_the_matrix_and_days_since_contact_are_current_on_the_next_load(
    alice, normal_client, ceo, login, scorecard, django_capture_on_commit_callbacks
):
    http = login(alice)
    before = matrix_cell(http, normal_client)
    assert "eng. 0.0 stale" in before
    org_chart = http.get(reverse("stakeholder-org-chart", args=[normal_client.pk])).content.decode()
    assert "Never contacted" in org_chart

    with django_capture_on_commit_callbacks(execute=True):
        log_meeting(http, normal_client, alice, ceo)

    after = matrix_cell(http, normal_client)
    assert "eng. 1.0" in after and "stale" not in after  # one meeting today backs a strength of 3
    org_chart = http.get(reverse("stakeholder-org-chart", args=[normal_client.pk])).content.decode()
    assert "0 days since contact" in org_chart and "Never contacted" not in org_chart


def test_logging_queues_the_score_and_the_panel_says_when_it_was_last_computed(
    alice, normal_client, ceo, login, scorecard, django_capture_on_commit_callbacks
):
    http = login(alice)
    PendingRecompute.objects.all().delete()  # the set-up's own edits asked for one: as if it had run
    assert not HealthScore.objects.filter(client=normal_client).exists()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        log_meeting(http, normal_client, alice, ceo)
    assert queued  # the recompute is queued after the commit, not run inside the request
    assert PendingRecompute.objects.filter(client_id=normal_client.pk).exists()

    for callback in queued:  # the worker (eager here) takes it
        callback()
    score = HealthScore.objects.get(client=normal_client)
    assert not PendingRecompute.objects.filter(client_id=normal_client.pk).exists()
    page = http.get(normal_client.get_absolute_url()).content.decode()
    assert 'data-testid="score-computed"' in page
    assert timezone.localtime(score.computed_at).strftime("%H:%M") in page
    assert 'data-testid="recompute-queued"' not in page


def test_the_panel_says_a_recompute_is_on_its_way_while_one_is_queued(
    alice, normal_client, ceo, login, scorecard, django_capture_on_commit_callbacks
):
    http = login(alice)
    PendingRecompute.objects.all().delete()  # the set-up's own edits asked for one: as if it had run
    with django_capture_on_commit_callbacks(execute=True):
        log_meeting(http, normal_client, alice, ceo)  # scored
    with django_capture_on_commit_callbacks(execute=False):
        log_meeting(http, normal_client, alice, ceo)  # a second meeting: queued, not yet run
    assert PendingRecompute.objects.filter(client_id=normal_client.pk).exists()
    page = http.get(normal_client.get_absolute_url()).content.decode()
    assert 'data-testid="score-computed"' in page
    assert 'data-testid="recompute-queued"' in page
