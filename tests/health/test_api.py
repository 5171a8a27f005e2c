"""Health API: scorecards (admins only), measurements and CSV import, scores, the access rule."""

import datetime

import pytest

from health.default_scorecard import DEFAULT_MEASURES
from health.models import HealthScore, Measurement, RecomputeJob, Scorecard
from health.services.recompute import scores_recompute
from tests.dates import days_from_today, today
from tests.factories import ClientFactory, HealthScoreFactory

pytestmark = pytest.mark.django_db


def scorecard_body(**changes):
    current = Scorecard.objects.get(is_current=True)
    body = {
        "green_threshold": "70",
        "amber_threshold": "40",
        "min_coverage": "0.5",
        "note": "Re-weighting",
        "measures": [
            {
                "key": m.key,
                "name": m.name,
                "weight": str(m.weight),
                "floor": str(m.floor),
                "target": str(m.target),
                "unit": m.unit,
            }
            for m in current.measures.all()
        ],
    }
    body.update(changes)
    return body


def test_admin_publishes_a_new_scorecard_version_and_everyone_is_rescored(
    scorecard, ada, login, normal_client, django_capture_on_commit_callbacks
):
    body = scorecard_body()
    body["measures"][0]["weight"] = "30"
    with django_capture_on_commit_callbacks(execute=True):
        response = login(ada).post("/api/health/scorecards/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2 and response.json()["is_current"]
    job = RecomputeJob.objects.get(pk=response.json()["recompute_job"])
    assert job.status == "done"  # eager in tests
    assert HealthScore.objects.get(client=normal_client, as_of=today()).scorecard.version == 2


def test_non_admins_cannot_change_the_scorecard(scorecard, mike, login):
    response = login(mike).post("/api/health/scorecards/", scorecard_body(), content_type="application/json")
    assert response.status_code == 403
    assert Scorecard.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "change", "field"),
    [
        (0, {"weight": "-1"}, "weight"),
        # Row 1: row 0's target (contact frequency) is the setting's, not the one sent.
        (1, {"floor": "5", "target": "5"}, "measures-1-target"),
    ],
)
def test_bad_measures_are_refused_with_field_errors(scorecard, ada, login, row, change, field):
    body = scorecard_body()
    body["measures"][row].update(change)
    response = login(ada).post("/api/health/scorecards/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert Scorecard.objects.count() == 1


def test_all_zero_weights_are_refused(scorecard, ada, login):
    body = scorecard_body()
    for measure in body["measures"]:
        measure["weight"] = "0"
    response = login(ada).post("/api/health/scorecards/", body, content_type="application/json")
    assert response.status_code == 400 and "weight above zero" in str(response.json())


@pytest.mark.parametrize("missing", ["green_threshold", "amber_threshold"])
def test_a_scorecard_without_its_band_lines_is_a_field_error_and_publishes_nothing(scorecard, ada, login, missing):
    body = scorecard_body()
    del body[missing]
    response = login(ada).post("/api/health/scorecards/", body, content_type="application/json")
    assert response.status_code == 400 and missing in response.json()
    assert Scorecard.objects.count() == 1


def test_scorecard_change_is_in_the_audit_history(scorecard, ada, login):
    from django.apps import apps

    login(ada).post("/api/health/scorecards/", scorecard_body(), content_type="application/json")
    event = apps.get_model("health", "ScorecardEvent").objects.filter(version=2).get()
    assert event.pgh_context.metadata["user"] == ada.pk


def test_entering_an_nps_measurement(scorecard, alice, login, normal_client):
    response = login(alice).post(
        "/api/health/measurements/",
        {
            "client": normal_client.pk,
            "measure_key": "client_nps",
            "value": "8",
            "measured_on": today().isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert Measurement.objects.get(client=normal_client).value == 8


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"measure_key": "mood"}, "measure_key", "Unknown measure"),
        ({"value": "lots"}, "value", "not a number"),
        ({"value": "11"}, "value", "runs from 0 to 10"),
        (
            {"measured_on": lambda: days_from_today(1).isoformat()},
            "measured_on",
            "future",
        ),
    ],
)
def test_bad_measurements_are_refused(scorecard, alice, login, normal_client, values, field, message):
    body = {
        "client": normal_client.pk,
        "measure_key": "client_nps",
        "value": "8",
        "measured_on": today().isoformat(),
        **{key: value() if callable(value) else value for key, value in values.items()},
    }
    response = login(alice).post("/api/health/measurements/", body, content_type="application/json")
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not Measurement.objects.exists()


