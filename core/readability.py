"""How hard a text is to read: the one check the plan page's hint and the PDF reports share."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyphen
import textstat

LONG_SENTENCE_WORDS = 25
HARD_TO_READ_FLESCH = 40
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[A-Za-z]+")
_HYPHENATOR = pyphen.Pyphen(lang="en_GB")


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
        return self.long_sentences > 0 or (self.flesch is not None and self.flesch < HARD_TO_READ_FLESCH)


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


def readability_hint(text: str) -> str:
    """A hint for the person writing `text`, or "" when it reads easily. Never a refusal."""
    if not (text or "").strip():
        return ""
    check = readability("", text)
    if not check.hard_to_read:
        return ""
    parts = []
    if check.long_sentences:
        longest = max(words_in(s) for s in sentences_of(text))
        many = "sentence runs" if check.long_sentences == 1 else "sentences run"
        parts.append(f"{check.long_sentences} {many} past {LONG_SENTENCE_WORDS} words (the longest has {longest})")
    if check.flesch is not None and check.flesch < HARD_TO_READ_FLESCH:
        parts.append(f"reading ease is {check.flesch:.0f}, where 50 or more reads easily")
    return "Hard to read: " + "; ".join(parts) + ". Shorter sentences and plainer words help busy readers."
