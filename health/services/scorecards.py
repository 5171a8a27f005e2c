"""Changing the scorecard: every change is a new version, audited, and recomputes everyone."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.text import slugify

from accounts.access import SCORECARD_REFUSED, may_edit_scorecard, require
from accounts.models import User
from accounts.services import audited_write
from health import measures
from health.models import Measure, MeasureSource, RecomputeJob, Scorecard
from health.services.jobs import recompute_job_create
from health.services.measurements import NOTE_MAX_LENGTH, NOTE_TOO_LONG
from health.services.recompute import measure_target


@dataclass
class MeasureInput:
    key: str
    name: str
    weight: Decimal
    floor: Decimal
    target: Decimal
    description: str = ""
    unit: str = ""
    source: str = MeasureSource.ENTERED
    target_setting: str = ""  # the setting that holds the target, shown read-only; "" if editable


def validate_measures(items: list[MeasureInput]) -> list[MeasureInput]:
    """Field errors keyed `measures-<n>-<field>`; the scorecard as a whole must weigh something."""
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for index, item in enumerate(items):
        prefix = f"measures-{index}"
        item.key = slugify(item.key).replace("-", "_")
        if not item.key:
            errors[f"{prefix}-key"] = "Give the measure a key (letters, digits, underscores)."
        elif item.key in seen:
            errors[f"{prefix}-key"] = f"The key {item.key} is used twice."
        seen.add(item.key)
        if not item.name.strip():
            errors[f"{prefix}-name"] = "Give the measure a name."
        item.source = MeasureSource.COMPUTED if item.key in measures.COMPUTED else MeasureSource.ENTERED
        held_by_setting = measures.setting_target(item.key)
        if held_by_setting is not None:
            item.target = held_by_setting  # whatever was sent: the setting is the one home
        if item.weight < 0:
            errors[f"{prefix}-weight"] = "Weights cannot be negative."
        if item.floor == item.target:
            errors[f"{prefix}-target"] = "The floor and target must differ."
    if items and not errors and all(item.weight == 0 for item in items):
        errors["__all__"] = "At least one measure needs a weight above zero."
    if not items:
        errors["__all__"] = "A scorecard needs at least one measure."
    if errors:
        raise ValidationError(errors)
    return items


def scorecard_publish(
    *,
    actor: User,
    measures_in: list[MeasureInput],
    green_threshold: Decimal,
    amber_threshold: Decimal,
    min_coverage: Decimal = Decimal("0.5"),
    note: str = "",
) -> tuple[Scorecard, RecomputeJob]:
    """Make the changed scorecard the current version and rescore everyone in the background."""
    require(may_edit_scorecard(actor), SCORECARD_REFUSED)
    errors: dict[str, str | list[str]] = {}
    if not (Decimal(0) <= amber_threshold < green_threshold <= Decimal(100)):
        errors["green_threshold"] = "Thresholds run 0 ≤ amber < green ≤ 100."
    if not (Decimal(0) <= min_coverage <= Decimal(1)):
        errors["min_coverage"] = "Minimum data coverage is a share between 0 and 1."
    if len(note or "") > NOTE_MAX_LENGTH:
        errors["note"] = NOTE_TOO_LONG
    try:
        validate_measures(measures_in)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with audited_write(actor):
        previous = Scorecard.objects.select_for_update().filter(is_current=True).first()
        version = (Scorecard.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        Scorecard.objects.filter(is_current=True).update(is_current=False)
        scorecard = Scorecard.objects.create(
            version=version,
            is_current=True,
            green_threshold=green_threshold,
            amber_threshold=amber_threshold,
            min_coverage=min_coverage,
            created_by=actor,
            note=note or (f"Changed from v{previous.version}" if previous else "First scorecard"),
        )
        Measure.objects.bulk_create(
            [
                Measure(
                    scorecard=scorecard,
                    key=item.key,
                    name=item.name.strip(),
                    description=item.description,
                    source=item.source,
                    weight=item.weight,
                    floor=item.floor,
                    target=item.target,
                    unit=item.unit,
                    position=index,
                )
                for index, item in enumerate(measures_in)
            ]
        )
        job = recompute_job_create(reason=f"Scorecard v{version}", scorecard=scorecard, actor=actor)
    return scorecard, job


def measures_of(scorecard: Scorecard) -> list[MeasureInput]:
    return [
        MeasureInput(
            m.key,
            m.name,
            m.weight,
            m.floor,
            measure_target(m),
            m.description,
            m.unit,
            m.source,
            target_setting=measures.target_setting_name(m.key),
        )
        for m in scorecard.measures.order_by("position", "key")
    ]
