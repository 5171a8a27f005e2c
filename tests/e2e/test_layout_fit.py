"""Every page fits its screen, for every role, from a 390 px phone to a 1440 px monitor; wide
tables scroll inside their own box with the first column held; the everyday journeys a partner
does on a phone and a BD user does on the dashboard take few taps and keep their choices."""

import re

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Assignment, Role
from stakeholders.models import Interaction
from tests.factories import (
    PASSWORD,
    AccountPlanFactory,
    ClientFactory,
    FeeRecordFactory,
    InteractionFactory,
    RelationshipFactory,
    ServiceLineFactory,
    StakeholderFactory,
    UserFactory,
)
from tests.identity.mfa_helpers import pass_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1024, 1440)
LONG_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh-Cholmondeley"
LONG_CLIENT = "Consolidated Intercontinental Infrastructure & Regulatory Compliance Holdings plc"


def _world():
    """A small firm with what makes pages wide: a long client name, a long stakeholder name, a wide
    org-chart level, many service lines, a team, interactions, a plan and fees."""
    partner = UserFactory(email="pat@firm.example", full_name="Patricia Partner-Montgomery", role=Role.PARTNER)
    bd = UserFactory(email="bea@firm.example", full_name="Beatrice Business-Development", role=Role.BD)
    mp = UserFactory(email="max@firm.example", full_name="Maximilian Managing-Partner", role=Role.MANAGING_PARTNER)
    admin = UserFactory(email="adm@firm.example", full_name="Adelaide Administrator", role=Role.ADMIN)
    colleague = UserFactory(full_name="Colin Colleague")
    with transaction.atomic():
        client = ClientFactory(name=LONG_CLIENT, crp=partner, sector="Regulatory & Compliance Services")
        ClientFactory(name="Second Client Ltd", crp=colleague)
    Assignment.objects.create(client=client, user=colleague, role="team")
    lines = [ServiceLineFactory(name=f"Regulatory & Compliance line {n}") for n in range(8)]
    year = timezone.localdate().year
    for line in lines:
        FeeRecordFactory(client=client, service_line=line, financial_year=year - 1)
    boss = StakeholderFactory(client=client, name=LONG_NAME, seniority="c_suite", buying_role="decision_maker")
    for n in range(9):
        report = StakeholderFactory(client=client, name=f"Direct Report Number {n} With A Long Name", reports_to=boss)
        RelationshipFactory(stakeholder=report, user=partner if n % 2 else colleague)
    RelationshipFactory(stakeholder=boss, user=partner, strength=4)
    InteractionFactory(client=client, firm_attendees=[partner], summary="Quarterly review over lunch")
    AccountPlanFactory(client=client)
    return {"partner": partner, "bd": bd, "mp": mp, "admin": admin, "client": client}


def _log_in(page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    pass_second_factor(page, user)  # administrators sign in with a second factor


def _pages_for(page, client) -> list[str]:
    """Every page the header links to (the Django admin has its own frame), and the client's pages."""
    hrefs = page.eval_on_selector_all("header a[href]", "links => links.map(a => a.getAttribute('href'))")
    pages = [href for href in dict.fromkeys(hrefs) if not href.startswith("/admin/")]
    base = client.get_absolute_url()
    return [
        *pages,
        "/whitespace/",
        base,
        f"{base}stakeholders/",
        f"{base}stakeholders/map/",
        f"{base}stakeholders/matrix/",
        f"{base}stakeholders/gaps/",
        f"{base}interactions/",
    ]


def _header_links_reachable(page) -> None:
    """Each header link is visible, or becomes visible through the Menu button, the programme menu
    or the account menu; none reaches past the window's edge."""
    menu_button = page.locator("[data-nav-toggle]")
    if menu_button.is_visible():
        expect(page.locator("#main-nav > a").first).to_be_hidden()
        menu_button.click()
        expect(menu_button).to_have_attribute("aria-expanded", "true")
    _assert_in_view(page, page.locator("header a[href]:not(details a)"))
    for menu in page.locator("header details").all():
        menu.locator("> summary").click()
        _assert_in_view(page, menu.locator("a[href], button[type=submit]"))
        menu.locator("> summary").click()


def _assert_in_view(page, links) -> None:
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        viewport = page.viewport_size
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, link.inner_text()


FIT = """() => {
  const problems = [];
  if (document.documentElement.scrollWidth > innerWidth) problems.push('page ' + document.documentElement.scrollWidth);
  for (const box of document.querySelectorAll('.table-wrap')) {
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    const style = getComputedStyle(box);
    if (!['auto', 'scroll'].includes(style.overflowX)) problems.push('table box does not scroll');
    const first = box.querySelector('tbody tr > :first-child');
    if (first && getComputedStyle(first).position !== 'sticky') problems.push('first column not sticky');
  }
  return problems;
}"""


@pytest.mark.parametrize("role", ["partner", "bd", "mp", "admin"])
def test_every_page_fits_390_1024_and_1440_px_for_every_role(page, live_server, role):
    world = _world()
    _log_in(page, world[role])
    paths = _pages_for(page, world["client"])
    assert len(paths) >= 12
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        page.goto("/")
        page.wait_for_load_state("networkidle")
        _header_links_reachable(page)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            page.wait_for_load_state("networkidle")
            problems = page.evaluate(FIT)
            if problems:
                failures.append((width, path, problems))
    assert failures == []
    assert page.js_errors == []


def test_a_wide_dashboard_scrolls_in_its_box_with_the_client_column_held(page, live_server):
    world = _world()
    _log_in(page, world["bd"])
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(
        "/dashboard/?mine=0&cols="
        + ",".join(
            [
                "band",
                "score",
                "trend",
                "coverage",
                "fees",
                "fee_change",
                "pipeline",
                "crp",
                "tier",
                "next_review",
                "overdue",
                "gaps",
                "last_contact",
                "reasons",
            ]
        )
    )
    box = page.locator(".table-wrap.scroll-box")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # 15 columns do not fit 1024 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    first_cell = page.locator("[data-testid=client-row] td").first
    before = first_cell.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = 400; }")
    assert abs(first_cell.bounding_box()["x"] - before) < 1  # the client name stays in view
    expect(box).to_have_class(re.compile("can-scroll-left"))


