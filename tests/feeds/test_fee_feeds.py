"""Fee feeds: the same monthly file twice changes nothing; fees from feeds are what every page reads;
an edit made in Keyline is kept and listed; bad rows are named and nothing is half-written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from accounts.models import FeeRecord
from accounts.selectors import fees_for_period, last_complete_financial_year
from feeds import services
from feeds.models import ClientKey, ExchangeRate, FeedRun, FeeLine
from tests.factories import ClientFactory, FeeRecordFactory, ServiceLineFactory
from tests.feeds.helpers import THREE_E_HEADERS, check, check_and_import, csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, carol):
    tax, disputes = ServiceLineFactory(name="Tax"), ServiceLineFactory(name="Disputes")
    kestrel = ClientFactory(name="Kestrel Pharma Ltd", crp=alice)
    ClientKey.objects.create(client=kestrel, key="C-1001")
    harbour = ClientFactory(name="Harbour Energy plc", crp=alice)
    return {"tax": tax, "disputes": disputes, "kestrel": kestrel, "harbour": harbour, "bd": carol}


def monthly_file(year: int) -> bytes:
    return csv_bytes(
        THREE_E_HEADERS,
        [
            ["BL-1", "C-1001", "Tax", f"{year - 1}-11-30", "1,000.00", "GBP"],
            ["BL-2", "C-1001", "Tax", f"{year - 1}-12-31", "2500", ""],
            ["BL-3", "Harbour Energy plc", "Disputes", f"{year - 1}-12-31", "£4,000.50", "GBP"],
        ],
    )


def test_the_same_monthly_file_imported_twice_changes_nothing(world):
    year = last_complete_financial_year()
    first = check_and_import(world["bd"], upload(world["bd"], "fees", monthly_file(year), source="3E monthly"))
    assert (first.status, first.created, first.error_rows) == ("done", 3, 0)
    fees = fees_for_period([world["kestrel"].pk, world["harbour"].pk])
    assert fees[world["kestrel"].pk].by_line["Tax"][fy_of(year - 1, 11)] == Decimal("3500.00")
    history_before = FeeRecord.pgh_event_model.objects.count()
    second = check_and_import(world["bd"], upload(world["bd"], "fees", monthly_file(year), source="3E monthly"))
    assert (second.status, second.created, second.updated, second.unchanged) == ("done", 0, 0, 3)
    assert FeeLine.objects.count() == 3
    assert FeeRecord.pgh_event_model.objects.count() == history_before
    assert second.conflicts == []


def fy_of(year: int, month: int) -> int:
    from accounts.models import current_financial_year

    return current_financial_year(datetime.date(year, month, 1))


def test_the_mapping_is_saved_for_the_source(world):
    year = last_complete_financial_year()
    run = upload(world["bd"], "fees", monthly_file(year), source="3E monthly")
    custom = {**run.mapping}
    check_and_import(world["bd"], run)
    again = upload(world["bd"], "fees", monthly_file(year), source="3E monthly")
    assert again.mapping == custom
    assert again.mapping["external_id"] == "Bill Line ID" and again.mapping["client"] == "Client Number"


def test_a_feed_that_meets_a_manual_edit_keeps_the_edit_and_lists_it(world):
    year = last_complete_financial_year()
    check_and_import(world["bd"], upload(world["bd"], "fees", monthly_file(year)))
    record = FeeRecord.objects.get(client=world["kestrel"], service_line=world["tax"])
    record.amount = Decimal("9999.00")  # someone corrects the figure in Keyline
    record.save()
    changed = csv_bytes(THREE_E_HEADERS, [["BL-1", "C-1001", "Tax", f"{year - 1}-11-30", "1500", "GBP"]])
    run = check_and_import(world["bd"], upload(world["bd"], "fees", changed))
    assert run.status == "done" and run.updated == 1
    record.refresh_from_db()
    assert record.amount == Decimal("9999.00")
    assert [(c["client"], c["service_line"], c["keyline"], c["feed"]) for c in run.conflicts] == [
        ("Kestrel Pharma Ltd", "Tax", "9999.00", "4000.00")
    ]


def test_a_figure_typed_before_any_feed_is_a_conflict_not_overwritten(world):
    year = last_complete_financial_year()
    FeeRecordFactory(
        client=world["kestrel"], service_line=world["tax"], financial_year=fy_of(year - 1, 11), amount=Decimal("777")
    )
    run = check_and_import(world["bd"], upload(world["bd"], "fees", monthly_file(year)))
    assert FeeRecord.objects.get(client=world["kestrel"], service_line=world["tax"]).amount == Decimal("777")
    assert len(run.conflicts) == 1


def test_an_empty_cell_never_wipes_a_value(world):
    year = last_complete_financial_year()
    headers = [*THREE_E_HEADERS, "Collected"]
    check_and_import(
        world["bd"],
        upload(world["bd"], "fees", csv_bytes(headers, [["BL-9", "C-1001", "Tax", f"{year}-01-31", "10", "GBP", "8"]])),
    )
    check_and_import(
        world["bd"],
        upload(world["bd"], "fees", csv_bytes(headers, [["BL-9", "C-1001", "Tax", f"{year}-01-31", "10", "GBP", ""]])),
    )
    assert FeeLine.objects.get(external_id="BL-9").collected == Decimal("8.00")


def test_foreign_fees_convert_at_the_rate_of_their_period(world):
    year = last_complete_financial_year()
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(year - 2, 1, 1), rate=Decimal("0.80"))
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(year - 1, 12, 1), rate=Decimal("0.90"))
    rows = [
        ["E-1", "C-1001", "Tax", f"{year - 1}-11-30", "1000", "EUR"],
        ["E-2", "C-1001", "Tax", f"{year - 1}-12-31", "1000", "EUR"],
    ]
    check_and_import(world["bd"], upload(world["bd"], "fees", csv_bytes(THREE_E_HEADERS, rows)))
    record = FeeRecord.objects.get(client=world["kestrel"], service_line=world["tax"])
    assert record.amount == Decimal("1700.00")
    # A corrected rate re-converts the lines of its period, and the year's figure follows.
    rates = csv_bytes(["Currency", "Valid from", "Rate"], [["EUR", f"{year - 1}-12-01", "1.0"]])
    run = check_and_import(world["bd"], upload(world["bd"], "rates", rates))
    assert run.status == "done", run.errors
    record.refresh_from_db()
    assert record.amount == Decimal("1800.00")


def test_bad_rows_are_each_named_and_nothing_is_written(world, confidential_client):
    year = last_complete_financial_year()
    rows = [
        ["X-1", "C-1001", "Tax", f"{year - 1}-11-30", "100", "GBP"],
        ["X-2", "Nobody Ltd", "Tax", f"{year - 1}-11-30", "100", "GBP"],
        ["X-3", "C-1001", "Basket weaving", f"{year - 1}-11-30", "100", "GBP"],
        ["X-1", "C-1001", "Tax", f"{year - 1}-11-30", "100", "GBP"],
        ["X-5", "C-1001", "Tax", f"{year - 1}-11-30", "-5", "GBP"],
        ["X-6", "C-1001", "Tax", f"{year - 1}-11-30", "lots", "GBP"],
        ["X-7", "C-1001", "Tax", "1899-01-01", "100", "GBP"],
        ["X-8", "C-1001", "Tax", f"{year - 1}-11-30", "100", "USD"],
        ["X-9", confidential_client.name, "Tax", f"{year - 1}-11-30", "100", "GBP"],
    ]
    run = check(world["bd"], upload(world["bd"], "fees", csv_bytes(THREE_E_HEADERS, rows)))
    assert run.status == "checked" and run.error_rows == 8
    by_row = {e["row"]: e for e in run.errors}
    assert "Unknown client “Nobody Ltd”" in by_row[3]["message"]
    assert "Unknown service line “Basket weaving”" in by_row[4]["message"]
    assert "repeated: it first appears on line 2" in by_row[5]["message"]
    assert "negative" in by_row[6]["message"]
    assert "not a number" in by_row[7]["message"]
    assert "out of range" in by_row[8]["message"]
    assert "No exchange rate for USD" in by_row[9]["message"]
    # A client behind a wall the sender is outside of reads exactly like one that does not exist.
    assert (
        by_row[10]["message"]
        == f"Unknown client “{confidential_client.name}”: no client you may change has this key or name."
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.feed_import(actor=world["bd"], run=run, mode="all")
    run.refresh_from_db()
    assert run.status == "refused" and "8 row(s) have errors" in run.message
    assert FeeLine.objects.count() == 0 and FeeRecord.objects.count() == 0


def test_taking_the_feeds_value_replaces_the_edit_once(world, login):
    year = last_complete_financial_year()
    check_and_import(world["bd"], upload(world["bd"], "fees", monthly_file(year)))
    record = FeeRecord.objects.get(client=world["kestrel"], service_line=world["tax"])
    record.amount = Decimal("9999.00")
    record.save()
    changed = csv_bytes(THREE_E_HEADERS, [["BL-1", "C-1001", "Tax", f"{year - 1}-11-30", "1500", "GBP"]])
    run = check_and_import(world["bd"], upload(world["bd"], "fees", changed))
    http = login(world["bd"])
    page = http.get(reverse("feed-run-detail", args=[run.pk])).content.decode()
    assert "Take the feed&#x27;s value" in page or "Take the feed's value" in page
    response = http.post(reverse("feed-conflict-take", args=[run.pk, 0]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.amount == Decimal("4000.00")
    history = FeeRecord.pgh_event_model.objects.count()
    http.post(reverse("feed-conflict-take", args=[run.pk, 0]))  # again: nothing changes
    assert FeeRecord.pgh_event_model.objects.count() == history
    run.refresh_from_db()
    assert run.conflicts[0]["taken"] is True
    assert "value taken by Carol Bd" in http.get(reverse("feed-run-detail", args=[run.pk])).content.decode()
    # The figure is the feed's again: the next feed updates it without a conflict.
    again = csv_bytes(THREE_E_HEADERS, [["BL-1", "C-1001", "Tax", f"{year - 1}-11-30", "2000", "GBP"]])
    later = check_and_import(world["bd"], upload(world["bd"], "fees", again))
    assert later.conflicts == []
    record.refresh_from_db()
    assert record.amount == Decimal("4500.00")


def test_a_conflict_of_a_client_the_sender_may_not_change_cannot_be_taken(world, bob):
    run = FeedRun.objects.create(
        kind="fees",
        created_by=world["bd"],
        status="done",
        dry_run=False,
        conflicts=[{"kind": "fees", "client_id": 0, "service_line_id": world["tax"].pk, "financial_year": 2020}],
    )
    with pytest.raises(ValidationError):
        services.feed_take_value(actor=world["bd"], run=run, index=0)
    with pytest.raises(ValidationError):
        services.feed_take_value(actor=world["bd"], run=run, index=5)


def test_a_run_lost_with_its_worker_can_be_run_again_once(world, login):
    year = last_complete_financial_year()
    run = check(world["bd"], upload(world["bd"], "fees", monthly_file(year)))
    services.feed_import(actor=world["bd"], run=run, mode="all")  # queued; its worker never comes
    FeedRun.objects.filter(pk=run.pk).update(status="running")  # …it claimed the run, then died
    http = login(world["bd"])
    assert "Run it again" in http.get(reverse("feed-run-detail", args=[run.pk])).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        http.post(reverse("feed-run-retry", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.created) == ("done", 3)
    assert FeeLine.objects.count() == 3
    with pytest.raises(ValidationError):  # done: nothing to retry
        services.feed_retry(actor=world["bd"], run=run)
