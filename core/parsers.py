"""Every API request body passes one check where it is parsed, whatever the endpoint or serializer.

- A NUL character can never be stored (PostgreSQL text refuses it): a body holding one, in any
  value or key, is refused with a 400 naming the field.
- A value that is only a number or a date written with full-width or other Unicode digits
  ("１２３", "２０２６-０１-３１") is read as the same value in the digits 0-9, as the pages do
  (`core.middleware.FormDigitsMiddleware`), so a form and the API store the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

NUL_IN_FIELD = "This field holds a NUL character, which no field accepts."
# What a number, a date or a time may hold besides digits.
_NUMBER_OR_DATE = re.compile(r"[\d\s+\-.,:/TZ]*\d[\d\s+\-.,:/TZ]*")


def ascii_digits(text: str) -> str:
    """`text` in the digits 0-9 when it is only a number or a date; otherwise `text` unchanged."""
    if text.isascii():
        return text
    folded = "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char for char in unicodedata.normalize("NFKC", text)
    )
    return folded if folded.isascii() and _NUMBER_OR_DATE.fullmatch(folded) else text


def checked(value: Any, field: str) -> Any:
    """`value` with its number-only strings in ASCII digits; a ValidationError if it holds a NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError({field or "non_field_errors": [NUL_IN_FIELD]})
        return ascii_digits(value)
    if isinstance(value, dict):
        return {checked(key, field or str(key)): checked(item, field or str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [checked(item, field) for item in value]
    return value


def checked_query_dict(data: QueryDict, clean: Callable[[Any, str], Any] = checked) -> QueryDict:
    result = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        result.setlist(clean(key, key), [clean(value, key) for value in values])
    result._mutable = False
    return result


def with_ascii_digits(data: QueryDict) -> QueryDict:
    """`data` with its number-only values in ASCII digits (the same object when none needed it)."""
    if all(value.isascii() for _, values in data.lists() for value in values):
        return data
    return checked_query_dict(data, clean=lambda value, field: ascii_digits(value))


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        return checked(super().parse(stream, media_type, parser_context), "")


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        return checked_query_dict(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(checked_query_dict(parsed.data), parsed.files)