def test_partner_logs_an_interaction_from_a_client_page_on_a_phone_in_six_taps(page, live_server):
    world = _world()
    _log_in(page, world["partner"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(world["client"].get_absolute_url())
    taps = 0

    jump = page.get_by_test_id("jump-to-log")
    box = jump.bounding_box()
    assert box["y"] < 844  # in the first screen, no scrolling to find it
    jump.click()
    taps += 1
    form = page.locator("#interaction-log-form")
    expect(form).to_be_in_viewport()

    form.get_by_label("Type").select_option("call")
    taps += 1
    picker = form.get_by_role("combobox", name=re.compile("^Stakeholders"))
    if picker.count():  # the type-ahead picker (tom-select, installed by npm ci)
        picker.click()
        page.keyboard.type("Maximiliana")
        expect(form.locator(".ts-dropdown .option.active")).to_contain_text("Maximiliana")  # the list has filtered
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
    else:  # the plain select it enhances
        form.get_by_label("Stakeholders").select_option(label=LONG_NAME)
    taps += 1
    form.get_by_label("Summary").fill("Call about the regulatory review; agreed a workshop in March.")
    page.mouse.click(1, 1)  # close the picker's list, as a tap outside it does (not counted: no action)
    form.get_by_role("button", name="Log interaction").click()
    taps += 1

    expect(page.locator("#interaction-log-form")).to_contain_text("Interaction logged")
    assert taps <= 6
    logged = Interaction.objects.get(summary__startswith="Call about the regulatory review")
    assert logged.kind == "call" and logged.date == timezone.localdate()
    assert list(logged.stakeholders.values_list("name", flat=True)) == [LONG_NAME]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []


def test_bd_hides_and_restores_a_dashboard_column_and_it_is_remembered(page, live_server):
    world = _world()
    _log_in(page, world["bd"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/dashboard/?mine=0")
    table = page.get_by_test_id("dashboard-table")
    header = table.locator("thead")
    expect(header).to_contain_text("Fee change")
    expect(header).to_contain_text("Why it needs attention")  # in the defaults that fit 1280 px
    assert page.locator(".table-wrap.scroll-box").evaluate("b => b.scrollWidth <= b.clientWidth + 1")

    chooser = page.get_by_test_id("column-chooser")
    chooser.locator("summary").click()
    chooser.get_by_label("Fee change").uncheck()
    chooser.get_by_role("button", name="Show these columns").click()
    expect(header).not_to_contain_text("Fee change")
    assert "mine=0" in page.url  # still the same view

    page.reload()
    expect(page.get_by_test_id("dashboard-table").locator("thead")).not_to_contain_text("Fee change")
    page.goto("/dashboard/?mine=0&sort=-score")
    expect(page.get_by_test_id("dashboard-table").locator("thead")).not_to_contain_text("Fee change")

    # a saved view keeps its own columns
    page.locator(".saved-views summary").click()
    page.get_by_test_id("saved-view-name").fill("Without fee change")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_test_id("saved-view")).to_have_text("Without fee change")

    chooser = page.get_by_test_id("column-chooser")
    chooser.locator("summary").click()
    chooser.get_by_label("Fee change").check()
    chooser.get_by_role("button", name="Show these columns").click()
    expect(page.get_by_test_id("dashboard-table").locator("thead")).to_contain_text("Fee change")
    page.reload()
    expect(page.get_by_test_id("dashboard-table").locator("thead")).to_contain_text("Fee change")

    page.locator(".saved-views summary").click()
    page.get_by_test_id("saved-view").click()
    expect(page.get_by_test_id("dashboard-table").locator("thead")).not_to_contain_text("Fee change")
    assert page.js_errors == []
