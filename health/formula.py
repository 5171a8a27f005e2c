"""The health formula: pure functions over plain numbers, no database.

A measure's raw value is normalised linearly between its floor (0) and target (100), clamped
outside; when the floor is above the target, lower raw values are better. The score is the
weighted mean over the measures that have a value; coverage is the share of weight they carry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

GREEN, AMBER, RED, INSUFFICIENT = "green", "amber", "red", "insufficient"


@dataclass(frozen=True)
class MeasureSpec:
    key: str
    name: str
    weight: float
    floor: float
    target: float
    unit: str = ""


@dataclass(frozen=True)
class Thresholds:
    green: float = 70.0
    amber: float = 40.0
    min_coverage: float = 0.5


@dataclass
class Component:
    key: str
    name: str
    raw: float | None
    floor: float
    target: float
    weight: float
    normalised: float | None
    contribution: float
    missing: bool
    unit: str = ""

    def as_json(self) -> dict:
        """What a stored score keeps per measure. Names and units live on the (immutable) scorecard
        version the score points at, which keeps 10,000 daily rows small."""
        return {
            "key": self.key,
            "raw": None if self.raw is None else round(self.raw, 4),
            "floor": self.floor,
            "target": self.target,
            "normalised": self.normalised,
            "weight": self.weight,
            "contribution": self.contribution,
            "missing": self.missing,
        }


@dataclass
class ScoreResult:
    score: float | None
    coverage: float
    band: str
    components: list[Component] = field(default_factory=list)

    @property
    def shown_score(self) -> float | None:
        """The number to present as fact: none when coverage is too thin to trust."""
        return None if self.band == INSUFFICIENT else self.score


def normalise(raw: float, floor: float, target: float) -> float:
    """0 at `floor`, 100 at `target`, linear between and clamped outside; works either direction."""
    if floor == target:
        raise ValueError("The floor and target of a measure must differ.")
    share = (raw - floor) / (target - floor)
    return 100.0 * min(1.0, max(0.0, share))


def band_for(score: float | None, coverage: float, thresholds: Thresholds) -> str:
    if score is None or coverage < thresholds.min_coverage:
        return INSUFFICIENT
    if score >= thresholds.green:
        return GREEN
    if score >= thresholds.amber:
        return AMBER
    return RED


def _usable(raw: float | None) -> bool:
    return raw is not None and math.isfinite(raw)


def compute_score(specs: list[MeasureSpec], raw_values: dict[str, float | None], thresholds: Thresholds) -> ScoreResult:
    """Score, coverage, band and per-measure components for one client's raw values."""
    total_weight = sum(spec.weight for spec in specs)
    present = [spec for spec in specs if _usable(raw_values.get(spec.key))]
    present_weight = sum(spec.weight for spec in present)
    components = []
    weighted_sum = 0.0
    for spec in specs:
        raw = raw_values.get(spec.key)
        if not _usable(raw):
            components.append(
                Component(
                    spec.key,
                    spec.name,
                    None,
                    spec.floor,
                    spec.target,
                    spec.weight,
                    None,
                    0.0,
                    True,
                    spec.unit,
                )
            )
            continue
        normalised = normalise(raw, spec.floor, spec.target)
        contribution = spec.weight * normalised / present_weight if present_weight else 0.0
        weighted_sum += spec.weight * normalised
        components.append(
            Component(
                spec.key,
                spec.name,
                raw,
                spec.floor,
                spec.target,
                spec.weight,
                round(normalised, 2),
                round(contribution, 2),
                False,
                spec.unit,
            )
        )
    score = round(weighted_sum / present_weight, 2) if present_weight else None
    coverage = round(present_weight / total_weight, 3) if total_weight else 0.0
    return ScoreResult(score, coverage, band_for(score, coverage, thresholds), components)
