"""Matters and timekeeper hours from feeds: the client page lists open matters and, apart from the
formal team, the people who recorded time on the client's matters in the last 12 months."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from feeds.models import Matter, TimeEntry
from tests.factories import ClientFactory, ServiceLineFactory, UserFactory
from tests.feeds.helpers import check, check_and_import, csv_bytes, upload

pytestmark = pytest.mark.django_db

MATTER_HEADERS = ["Matter Number", "Client Name", "Matter Name", "Practice", "Billing Partner", "Open Date", "Status"]
TIME_HEADERS = ["Time ID", "Matter Number", "Timekeeper Email", "Work Date", "Hours"]


@pytest.fixture
def kestrel(alice):
    ServiceLineFactory(name="Tax")
    return ClientFactory(name="Kestrel Pharma Ltd", crp=alice)


def test_matters_and_hours_feed_the_client_page(kestrel, alice, carol, bob, login):
    associate = UserFactory(email="sam.associate@firm.example", full_name="Sam Associate")
    matters = csv_bytes(
        MATTER_HEADERS,
        [
            ["M-100", "Kestrel Pharma Ltd", "Transfer pricing review", "Tax", "alice@firm.example", "2025-02-01", "O"],
            ["M-101", "Kestrel Pharma Ltd", "Old dispute", "", "", "2019-01-01", "Closed"],
        ],
    )
    run = check_and_import(carol, upload(carol, "matters", matters))
    assert (run.status, run.created) == ("done", 2), run.errors
    assert Matter.objects.get(number="M-100").responsible_partner == alice
    worked = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    long_ago = (timezone.localdate() - datetime.timedelta(days=500)).isoformat()
    hours = csv_bytes(
        TIME_HEADERS,
        [
            ["T-1", "M-100", "sam.associate@firm.example", worked, "7.5"],
            ["T-2", "M-100", "sam.associate@firm.example", worked, "2"],
            ["T-3", "M-100", "bob@firm.example", long_ago, "3"],
        ],
    )
    run = check_and_import(carol, upload(carol, "hours", hours))
    assert (run.status, run.created) == ("done", 3), run.errors
    body = login(alice).get(kestrel.get_absolute_url()).content.decode()
    assert "Transfer pricing review" in body and "Old dispute" not in body
    assert "Sam Associate · 9.5 h" in body
    assert "Bob Outsider" not in body.split('data-testid="timekeepers"')[1].split("</ul>")[0]
    assert associate.pk


def test_hours_for_an_unknown_matter_or_person_are_named(kestrel, carol):
    hours = csv_bytes(TIME_HEADERS, [["T-9", "M-404", "nobody@firm.example", "2025-01-01", "1"]])
    run = check(carol, upload(carol, "hours", hours))
    assert run.error_rows == 1 and "Unknown matter “M-404”" in run.errors[0]["message"]
    assert not TimeEntry.objects.exists()


def test_a_matter_closing_before_it_opens_is_refused(kestrel, carol):
    headers = [*MATTER_HEADERS, "Close Date"]
    bad = csv_bytes(headers, [["M-1", "Kestrel Pharma Ltd", "X", "Tax", "", "2025-05-01", "C", "2025-04-01"]])
    run = check(carol, upload(carol, "matters", bad))
    assert run.error_rows == 1 and "closes (2025-04-01) before it opens" in run.errors[0]["message"]
