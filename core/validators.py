"""Checks that several apps' services share, with one wording."""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ValidationError


class Person(Protocol):
    is_active: bool


def require_active_person(person: Person | None, field: str, *, required: bool = True) -> None:
    """`person` is an active firm user; a missing one is refused under `field` unless not `required`."""
    if person is None:
        if required:
            raise ValidationError({field: "Choose a firm person."})
        return
    if not person.is_active:
        raise ValidationError({field: f"{person} is not an active firm user."})
