"""The bulk feed API: JSON lines over HTTP with a personal token, checked or imported at once."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient

from accounts.models import FeeRecord
from accounts.selectors import last_complete_financial_year
from accounts.services_tokens import api_token_create
from feeds.models import ClientKey, FeeLine
from tests.factories import ClientFactory, ServiceLineFactory, UserFactory


def lines(rows: list[dict]) -> str:
    return "\n".join(json.dumps(row) for row in rows) + "\n"


def post(token: str, kind: str, rows: list[dict] | str, query: str = "") -> tuple[int, dict]:
    body = rows if isinstance(rows, str) else lines(rows)
    response = HttpClient().post(
        f"/api/feeds/{kind}/{query}",
        data=body,
        content_type="application/x-ndjson",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    return response.status_code, response.json()


def fee_rows(count: int, year: int, start: int = 0) -> list[dict]:
    return [
        {
            "external_id": f"API-{n}",
            "client": "C-1",
            "service_line": "Tax",
            "period": f"{year - 1}-12-31",
            "billed": "10.00",
        }
        for n in range(start, start + count)
    ]


@pytest.fixture
def sender(db, carol):
    ServiceLineFactory(name="Tax")
    client = ClientFactory(name="Kestrel Pharma Ltd")
    ClientKey.objects.create(client=client, key="C-1")
    return api_token_create(actor=carol, name="3E nightly")[1]


@pytest.mark.django_db
def test_a_dry_run_reports_without_writing_then_the_import_writes(sender):
    year = last_complete_financial_year()
    status, report = post(sender, "fees", fee_rows(3, year), "?dry_run=1")
    assert (status, report["status"], report["created"]) == (200, "checked", 3)
    assert FeeLine.objects.count() == 0
    status, report = post(sender, "fees", fee_rows(3, year))
    assert (status, report["status"], report["created"]) == (200, "done", 3)
    assert FeeRecord.objects.get().amount == Decimal("30.00")
    status, report = post(sender, "fees", fee_rows(3, year))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 3)


@pytest.mark.django_db
def test_a_batch_with_a_bad_row_is_refused_whole_unless_valid_rows_only(sender):
    year = last_complete_financial_year()
    rows = [
        *fee_rows(2, year),
        {"external_id": "BAD", "client": "C-1", "service_line": "Tax", "period": "x", "billed": "1"},
    ]
    status, report = post(sender, "fees", rows)
    assert status == 422 and report["status"] == "refused"
    assert report["errors"] == [
        {"row": 3, "field": "Period (date or month)", "message": report["errors"][0]["message"]}
    ]
    assert "is not a date" in report["errors"][0]["message"]
    assert FeeLine.objects.count() == 0
    status, report = post(sender, "fees", rows, "?mode=valid_only")
    assert (status, report["created"], report["error_rows"]) == (200, 2, 1)


@pytest.mark.django_db
def test_a_batch_over_the_limit_is_refused_with_the_limit_named(sender, settings):
    settings.FEEDS_API_MAX_ROWS = 5
    status, report = post(sender, "fees", fee_rows(6, last_complete_financial_year()))
    assert status == 400 and "at most 5 rows" in json.dumps(report)
    assert FeeLine.objects.count() == 0


@pytest.mark.django_db
def test_lines_that_are_not_json_objects_are_named(sender):
    status, report = post(sender, "fees", '{"external_id": "A"}\n[1, 2]\n')
    assert status == 400 and "Line 2 is not a JSON object" in json.dumps(report)


@pytest.mark.django_db
def test_partners_may_not_feed(normal_client, alice):
    token = api_token_create(actor=alice, name="mine")[1]
    status, _ = post(token, "fees", fee_rows(1, last_complete_financial_year()))
    assert status == 403


@pytest.mark.django_db(transaction=True)
def test_concurrent_feeds_of_the_same_rows_make_no_duplicates():
    carol = UserFactory(email="carol2@firm.example", role="bd")
    ServiceLineFactory(name="Tax")
    client = ClientFactory(name="Kestrel Pharma Ltd")
    ClientKey.objects.create(client=client, key="C-1")
    token = api_token_create(actor=carol, name="feed")[1]
    year = last_complete_financial_year()
    # Four feeds at once, overlapping: rows 0-299, 100-399, 200-499 and 0-299 again.
    batches = [fee_rows(300, year, 0), fee_rows(300, year, 100), fee_rows(300, year, 200), fee_rows(300, year, 0)]
    results: list[int] = []

    def send(batch: list[dict]) -> None:
        try:
            results.append(post(token, "fees", batch)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200, 200, 200]
    assert FeeLine.objects.count() == 500
    assert FeeRecord.objects.get(client=client).amount == Decimal("5000.00")
