"""The packs a managing partner of the demo firm downloads, for the last complete quarter and the
one still running, read as text: fees compared like with like, every measure named, the bottom line
first."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from health.models import Measure, Scorecard
from reports.pdf.periods import Quarter
from tests.reports_pdf.conftest import pack_record

pytestmark = pytest.mark.django_db

KEY_MESSAGE = re.compile(r"^\s*\d\.\s*$", re.MULTILINE)


@pytest.fixture
def demo_mp(db):
    call_command("seed_demo", "--clients", "30", "--quiet")
    return User.objects.get(email="mp@keyline.example")


def quarters() -> list[Quarter]:
    current = Quarter.containing(timezone.localdate())
    return [current.previous, current]


def test_the_demo_firms_last_two_packs_read_as_graded_entry(demo_mp, build):
    names = list(
        Measure.objects.filter(scorecard=Scorecard.objects.get(is_current=True)).values_list("name", flat=True)
    )
    for quarter in quarters():
        _, pages = build(pack_record(demo_mp, quarter=quarter))
        text = " ".join(" ".join(pages).split())
        assert "£0 in FY" not in text and "down 100%" not in text, quarter.label
        assert "Key messages" in pages[0] and "Executive summary" not in pages[0], quarter.label
        assert 1 <= len(KEY_MESSAGE.findall(pages[0])) <= 5
        summary = next(i for i, page in enumerate(pages) if page.lstrip().startswith("Executive summary"))
        full = next(i for i, page in enumerate(pages) if page.lstrip().startswith("Full report"))
        assert summary == 1 and full - summary <= 2, quarter.label
        cards = text.split("Why this score:")[1:]
        assert cards, quarter.label
        for card in cards:
            assert all(name in card for name in names), (quarter.label, card[:200])
