"""A note past its limit is a field error, on every path in: nothing is cut, nothing is saved."""

import pytest
from django.urls import reverse

from health.models import Measurement
from tests.dates import days_from_today

pytestmark = pytest.mark.django_db

LONG_NOTE = "n" * 301


def test_an_over_long_measurement_note_is_refused_whole(scorecard, alice, login, normal_client):
    body = {
        "client": normal_client.pk,
        "measure_key": "client_nps",
        "value": "8",
        "measured_on": days_from_today(-1).isoformat(),
        "note": LONG_NOTE,
    }
    response = login(alice).post("/api/health/measurements/", body, content_type="application/json")
    assert response.status_code == 400
    assert "Longer than 300 characters" in str(response.json()["note"])
    assert not Measurement.objects.exists()


def test_an_import_row_with_an_over_long_note_names_the_line_and_saves_nothing(scorecard, carol, login, normal_client):
    yesterday = days_from_today(-1)
    text = f"client_id,measure_key,value,measured_on,note\n{normal_client.pk},client_nps,9,{yesterday},{LONG_NOTE}\n"
    page = login(carol).post(reverse("health-measurement-import"), {"csv": text}).content.decode()
    assert "Nothing was saved" in page and "Longer than 300 characters" in page
    assert not Measurement.objects.exists()
