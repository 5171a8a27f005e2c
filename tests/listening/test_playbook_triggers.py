"""A detractor's answer and a critical incident run the firm's playbooks for them, once per event."""

import datetime

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from listening.services.incidents import incident_create, incident_update
from planning.models import Action
from workflow.defaults import playbooks_install_defaults
from workflow.models import PlaybookRun, Trigger

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_playbooks(db):
    playbooks_install_defaults()


def answer(token, nps: str):
    return HttpClient().post(f"/r/{token}/", {"nps": nps, "csat": "4", "comment": "Noted"})


def test_a_detractors_answer_puts_the_call_on_the_crps_plan_once_even_when_changed(
    sent, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = answer(sent, "3")
    assert reply.status_code == 200
    calls = Action.objects.filter(owner=alice, description__startswith="Call the detractor")
    assert calls.count() == 1
    assert calls.get().due_date == timezone.localdate() + datetime.timedelta(days=2)
    assert PlaybookRun.objects.get(playbook__trigger=Trigger.DETRACTOR).title == "A detractor at the client (NPS 3)"


def test_a_promoter_runs_no_playbook(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer(sent, "9")
    assert not PlaybookRun.objects.exists()


def test_a_critical_incident_runs_service_recovery_once_and_a_minor_one_none(
    alice, normal_client, django_capture_on_commit_callbacks
):
    occurred = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        minor = incident_create(
            actor=alice, client=normal_client, owner=alice, title="Late invoice", severity="minor", occurred_on=occurred
        )
    assert not PlaybookRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        incident_update(actor=alice, incident=minor, expected_version=minor.version, severity="critical")
        incident_create(
            actor=alice,
            client=normal_client,
            owner=alice,
            title="Missed filing",
            severity="critical",
            occurred_on=occurred,
        )
    runs = PlaybookRun.objects.filter(playbook__trigger=Trigger.CRITICAL_INCIDENT)
    assert sorted(runs.values_list("title", flat=True)) == [
        "Critical incident: Late invoice",
        "Critical incident: Missed filing",
    ]
    assert (
        Action.objects.filter(owner=alice, description__startswith="Speak to the client about the incident").count()
        == 2
    )
