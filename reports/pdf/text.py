"""Plain-English helpers: money and dates as readers say them, and the readability check."""

from __future__ import annotations

import datetime
from decimal import Decimal

from core.money import format_money
from core.readability import (  # noqa: F401 - the reports read text through these names
    LONG_SENTENCE_WORDS,
    Readability,
    readability,
    sentences_of,
    words_in,
)


def money(amount: Decimal | int | float | None) -> str:
    """Whole units in the firm's currency; no amount reads as nought ('£0'), as a sentence needs."""
    return format_money(amount or 0)


def day(value: datetime.date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "never"


def short(text: str, words: int = 8) -> str:
    """Quote partner text inside a generated sentence without breaking the word limit."""
    parts = (text or "").split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + "…"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
