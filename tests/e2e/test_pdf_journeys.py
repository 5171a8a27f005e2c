"""Browser journey: a managing partner requests the quarterly pack, watches it, downloads it."""

import io
import threading
import time

import pytest
from django.db import transaction
from pypdf import PdfReader

from reports.pdf import tasks
from tests.factories import PASSWORD, ClientFactory, UserFactory
from tests.reports_pdf.conftest import give_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(monkeypatch):
    """Stand in for the broker: run each queued render on a thread a moment later, as a worker
    would, so the page has something to poll."""
    threads = []

    def delay(report_id):
        def run():
            time.sleep(1.5)
            tasks.render_report(report_id)

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.render_report, "delay", delay)
    yield
    for thread in threads:
        thread.join(timeout=60)


def test_managing_partner_requests_watches_and_downloads_the_quarterly_pack(page, live_server, worker_queue, tmp_path):
    from health.models import Scorecard

    mike = UserFactory(email="mike.journey@firm.example", full_name="Mike Managing", role="managing_partner")
    scorecard = Scorecard.objects.filter(is_current=True).first() or Scorecard.objects.create(
        version=1, is_current=True
    )
    crp = UserFactory()
    for name in ["Harbour Energy plc", "Atlas Shipping Ltd"]:
        with transaction.atomic():  # a client and its CRP commit together
            client = ClientFactory(name=name, crp=crp)
        give_data(client, scorecard=scorecard, owner=crp)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", mike.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Reports")
    page.select_option("#id_kind", "quarterly_pack")
    page.select_option("#id_scope", "firm", force=True)  # the type-ahead picker keeps the select
    page.fill("#id_quarter", "2026-Q3")
    page.click("text=Create report")

    status = page.locator("[data-testid=report-status]")
    assert status.get_attribute("data-status") in {"queued", "rendering"}
    assert page.locator("#report-progress").is_visible()
    download_link = page.locator("[data-testid=report-download]")
    download_link.wait_for(timeout=60_000)
    assert status.get_attribute("data-status") == "done"

    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "pack.pdf"
    info.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert reader.pages[0].extract_text().count("Key messages") == 1
    assert "Atlas Shipping Ltd" in text and "Harbour Energy plc" in text
