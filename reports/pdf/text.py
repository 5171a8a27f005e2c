"""Plain-English helpers: money and dates as readers say them, and the readability check."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pyphen
import textstat

LONG_SENTENCE_WORDS = 25
HARD_TO_READ_FLESCH = 40
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[A-Za-z]+")
_HYPHENATOR = pyphen.Pyphen(lang="en_GB")


def money(amount: Decimal | int | float | None) -> str:
    value = Decimal(amount or 0).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    return f"£{value:,}"


def day(value: datetime.date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "never"


def short(text: str, words: int = 8) -> str:
    """Quote partner text inside a generated sentence without breaking the word limit."""
    parts = (text or "").split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + "…"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def words_in(sentence: str) -> int:
    return len(sentence.split())


def sentences_of(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(" ".join((text or "").split())) if s]


@dataclass
class Readability:
    label: str
    words: int
    sentences: int
    flesch: float | None
    long_sentences: int

    @property
    def hard_to_read(self) -> bool:
        return self.long_sentences > 0 or (
            self.flesch is not None and self.flesch < HARD_TO_READ_FLESCH
        )


def syllables(text: str) -> int:
    # Hyphenation points stand in for syllables: textstat's own English counter would download a
    # pronunciation dictionary at render time, which a worker must never do.
    return sum(len(_HYPHENATOR.positions(word)) + 1 for word in WORD.findall(text.lower()))


def flesch_reading_ease(text: str) -> float | None:
    words = textstat.lexicon_count(text)
    sentence_count = max(textstat.sentence_count(text), 1)
    if not words:
        return None
    return round(206.835 - 1.015 * words / sentence_count - 84.6 * syllables(text) / words, 1)


def readability(label: str, text: str) -> Readability:
    sentences = sentences_of(text)
    words = sum(words_in(s) for s in sentences)
    flesch = flesch_reading_ease(text)
    return Readability(
        label=label,
        words=words,
        sentences=len(sentences),
        flesch=flesch,
        long_sentences=sum(1 for s in sentences if words_in(s) > LONG_SENTENCE_WORDS),
    )
