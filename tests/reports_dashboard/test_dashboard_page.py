"""The portfolio dashboard page: filters, sort, search, pages and bad input."""

import pytest
from django.urls import reverse

from accounts.models import PracticeGroup
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    return [row.client.name for row in response.context["table"].rows]


def test_band_filter_shows_only_clients_in_that_band(carol, login, portfolio):
    response = login(carol).get(reverse("dashboard"), {"band": "red", "mine": "0"})
    assert rows(response) == ["Redwood Bank plc"]


def test_tier_filter_uses_the_clients_tier(carol, login, portfolio):
    tier = portfolio["amber"].tier
    response = login(carol).get(reverse("dashboard"), {"tier": tier.pk, "mine": "0"})
    assert rows(response) == ["Amberley Foods Ltd"]


def test_practice_group_filter_follows_the_crps_practice_group(carol, login, portfolio):
    crp = portfolio["green"].assignments.get(role="crp").user
    other = PracticeGroup.objects.create(name="Tax")
    crp.practice_group = other
    crp.save()
    response = login(carol).get(reverse("dashboard"), {"pg": other.pk, "mine": "0"})
    assert rows(response) == ["Greenfield Energy plc"]


def test_sorting_by_trend_descending_puts_the_biggest_riser_first(carol, login, portfolio):
    response = login(carol).get(reverse("dashboard"), {"sort": "-trend", "mine": "0"})
    assert rows(response) == ["Amberley Foods Ltd", "Redwood Bank plc", "Greenfield Energy plc"]


def test_sorting_by_trend_ascending_puts_the_biggest_faller_first(carol, login, portfolio):
    response = login(carol).get(reverse("dashboard"), {"sort": "trend", "mine": "0"})
    assert rows(response) == ["Greenfield Energy plc", "Redwood Bank plc", "Amberley Foods Ltd"]


@pytest.mark.parametrize(
    "sort",
    [
        "name",
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
    ],
)
def test_every_column_sorts_both_ways_without_error(carol, login, portfolio, sort):
    http = login(carol)
    up = rows(http.get(reverse("dashboard"), {"sort": sort, "mine": "0"}))
    down = rows(http.get(reverse("dashboard"), {"sort": f"-{sort}", "mine": "0"}))
    assert sorted(up) == sorted(down) == sorted(c.name for c in portfolio.values())


def test_sort_by_band_puts_red_first(carol, login, portfolio):
    response = login(carol).get(reverse("dashboard"), {"sort": "band", "mine": "0"})
    assert rows(response)[0] == "Redwood Bank plc"


def test_search_matches_name_sector_and_crp(carol, login, portfolio):
    http = login(carol)
    assert rows(http.get(reverse("dashboard"), {"q": "amberley", "mine": "0"})) == ["Amberley Foods Ltd"]
    assert rows(http.get(reverse("dashboard"), {"q": "banking", "mine": "0"})) == ["Redwood Bank plc"]
    assert rows(http.get(reverse("dashboard"), {"q": "Gina", "mine": "0"})) == ["Greenfield Energy plc"]


def test_needs_attention_lists_red_and_never_contacted_clients(carol, login, portfolio):
    response = login(carol).get(reverse("dashboard"), {"attention": "red", "mine": "0"})
    assert rows(response) == ["Redwood Bank plc"]
    assert "Red" in response.context["table"].rows[0].reasons


def test_pages_hold_the_requested_number_of_rows(carol, login, portfolio):
    for _ in range(3):
        ClientFactory()
    response = login(carol).get(reverse("dashboard"), {"size": "2", "page": "2", "mine": "0"})
    table = response.context["table"]
    assert (table.number, table.num_pages, len(table.rows), table.total) == (2, 3, 2, 6)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "999"},
        {"page": "abc"},
        {"page": "-3"},
        {"size": "100000"},
        {"size": "x"},
        {"size": "0"},
        {"sort": "password"},
        {"sort": "--name"},
        {"band": "purple"},
        {"tier": "abc"},
        {"tier": "999999"},
        {"pg": "-1"},
        {"crp": "1;drop"},
        {"attention": "everything"},
        {"sector": "Nowhere"},
        {"q": "x" * 500},
    ],
)
def test_bad_view_values_give_a_clean_page_with_a_message(carol, login, portfolio, query):
    response = login(carol).get(reverse("dashboard"), {"mine": "0", **query})
    assert response.status_code == 200
    assert response.context["params"].notices
    if "q" not in query:  # an over-long search is shortened, and then still matches nothing
        assert len(response.context["table"].rows) >= 1


def test_huge_page_size_is_clamped_to_the_maximum(carol, login, portfolio):
    response = login(carol).get(reverse("dashboard"), {"size": "100000", "mine": "0"})
    assert response.context["params"].page_size == 200


def test_htmx_request_returns_only_the_results_region(carol, login, portfolio):
    response = login(carol).get(reverse("dashboard"), {"band": "red", "mine": "0"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body


def test_partner_lands_on_their_own_portfolio_by_default(alice, login, normal_client, portfolio):
    http = login(alice)
    response = http.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.endswith("?mine=1")
    assert rows(http.get(response.url)) == ["Harbour Energy plc"]


def test_partner_can_widen_to_every_visible_client(alice, login, normal_client, portfolio):
    names = rows(login(alice).get(reverse("dashboard"), {"mine": "0"}))
    assert "Harbour Energy plc" in names and "Redwood Bank plc" in names
