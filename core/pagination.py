"""Page numbers, read the same way by every paginated page and API list.

A page number is a whole number from 1. Beyond MAX_PAGE_NUMBER no list has rows, and the offset a
larger number asks for would not fit the database's 64-bit integers, so it is read as that page
(which the lists then clamp to their last page).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
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


class StandardPagination(PageNumberPagination):
    """A page that is not a number, or past the end, is a 400 that says which page is last."""

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
        paginator = Paginator(queryset, size)
        raw = request.query_params.get(self.page_query_param)
        if raw in (None, ""):
            number = 1
        elif raw in self.last_page_strings:
            number = paginator.num_pages
        else:
            parsed = page_number(raw)
            if parsed is None:
                raise ValidationError(
                    {self.page_query_param: [f"“{raw[:40]}” is not a page number (1, 2, 3… or last)."]}
                )
            number = parsed
            if number > paginator.num_pages:
                raise ValidationError(
                    {
                        self.page_query_param: [
                            f"Page {raw[:40]} is past the end; the last page is {paginator.num_pages}."
                        ]
                    }
                )
        self.page = paginator.page(number)
        return list(self.page)
