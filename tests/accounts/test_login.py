"""Logging in: every page needs it, guessing passwords gets locked out, reset emails go out."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_logs_a_partner_in_and_lands_on_home(client, alice, password):
    response = client.post(reverse("login"), {"username": alice.email, "password": password}, follow=True)
    assert response.status_code == 200
    assert response.context["user"] == alice


def test_wrong_password_shows_an_error_and_stays_logged_out(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": "nope"})
    assert response.status_code == 200
    assert "correct email" in response.content.decode().lower()
    assert response.context["form"].non_field_errors()
    assert not response.context["user"].is_authenticated


def test_password_guessing_is_locked_out_even_with_the_right_password_afterwards(client, alice, password, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": alice.email, "password": "guess"})
    response = client.post(reverse("login"), {"username": alice.email, "password": password})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_by_email(client, alice):
    response = client.post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/reset/" in mail.outbox[0].body


def test_logout_requires_post_and_ends_the_session(client, alice, login):
    http = login(alice)
    assert http.post(reverse("logout")).status_code == 302
    assert http.get(reverse("client-list")).status_code == 302


def sign_in(client, email: str, password: str, address: str):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def test_guessing_one_account_from_many_addresses_locks_that_account_for_a_while(client, alice, password, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3  # per account and address: never reached below
    from accounts.throttle import LOGIN_FAILURES_PER_ACCOUNT

    for n in range(LOGIN_FAILURES_PER_ACCOUNT.attempts):
        sign_in(client, alice.email, "guess", f"203.0.113.{n}")
    response = sign_in(client, alice.email, password, "198.51.100.7")
    assert "Too many failed sign-ins to this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_colleague_behind_the_same_office_address_still_signs_in(client, alice, bob, password, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(10):
        sign_in(client, alice.email, "guess", "192.0.2.10")
    response = sign_in(client, bob.email, password, "192.0.2.10")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_a_few_failures_do_not_lock_the_account(client, alice, password):
    for n in range(3):
        sign_in(client, alice.email, "guess", f"203.0.113.{n}")
    assert sign_in(client, alice.email, password, "198.51.100.7").status_code == 302


def test_password_resets_are_limited_per_email(client, alice):
    from accounts.throttle import PASSWORD_RESETS_PER_EMAIL

    for n in range(PASSWORD_RESETS_PER_EMAIL.attempts):
        client.post(reverse("password_reset"), {"email": alice.email}, REMOTE_ADDR=f"203.0.113.{n}")
    response = client.post(reverse("password_reset"), {"email": alice.email}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert len(mail.outbox) == PASSWORD_RESETS_PER_EMAIL.attempts


def test_password_resets_are_limited_per_address_whatever_the_email(client, alice):
    from accounts.throttle import PASSWORD_RESETS_PER_ADDRESS

    for n in range(PASSWORD_RESETS_PER_ADDRESS.attempts):
        client.post(reverse("password_reset"), {"email": f"nobody{n}@firm.example"}, REMOTE_ADDR="203.0.113.9")
    response = client.post(reverse("password_reset"), {"email": alice.email}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert mail.outbox == []
