"""The words a newcomer reads: breadcrumbs start at the reader's own start page, "data coverage" is
not confused with coverage gaps, and the unread badge has one colour on every page."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def crumbs(response) -> str:
    html = response.content.decode()
    trail = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", trail).strip()


def test_a_bd_users_dashboard_is_their_start_page_so_no_home_crumb_comes_before_it(carol, login, portfolio):
    http = login(carol)
    assert crumbs(http.get(reverse("dashboard"), {"mine": "0"})) == "Portfolio dashboard"
    assert crumbs(http.get(reverse("whitespace"), {"mine": "0"})) == "Portfolio dashboard › Whitespace map"
    assert crumbs(http.get(reverse("digest-settings"))) == "Portfolio dashboard › Weekly email"


def test_a_managing_partners_trail_starts_at_the_firm_overview(mike, login, portfolio):
    http = login(mike)
    assert crumbs(http.get(reverse("overview"))) == "Firm overview"
    assert crumbs(http.get(reverse("dashboard"), {"mine": "0"})) == "Firm overview › Portfolio dashboard"


def test_a_partners_trail_starts_at_home(alice, login, portfolio):
    assert crumbs(login(alice).get(reverse("dashboard"), follow=True)) == "Home › Portfolio dashboard"


def test_the_dashboard_names_the_share_of_the_score_with_data_data_coverage(carol, login, portfolio):
    html = login(carol).get(reverse("dashboard"), {"mine": "0", "cols": "coverage,gaps"}).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    names = [re.sub(r"<[^>]+>", "", header).strip().split("\n")[0] for header in headers]
    assert any(name.startswith("Data coverage") for name in names), names
    assert not any(name.startswith("Coverage") and "gaps" not in name for name in names), names


def test_the_unread_badge_is_styled_by_the_sheet_every_page_loads():
    from pathlib import Path

    from django.conf import settings

    sheets = {path.name: path.read_text() for path in (Path(settings.BASE_DIR) / "static" / "css").glob("*.css")}
    holders = [name for name, text in sheets.items() if ".unread-count" in text]
    assert holders == ["keyline.css"]
