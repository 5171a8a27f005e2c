"""Browser journey: a BD user opens a red client and reads why it is red."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, ServiceLine
from health.models import Measurement
from health.services.recompute import scores_recompute
from tests.factories import PASSWORD, ClientFactory, InteractionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_bd_user_opens_a_red_client_and_reads_why(page, live_server):
    today = timezone.localdate()
    with transaction.atomic():
        UserFactory(email="bd@firm.example", full_name="Beatrice Bd", role=Role.BD)
        client = ClientFactory(name="Granite Foods plc")
        ServiceLine.objects.create(name="Tax Advisory")
        InteractionFactory(client=client, sentiment=-2, date=today - datetime.timedelta(days=20))
        Measurement.objects.create(client=client, measure_key="client_nps", value=Decimal(3), measured_on=today)
    scores_recompute(client_ids=[client.pk])

    log_in(page, live_server, "bd@firm.example")
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    panel = page.locator("#health")
    assert panel.get_by_test_id("health-band").inner_text() == "Red"
    why = panel.get_by_test_id("health-why")
    assert "Contact frequency" in why.inner_text()
    assert "Client NPS" in why.inner_text()
    assert "missing" in why.inner_text()  # plan execution, payment days… have no data

    panel.get_by_text("What if…?").click()
    page.fill("input[name=raw_client_nps]", "10")
    page.fill("input[name=raw_contact_frequency]", "12")
    page.get_by_role("button", name="Show score").click()
    page.get_by_test_id("what-if-result").wait_for()
    assert "Would score" in page.get_by_test_id("what-if-result").inner_text()
