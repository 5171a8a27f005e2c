"""A pack says nothing about the clients its reader may not see: no count, no different refusal."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Assignment, Role
from reports.models import Report
from reports.pdf import services
from tests.factories import ClientFactory, OfficeFactory, UserFactory
from tests.reports_pdf.conftest import give_data, pack_record

pytestmark = pytest.mark.django_db

EVERYONE_NOTE = "Clients behind an ethical wall are never shown to those outside it."


@pytest.fixture
def walled_portfolio(rich_client, confidential_client, crp_of_wall, scorecard):
    give_data(confidential_client, scorecard=scorecard, owner=crp_of_wall, now_score="30.00")
    return [rich_client, confidential_client]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def flat(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


@pytest.mark.parametrize("reader", ["bob", "carol", "mike"])
def test_a_pack_never_counts_the_clients_left_out_and_says_the_same_note_to_everyone(
    walled_portfolio, users, build, reader
):
    built, pages = build(pack_record(users[reader]))
    text = flat(pages)
    assert "leaves out" not in text and "left out" not in text
    assert EVERYONE_NOTE in text
    assert not hasattr(built, "clients_left_out")


def test_the_api_and_the_page_of_an_outsiders_pack_say_nothing_about_left_out_clients(
    walled_portfolio, bob, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = api(bob).post(
            "/api/reports/",
            {"kind": "quarterly_pack", "scope": {"type": "firm"}, "quarter": "2026-Q3"},
            format="json",
        )
    body = api(bob).get(f"/api/reports/{created.data['id']}/").json()
    assert body["status"] == "done" and body["clients_included"] == 1
    assert "clients_left_out" not in body
    page = login(bob).get(reverse("report-detail", args=[created.data["id"]])).content.decode()
    assert "left out" not in page


def refusal(actor, scope) -> dict:
    with pytest.raises(ValidationError) as error:
        services.report_request(actor=actor, kind="quarterly_pack", scope=scope, quarter="2026-Q3")
    return error.value.message_dict


def test_a_scope_of_only_hidden_clients_is_refused_exactly_as_an_empty_one(confidential_client, crp_of_wall, bob):
    leads_nothing = UserFactory(full_name="Nora Nothing", role=Role.PARTNER)
    hidden = refusal(bob, {"type": "crp", "id": crp_of_wall.pk})
    empty = refusal(bob, {"type": "crp", "id": leads_nothing.pk})
    assert hidden == empty


def test_an_office_of_only_hidden_clients_is_refused_exactly_as_an_empty_office(
    confidential_client, crp_of_wall, carol
):
    walled_office, empty_office = OfficeFactory(name="Geneva"), OfficeFactory(name="Oslo")
    crp_of_wall.office = walled_office
    crp_of_wall.save()
    hidden = refusal(carol, {"type": "office", "id": walled_office.pk})
    empty = refusal(carol, {"type": "office", "id": empty_office.pk})
    assert hidden == empty


def test_the_api_answers_a_hidden_only_scope_byte_for_byte_as_an_empty_one(confidential_client, crp_of_wall, bob):
    leads_nothing = UserFactory(full_name="Nora Nothing", role=Role.PARTNER)

    def ask(crp):
        return api(bob).post(
            "/api/reports/",
            {"kind": "quarterly_pack", "scope": {"type": "crp", "id": crp.pk}, "quarter": "2026-Q3"},
            format="json",
        )

    hidden, empty = ask(crp_of_wall), ask(leads_nothing)
    assert (hidden.status_code, hidden.content) == (empty.status_code, empty.content)
    assert hidden.status_code == 400


def test_a_scope_mixing_hidden_and_visible_clients_covers_only_the_visible_ones(
    walled_portfolio, confidential_client, alice, bob, build
):
    Assignment.objects.filter(client=confidential_client).exclude(role="crp").delete()
    other = ClientFactory(name="Open Co", crp=bob)
    built, pages = build(pack_record(bob))
    text = flat(pages)
    assert "Nightjar" not in text and other.name in text
    assert built.clients_included == 2
    assert Report.objects.count() == 1
