"""Personal API tokens: stored only as a digest, shown once, expiring, revocable by their owner."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services_tokens import LAST_USED_PRECISION, api_token_create

pytestmark = pytest.mark.django_db


def get_clients(client, raw: str):
    return client.get("/api/clients/", HTTP_AUTHORIZATION=f"Token {raw}")


def test_a_token_lets_its_owner_use_the_api(client, bob, normal_client, confidential_client):
    _, raw = api_token_create(actor=bob, name="script")
    response = get_clients(client, raw)
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == [normal_client.name]


def test_a_bearer_token_works_too(client, bob, normal_client):
    _, raw = api_token_create(actor=bob, name="script")
    assert client.get("/api/clients/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_the_raw_token_is_never_stored(bob):
    token, raw = api_token_create(actor=bob, name="script")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(raw not in str(value) for value in stored.values())
    assert token.prefix == raw[:10] and len(raw) > 40


def test_an_expired_token_is_a_401(client, bob):
    token, raw = api_token_create(actor=bob, name="script")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = get_clients(client, raw)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_revoked_token_is_a_401(client, login, bob):
    token, raw = api_token_create(actor=bob, name="script")
    login(bob).post(reverse("api-token-revoke", args=[token.pk]))
    assert get_clients(client, raw).status_code == 401


def test_a_token_of_a_deactivated_user_is_a_401(client, bob):
    _, raw = api_token_create(actor=bob, name="script")
    bob.is_active = False
    bob.save()
    assert get_clients(client, raw).status_code == 401


def test_a_made_up_token_is_a_401(client, bob):
    assert get_clients(client, "kl_made-up").status_code == 401


def test_last_use_is_noted_at_most_every_few_minutes(client, bob):
    token, raw = api_token_create(actor=bob, name="script")
    get_clients(client, raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    get_clients(client, raw)
    token.refresh_from_db()
    assert token.last_used_at == first  # no write on every request
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - LAST_USED_PRECISION)
    get_clients(client, raw)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_the_tokens_page_makes_a_token_and_shows_it_once(login, bob):
    http = login(bob)
    response = http.post(reverse("api-tokens"), {"name": "Excel fee sync", "days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=bob)
    body = response.content.decode()
    raw = body.split('class="token-value">')[1].split("<")[0]
    assert raw.startswith(token.prefix) and "will not be shown again" in body
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    again = http.get(reverse("api-tokens")).content.decode()
    assert "Excel fee sync" in again and raw not in again


def test_the_tokens_page_refuses_an_expiry_it_does_not_offer(login, bob):
    response = login(bob).post(reverse("api-tokens"), {"name": "forever", "days": "100000"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_nobody_can_revoke_someone_elses_token(login, bob, alice):
    token, _ = api_token_create(actor=alice, name="script")
    assert login(bob).post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_user_menu_links_to_the_tokens_page(login, bob):
    assert reverse("api-tokens") in login(bob).get(reverse("client-list")).content.decode()
