"""Bad input in request bodies and page numbers gets a clear answer, never a server error."""

import pytest

from health.models import Measurement
from stakeholders.models import Interaction
from tests.dates import today
from tests.health.conftest import scorecard  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def measurement(client_pk: int, **values) -> dict:
    return {
        "client": client_pk,
        "measure_key": "client_nps",
        "value": "8",
        "measured_on": today().isoformat(),
        **values,
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"note": "late\x00payer"}, "note"),
        ({"measure_key": "client\x00nps"}, "measure_key"),
        ({"value": "8\x00"}, "value"),
    ],
)
def test_a_nul_character_in_a_json_body_is_a_field_level_400(
    scorecard,  # noqa: F811
    alice,
    login,
    normal_client,
    values,
    field,
):
    response = login(alice).post(
        "/api/health/measurements/", measurement(normal_client.pk, **values), content_type="application/json"
    )
    assert response.status_code == 400
    assert "NUL character" in str(response.json()[field])
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"measure_key": []}, "measure_key"),
        ({"measure_key": {"a": 1}}, "measure_key"),
        ({"value": [8]}, "value"),
        ({"measured_on": True}, "measured_on"),
        ({"note": ["x"]}, "note"),
        ({"client": "many"}, "client"),
    ],
)
def test_a_wrong_json_type_is_a_field_level_400(
    scorecard,  # noqa: F811
    alice,
    login,
    normal_client,
    values,
    field,
):
    response = login(alice).post(
        "/api/health/measurements/", measurement(normal_client.pk, **values), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Measurement.objects.exists()


def test_a_json_body_that_is_not_an_object_is_a_400(scorecard, alice, login, normal_client):  # noqa: F811
    response = login(alice).post("/api/health/measurements/", ["x"], content_type="application/json")
    assert response.status_code == 400


def test_a_nul_character_in_a_json_key_is_a_400(scorecard, alice, login, normal_client):  # noqa: F811
    response = login(alice).post(
        "/api/health/measurements/", {**measurement(normal_client.pk), "no\x00te": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "NUL character" in str(response.json())


def test_a_nul_character_in_an_api_form_body_is_a_400(scorecard, alice, login, normal_client):  # noqa: F811
    response = login(alice).post("/api/health/measurements/", measurement(normal_client.pk, note="a\x00b"))
    assert response.status_code == 400
    assert "NUL character" in str(response.json()["note"])


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "1e9", "²", "-3", "0", "abc"])
def test_an_absurd_page_number_on_the_interaction_timeline_is_never_a_server_error(alice, login, normal_client, page):
    Interaction.objects.create(client=normal_client, kind="meeting", summary="Kick-off", date=today())
    response = login(alice).get(f"/clients/{normal_client.pk}/interactions/", {"page": page})
    assert response.status_code == 200
    assert "Kick-off" in response.content.decode()


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "１２３"])
def test_an_absurd_page_number_on_the_dashboard_shows_the_last_page(carol, login, normal_client, page):
    response = login(carol).get("/dashboard/", {"page": page, "mine": "0"})
    assert response.status_code == 200
    body = response.content.decode()
    assert normal_client.name in body and "showing the last page" in body


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-1", "abc", "²"])
def test_an_absurd_page_number_in_the_api_is_a_clear_400(carol, login, normal_client, page):
    response = login(carol).get("/api/clients/", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()


def test_a_page_past_the_end_in_the_api_says_which_page_is_last(carol, login, normal_client):
    response = login(carol).get("/api/clients/", {"page": "7"})
    assert response.status_code == 400
    assert "last page is 1" in str(response.json()["page"])


def test_options_on_the_api_docs_page_is_not_a_server_error(alice, login):
    assert login(alice).options("/api/docs/").status_code == 405
