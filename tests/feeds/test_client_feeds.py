"""The clients feed: new clients with their CRP and parent, updates that never overwrite a Keyline
edit, and parent cycles named row by row."""

from __future__ import annotations

import pytest

from accounts.models import Client
from feeds.models import ClientKey
from tests.factories import ClientFactory, TierFactory
from tests.feeds.helpers import check, check_and_import, csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADERS = ["Client Number", "Client Name", "Parent Client Number", "Tier", "Industry", "Country", "CRP Email"]


@pytest.fixture
def growth(db):
    return TierFactory(name="Growth")


def test_new_clients_arrive_with_their_crp_and_group(growth, alice, carol):
    content = csv_bytes(
        HEADERS,
        [
            ["K-1", "Kestrel Pharma Ltd", "", "Growth", "Life sciences", "United Kingdom", "alice@firm.example"],
            ["K-2", "Kestrel Pharma SE", "K-1", "Growth", "Life sciences", "Germany", "alice@firm.example"],
        ],
    )
    run = check_and_import(carol, upload(carol, "clients", content))
    assert (run.status, run.created) == ("done", 2), run.errors
    se = Client.objects.get(name="Kestrel Pharma SE")
    assert se.parent.name == "Kestrel Pharma Ltd" and se.assignments.get(role="crp").user == alice
    again = check_and_import(carol, upload(carol, "clients", content))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_sector_edited_in_keyline_is_kept_and_listed(growth, alice, carol):
    client = ClientFactory(name="Harbour Energy plc", sector="Energy", crp=alice)
    ClientKey.objects.create(client=client, key="H-1")
    content = csv_bytes(HEADERS, [["H-1", "Harbour Energy plc", "", "", "Oil & gas", "", ""]])
    run = check_and_import(carol, upload(carol, "clients", content))
    client.refresh_from_db()
    assert client.sector == "Energy"
    assert [(c["field"], c["keyline"], c["feed"]) for c in run.conflicts] == [("sector", "Energy", "Oil & gas")]


def test_parent_cycles_in_a_file_are_named_and_nothing_is_written(growth, alice, carol):
    content = csv_bytes(
        HEADERS,
        [
            ["A-1", "Alpha Ltd", "B-1", "Growth", "", "", "alice@firm.example"],
            ["B-1", "Beta Ltd", "A-1", "Growth", "", "", "alice@firm.example"],
            ["C-1", "Gamma Ltd", "", "Platinum", "", "", "alice@firm.example"],
        ],
    )
    run = check(carol, upload(carol, "clients", content))
    messages = {e["row"]: e["message"] for e in run.errors}
    assert "would make this client its own ancestor" in messages[2]
    assert "would make this client its own ancestor" in messages[3]
    assert messages[4] == "Unknown tier “Platinum”."
    assert not Client.objects.filter(name__in=["Alpha Ltd", "Beta Ltd", "Gamma Ltd"]).exists()


def test_the_client_feed_adds_mail_domains_and_never_removes_one(growth, alice, carol):
    from capture.models import ClientEmailDomain

    headers = ["Client Number", "Client Name", "Tier", "CRP Email", "Email Domains"]
    first = csv_bytes(
        headers, [["K-1", "Kestrel Pharma Ltd", "Growth", "alice@firm.example", "kestrel.com; @Kestrel.DE"]]
    )
    run = check_and_import(carol, upload(carol, "clients", first))
    assert (run.status, run.created) == ("done", 1), run.errors
    kestrel = Client.objects.get(name="Kestrel Pharma Ltd")
    assert sorted(kestrel.email_domains.values_list("domain", flat=True)) == ["kestrel.com", "kestrel.de"]
    again = check_and_import(carol, upload(carol, "clients", first))
    assert (again.updated, again.unchanged) == (0, 1)
    fewer = csv_bytes(headers, [["K-1", "Kestrel Pharma Ltd", "Growth", "", "kestrel.com"]])
    assert check_and_import(carol, upload(carol, "clients", fewer)).status == "done"
    assert ClientEmailDomain.objects.filter(client=kestrel).count() == 2
    bad = csv_bytes(headers, [["K-2", "Kestrel SE", "Growth", "alice@firm.example", "not a domain!"]])
    checked = check(carol, upload(carol, "clients", bad))
    assert checked.error_rows == 1 and "is not a mail domain" in checked.errors[0]["message"]
