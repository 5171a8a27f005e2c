"""A partner updates an account plan in place in a real browser."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from planning.models import Action, Objective
from tests.factories import (
    PASSWORD,
    AccountPlanFactory,
    ActionFactory,
    ClientFactory,
    ObjectiveFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def partner():
    return UserFactory(email="alice@firm.example", full_name="Alice Partner")


@pytest.fixture
def own_client(partner):
    with transaction.atomic():  # the client and its CRP arrive together, as the database insists
        return ClientFactory(name="Harbour Energy plc", crp=partner)


def test_partner_adds_an_action_marks_another_done_and_updates_an_objective_in_place(
    page, live_server, own_client, partner
):
    alice = partner
    plan = AccountPlanFactory(client=own_client, year=2026)
    objective = ObjectiveFactory(plan=plan, title="Win the panel review", target_value=10, current_value=4)
    existing = ActionFactory(plan=plan, owner=alice, description="Send the horizon-scanning note")
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.evaluate("window.__marker = 'same page'")  # survives only if nothing reloads the page

    page.click("#actions >> text=Add action")
    form = page.locator("#action-new form")
    form.locator("input[name=description]").fill("Invite the GC to the spring briefing")
    form.locator("select[name=owner]").select_option(str(alice.pk))
    due = timezone.localdate() + datetime.timedelta(days=10)
    form.locator("input[name=due_date]").fill(due.isoformat())
    form.locator("input[name=description]").press("Enter")
    page.locator("#action-rows tr", has_text="Invite the GC to the spring briefing").wait_for()

    page.locator(f"#action-{existing.pk} >> text=Mark done").click()
    page.locator(f"#action-{existing.pk} [data-testid=action-status]", has_text="Done").wait_for()

    page.locator(f"#objective-{objective.pk} >> text=Edit").click()
    current = page.locator(f"#objective-{objective.pk} input[name=current_value]")
    current.fill("7")
    current.press("Enter")
    page.locator(f"#objective-{objective.pk} [data-testid=current-value]", has_text="7").wait_for()

    assert page.evaluate("window.__marker") == "same page"
    assert Action.objects.filter(plan=plan, description="Invite the GC to the spring briefing", owner=alice).exists()
    assert Action.objects.get(pk=existing.pk).status == "done"
    assert Objective.objects.get(pk=objective.pk).current_value == 7
    assert "70%" in page.locator(f"#objective-{objective.pk}").inner_text()
