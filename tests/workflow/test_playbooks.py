"""Playbooks: a signal opens the playbook's actions on the client's plan, once per event."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Assignment, Notification
from health.formula import ScoreResult
from health.models import HealthScore
from health.services.alerts import alerts_raise
from planning.models import Action, ActionStatus, PanelAppointment
from planning.services import action_mark_done
from tests.factories import (
    AccountPlanFactory,
    AssignmentFactory,
    ClientFactory,
    HealthScoreFactory,
    InteractionFactory,
    ScorecardFactory,
    UserFactory,
)
from workflow.models import Playbook, PlaybookRun, RunAction, Trigger
from workflow.services.playbooks import playbook_pause, signal_fire
from workflow.services.scans import signals_scan

pytestmark = pytest.mark.django_db
RED_PLAYBOOK = "Red client: recovery plan"


def drop_to_red(client, django_capture_on_commit_callbacks) -> int:
    """A real health alert: green 10 days ago, red today."""
    today = timezone.localdate()
    earlier = today - datetime.timedelta(days=10)
    if not HealthScore.objects.filter(client=client, as_of=earlier).exists():
        HealthScoreFactory(client=client, scorecard=ScorecardFactory(), score=Decimal(80), band="green", as_of=earlier)
    with django_capture_on_commit_callbacks(execute=True):
        return alerts_raise(
            results={client.pk: ScoreResult(score=35.0, band="red", coverage=1.0)}, as_of=today, email=False
        )


def test_a_drop_to_red_opens_the_recovery_playbook_on_the_plan_once(
    default_playbooks, normal_client, alice, django_capture_on_commit_callbacks
):
    sam = UserFactory(full_name="Sam Deputy")
    AssignmentFactory(client=normal_client, user=sam, role="sam")
    plan = AccountPlanFactory(client=normal_client, status="active")

    drop_to_red(normal_client, django_capture_on_commit_callbacks)

    run = PlaybookRun.objects.get(client=normal_client, playbook__name=RED_PLAYBOOK)
    assert "dropped from green to red" in run.title
    actions = {a.description.split(" (")[0]: a for a in Action.objects.filter(playbook_link__run=run)}
    assert {a.plan for a in actions.values()} == {plan}
    assert actions["Write the recovery plan and agree it with the team"].owner == alice
    assert actions[
        "Write the recovery plan and agree it with the team"
    ].due_date == timezone.localdate() + datetime.timedelta(days=14)
    assert actions["Review open matters and service issues with the team"].owner == sam
    assert RunAction.objects.filter(run=run).count() == 4
    # the CRP hears about the actions given to them
    assert Notification.objects.filter(
        user=alice, title__startswith="Assigned to you: Write the recovery plan"
    ).exists()

    drop_to_red(normal_client, django_capture_on_commit_callbacks)  # the nightly recompute sees it again
    assert PlaybookRun.objects.filter(client=normal_client, playbook__name=RED_PLAYBOOK).count() == 1
    assert Action.objects.filter(playbook_link__run__playbook__name=RED_PLAYBOOK).count() == 4


def test_a_fall_below_the_playbooks_points_does_not_run_it(
    default_playbooks, normal_client, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    scorecard = ScorecardFactory()
    HealthScoreFactory(
        client=normal_client,
        scorecard=scorecard,
        score=Decimal(62),
        band="amber",
        as_of=today - datetime.timedelta(days=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        alerts_raise(
            results={normal_client.pk: ScoreResult(score=50.0, band="amber", coverage=1.0)}, as_of=today, email=False
        )
    assert not PlaybookRun.objects.filter(playbook__trigger=Trigger.SCORE_FALL).exists()  # 12 points < 15
    with django_capture_on_commit_callbacks(execute=True):
        alerts_raise(
            results={normal_client.pk: ScoreResult(score=45.0, band="amber", coverage=1.0)}, as_of=today, email=False
        )
    assert PlaybookRun.objects.filter(playbook__trigger=Trigger.SCORE_FALL, client=normal_client).count() == 1


def test_a_paused_playbook_does_not_run_for_that_client(
    default_playbooks, normal_client, alice, django_capture_on_commit_callbacks
):
    playbook_pause(actor=alice, playbook=Playbook.objects.get(name=RED_PLAYBOOK), client=normal_client)
    other = ClientFactory(crp=alice)
    drop_to_red(normal_client, django_capture_on_commit_callbacks)
    drop_to_red(other, django_capture_on_commit_callbacks)
    runs = PlaybookRun.objects.filter(playbook__name=RED_PLAYBOOK)
    assert list(runs.values_list("client_id", flat=True)) == [other.pk]


def test_a_plan_is_started_when_the_client_has_none(
    default_playbooks, normal_client, django_capture_on_commit_callbacks
):
    drop_to_red(normal_client, django_capture_on_commit_callbacks)
    action = Action.objects.get(description__startswith="Write the recovery plan")
    assert action.plan.client == normal_client and action.plan.year == timezone.localdate().year


def test_closing_the_actions_shows_the_run_done(
    default_playbooks, normal_client, alice, login, django_capture_on_commit_callbacks
):
    drop_to_red(normal_client, django_capture_on_commit_callbacks)
    for action in Action.objects.filter(playbook_link__run__playbook__name=RED_PLAYBOOK):
        action_mark_done(actor=alice, action=action, expected_version=action.version)
    page = login(alice).get(f"/clients/{normal_client.pk}/").content.decode()
    assert RED_PLAYBOOK in page and "4 of 4 done" in page


def test_a_new_crp_starts_the_onboarding_playbook(default_playbooks, normal_client, django_capture_on_commit_callbacks):
    newcomer = UserFactory(full_name="Nina Newcrp")
    Assignment.objects.filter(client=normal_client, role="crp").update(end_date=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        Assignment.objects.create(client=normal_client, user=newcomer, role="crp", start_date=timezone.localdate())
    steps = Action.objects.filter(owner=newcomer, playbook_link__run__playbook__trigger=Trigger.NEW_CRP)
    assert sorted((a.due_date - timezone.localdate()).days for a in steps) == [30, 60, 90]


def test_hooks_for_triggers_built_elsewhere_run_once_per_key(default_playbooks, normal_client, alice):
    for _ in range(2):
        signal_fire(
            trigger=Trigger.DETRACTOR, client_id=normal_client.pk, dedupe_key="nps:77", title="NPS 3 from the GC"
        )
    assert PlaybookRun.objects.filter(playbook__trigger=Trigger.DETRACTOR).count() == 1
    assert Action.objects.filter(owner=alice, description__startswith="Call the detractor").count() == 1


def test_the_daily_scan_fires_date_triggers_once(default_playbooks, alice):
    today = timezone.localdate()
    silent = ClientFactory(crp=alice, name="Silent plc")
    talked = ClientFactory(crp=alice, name="Talked plc")
    InteractionFactory(client=talked, date=today - datetime.timedelta(days=3))
    InteractionFactory(client=silent, date=today - datetime.timedelta(days=61))
    PanelAppointment.objects.create(
        client=talked, panel_name="Legal panel", retender_on=today + datetime.timedelta(days=80)
    )

    first = signals_scan(today=today)
    second = signals_scan(today=today)

    fired = {(run.playbook.trigger, run.client.name) for run in first}
    assert (Trigger.NO_CONTACT, "Silent plc") in fired and (Trigger.NO_CONTACT, "Talked plc") not in fired
    assert (Trigger.RETENDER, "Talked plc") in fired
    assert (Trigger.REVIEW_OVERDUE, "Silent plc") in fired  # never held a review
    assert (Trigger.ROTATION_DUE, "Silent plc") not in fired  # CRP since 2022: under five years
    assert second == []
    assert Action.objects.filter(status=ActionStatus.OPEN, playbook_link__run__client=silent).count() >= 2


def test_rotation_due_fires_after_the_rotation_years(default_playbooks, settings, alice):
    settings.CRP_ROTATION_REVIEW_YEARS = 3
    client = ClientFactory(crp=alice)  # CRP since 1 Jan 2022
    fired = {(run.playbook.trigger, run.client_id) for run in signals_scan()}
    assert (Trigger.ROTATION_DUE, client.pk) in fired
