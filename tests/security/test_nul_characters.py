"""A NUL character in an address is refused with a clear 400, never a server error."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SEARCHES = [
    ("client-list", {"q": "Acme\x00"}),
    ("dashboard", {"mine": "0", "q": "\x00"}),
    ("whitespace", {"mine": "0", "sector": "Bank\x00ing"}),
    ("api:client-list", {"search": "\x00"}),
    ("api:dashboard-whitespace", {"q": "\x00"}),
]


@pytest.mark.parametrize(("name", "query"), SEARCHES)
def test_a_nul_character_in_a_search_is_a_clear_400(carol, login, normal_client, name, query):
    response = login(carol).get(reverse(name), query)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_character_in_a_calendar_token_is_a_400_and_reveals_nothing(client):
    response = client.get("/calendar/abc%00def.ics")
    assert response.status_code == 400


def test_ordinary_searches_are_untouched(carol, login, normal_client):
    response = login(carol).get(reverse("client-list"), {"q": normal_client.name[:4]})
    assert response.status_code == 200 and normal_client.name in response.content.decode()
