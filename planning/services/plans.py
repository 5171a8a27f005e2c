"""Account plans: create, start from last year, edit, activate, archive."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import Client, User
from planning.models import AccountPlan, Objective, PlanStatus
from planning.services.base import create, planning_write, update


def plan_create(
    *, actor: User, client: Client, year: int, status: str = PlanStatus.DRAFT, **fields: object
) -> AccountPlan:
    """A new plan for `client` and `year` (draft unless asked otherwise)."""
    if AccountPlan.objects.filter(client=client, year=year).exists():
        raise ValidationError({"year": f"{client} already has a plan for {year}."})
    if status == PlanStatus.ACTIVE and AccountPlan.objects.filter(client=client, status=PlanStatus.ACTIVE).exists():
        raise ValidationError({"status": f"{client} already has an active plan; archive it first."})
    return create(actor, AccountPlan(client=client, year=year, status=status, **fields))


def plan_start_from_last_year(*, actor: User, client: Client, year: int) -> AccountPlan:
    """A draft plan for `year` carrying over last year's goals and objectives (progress reset)."""
    previous = AccountPlan.objects.filter(client=client, year__lt=year).order_by("-year").first()
    if previous is None:
        raise ValidationError({"year": f"{client} has no earlier plan to start from."})
    with planning_write(actor):
        plan = plan_create(
            actor=actor,
            client=client,
            year=year,
            **{name: getattr(previous, name) for name in AccountPlan.EDITABLE_FIELDS if name != "last_reviewed"},
        )
        Objective.objects.bulk_create(
            [
                Objective(
                    plan=plan,
                    title=objective.title,
                    horizon=objective.horizon,
                    kpi=objective.kpi,
                    baseline_value=objective.current_value
                    if objective.current_value is not None
                    else objective.baseline_value,
                    target_value=objective.target_value,
                    current_value=None,
                )
                for objective in previous.objectives.all()
            ]
        )
    return plan


def plan_update(*, actor: User, plan: AccountPlan, expected_version: int, **changes: object) -> AccountPlan:
    return update(actor, plan, expected_version, changes, AccountPlan.EDITABLE_FIELDS)


def plan_activate(*, actor: User, plan: AccountPlan, expected_version: int) -> AccountPlan:
    """Make `plan` the client's active plan; an earlier year's active plan is archived."""
    with planning_write(actor):
        other = (
            AccountPlan.objects.select_for_update()
            .filter(client_id=plan.client_id, status=PlanStatus.ACTIVE)
            .exclude(pk=plan.pk)
            .first()
        )
        if other is not None:
            if other.year > plan.year:
                raise ValidationError(
                    {"status": f"The {other.year} plan is active; a {plan.year} plan cannot replace a later year's."}
                )
            update(actor, other, other.version, {"status": PlanStatus.ARCHIVED}, ["status"])
        update(actor, plan, expected_version, {"status": PlanStatus.ACTIVE}, ["status"])
    return plan


def plan_archive(*, actor: User, plan: AccountPlan, expected_version: int) -> AccountPlan:
    return update(actor, plan, expected_version, {"status": PlanStatus.ARCHIVED}, ["status"])
