"""Playbooks: a signal fires for a client, and the playbook's actions land on its plan once per event.

A `Signal` names its client, its trigger and a dedupe key (the same keys as the health alerts: the
day of a band drop, the peak a fall was measured from, the re-tender date…). A run is recorded once
per playbook, client and key, in the same transaction as its actions, so a recompute seen twice, two
workers at once or a nightly scan repeating itself never doubles the work.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Assignment, AssignmentRole, Client, Role, User
from accounts.services import audited_write
from planning.models import AccountPlan, PlanStatus
from workflow.models import OwnerRole, Playbook, PlaybookPause, PlaybookRun, RunAction, Trigger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signal:
    """Something that happened to a client that a playbook may answer."""

    trigger: str
    client_id: int
    dedupe_key: str
    title: str
    detail: str = ""
    to_band: str = ""  # band drops: the band the client dropped to
    points: float = 0.0  # falls: how many points


def matches(playbook: Playbook, signal: Signal) -> bool:
    if playbook.trigger != signal.trigger or not playbook.is_active:
        return False
    if signal.trigger == Trigger.BAND_DROP and playbook.to_band:
        return signal.to_band == playbook.to_band
    if signal.trigger == Trigger.SCORE_FALL:
        return signal.points >= (playbook.threshold or 0)
    return True


def signals_fire(*, signals: Iterable[Signal], playbooks: Iterable[Playbook] | None = None) -> list[PlaybookRun]:
    """Run every active playbook each signal matches (or only `playbooks`). Returns the new runs."""
    signals = list(signals)
    if not signals:
        return []
    if playbooks is None:
        playbooks = Playbook.objects.filter(is_active=True, trigger__in={s.trigger for s in signals})
    candidates = list(playbooks.prefetch_related("steps") if hasattr(playbooks, "prefetch_related") else playbooks)
    paused = set(
        PlaybookPause.objects.filter(
            playbook__in=[p.pk for p in candidates], client_id__in={s.client_id for s in signals}
        ).values_list("playbook_id", "client_id")
    )
    runs = []
    for signal in signals:
        for playbook in candidates:
            if matches(playbook, signal) and (playbook.pk, signal.client_id) not in paused:
                run = playbook_run(playbook=playbook, signal=signal)
                if run is not None:
                    runs.append(run)
    return runs


def signal_fire(*, trigger: str, client_id: int, dedupe_key: str, title: str, detail: str = "") -> list[PlaybookRun]:
    """The hook other parts of Keyline call when something happens (a detractor, a critical incident):
    each active playbook with that trigger runs once per `dedupe_key`."""
    return signals_fire(signals=[Signal(trigger, client_id, dedupe_key, title, detail)])


def playbook_run(*, playbook: Playbook, signal: Signal) -> PlaybookRun | None:
    """The playbook's actions for one event, or None when this event already ran it."""
    client = Client.objects.filter(pk=signal.client_id).first()
    if client is None:
        return None
    try:
        with audited_write(None):
            try:
                with transaction.atomic():
                    run = PlaybookRun.objects.create(
                        playbook=playbook,
                        client=client,
                        dedupe_key=signal.dedupe_key[:200],
                        title=signal.title[:300],
                        detail=signal.detail[:500],
                    )
            except IntegrityError:
                return None  # this event already ran the playbook
            _create_actions(run, playbook, client)
    except ValidationError:
        # One client's data (an owner walled off…) must not stop the other clients' playbooks.
        log.exception("Playbook %s could not run for client %s", playbook.pk, client.pk)
        return None
    from workflow.services import outbound

    transaction.on_commit(lambda: outbound.playbook_run_announce(run_id=run.pk), robust=True)
    return run


def plan_for_actions(client: Client) -> AccountPlan:
    """The plan a playbook's actions go on: the active plan, else the newest, else a new draft."""
    from planning.services import plan_create

    plans = AccountPlan.objects.filter(client=client)
    plan = plans.filter(status=PlanStatus.ACTIVE).first() or plans.order_by("-year").first()
    if plan is None:
        plan = plan_create(actor=None, client=client, year=timezone.localdate().year)  # type: ignore[arg-type]
    return plan


def owners_by_role(client: Client) -> dict[str, User]:
    """Who owns a step of each role: the CRP; the SAM, else the CRP; a BD person on the team, else the CRP."""
    current = Assignment.objects.filter(client=client, end_date__isnull=True, user__is_active=True).select_related(
        "user"
    )
    crp = sam = bd = None
    for assignment in current:
        if assignment.role == AssignmentRole.CRP:
            crp = assignment.user
        elif assignment.role == AssignmentRole.SAM:
            sam = sam or assignment.user
        elif assignment.user.role == Role.BD:
            bd = bd or assignment.user
    owners: dict[str, User] = {}
    if crp is not None:
        owners = {OwnerRole.CRP: crp, OwnerRole.SAM: crp, OwnerRole.BD_LEAD: crp}
    if sam is not None:
        owners[OwnerRole.SAM] = sam
    if bd is not None:
        owners[OwnerRole.BD_LEAD] = bd
    return owners


def _create_actions(run: PlaybookRun, playbook: Playbook, client: Client) -> None:
    from planning.services import action_create

    owners = owners_by_role(client)
    if not owners:
        return  # nobody leads the client: the run is recorded and shown on the client page
    plan = plan_for_actions(client)
    today = timezone.localdate()
    for step in playbook.steps.all():
        action = action_create(
            actor=None,  # type: ignore[arg-type]
            plan=plan,
            owner=owners[step.owner_role],
            description=f"{step.description} ({playbook.name})"[:500],
            due_date=today + datetime.timedelta(days=step.due_in_days),
        )
        RunAction.objects.create(run=run, action=action, step=step)


def playbook_pause(*, actor: User, playbook: Playbook, client: Client) -> PlaybookPause:
    with audited_write(actor):
        pause, _ = PlaybookPause.objects.get_or_create(playbook=playbook, client=client, defaults={"paused_by": actor})
    return pause


def playbook_resume(*, actor: User, playbook: Playbook, client: Client) -> None:
    with audited_write(actor):
        PlaybookPause.objects.filter(playbook=playbook, client=client).delete()


def run_progress(run: PlaybookRun) -> tuple[int, int]:
    """(done, total) of a run's actions; dropped ones count as closed."""
    from planning.models import ActionStatus

    statuses = [link.action.status for link in run.run_actions.all()]
    return sum(1 for status in statuses if status != ActionStatus.OPEN), len(statuses)
