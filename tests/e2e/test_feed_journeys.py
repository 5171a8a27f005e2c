"""BD feeds the firm's billing data: uploads a 3E-style export, maps its columns once, dry-runs,
imports; the group page rolls the fees up and the whitespace map fills in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.selectors import last_complete_financial_year
from feeds.models import ClientKey
from tests.factories import ClientFactory, ServiceLineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = "Invoice Ref,Client Number,Practice Area,Bill Date,Fees Billed,Currency"


def export(year: int, start: int) -> bytes:
    rows = [
        f"INV-{start},K-1,Tax,{year - 1}-12-31,120000.00,GBP",
        f"INV-{start + 1},K-2,Disputes,{year - 1}-12-31,80000.00,GBP",
        f"INV-{start + 2},K-2,Tax,{year - 1}-12-31,5000.00,GBP",
    ]
    return ("\r\n".join([HEADERS, *rows]) + "\r\n").encode()


def test_bd_maps_a_3e_export_once_dry_runs_imports_and_the_group_rolls_up(page, log_in):
    bd = UserFactory(email="bd@firm.example", full_name="Bea Development", role="bd")
    ServiceLineFactory(name="Tax")
    ServiceLineFactory(name="Disputes")
    parent = ClientFactory(name="Kestrel Pharma Ltd")
    member = ClientFactory(name="Kestrel Pharma SE", parent=parent)
    ClientKey.objects.create(client=parent, key="K-1")
    ClientKey.objects.create(client=member, key="K-2")
    year = last_complete_financial_year()
    log_in(bd)

    page.goto("/feeds/")
    page.get_by_label("The file holds").select_option("fees")
    page.get_by_label("Source").fill("3E monthly fees")
    page.get_by_label("File (CSV or XLSX)").set_input_files(
        {"name": "3e-fees-december.csv", "mimeType": "text/csv", "buffer": export(year, 1)}
    )
    page.get_by_role("button", name="Upload and map the columns").click()
    # "Invoice Ref" is not a name Keyline guesses: BD maps it once.
    external_id = page.get_by_label("External id *")
    expect(external_id).to_have_value("")
    expect(page.get_by_label("Client (key or name) *")).to_have_value("Client Number")
    external_id.select_option("Invoice Ref")
    page.get_by_role("button", name="Save the mapping and check (dry run)").click()
    expect(page.get_by_test_id("feed-status-text")).to_have_text("Checked (dry run)")
    expect(page.get_by_test_id("created")).to_have_text("3")
    page.get_by_test_id("import-button").click()
    expect(page.get_by_test_id("feed-status-text")).to_have_text("Imported")

    page.goto(f"/clients/{parent.pk}/group/")
    expect(page.get_by_test_id("group-size")).to_have_text("2")
    expect(page.get_by_test_id("group-fees")).to_contain_text("Disputes")
    expect(page.get_by_test_id("fee-total-3")).to_have_text("205,000")

    page.goto("/whitespace/?mine=0")
    row = page.get_by_test_id("whitespace-table").get_by_role("row").filter(has_text="Kestrel Pharma SE")
    expect(row).to_contain_text("80,000")

    # Next month's file from the same source maps itself.
    page.goto("/feeds/")
    page.get_by_label("The file holds").select_option("fees")
    page.get_by_label("Source").fill("3E monthly fees")
    page.get_by_label("File (CSV or XLSX)").set_input_files(
        {"name": "3e-fees-january.csv", "mimeType": "text/csv", "buffer": export(year, 10)}
    )
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_label("External id *")).to_have_value("Invoice Ref")
    assert page.js_errors == []
