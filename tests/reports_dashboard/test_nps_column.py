"""The portfolio dashboard's NPS column: each client's NPS over its answers of the last twelve months,
blank without any; sortable; in the CSV and the API; inside the wall only; no query per row."""

import csv
import datetime
import io
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from listening.models import Invitation, Response, Survey
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

_secrets = itertools.count()


def answers(client, *scores, days_ago=10):
    """NPS answers from `client`, `days_ago` days ago (one recipient each)."""
    today = timezone.localdate()
    survey = Survey.objects.create(name="Relationship survey", closes_on=today + datetime.timedelta(days=30))
    when = timezone.now() - datetime.timedelta(days=days_ago)
    for score in scores:
        invitation = Invitation.objects.create(
            survey=survey, client=client, email="someone@client.example", token_digest=f"t{next(_secrets)}"
        )
        Response.objects.create(
            invitation=invitation,
            survey=survey,
            client=client,
            nps=score,
            submitted_on=today - datetime.timedelta(days=days_ago),
            submitted_at=when,
        )


def nps_cells(http, **query) -> dict[str, str]:
    """Client name -> the text of its NPS cell, in the table's order."""
    html = http.get("/dashboard/", {"mine": "0", "cols": "nps", **query}).content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert 'data-sort="nps">NPS' in head
    cells = {}
    for row in html.split('data-testid="client-row"')[1:]:
        name = row.split("</a>", 1)[0].rsplit(">", 1)[1]
        tds = row.split("<td")
        cells[name] = tds[2].split(">", 1)[1].split("</td>", 1)[0]
    return cells


def test_each_client_shows_its_nps_of_the_last_twelve_months(carol, login, portfolio):
    answers(portfolio["red"], 10, 9, 8, 3)  # 2 promoters, 1 detractor of 4: 25
    answers(portfolio["red"], 0, 0, 0, days_ago=400)  # older than twelve months: left out
    answers(portfolio["green"], 10)
    answers(portfolio["amber"], 2, days_ago=400)  # nothing recent: blank
    cells = nps_cells(login(carol))
    assert cells["Redwood Bank plc"] == "25"
    assert cells["Greenfield Energy plc"] == "100"
    assert "—" in cells["Amberley Foods Ltd"]


def test_the_column_sorts_with_clients_without_an_nps_last(carol, login, portfolio):
    answers(portfolio["red"], 0, 10)  # 0
    answers(portfolio["green"], 10)  # 100
    http = login(carol)
    assert list(nps_cells(http, sort="-nps")) == ["Greenfield Energy plc", "Redwood Bank plc", "Amberley Foods Ltd"]
    assert list(nps_cells(http, sort="nps")) == ["Redwood Bank plc", "Greenfield Energy plc", "Amberley Foods Ltd"]


def test_the_nps_rounds_as_the_listening_overview_does(carol, login, portfolio):
    answers(portfolio["red"], 10, 8, 8, 8, 8, 8, 8, 8)  # 1 of 8: 12.5
    answers(portfolio["green"], 10, 10, 8, 8, 8, 8, 8, 8)  # 2 of 8: 25
    answers(portfolio["amber"], 10, 10, 10, 0, 8, 8)  # 2 of 6: 33.3
    from listening.selectors import NpsFigures

    cells = nps_cells(login(carol))
    assert cells["Redwood Bank plc"] == str(NpsFigures(1, 7, 0).nps)
    assert cells["Greenfield Energy plc"] == "25" and cells["Amberley Foods Ltd"] == "33"


def test_the_csv_and_the_api_carry_the_nps(carol, login, portfolio):
    answers(portfolio["red"], 10, 9, 8, 3)
    http = login(carol)
    response = http.get(reverse("dashboard-export-csv"), {"mine": "0", "sort": "name", "cols": "nps"})
    rows = {row["Client"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["Redwood Bank plc"]["NPS (12 months)"] == "25" and rows["Amberley Foods Ltd"]["NPS (12 months)"] == ""
    api = {row["name"]: row for row in http.get("/api/dashboard/", {"mine": "0"}).json()["results"]}
    assert api["Redwood Bank plc"]["nps"] == 25 and api["Amberley Foods Ltd"]["nps"] is None


def test_a_walled_clients_nps_shows_only_inside_the_wall(alice, bob, carol, mike, login, confidential_client):
    answers(confidential_client, 0, 0, 10)  # -33
    name = confidential_client.name
    assert nps_cells(login(alice))[name] == "-33"  # on the team, inside the wall
    assert nps_cells(login(mike))[name] == "-33"
    for outsider in (bob, carol):
        http = login(outsider)
        assert name not in nps_cells(http)
        csv_text = http.get(reverse("dashboard-export-csv"), {"mine": "0", "cols": "nps"}).content.decode()
        assert name not in csv_text
        api = http.get("/api/dashboard/", {"mine": "0", "sort": "nps"}).json()
        assert name not in str(api) and all(row["nps"] is None for row in api["results"])


def test_the_page_runs_the_same_queries_for_one_client_with_answers_or_many(carol, login, count_queries):
    http = login(carol)

    def get():
        assert http.get("/dashboard/", {"mine": "0", "cols": "nps,band,score", "sort": "-nps"}).status_code == 200

    answers(ClientFactory(), 10, 3)
    get()
    at_one = count_queries(get)
    for i in range(20):
        answers(ClientFactory(), 10, i % 11, 5)
    assert count_queries(get) == at_one
