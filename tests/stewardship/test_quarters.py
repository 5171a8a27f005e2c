"""Calendar quarters have one home (reports.pdf.periods): the scorecard, the rotation calendar and
the quarterly pack read the same quarter."""

from __future__ import annotations

import datetime

from reports.pdf import periods
from reports.pdf.periods import Quarter


def test_stewardship_reads_quarters_from_the_one_home():
    from stewardship import forms, services, views
    from stewardship.selectors import rotation, scorecard

    for module in (forms, services, views, rotation, scorecard):
        assert module.Quarter is periods.Quarter


def test_the_next_quarter_crosses_the_year():
    assert Quarter.containing(datetime.date(2026, 11, 30)).next == Quarter(2027, 1)
    assert Quarter(2027, 1).next.start == datetime.date(2027, 4, 1)


def test_a_quarter_typed_in_a_form_is_read_leniently():
    assert Quarter.read(" 2027-q2 ") == Quarter(2027, 2)
    assert Quarter.read("2027Q2") == Quarter(2027, 2)
    for bad in ("", "2027-Q5", "Q2 2027", "1999-Q1", "2101-Q1"):
        assert Quarter.read(bad) is None


def test_a_running_quarter_is_read_as_of_today():
    today = datetime.date(2026, 11, 30)
    assert Quarter(2026, 4).as_of(today) == today
    assert Quarter(2026, 3).as_of(today) == datetime.date(2026, 9, 30)
