"""What every planning write shares: one audited transaction, versioned edits, owner checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models

from accounts.models import User
from accounts.services import audited_write
from core.concurrency import StaleVersionError, diff_fields, save_versioned
from core.errors import validation_error_from
from planning.choices import PROBABILITY_RANGE, RANGE_MESSAGE, RISK_SCALE
from planning.events import item_saved

CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "one_plan_per_client_year": ("year", "This client already has a plan for that year."),
    "one_active_plan_per_client": ("status", "This client already has an active plan."),
    "opportunity_probability_range": ("probability", RANGE_MESSAGE.format("Probability", *PROBABILITY_RANGE)),
    "opportunity_fees_not_negative": ("estimated_fees", "Estimated fees cannot be negative."),
    "risk_likelihood_range": ("likelihood", RANGE_MESSAGE.format("Likelihood", *RISK_SCALE)),
    "risk_impact_range": ("impact", RANGE_MESSAGE.format("Impact", *RISK_SCALE)),
    "transition_overlap_ends_after_start": (
        "overlap_end",
        "The overlap cannot end before it starts.",
    ),
    "onboarding_item_once_per_assignment": ("text", "This step is already on the checklist."),
}


@contextmanager
def planning_write(actor: User | None) -> Iterator[None]:
    """`audited_write`, with this app's constraint violations named by field."""
    with audited_write(actor):
        try:
            yield
        except IntegrityError as exc:
            raise validation_error_from(exc, CONSTRAINT_MESSAGES) from exc


def apply_changes[M: models.Model](instance: M, changes: dict[str, Any], allowed: list[str]) -> list[str]:
    """Set `changes` on `instance` and validate its fields; returns the field names changed."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
    instance.full_clean(validate_constraints=False, exclude=_m2m_names(instance))
    return list(changes)


def _m2m_names(instance: models.Model) -> list[str]:
    return [field.name for field in instance._meta.many_to_many]


def create[M: models.Model](actor: User, instance: M, m2m: dict[str, Any] | None = None) -> M:
    """Validate and insert `instance` (and set its many-to-many fields) in one audited write."""
    instance.full_clean(validate_constraints=False, exclude=_m2m_names(instance))
    with planning_write(actor):
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        item_saved.send(sender=type(instance), instance=instance, actor=actor, created=True, previous={})
    return instance


def _before(instance: models.Model, changes: dict[str, Any], m2m: dict[str, Any] | None) -> dict[str, Any]:
    """The values `changes` and `m2m` are about to replace, for listeners of `item_saved`."""
    previous: dict[str, Any] = {}
    for name in changes:
        field = instance._meta.get_field(name)
        if field.concrete and not field.many_to_many:
            previous[name] = getattr(instance, field.attname)
    for name in m2m or {}:
        previous[name] = {obj.pk for obj in getattr(instance, name).all()}
    return previous


def update[M: models.Model](
    actor: User,
    instance: M,
    expected_version: int,
    changes: dict[str, Any],
    allowed: list[str],
    m2m: dict[str, Any] | None = None,
) -> M:
    """Save `changes` only if nobody saved `instance` since `expected_version` was read."""
    previous = _before(instance, {name: value for name, value in changes.items() if name in allowed}, m2m)
    fields = apply_changes(instance, changes, allowed)
    with planning_write(actor):
        if fields or m2m:
            save_versioned(instance, expected_version, fields, m2m)
            item_saved.send(sender=type(instance), instance=instance, actor=actor, created=False, previous=previous)
        elif not type(instance)._default_manager.filter(pk=instance.pk, version=expected_version).exists():
            current = type(instance)._default_manager.get(pk=instance.pk)
            raise StaleVersionError(current, {})
    return instance


def delete(actor: User, instance: models.Model, expected_version: int) -> None:
    """Delete `instance` unless someone changed it since `expected_version` was read."""
    model = type(instance)
    with planning_write(actor):
        deleted, _ = model._default_manager.filter(pk=instance.pk, version=expected_version).delete()
        if not deleted:
            current = model._default_manager.filter(pk=instance.pk).first()
            if current is not None:
                fields = [f.name for f in model._meta.concrete_fields if f.name not in {"id", "version"}]
                raise StaleVersionError(current, diff_fields(instance, current, fields))
