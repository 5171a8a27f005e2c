"""Pure checks on a client's org chart, given as {stakeholder id: id of the person they report to}."""

from __future__ import annotations

from collections.abc import Mapping


def manager_chain_has_cycle(parents: Mapping[int, int | None], start: int) -> bool:
    """True if following `reports_to` upwards from `start` comes back to a stakeholder already seen."""
    seen: set[int] = set()
    node: int | None = start
    while node is not None:
        if node in seen:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def is_below(parents: Mapping[int, int | None], node: int, ancestor: int) -> bool:
    """True if `ancestor` is somewhere above `node` in the chart (a loop above `node` ends the walk)."""
    seen: set[int] = set()
    current = parents.get(node)
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = parents.get(current)
    return False
