"""Shareable URLs, saved views and exports of the current view."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from reports.dashboard.exports import escape_formula
from reports.models import SavedView
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def table_names(response) -> list[str]:
    return [row.client.name for row in response.context["table"].rows]


def test_the_canonical_url_reproduces_the_same_view(carol, login, portfolio):
    http = login(carol)
    first = http.get(reverse("dashboard"), {"band": "amber", "sort": "-score", "mine": "0", "size": "50"})
    query = first.context["params"].query()
    again = http.get(f"{reverse('dashboard')}?{query}")
    assert again.context["params"].query() == query
    assert table_names(again) == table_names(first)


def test_a_saved_view_opens_the_same_rows(carol, login, portfolio):
    http = login(carol)
    query = "band=red&mine=0&sort=-score"
    response = http.post(reverse("saved-view-save"), {"name": "Red watch", "query": query})
    view = SavedView.objects.get(user=carol, name="Red watch")
    assert response.status_code == 302 and response.url.endswith(view.query)
    assert table_names(http.get(response.url)) == ["Redwood Bank plc"]


def test_saved_views_belong_to_their_user(carol, bob, login, portfolio):
    login(carol).post(reverse("saved-view-save"), {"name": "Mine only", "query": "band=red"})
    view = SavedView.objects.get(name="Mine only")
    bob_http = login(bob)
    assert "Mine only" not in bob_http.get(reverse("dashboard"), {"mine": "0"}).content.decode()
    assert bob_http.post(reverse("saved-view-delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_saving_a_view_without_a_name_changes_nothing(carol, login, portfolio):
    login(carol).post(reverse("saved-view-save"), {"name": "  ", "query": "band=red"})
    assert not SavedView.objects.exists()


def test_csv_export_has_the_same_rows_in_the_same_order_as_the_table(carol, login, portfolio):
    http = login(carol)
    params = {"sort": "-trend", "mine": "0"}
    table = table_names(http.get(reverse("dashboard"), params))
    response = http.get(reverse("dashboard-export-csv"), params)
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][0] == "Client"
    assert [line[0] for line in lines[1:]] == table


def test_xlsx_export_has_the_same_rows_as_the_table(carol, login, portfolio):
    http = login(carol)
    params = {"band": "amber", "mine": "0"}
    response = http.get(reverse("dashboard-export-xlsx"), params)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in values[1:]] == table_names(http.get(reverse("dashboard"), params))
    row = dict(zip(values[0], values[1], strict=True))
    assert row["Band"] == "Amber" and row["Score"] == 55


def test_formulas_in_client_names_are_exported_as_text(carol, login, db):
    ClientFactory(name='=HYPERLINK("http://evil")', sector="+cmd")
    http = login(carol)
    lines = list(csv.reader(io.StringIO(http.get(reverse("dashboard-export-csv"), {"mine": "0"}).content.decode())))
    assert lines[1][0].startswith("'=") and lines[1][1] == "'+cmd"
    sheet = openpyxl.load_workbook(io.BytesIO(http.get(reverse("dashboard-export-xlsx"), {"mine": "0"}).content)).active
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://evil")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_formula_escape_prefixes_dangerous_text(text):
    assert escape_formula(text) == "'" + text


def test_formula_escape_leaves_ordinary_text_alone():
    assert escape_formula("Harbour Energy plc") == "Harbour Energy plc"
