"""The access-rule matrix: every role × list / detail / edit / API, for a normal and a confidential client."""

import pytest
from django.urls import reverse

from accounts.access import may_edit_client
from accounts.models import Client

pytestmark = pytest.mark.django_db

# who: (sees normal, sees confidential, edits normal, edits confidential)
MATRIX = {
    "alice": (True, True, True, True),  # partner on both teams
    "bob": (True, False, False, False),  # partner outside: normal read-only, wall is a 404
    "carol": (True, False, True, False),  # BD
    "mike": (True, True, True, True),  # managing partner
    "ada": (True, True, True, True),  # admin
}


@pytest.fixture
def both(normal_client, confidential_client):
    return normal_client, confidential_client


@pytest.mark.parametrize("who", MATRIX)
def test_visible_to_follows_the_matrix(who, users, both):
    normal, confidential = both
    sees_normal, sees_conf, edits_normal, edits_conf = MATRIX[who]
    visible = set(Client.objects.visible_to(users[who]))
    assert (normal in visible) is sees_normal
    assert (confidential in visible) is sees_conf
    assert may_edit_client(users[who], normal) is edits_normal
    assert may_edit_client(users[who], confidential) is edits_conf


@pytest.mark.parametrize("who", MATRIX)
def test_client_pages_follow_the_matrix(who, users, both, login):
    normal, confidential = both
    sees_normal, sees_conf, edits_normal, edits_conf = MATRIX[who]
    http = login(users[who])
    listing = http.get(reverse("client-list")).content.decode()
    assert (normal.name in listing) is sees_normal
    assert (confidential.name in listing) is sees_conf
    assert http.get(reverse("client-detail", args=[confidential.pk])).status_code == (200 if sees_conf else 404)
    assert http.get(reverse("client-edit", args=[normal.pk])).status_code == (200 if edits_normal else 403)
    expected_edit_conf = 200 if edits_conf else 404 if not sees_conf else 403
    assert http.get(reverse("client-edit", args=[confidential.pk])).status_code == expected_edit_conf


@pytest.mark.parametrize("who", MATRIX)
def test_api_follows_the_matrix(who, users, both, login):
    normal, confidential = both
    _sees_normal, sees_conf, edits_normal, _ = MATRIX[who]
    http = login(users[who])
    names = [c["name"] for c in http.get("/api/clients/").json()["results"]]
    assert (confidential.name in names) is sees_conf
    assert http.get(f"/api/clients/{confidential.pk}/").status_code == (200 if sees_conf else 404)
    etag = http.get(f"/api/clients/{normal.pk}/").headers["ETag"]
    response = http.patch(
        f"/api/clients/{normal.pk}/", {"notes": "Updated"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == (200 if edits_normal else 403)


def test_confidential_client_never_appears_in_outsider_api_bodies(bob, both, login):
    _, confidential = both
    http = login(bob)
    for url in ["/api/clients/", "/api/fees/", "/api/assignments/", "/api/clients/?search=Nightjar"]:
        body = http.get(url).content.decode()
        assert "Nightjar" not in body, url
        assert f'"client":{confidential.pk},' not in body.replace(" ", ""), url


def test_anonymous_users_are_sent_to_login_and_the_api_refuses_them(both, client):
    normal, _ = both
    response = client.get(reverse("client-detail", args=[normal.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get("/api/clients/").status_code in (401, 403)


def test_unknown_and_malformed_ids_are_404(alice, login):
    http = login(alice)
    assert http.get("/clients/999999/").status_code == 404
    assert http.get("/api/clients/999999/").status_code == 404
    assert http.get("/api/clients/abc/").status_code == 404
