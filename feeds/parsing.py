"""Cell parsers shared by every feed kind: each returns the value or raises CellError with the
message the row report shows beside the column."""

from __future__ import annotations

import datetime
import re
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

EARLIEST = datetime.date(1990, 1, 1)
LATEST_YEARS_AHEAD = 1
AMOUNT_LIMIT = Decimal("999999999999.99")
_NUMBER_NOISE = re.compile(r"[\s,£$€¥\u00a0]|[A-Z]{3}$|^[A-Z]{3}")


_PLAIN_NUMBER = re.compile(r"\d{1,15}(\.\d{1,2})?\Z")
_CENT = Decimal("0.01")


class CellError(ValueError):
    pass


def text(value: str, limit: int) -> str:
    if len(value) > limit:
        raise CellError(f"Too long: at most {limit} characters.")
    return value


def amount(value: str, *, limit: Decimal = AMOUNT_LIMIT) -> Decimal:
    """A non-negative money amount: thousands separators and currency signs are ignored."""
    if _PLAIN_NUMBER.match(value):  # the commonest cell, "1234.50": the fast path
        number = Decimal(value)
        if number > limit:
            raise CellError(f"{value} is larger than the largest amount accepted ({limit:,}).")
        return number.quantize(_CENT)
    cleaned = _NUMBER_NOISE.sub("", value.strip().upper())
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    try:
        number = Decimal(cleaned.strip("()"))
    except InvalidOperation:
        raise CellError(f"“{value}” is not a number.") from None
    if not number.is_finite():
        raise CellError(f"“{value}” is not a number.")
    if negative or number < 0:
        raise CellError(
            f"{value} is negative: amounts cannot be negative (send credit notes as a lower billed figure)."
        )
    if number > limit:
        raise CellError(f"{value} is larger than the largest amount accepted ({limit:,}).")
    return number.quantize(Decimal("0.01"))


def hours(value: str) -> Decimal:
    number = amount(value, limit=Decimal(744))
    return number


_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%b-%Y", "%d %b %Y", "%Y%m%d"]
_MONTH_FORMATS = ["%Y-%m", "%m/%Y", "%b %Y", "%B %Y", "%Y%m"]


def date(value: str, *, month_end: bool = True) -> datetime.date:
    """A day, or a month (read as its last day when `month_end`), between 1990 and next year."""
    value = value.strip()[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", value.strip()) else value.strip()
    parsed: datetime.date | None = None
    if len(value) == 10 and value[4] == "-":  # ISO, by far the commonest: the fast path
        try:
            parsed = datetime.date.fromisoformat(value)
        except ValueError:
            parsed = None
    for fmt in _DATE_FORMATS if parsed is None else ():
        try:
            parsed = datetime.datetime.strptime(value, fmt).date()
            break
        except ValueError:
            continue
    if parsed is None:
        for fmt in _MONTH_FORMATS:
            try:
                first = datetime.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            parsed = _month_end(first) if month_end else first
            break
    if parsed is None:
        raise CellError(f"“{value}” is not a date: write 2026-03-31 (or 31/03/2026, or 2026-03 for a month).")
    latest = _latest()
    if not EARLIEST <= parsed <= latest:
        raise CellError(f"{parsed.isoformat()} is out of range ({EARLIEST.isoformat()} to {latest.isoformat()}).")
    return parsed


_latest_cache: dict[str, Any] = {"until": 0.0, "value": None}


def _latest() -> datetime.date:
    """The last day a date may fall on (read at most once a minute: a feed asks once per cell)."""
    now = time.monotonic()
    if _latest_cache["value"] is None or now >= _latest_cache["until"]:
        today = timezone.localdate()
        _latest_cache.update(value=datetime.date(today.year + LATEST_YEARS_AHEAD, 12, 31), until=now + 60)
    latest: datetime.date = _latest_cache["value"]
    return latest


def _month_end(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def currency(value: str, default: str) -> str:
    code = value.strip().upper() or default
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise CellError(f"“{value}” is not a three-letter currency code such as GBP, EUR or USD.")
    return code


def rate(value: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        raise CellError(f"“{value}” is not a number.") from None
    if not number.is_finite() or number <= 0 or number > Decimal("1000000"):
        raise CellError(f"{value} is not a usable exchange rate (it must be above 0).")
    return number.quantize(Decimal("0.00000001"))
