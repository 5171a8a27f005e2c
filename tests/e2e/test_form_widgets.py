"""Browser journeys for the shared form widgets: type-ahead pickers, length counters, the CSP."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from stakeholders.models import Interaction
from tests.factories import (
    AccountPlanFactory,
    ClientFactory,
    ObjectiveFactory,
    RelationshipFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_WATCH = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample))"
)


@pytest.fixture
def client_with_people(alice):
    with transaction.atomic():  # the client and its CRP must arrive together
        client = ClientFactory(name="Harbour Energy plc", crp=alice)
    ceo = StakeholderFactory(client=client, name="Clara Chief", job_title="Chief Executive")
    for name in ("Bruno Barrister", "Carla Counsel", "Dmitri Draper"):
        RelationshipFactory(stakeholder=ceo, user=UserFactory(full_name=name), strength=3)
    return client


def test_a_partner_picks_two_attendees_by_typing_and_logs_the_meeting(page, log_in, alice, client_with_people):
    log_in(alice)
    page.goto(f"/clients/{client_with_people.pk}/")
    page.evaluate(CSP_WATCH)
    form = page.locator("#interaction-log-form")

    attendees = form.get_by_role("combobox", name="Firm attendees")
    attendees.focus()
    active = form.locator(".ts-dropdown .option.active")
    page.keyboard.type("brun")
    expect(active).to_contain_text("Bruno Barrister")  # the list has filtered before Enter picks
    page.keyboard.press("Enter")
    page.keyboard.type("carl")
    expect(active).to_contain_text("Carla Counsel")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    chosen = form.locator(".ts-wrapper.multi .item")
    expect(chosen.filter(has_text="Bruno Barrister")).to_have_count(1)
    expect(chosen.filter(has_text="Carla Counsel")).to_have_count(1)

    form.get_by_label("Summary").fill("Breakfast on the growth plan")
    form.get_by_role("button", name="Log interaction").click()
    expect(form.locator(".flash-success")).to_contain_text("Interaction logged")

    logged = Interaction.objects.get(summary="Breakfast on the growth plan")
    names = set(logged.firm_attendees.values_list("full_name", flat=True))
    assert {"Bruno Barrister", "Carla Counsel"} <= names
    assert "Dmitri Draper" not in names
    # The fresh form that came back in place is a picker again, and nothing broke the CSP.
    expect(page.locator("#interaction-log-form .ts-wrapper.multi")).to_have_count(2)
    assert page.evaluate("window.__csp") == []
    assert page.js_errors == []


def test_the_folded_team_form_arrives_as_a_picker_when_opened(page, log_in, alice, client_with_people):
    """The client page does not carry the firm's people list: opening the form fetches it in place."""
    UserFactory(full_name="Zora Zeller")
    log_in(alice)
    page.goto(f"/clients/{client_with_people.pk}/")
    page.evaluate(CSP_WATCH)
    assert "Zora Zeller" not in page.content()

    page.get_by_text("Add a team member", exact=True).click()
    expect(page.locator(".deferred-form .ts-wrapper")).to_have_count(1)  # the fetched select became a picker
    page.locator(".deferred-form .ts-control").first.click()
    page.keyboard.type("zora")
    expect(page.locator(".ts-dropdown .option.active")).to_contain_text("Zora Zeller")
    page.keyboard.press("Enter")
    page.get_by_label("Role").select_option(label="Team member")
    assert page.evaluate("window.__csp") == []  # fetching the form and its picker broke no policy
    page.locator(".deferred-form").get_by_role("button", name="Add", exact=True).click()

    expect(page.locator(".flash-success")).to_contain_text("Zora Zeller added to the team")
    assert client_with_people.assignments.filter(user__full_name="Zora Zeller", end_date__isnull=True).exists()
    assert page.js_errors == []


def test_a_long_summary_is_counted_and_refused_whole_rather_than_cut(page, log_in, alice, client_with_people):
    log_in(alice)
    page.goto(f"/clients/{client_with_people.pk}/")
    form = page.locator("#interaction-log-form")
    summary = form.get_by_label("Summary")
    expect(form.locator(".char-count").first).to_be_visible()

    summary.fill("x" * 510)
    assert summary.input_value() == "x" * 510  # nothing cut at the limit
    expect(form.locator(".char-count.over")).to_contain_text("10 too many")

    form.get_by_role("button", name="Log interaction").click()
    expect(page.locator("#interaction-log-form .field-error")).to_contain_text("at most 500 characters")
    assert page.locator("#interaction-log-form").get_by_label("Summary").input_value() == "x" * 510
    assert not Interaction.objects.exists()


def test_back_after_an_in_place_edit_shows_the_new_value(page, log_in, alice, client_with_people):
    plan = AccountPlanFactory(client=client_with_people, year=2026)
    objective = ObjectiveFactory(plan=plan, title="Win the panel review", target_value=1000, current_value=845)
    log_in(alice)
    page.goto(f"/plans/{plan.pk}/")
    row = page.locator(f"#objective-{objective.pk}")
    row.get_by_text("Edit").click()
    row.locator("input[name=current_value]").fill("900")
    row.locator("input[name=current_value]").press("Enter")
    expect(page.locator(f"#objective-{objective.pk} [data-testid=current-value]")).to_contain_text("900 / 1000")

    page.get_by_role("link", name="Home").first.click()
    page.wait_for_load_state("networkidle")
    served = []
    page.on("request", lambda request: served.append(request.url) if f"/plans/{plan.pk}/" in request.url else None)
    page.go_back()
    expect(page.locator(f"#objective-{objective.pk} [data-testid=current-value]")).to_contain_text("900 / 1000")
    assert served, "Back must ask the server again, not show a kept copy"


def test_logging_on_the_timeline_updates_the_timeline_list_in_place(page, log_in, alice, client_with_people):
    log_in(alice)
    page.goto(f"/clients/{client_with_people.pk}/interactions/")
    page.evaluate("window.__noReload = true")
    form = page.locator("#interaction-log-form")
    form.get_by_label("Summary").fill("Call about the tender")
    form.get_by_role("button", name="Log interaction").click()
    expect(page.locator("#timeline-list")).to_contain_text("Call about the tender")
    expect(page.locator("#timeline-list")).to_have_count(1)
    expect(page.locator("#contact-frequency strong")).to_have_text("1")
    assert page.evaluate("window.__noReload") is True


def test_the_audit_log_client_picker_finds_a_client_as_one_types(page, log_in, carol, confidential_client):
    """The log's client picker holds no list: typing asks the clients API, which applies the wall."""
    ClientFactory(name="Quayside Logistics plc")
    log_in(carol)
    page.goto("/audit/")
    page.evaluate(CSP_WATCH)
    picker = page.locator("select[name=client] + .ts-wrapper")
    picker.locator(".ts-control").click()
    page.keyboard.type("Quaysi")
    expect(picker.locator(".ts-dropdown .option")).to_have_text(["Quayside Logistics plc"])
    page.keyboard.press("Enter")
    expect(page.locator("select[name=client]")).to_have_value(
        str(type(confidential_client).objects.get(name="Quayside Logistics plc").pk)
    )
    picker.locator(".ts-control").click()
    page.keyboard.press("Backspace")
    page.keyboard.type(confidential_client.name[:5])
    expect(picker.locator(".ts-dropdown .no-results")).to_be_visible()  # walled: not offered to BD
    assert page.evaluate("window.__csp") == []
    assert page.js_errors == []
