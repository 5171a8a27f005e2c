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
from workflow.models import (
    TRIGGERS_WITH_N,
    OwnerRole,
    Playbook,
    PlaybookPause,
    PlaybookRun,
    PlaybookStep,
    RunAction,
    Trigger,
)

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


# --- editing playbooks (administrators) --------------------------------------------------------

MAX_STEP_DAYS = 365


@dataclass(frozen=True)
class StepInput:
    """One step as an administrator left it: `id` None for a new step; `delete` drops it."""

    description: str
    owner_role: str
    due_in_days: int
    id: int | None = None
    delete: bool = False


def _playbook_check(fields: dict, steps: list[StepInput]) -> None:
    errors: dict[str, list[str]] = {}
    trigger = fields.get("trigger")
    if trigger not in Trigger.values:
        errors.setdefault("trigger", []).append("Choose a trigger.")
    if trigger in TRIGGERS_WITH_N and not fields.get("threshold"):
        errors.setdefault("threshold", []).append(
            "This trigger needs N above 0: points for a fall, days for no contact or a re-tender."
        )
    if fields.get("to_band") and trigger != Trigger.BAND_DROP:
        errors.setdefault("to_band", []).append("A band applies only to band drops: leave it empty.")
    if not (fields.get("name") or "").strip():
        errors.setdefault("name", []).append("Give the playbook a name.")
    kept = [step for step in steps if not step.delete]
    if not kept:
        errors.setdefault("__all__", []).append("A playbook needs at least one step.")
    for step in kept:
        if step.owner_role not in OwnerRole.values:
            errors.setdefault("__all__", []).append(f"Choose an owner for “{step.description}”.")
        if not 0 <= step.due_in_days <= MAX_STEP_DAYS:
            errors.setdefault("__all__", []).append(f"Due offsets run from 0 to {MAX_STEP_DAYS} days.")
    if errors:
        raise ValidationError(errors)


def playbook_save(*, actor: User, playbook: Playbook | None, fields: dict, steps: list[StepInput]) -> Playbook:
    """Create or change a playbook and its steps in one audited write; bad input changes nothing.
    A removed step's past actions stay on their plans (their link to the step is cleared)."""
    _playbook_check(fields, steps)
    if fields.get("trigger") not in TRIGGERS_WITH_N:
        fields = {**fields, "threshold": None}
    taken = Playbook.objects.filter(name__iexact=fields["name"].strip())
    if playbook is not None:
        taken = taken.exclude(pk=playbook.pk)
    if taken.exists():
        raise ValidationError({"name": "Another playbook already has this name."})
    with audited_write(actor):
        playbook = playbook or Playbook()
        for name in ("name", "trigger", "threshold", "to_band", "description", "is_active"):
            if name in fields:
                value = fields[name]
                setattr(playbook, name, value.strip() if isinstance(value, str) else value)
        playbook.save()
        existing = {step.pk: step for step in playbook.steps.all()}
        position = 0
        for item in steps:
            step = existing.get(item.id) if item.id is not None else None
            if item.id is not None and step is None:
                raise ValidationError({"__all__": "A step was removed meanwhile: reload the page."})
            if item.delete:
                if step is not None:
                    step.delete()
                continue
            step = step or PlaybookStep(playbook=playbook)
            step.description = item.description.strip()
            step.owner_role = item.owner_role
            step.due_in_days = item.due_in_days
            step.position = position
            step.save()
            position += 1
    return playbook


def playbook_set_active(*, actor: User, playbook: Playbook, active: bool) -> Playbook:
    """Pause (or resume) a playbook for every client: paused, it starts no new runs."""
    with audited_write(actor):
        playbook.is_active = active
        playbook.save(update_fields=["is_active"])
    return playbook
