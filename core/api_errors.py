"""API errors: Django validation errors and constraint violations become 400s with field messages."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.concurrency import PreconditionFailed, StaleVersionError
from core.errors import validation_error_from


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleVersionError):  # lost the race between the If-Match check and the write
        exc = PreconditionFailed()
    if isinstance(exc, IntegrityError):
        exc = validation_error_from(exc)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, Http404):
        return None
    return drf_exception_handler(exc, context)
