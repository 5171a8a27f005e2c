"""Demo-data seeders of every app. Each app's `demo.py` registers one; `seed_demo` runs them in order."""

from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random
from typing import Any

SEEDERS: list[tuple[int, str, Callable[..., None]]] = []
# How far back the demo firm's story goes: every quarter's pack of the last two years has content.
STORY_DAYS = 800


@dataclass
class DemoContext:
    rng: Random
    client_count: int
    stdout: Any
    packs: bool = True  # render last quarter's PDF packs (slow: seconds per person)
    data: dict[str, Any] = field(default_factory=dict)  # what earlier seeders made, for later ones


def register_seeder(order: int, name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register `func(ctx: DemoContext)`; lower `order` runs first. Seeders must be idempotent."""

    def decorator(func: Callable[..., None]) -> Callable[..., None]:
        if not any(existing == name for _, existing, _ in SEEDERS):
            SEEDERS.append((order, name, func))
            SEEDERS.sort(key=lambda item: item[0])
        return func

    return decorator
