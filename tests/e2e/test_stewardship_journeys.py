"""Browser journey: a managing partner decides on CRP signals (a "transition" opens the transition
record), confirms the rotation quarter on the calendar, names a successor from the shortlist, and
reads all of it in the quarterly pack."""

from __future__ import annotations

import datetime
import io
import threading
import time

import pytest
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Assignment, Tier
from planning.models import PanelAppointment, Transition
from reports.pdf import tasks
from reports.pdf.periods import Quarter as PackQuarter
from stewardship.models import CrpSignal, SignalDecision, Succession
from tests.factories import PASSWORD, ClientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(monkeypatch):
    """Stand in for the broker: run each queued render on a thread, as a worker would."""
    threads = []

    def delay(report_id):
        def run():
            time.sleep(0.5)
            tasks.render_report(report_id)

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.render_report, "delay", delay)
    yield
    for thread in threads:
        thread.join(timeout=90)


@pytest.fixture
def firm():
    today = timezone.localdate()
    growth = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0]
    mike = UserFactory(email="mike.steward@firm.example", full_name="Mike Managing", role="managing_partner")
    olly = UserFactory(full_name="Olly Overloaded")
    vera = UserFactory(full_name="Vera Veteran")
    sam = UserFactory(full_name="Sam Deputy")
    sunil = UserFactory(full_name="Sunil Successor")
    for n in range(5):  # more Growth clients than the policy's three
        with transaction.atomic():
            ClientFactory(name=f"Olly Growth {n} plc", crp=olly, tier=growth)
    with transaction.atomic():
        mining = ClientFactory(name="Longstanding Mining plc", crp=vera, tier=growth)
    Assignment.objects.filter(client=mining, role="crp").update(start_date=datetime.date(2015, 1, 1))
    Assignment.objects.create(client=mining, user=sam, role="sam")
    PanelAppointment.objects.create(
        client=mining, panel_name="Legal panel", retender_on=PackQuarter.containing(today).end + datetime.timedelta(30)
    )
    return {"mike": mike, "olly": olly, "vera": vera, "sam": sam, "sunil": sunil, "mining": mining, "today": today}


def decide(page, row, decision: str, reason: str, review_on: datetime.date) -> None:
    row.locator("summary").click()
    row.get_by_label(decision).check()
    row.get_by_label("Reason").fill(reason)
    row.get_by_label("Review on").fill(review_on.isoformat())
    row.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("networkidle")


def test_managing_partner_decides_rotates_names_a_successor_and_reads_the_pack(
    page, live_server, firm, worker_queue, tmp_path
):
    mike, today = firm["mike"], firm["today"]
    review = today + datetime.timedelta(days=90)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", mike.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    # The CRP signals, then the decisions on them.
    page.locator("nav [data-nav-menu] > summary").click()
    page.click("nav >> text=CRP signals")
    page.get_by_role("link", name="Decide on CRP signals").click()
    growth_signal = CrpSignal.objects.get(kind="too_many_growth", partner=firm["olly"])
    decide(
        page,
        page.locator(f"[data-testid=signal-{growth_signal.pk}]"),
        "Coaching or a development plan",
        "Leadership coaching; hand two Growth clients to the bench",
        review,
    )
    assert page.get_by_text("Recorded “Coaching or a development plan”").is_visible()
    rotation_signal = CrpSignal.objects.get(kind="rotation_due", client=firm["mining"])
    decide(
        page,
        page.locator(f"[data-testid=signal-{rotation_signal.pk}]"),
        "Transition to a new CRP",
        "Twelve years: rotate to the SAM",
        review,
    )
    log = page.locator("[data-testid=decision-log]")
    assert log.get_by_text("Leadership coaching").is_visible() and log.get_by_text("rotate to the SAM").is_visible()
    assert SignalDecision.objects.count() == 2
    # "Transition" opened the transition record to the SAM, the natural successor.
    opened = Transition.objects.get(client=firm["mining"])
    assert opened.incoming == firm["sam"] and SignalDecision.objects.get(decision="transition").transition == opened
    assert log.get_by_text("Transition to Sam Deputy").is_visible()

    # The rotation calendar proposes a quarter clear of the re-tender; accept it.
    page.get_by_role("link", name="Rotation calendar").click()
    row = page.locator(f"[data-testid=rotation-{firm['mining'].pk}]")
    assert "Re-tender of Legal panel" in row.inner_text()
    row.get_by_role("link", name="Accept, move or decline").click()
    page.get_by_label("Decision").select_option("accepted")
    page.get_by_label("Reason").fill("Agreed with the client's general counsel")
    page.get_by_role("button", name="Record").click()
    page.wait_for_load_state("networkidle")
    transition = Transition.objects.get(client=firm["mining"])  # the one the decision opened, confirmed
    assert transition == opened and transition.incoming == firm["sam"]
    assert "Transition to Sam Deputy" in page.locator(f"[data-testid=rotation-{firm['mining'].pk}]").inner_text()

    # A successor for one of the overloaded partner's Growth clients, from its shortlist.
    client = Assignment.objects.filter(user=firm["olly"], role="crp").order_by("client__name").first().client
    page.goto(f"{live_server.url}/stewardship/clients/{client.pk}/shortlist/")
    candidate = page.locator(f"[data-testid=candidate-{firm['sunil'].pk}]")
    candidate.get_by_label("Readiness of Sunil Successor").select_option("within_2_years")
    candidate.get_by_role("button", name="Name as successor").click()
    page.wait_for_load_state("networkidle")
    assert "Sunil Successor" in page.locator("[data-testid=named-successor]").inner_text()
    assert Succession.objects.get(client=client).successor == firm["sunil"]
    # The client had no SAM: the named successor is now its SAM, the firm's successor everywhere.
    assert Assignment.objects.filter(client=client, user=firm["sunil"], role="sam", end_date__isnull=True).exists()

    # The quarterly pack for this quarter carries all of it.
    page.click("nav >> text=Reports")
    page.select_option("#id_kind", "quarterly_pack")
    page.select_option("#id_scope", "firm")
    page.fill("#id_quarter", PackQuarter.containing(today).code)
    page.click("text=Create report")
    download_link = page.locator("[data-testid=report-download]")
    download_link.wait_for(timeout=90_000)
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "pack.pdf"
    info.value.save_as(path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split())
    assert "1.5 CRP stewardship" in text
    packed = "".join(text.split())  # narrow table cells break words in the PDF's text
    assert "Coachingoradevelopmentplan" in packed and "TransitiontoanewCRP:transitiontoSamDeputy" in packed
    assert "Sam Deputy" in text and "Accepted" in text
    assert "Sunil Successor" in text
