"""API lists page without counting a long list whole: exact counts up to the limit, null past it."""

import pytest

from accounts.models import Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_clients(alice):
    return [ClientFactory(name=f"Paged Client {index:02}", crp=alice) for index in range(12)]


def names(page) -> list[str]:
    return [row["name"] for row in page["results"]]


def test_a_list_under_the_limit_is_counted_exactly_and_has_a_last_page(alice, login, twelve_clients):
    http = login(alice)
    first = http.get("/api/clients/", {"page_size": 5}).json()
    assert first["count"] == Client.objects.count() == 12
    last = http.get("/api/clients/", {"page_size": 5, "page": "last"}).json()
    assert names(last) == ["Paged Client 10", "Paged Client 11"] and last["next"] is None
    refused = http.get("/api/clients/", {"page_size": 5, "page": 4})
    assert refused.status_code == 400 and "the last page is 3" in refused.json()["page"][0]


def test_a_list_past_the_limit_pages_through_every_row_without_a_count(
    alice, login, twelve_clients, monkeypatch, count_queries
):
    monkeypatch.setattr("core.pagination.COUNT_LIMIT", 10)
    http = login(alice)
    seen, url = [], "/api/clients/?page_size=5"
    while url:
        page = http.get(url).json()
        assert page["count"] is None  # more than the limit: not counted
        seen += names(page)
        url = page["next"]
    assert seen == [client.name for client in twelve_clients]  # every row once, in order, to the end

    last = http.get("/api/clients/", {"page_size": 5, "page": "last"})
    assert last.status_code == 400 and "more than 10 rows" in last.json()["page"][0]
    past = http.get("/api/clients/", {"page_size": 5, "page": 9})
    assert past.status_code == 400 and "past the end" in past.json()["page"][0]
    assert count_queries(lambda: http.get("/api/clients/", {"page_size": 5})) == count_queries(
        lambda: http.get("/api/clients/", {"page_size": 5, "page": 2})
    )
