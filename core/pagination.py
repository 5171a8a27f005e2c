"""Page numbers, read the same way by every paginated page and API list.

A page number is a whole number from 1. Beyond MAX_PAGE_NUMBER no list has rows, and the offset a
larger number asks for would not fit the database's 64-bit integers, so it is read as that page
(which the lists then clamp to their last page).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from core.parsers import ascii_digits

MAX_PAGE_NUMBER = 1_000_000


def page_number(raw: str | None) -> int | None:
    """The page asked for, or None when `raw` is not a page number."""
    text = ascii_digits((raw or "").strip())
    if not (text.isascii() and text.isdigit()):
        return None
    return max(1, min(int(text), MAX_PAGE_NUMBER)) if int(text) >= 1 else None


def last_page(count: int, size: int) -> int:
    return max(1, math.ceil(count / size))


COUNT_LIMIT = 10_000  # rows an API list counts exactly; past it, counting would cost more than the page


class _CountedUpTo(Paginator):
    """A paginator that counts at most COUNT_LIMIT + 1 rows: a firm's two million interactions are not
    counted on every page of the API. Past the limit the count is unknown (`capped`), any page number is
    accepted, and a page is followed by another while it is full."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            rows = rows.order_by()  # any 10,001 rows will do: no need to sort them first
        return rows[: COUNT_LIMIT + 1].count()  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > COUNT_LIMIT

    def validate_number(self, number: Any) -> int:
        if self.capped:
            return int(number)
        return super().validate_number(number)

    def page(self, number: Any) -> Any:
        if not self.capped:
            return super().page(number)
        bottom = (int(number) - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], int(number), self)


class StandardPagination(PageNumberPagination):
    """A page that is not a number, or past the end, is a 400 that says which page is last.

    `count` is exact up to COUNT_LIMIT rows and null above it (narrow the list with its filters to get a
    count); `next` and `previous` work at any depth."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(
        self, queryset: QuerySet | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        paginator = self.paginator = _CountedUpTo(queryset, size)
        number = self._page_number(paginator, request.query_params.get(self.page_query_param))
        self.page = paginator.page(number)
        rows = list(self.page)
        if paginator.capped and not rows and number > 1:
            raise ValidationError(
                {self.page_query_param: [f"Page {number} is past the end of this list; go back with “previous”."]}
            )
        self.has_more = len(rows) == size if paginator.capped else self.page.has_next()
        return rows

    def _page_number(self, paginator: _CountedUpTo, raw: str | None) -> int:
        if raw in (None, ""):
            return 1
        if raw in self.last_page_strings:
            if paginator.capped:
                raise ValidationError(
                    {
                        self.page_query_param: [
                            f"This list has more than {COUNT_LIMIT:,} rows: narrow it with its filters "
                            "to jump to its last page."
                        ]
                    }
                )
            return paginator.num_pages
        number = page_number(raw)
        if number is None:
            raise ValidationError({self.page_query_param: [f"“{raw[:40]}” is not a page number (1, 2, 3… or last)."]})
        if not paginator.capped and number > paginator.num_pages:
            raise ValidationError(
                {self.page_query_param: [f"Page {raw[:40]} is past the end; the last page is {paginator.num_pages}."]}
            )
        return number

    def get_next_link(self) -> str | None:
        if not self.has_more or self.request is None or self.page is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.page.number + 1)

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.paginator
        return Response(
            {
                "count": None if paginator.capped else paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": f"Rows in the list, counted up to {COUNT_LIMIT:,}; null for a longer list "
            "(narrow it with its filters for a count; next and previous still page through it).",
        }
        return described
