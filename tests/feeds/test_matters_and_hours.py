"""Matters and timekeeper hours from feeds: the client page lists open matters and, apart from the
formal team, the people who recorded time on the client's matters in the last 12 months."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from feeds.models import Matter, TimeEntry
from stakeholders.selectors.interactions import firm_people_of
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


def _time(client, number: str, person, days_ago: int, hours: str) -> None:
    matter, _ = Matter.objects.get_or_create(number=number, defaults={"client": client, "name": f"Matter {number}"})
    TimeEntry.objects.create(
        external_id=f"T-{number}-{person.pk}-{days_ago}",
        matter=matter,
        timekeeper=person,
        worked_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        hours=hours,
    )


def test_timekeepers_count_in_coverage_and_who_knows_whom_shown_as_such(
    kestrel, confidential_client, alice, bob, login
):
    sam = UserFactory(email="sam.associate@firm.example", full_name="Sam Associate")
    _time(kestrel, "M-1", sam, 30, "7.5")
    _time(confidential_client, "N-1", sam, 20, "10")
    _time(kestrel, "M-1", bob, 500, "3")  # more than 12 months ago: not a timekeeper now

    # The coverage matrix lists the client's timekeepers apart from the formal team, as timekeepers.
    body = login(alice).get(reverse("stakeholder-matrix", args=[kestrel.pk])).content.decode()
    section = body.split('data-testid="matrix-timekeepers"')[1].split("</section>")[0]
    assert "Sam Associate" in section and "7.5 h" in section and "timekeeper" in section
    assert "no relationship recorded here" in section
    assert "Bob Outsider" not in section
    # …and they can be chosen as attendees of a touchpoint with the client.
    assert sam in firm_people_of(kestrel)
    assert bob not in firm_people_of(kestrel)

    # Who-knows-whom: the person's page names the clients they worked for, within the wall.
    url = reverse("person-relationships", args=[sam.pk])
    inside = login(alice).get(url).content.decode().split('data-testid="person-worked-for"')[1]
    assert "Kestrel Pharma Ltd</a> · 7.5 h" in inside and confidential_client.name in inside
    outside = login(bob).get(url).content.decode().split('data-testid="person-worked-for"')[1]
    assert "Kestrel Pharma Ltd</a> · 7.5 h" in outside
    assert confidential_client.name not in outside
