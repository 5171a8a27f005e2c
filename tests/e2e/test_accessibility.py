"""Every page reachable from the navigation, for every role, at desktop and phone width, passes
axe-core's WCAG 2.2 AA rules with zero violations, also with in-place editors and pickers open.

axe-core comes from npm (package.json, version locked) and is served as a static file, so the
page's Content-Security-Policy (scripts from this site only) holds while it runs."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from planning.models import AccountPlan
from tests.e2e.test_layout_fit import _log_in, _world
from tests.factories import (
    ActionFactory,
    ClientReviewFactory,
    ObjectiveFactory,
    OpportunityFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1440, 390)
DEPTH = 4  # links followed from the start page: enough to reach every kind of page a role can open
AXE = "/static/vendor/axe-core/axe.min.js"

# Pages that are not the application's own frame or not pages at all.
SKIP = re.compile(r"^/(admin|api)/|\.(csv|xlsx|json|jsonl|ics|pdf)$|/download/$|/logout/$|/personal-data")

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n')[1]),
  }));
}"""


def _pattern(path: str) -> str:
    """One visit per kind of page: /clients/12/ and /clients/13/ are the same page."""
    return re.sub(r"/(\d+|[0-9a-f-]{36})(?=/)", "/<id>", path)


def _crawl(page, on_page) -> list[str]:
    """The start page, the pages it and the header link to, and so on DEPTH links deep, one page of
    each kind; on_page(path) runs on each page as it is visited."""
    page.goto("/")
    page.wait_for_load_state("networkidle")
    seen: dict[str, str] = {_pattern(urlsplit(page.url).path): urlsplit(page.url).path}
    on_page(urlsplit(page.url).path)
    frontier = [page.url]
    for depth in range(DEPTH + 1):
        found: list[str] = []
        for url in frontier:
            if url != page.url:
                response = page.goto(url)
                content_type = response.headers.get("content-type", "") if response else ""
                if response is None or response.status != 200 or "text/html" not in content_type:
                    continue
                page.wait_for_load_state("networkidle")
                on_page(urlsplit(url).path)
            if depth == DEPTH:
                continue
            hrefs = page.eval_on_selector_all(
                "header a[href]:not([download]), main a[href]:not([download])", "links => links.map(a => a.href)"
            )
            for href in hrefs:
                parts = urlsplit(href)
                if parts.netloc != urlsplit(page.url).netloc or SKIP.search(parts.path):
                    continue
                key = _pattern(parts.path)
                if key not in seen:
                    seen[key] = parts.path
                    found.append(href.split("#")[0])
        frontier = found
    return list(dict.fromkeys(seen.values()))


def _full_world() -> dict:
    """The layout test's firm, with a plan that has a row of every kind, and a review."""
    world = _world()
    client, partner = world["client"], world["partner"]
    plan = AccountPlan.objects.get(client=client)
    ObjectiveFactory(plan=plan, title="Grow the regulatory practice")
    ActionFactory(plan=plan, owner=partner, description="Book the March workshop")
    OpportunityFactory(client=client, description="Sanctions screening review")
    RiskFactory(client=client, title="Competitor pitching the general counsel")
    ClientReviewFactory(client=client)
    UserFactory(full_name="Dora Director", role=Role.PARTNER)
    return world


def _violations(page) -> list:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    return page.evaluate(RUN_AXE, TAGS)


@pytest.mark.parametrize("role", ["partner", "bd", "mp", "admin"])
def test_every_page_for_every_role_passes_axe_at_desktop_and_phone_width(page, live_server, role):
    world = _full_world()
    _log_in(page, world[role])
    failures = []

    def check(path: str) -> None:
        problems = _violations(page)
        if problems:
            failures.append((page.viewport_size["width"], path, problems))

    page.set_viewport_size({"width": 1440, "height": 900})
    paths = _crawl(page, check)  # checked at 1440 px as it goes
    assert len(paths) >= 12, paths
    page.set_viewport_size({"width": 390, "height": 844})
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("networkidle")
        check(path)
    print(f"{role}: {len(paths)} pages at 1440 and 390 px:", " ".join(sorted(paths)))
    assert failures == [], "\n".join(f"{w} {p} {v}" for w, p, v in failures)
    assert page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_open_in_place_editors_and_pickers_pass_axe(page, live_server, width):
    world = _full_world()
    plan = AccountPlan.objects.get(client=world["client"])
    _log_in(page, world["partner"])
    page.set_viewport_size({"width": width, "height": 900})
    failures = []

    def check(what: str) -> None:
        problems = _violations(page)
        if problems:
            failures.append((what, problems))

    page.goto(plan.get_absolute_url())
    page.wait_for_load_state("networkidle")
    page.locator("#plan-summary [hx-get]").first.click()
    expect(page.locator("#plan-summary form")).to_be_visible()
    for section in ("objective", "action", "opportunity", "risk", "review"):
        row = page.locator(f"tr[id^={section}-]:has([data-edit])").first
        row.locator("[data-edit]").click()
        expect(page.locator(f"tr[id^={section}-] [data-inline-edit]")).to_be_visible()
    check("plan: summary and one row of each kind open")

    action_people = page.locator("tr[id^=action-] .ts-wrapper.multi")
    action_people.locator("input").click()
    page.keyboard.type("Dire")
    expect(action_people.locator(".ts-dropdown")).to_be_visible()
    check("plan: an action's people picker open")

    page.goto(world["client"].get_absolute_url())
    page.wait_for_load_state("networkidle")
    people = page.locator("#interaction-log-form .ts-wrapper.multi").last
    people.locator("input").click()
    page.keyboard.type("Max")
    expect(people.locator(".ts-dropdown")).to_be_visible()
    check("client page: the interaction log's stakeholder picker open")
    assert failures == [], "\n".join(f"{w} {v}" for w, v in failures)
    assert page.js_errors == []
