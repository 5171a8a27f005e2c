"""How a stored score's components are described wherever a "why this score" table is shown.

A stored component keeps only numbers and the measure's key (names and units live on the
scorecard version the score points at). Every surface that explains a score, the client page
and the PDF reports alike, labels and formats its components here.
"""

from __future__ import annotations

from collections.abc import Iterable

from health.models import Measure

Labels = dict[tuple[int | None, str], tuple[str, str]]


def fmt(value: float | None, unit: str, bare: bool = False) -> str:
    """A raw value in its unit: '83%' for a share, '+3.2%' for a change, '11 touchpoints a year'."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.0f}%"
    if unit == "%":
        return f"{value:+.1f}%"
    number = f"{value:.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"
    return number if bare or not unit else f"{number} {unit}"


def measure_labels(scorecard_ids: Iterable[int | None]) -> Labels:
    """(scorecard id, measure key) -> (name, unit), for every measure of those versions: one query."""
    return {
        (m.scorecard_id, m.key): (m.name, m.unit)
        for m in Measure.objects.filter(scorecard_id__in={pk for pk in scorecard_ids if pk}).only(
            "scorecard_id", "key", "name", "unit"
        )
    }


def describe_component(component: dict, labels: Labels, scorecard_id: int | None) -> dict:
    """The component with its measure's name and unit, and its raw value shown in that unit.

    A measure its scorecard no longer lists keeps its key as its name rather than a blank line.
    """
    name, unit = labels.get((scorecard_id, component["key"]), (component["key"], ""))
    described = dict(component)
    described.setdefault("name", name)
    described.setdefault("unit", unit)
    described["shown"] = "missing" if component.get("missing") else fmt(component.get("raw"), described["unit"])
    return described


def describe_components(components: list[dict], labels: Labels, scorecard_id: int | None) -> list[dict]:
    return [describe_component(c, labels, scorecard_id) for c in components]
