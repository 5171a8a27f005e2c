"""Optimistic concurrency: every editable record carries a `version`; a stale save is refused.

Pages send the version they loaded in a hidden field; the API uses ETag / If-Match.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response


class StaleVersionError(Exception):
    """Someone else saved this record since it was loaded."""

    def __init__(self, current: models.Model, changed_fields: dict[str, tuple[Any, Any]]):
        self.current = current
        self.changed_fields = changed_fields
        names = ", ".join(changed_fields) or "no visible fields"
        super().__init__(f"This record was changed by someone else since you opened it ({names}).")


def save_versioned[M: models.Model](
    instance: M,
    expected_version: int,
    fields: list[str],
    m2m: dict[str, Iterable[Any]] | None = None,
) -> M:
    """Write `fields` and set the many-to-many links in `m2m` of `instance`, only if the stored version
    is still `expected_version`; the version goes up by one either way, links included.

    A single conditional UPDATE comes first, so two concurrent writers can never both win: the second
    waits on the row lock the first holds, then finds the version moved. Call it inside a transaction
    when `m2m` is given, so that the links and the version commit together.
    """
    model = type(instance)
    values = {name: getattr(instance, _attname(model, name)) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        from django.utils import timezone

        values["updated_at"] = timezone.now()
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        current = model._default_manager.get(pk=instance.pk)
        raise StaleVersionError(current, diff_fields(instance, current, fields))
    instance.version = expected_version + 1  # type: ignore[attr-defined]
    for name, linked in (m2m or {}).items():
        getattr(instance, name).set(linked)
    return instance


def apply_changes(
    instance: models.Model,
    changes: Mapping[str, Any],
    allowed: Collection[str],
    *,
    noun: str = "",
    strip: Collection[str] | None = None,
) -> list[str]:
    """Set `changes` on `instance`; returns the names changed. A field outside `allowed` is refused
    before anything is set. Text values are stripped: those named in `strip`, or all when it is None."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(" ".join(filter(None, ["Unknown", noun, "fields:"])) + " " + ", ".join(sorted(unknown)))
    for name, value in changes.items():
        if isinstance(value, str) and (strip is None or name in strip):
            value = value.strip()
        setattr(instance, name, value)
    return list(changes)


def m2m_names(instance: models.Model) -> list[str]:
    return [field.name for field in instance._meta.many_to_many]


def update_versioned[M: models.Model](
    instance: M,
    *,
    expected_version: int,
    changes: Mapping[str, Any],
    allowed: Collection[str],
    write: Callable[[], AbstractContextManager[object]],
    m2m: Mapping[str, Iterable[Any]] | None = None,
    noun: str = "",
    strip: Collection[str] | None = None,
    validate: Callable[[M], object] | None = None,
    then: Callable[[], object] | None = None,
) -> M:
    """The edit of a versioned record: apply `changes`, validate, then inside `write()` (an audited
    transaction) save them and the links in `m2m` only if nobody saved since `expected_version`.

    `validate` replaces the default check (`full_clean` without constraints and many-to-many fields,
    which the database and the links check); `then` runs inside the same transaction after the save.
    Nothing is written when a check fails, and StaleVersionError names what the other writer changed.
    """
    fields = apply_changes(instance, changes, allowed, noun=noun, strip=strip)
    if validate is None:
        instance.full_clean(validate_constraints=False, exclude=m2m_names(instance))
    else:
        validate(instance)
    with write():
        save_versioned(instance, expected_version, fields, None if m2m is None else dict(m2m))
        if then is not None:
            then()
    return instance


def _attname(model: type[models.Model], name: str) -> str:
    return cast(models.Field, model._meta.get_field(name)).attname


def diff_fields(mine: models.Model, theirs: models.Model, fields: list[str]) -> dict[str, tuple[Any, Any]]:
    """Fields where the stored record differs from what the user tried to save: {name: (theirs, mine)}."""
    changes = {}
    for name in fields:
        attname = _attname(type(mine), name)
        if getattr(mine, attname) != getattr(theirs, attname):
            changes[name] = (getattr(theirs, name), getattr(mine, name))
    return changes


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send an If-Match header with the ETag you last read; writes without it are refused."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This record changed since you read it. Fetch it again and re-apply your change."
    default_code = "precondition_failed"


def etag_for(instance: models.Model) -> str:
    return f'"{instance.pk}-{instance.version}"'  # type: ignore[attr-defined]


class WildcardIfMatchRefused(PreconditionRequired):
    default_detail = (
        "If-Match: * is not accepted: it would overwrite whatever is stored. Send the ETag you "
        "last read for this record."
    )
    default_code = "if_match_wildcard"


def version_from_if_match(header: str | None, instance: models.Model) -> int:
    """The version the client last read, from If-Match; 428 when absent or `*`, 412 when stale.

    `*` ("any version") is refused: it would switch the lost-update check off.
    """
    if not header:
        raise PreconditionRequired()
    candidates = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    if {"*", '"*"'} & set(candidates):
        raise WildcardIfMatchRefused()
    if etag_for(instance) not in candidates:
        raise PreconditionFailed()
    return instance.version  # type: ignore[attr-defined]


if TYPE_CHECKING:

    class _RetrieveViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
        pass

else:
    _RetrieveViewSet = object


class VersionedViewSetMixin(_RetrieveViewSet):
    """For DRF viewsets over versioned models: ETag on reads, If-Match required on writes."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_for(self.get_object())
        return response

    def check_if_match(self, instance: models.Model) -> int:
        return version_from_if_match(self.request.headers.get("If-Match"), instance)