def test_a_measurement_for_a_walled_client_is_a_404_to_outsiders(scorecard, bob, login, confidential_client):
    response = login(bob).post(
        "/api/health/measurements/",
        {
            "client": confidential_client.pk,
            "measure_key": "client_nps",
            "value": "8",
            "measured_on": today().isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 404


def csv_for(*rows):
    return "client_id,measure_key,value,measured_on\n" + "\n".join(",".join(map(str, r)) for r in rows)


def test_csv_import_dry_run_saves_nothing(scorecard, carol, login, normal_client):
    text = csv_for((normal_client.pk, "client_nps", 9, today()), (normal_client.pk, "payment_days", 45, today()))
    response = login(carol).post(
        "/api/health/measurements/import/",
        {"csv": text, "dry_run": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["created"] == 2
    assert not Measurement.objects.exists()


def test_csv_import_saves_every_row_and_rescores(
    scorecard, carol, login, normal_client, django_capture_on_commit_callbacks
):
    text = csv_for((normal_client.pk, "client_nps", 9, today()), (normal_client.pk, "payment_days", 45, today()))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(carol).post(
            "/api/health/measurements/import/",
            {"csv": text, "dry_run": False},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert Measurement.objects.count() == 2
    assert HealthScore.objects.filter(client=normal_client).exists()


def test_csv_import_with_one_bad_row_saves_nothing_and_names_the_line(
    scorecard, carol, login, normal_client, confidential_client
):
    text = csv_for(
        (normal_client.pk, "client_nps", 9, today()),
        (confidential_client.pk, "client_nps", 7, today()),
        (normal_client.pk, "client_nps", 12, "2026-01-01"),
        (999999, "payment_days", 40, today()),
    )
    response = login(carol).post(
        "/api/health/measurements/import/",
        {"csv": text, "dry_run": False},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = {(e["line"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(3, "client_id"), (4, "value"), (5, "client_id")}
    assert not Measurement.objects.exists()


def test_scores_api_follows_the_access_rule(scorecard, bob, login, normal_client, confidential_client):
    scores_recompute()
    http = login(bob)
    clients = {row["client"] for row in http.get("/api/health/scores/").json()["results"]}
    assert clients == {normal_client.pk}
    walled = HealthScore.objects.get(client=confidential_client)
    assert http.get(f"/api/health/scores/{walled.pk}/").status_code == 404
    history = http.get(f"/api/health/scores/?client={normal_client.pk}").json()["results"]
    assert len(history[0]["components"]) == len(DEFAULT_MEASURES)


def test_latest_scores_are_one_per_client(scorecard, carol, login, normal_client):
    scores_recompute(as_of=today() - datetime.timedelta(days=1))
    scores_recompute()
    rows = login(carol).get("/api/health/scores/latest/").json()["results"]
    assert [(r["client"], r["as_of"]) for r in rows] == [(normal_client.pk, today().isoformat())]


def test_latest_scores_as_of_a_past_day_and_among_the_filtered_scores(scorecard, carol, login, normal_client):
    for days_ago, score, band in [(40, "75", "green"), (10, "55", "amber"), (1, "30", "red")]:
        HealthScoreFactory(
            client=normal_client, as_of=days_from_today(-days_ago), score=score, band=band, scorecard=scorecard
        )
    http = login(carol)

    def latest(query: str) -> list[tuple[int, str]]:
        return [(r["client"], r["as_of"]) for r in http.get(f"/api/health/scores/latest/?{query}").json()["results"]]

    assert latest("") == [(normal_client.pk, days_from_today(-1).isoformat())]
    assert latest(f"until={days_from_today(-5).isoformat()}") == [(normal_client.pk, days_from_today(-10).isoformat())]
    assert latest(f"since={days_from_today(-5).isoformat()}") == [(normal_client.pk, days_from_today(-1).isoformat())]
    # The filters pick the scores the newest is taken from: the newest green one is 40 days old.
    assert latest("band=green") == [(normal_client.pk, days_from_today(-40).isoformat())]


def test_latest_scores_run_a_constant_number_of_queries(scorecard, carol, login, normal_client, count_queries):
    scores_recompute(as_of=today() - datetime.timedelta(days=1))
    scores_recompute()
    http = login(carol)
    http.get("/api/health/scores/latest/")
    at_one = count_queries(lambda: http.get("/api/health/scores/latest/"))
    for _ in range(8):
        ClientFactory()
    scores_recompute(as_of=today() - datetime.timedelta(days=1))
    scores_recompute()
    assert count_queries(lambda: http.get("/api/health/scores/latest/")) == at_one
    assert len(http.get("/api/health/scores/latest/").json()["results"]) == 9


def test_openapi_schema_lists_the_health_endpoints(ada, login):
    schema = login(ada).get("/api/schema/").content.decode()
    for path in (
        "/api/health/scorecards/",
        "/api/health/measurements/import/",
        "/api/health/scores/",
    ):
        assert path in schema


def test_other_clients_data_is_untouched_by_an_import(scorecard, carol, login, normal_client):
    other = ClientFactory()
    login(carol).post(
        "/api/health/measurements/import/",
        {"csv": csv_for((normal_client.pk, "client_nps", 9, today())), "dry_run": False},
        content_type="application/json",
    )
    assert not Measurement.objects.filter(client=other).exists()


def test_a_measurement_that_is_not_an_object_is_a_400_not_a_500(alice, login):
    """Found by the API fuzzer: a JSON list as the body crashed the serializer."""
    response = login(alice).post("/api/health/measurements/", [1, 2], content_type="application/json")
    assert response.status_code == 400


def test_csv_import_of_garbage_with_a_lone_carriage_return_is_a_400_not_a_server_error(scorecard, carol, login):
    response = login(carol).post(
        "/api/health/measurements/import/",
        {"csv": "n\ufffd\ufffd\r]~", "dry_run": False},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Measurement.objects.exists()
