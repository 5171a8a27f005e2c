"""Browser journey: a partner logs an interaction from the client page and the coverage gap it closes goes."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from tests.factories import PASSWORD, ClientFactory, RelationshipFactory, StakeholderFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_logs_an_interaction_and_the_coverage_gap_disappears(page, live_server, alice):
    with transaction.atomic():  # the client and its CRP must arrive together
        normal_client = ClientFactory(name="Harbour Energy plc", crp=alice)
    ceo = StakeholderFactory(
        client=normal_client,
        name="Clara Chief",
        job_title="Chief Executive",
        seniority="c_suite",
        buying_role="decision_maker",
        influence=5,
    )
    RelationshipFactory(stakeholder=ceo, user=alice, strength=4, is_primary=True)
    RelationshipFactory(stakeholder=ceo, user=UserFactory(full_name="Second Partner"), strength=3)

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/clients/{normal_client.pk}/")

    gap = page.locator(f"#stakeholder-gaps li[data-gap=not_contacted][data-stakeholder='{ceo.pk}']")
    expect(gap).to_be_visible()
    page.evaluate("window.__noReload = true")

    form = page.locator("#interaction-log-form")
    form.locator("select[name=log-stakeholders]").select_option(str(ceo.pk))
    form.locator("select[name=log-kind]").select_option("meeting")
    form.locator("[name=log-summary]").fill("Breakfast on the growth plan")
    form.locator("button[type=submit]").click()

    expect(page.locator("#recent-interactions")).to_contain_text("Breakfast on the growth plan")
    expect(gap).to_have_count(0)
    expect(page.locator("#interaction-log-form")).to_contain_text("Interaction logged")
    assert page.evaluate("window.__noReload") is True
