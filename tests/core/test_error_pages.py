"""403, 404, 500 and a refused form are pages in the app's frame that say what happened and where
to go; the 500 page needs no database; the API keeps answering JSON."""

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory, override_settings

from core import error_views
from stakeholders.models import Interaction

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_a_missing_page_is_a_framed_404_with_the_navigation(login, alice):
    response = login(alice).get("/clients/999999/")
    assert response.status_code == 404
    html = _text(response)
    assert "We can’t find that page" in html
    assert 'aria-label="Main"' in html and "Alice Partner" in html  # the app's frame for the signed-in user
    assert 'href="/">Your start page' in html


def test_a_walled_client_gets_the_same_404_words_as_a_missing_one(login, bob, confidential_client):
    http = login(bob)
    hidden = http.get(confidential_client.get_absolute_url())
    missing = http.get("/clients/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert confidential_client.name not in _text(hidden)

    def words(response):
        return _text(response).split('data-testid="error-page"')[1].split("</section>")[0]

    assert words(hidden) == words(missing)


def test_a_refusal_is_a_framed_403_saying_why_and_that_nothing_changed(login, bob, normal_client):
    before = Interaction.objects.count()
    response = login(bob).post(
        f"/clients/{normal_client.pk}/interactions/log/", {"log-kind": "call", "log-summary": "Hello"}
    )
    assert response.status_code == 403
    html = _text(response)
    assert "You can view this client but not change it." in html
    assert "Nothing was changed." in html
    assert 'aria-label="Main"' in html
    assert Interaction.objects.count() == before


def test_a_form_sent_without_its_csrf_token_gets_a_framed_page_and_saves_nothing(alice, normal_client):
    before = Interaction.objects.count()
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(alice)
    response = http.post(f"/clients/{normal_client.pk}/interactions/log/", {"log-kind": "call", "log-summary": "Hello"})
    assert response.status_code == 403
    html = _text(response)
    assert "Your form had expired" in html and "nothing was saved" in html
    assert 'aria-label="Main"' in html
    assert Interaction.objects.count() == before


@override_settings(ROOT_URLCONF="tests.core.urls_failing")
def test_a_server_error_is_a_styled_500_page(alice):
    http = HttpClient(raise_request_exception=False)
    http.force_login(alice)
    response = http.get("/broken/")
    assert response.status_code == 500
    html = _text(response)
    assert "Something went wrong on our side" in html
    assert "keyline.css" in html and 'href="/">Your start page' in html
    assert "a bug" not in html and "Traceback" not in html


def test_the_500_page_renders_without_the_database(django_db_blocker):
    request = RequestFactory().get("/clients/")
    with django_db_blocker.block():
        response = error_views.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in _text(response)


def test_the_api_keeps_json_for_a_missing_address(login, alice):
    response = login(alice).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
