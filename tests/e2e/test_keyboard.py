"""A partner edits the account plan with the keyboard alone: Tab to a row's Edit link, Enter, type,
Enter saves; Esc cancels and the keyboard is back on that row's Edit link; a person is picked in a
type-ahead picker with keys only, and Esc in the open picker closes its list, not the row."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from planning.models import AccountPlan, Action, Objective
from tests.e2e.test_layout_fit import _log_in, _world
from tests.factories import ActionFactory, ClientFactory, ObjectiveFactory, StakeholderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80


def _tab_to(page, selector: str) -> int:
    """Press Tab until the element matching selector has the focus; the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {MAX_TABS} presses of Tab")


def _wait_for_focus_on(page, selector: str) -> None:
    page.wait_for_function("s => document.activeElement && document.activeElement.matches(s)", arg=selector)


def test_partner_edits_an_objective_with_the_keyboard_alone(page, live_server):
    world = _world()
    plan = AccountPlan.objects.get(client=world["client"])
    objective = ObjectiveFactory(plan=plan, title="Grow the regulatory practice")
    _log_in(page, world["partner"])
    page.goto(plan.get_absolute_url())
    page.wait_for_load_state("networkidle")

    edit_link = f"#objective-{objective.pk} [data-edit]"
    _tab_to(page, edit_link)
    page.keyboard.press("Enter")
    title = page.locator(f"#objective-{objective.pk} input[name=title]")
    expect(title).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Double the regulatory practice")
    page.keyboard.press("Enter")  # saves

    expect(page.locator(f"#objective-{objective.pk}")).to_contain_text("Double the regulatory practice")
    _wait_for_focus_on(page, edit_link)  # the keyboard is back where it was
    objective.refresh_from_db()
    assert objective.title == "Double the regulatory practice"

    # Edit again and change one's mind: Esc cancels, nothing is saved, focus returns to the Edit link.
    page.keyboard.press("Enter")
    expect(title).to_be_focused()
    page.keyboard.type(" by 2030")
    page.keyboard.press("Escape")
    expect(page.locator(f"#objective-{objective.pk} form")).to_have_count(0)
    _wait_for_focus_on(page, edit_link)
    expect(page.locator(f"#objective-{objective.pk}")).not_to_contain_text("by 2030")
    objective.refresh_from_db()
    assert objective.title == "Double the regulatory practice"
    assert page.js_errors == []


def test_partner_picks_a_person_in_a_picker_with_keys_only(page, live_server):
    world = _world()
    plan = AccountPlan.objects.get(client=world["client"])
    action = ActionFactory(plan=plan, owner=world["partner"], description="Book the March workshop")
    StakeholderFactory(client=world["client"], name="Zelda Zimmermann")
    _log_in(page, world["partner"])
    page.goto(plan.get_absolute_url())
    page.wait_for_load_state("networkidle")

    row = page.locator(f"#action-{action.pk}")
    people = row.locator(".ts-wrapper.multi")
    _tab_to(page, f"#action-{action.pk} [data-edit]")
    page.keyboard.press("Enter")
    expect(row.locator("[data-inline-edit]")).to_be_visible()

    # Tab on to the stakeholders picker and choose a person by typing.
    picker_input = f"#action-{action.pk} .ts-wrapper.multi input"
    _tab_to(page, picker_input)
    page.keyboard.type("Zelda")
    expect(people.locator(".ts-dropdown .option.active")).to_contain_text("Zelda Zimmermann")
    page.keyboard.press("Enter")
    expect(people.locator(".item")).to_contain_text(["Zelda Zimmermann"])

    # Esc in the open picker closes its list only: the row is still being edited.
    page.keyboard.type("Dire")
    expect(people.locator(".ts-dropdown")).to_be_visible()
    page.keyboard.press("Escape")
    expect(people.locator(".ts-dropdown")).to_be_hidden()
    expect(row.locator("[data-inline-edit]")).to_be_visible()
    assert page.evaluate("s => document.activeElement.matches(s)", picker_input)

    # Tab to Save and press Enter.
    _tab_to(page, f"#action-{action.pk} button[type=submit]:not(.btn-danger)")
    page.keyboard.press("Enter")
    expect(row.locator("[data-inline-edit]")).to_have_count(0)
    expect(row).to_contain_text("With Zelda Zimmermann")
    assert list(Action.objects.get(pk=action.pk).stakeholders.values_list("name", flat=True)) == ["Zelda Zimmermann"]
    assert Objective.objects.count() == 0
    assert page.js_errors == []


def test_a_client_is_chosen_in_the_same_type_ahead_picker_offering_only_clients_one_may_see(page, live_server):
    world = _world()
    with transaction.atomic():
        hidden = ClientFactory(name="Consolidated Secret Holdings", confidential=True, crp=world["admin"])
    _log_in(page, world["partner"])
    page.goto("/reports/")
    page.wait_for_load_state("networkidle")
    page.locator("#id_kind").select_option("account_review")

    scope = page.locator(".field:has(#id_scope) .ts-wrapper")
    _tab_to(page, ".field:has(#id_scope) .ts-wrapper input, .field:has(#id_scope) .ts-control")
    page.keyboard.type("Consolidated")
    options = scope.locator(".ts-dropdown .option")
    expect(options.first).to_contain_text("Consolidated Intercontinental")
    assert "Consolidated Secret Holdings" not in scope.locator(".ts-dropdown").inner_text()  # behind the wall
    page.keyboard.press("Enter")
    expect(page.locator("#id_scope")).to_have_value(f"client:{world['client'].pk}")
    assert hidden.pk  # made, and not offered
    assert page.js_errors == []
