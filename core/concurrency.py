"""Optimistic concurrency: every editable record carries a `version`; a stale save is refused.

Pages send the version they loaded in a hidden field; the API uses ETag / If-Match.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

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
    default_detail = ("If-Match: * is not accepted: it would overwrite whatever is stored. Send the ETag you "
                      "last read for this record.")
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
