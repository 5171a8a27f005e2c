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
