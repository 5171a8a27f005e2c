"""Calendar quarters, the one home: parsing "2026-Q3", their first and last days, the quarters
before and after. The quarterly pack, the partner scorecard and the rotation calendar read them here."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = QUARTER_RE.match(text or "")
        if not match:
            raise ValueError("Write the quarter as YYYY-Qn, for example 2026-Q3.")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def read(cls, text: str) -> Quarter | None:
        """A quarter typed in a form or a link ("2027-Q2", "2027q2"), else None (also outside 2000–2100)."""
        try:
            quarter = cls.parse(text)
        except ValueError:
            return None
        return quarter if 2000 <= quarter.year <= 2100 else None

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_end(cls, end: datetime.date) -> Quarter:
        return cls.containing(end)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        if self.number == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.number + 1, 1) - datetime.timedelta(days=1)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    def back(self, count: int) -> list[Quarter]:
        """This quarter and the `count - 1` before it, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous)
        return quarters[::-1]

    def as_of(self, today: datetime.date) -> datetime.date:
        """The day a quarter's figures are read on: its last day, or today while it runs."""
        return min(self.end, today)

    def __str__(self) -> str:
        return self.label


def last_complete_quarter(today: datetime.date) -> Quarter:
    return Quarter.containing(today).previous
