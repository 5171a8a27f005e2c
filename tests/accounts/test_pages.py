"""Client pages: list filters and sort, forms with field errors, conflicts, constant query counts."""

import pytest
from django.urls import reverse

from accounts.models import Client, FeeRecord
from tests.factories import ClientFactory, FeeRecordFactory, ServiceLineFactory, TierFactory, UserFactory

# Every app adds its section to the client page (twelve apps, one to five indexed reads each on the
# client's own rows): docs/scaling.md says why this page may use more than the 15 of other pages.
CLIENT_PAGE_QUERY_BUDGET = 32
pytestmark = pytest.mark.django_db


def names_in(response) -> list[str]:
    return [client.name for client in response.context["page"]]


def test_list_filters_by_tier_sector_crp_and_status(alice, bob, login):
    develop = TierFactory(name="Develop", rank=2)
    ClientFactory(name="A plc", crp=alice, sector="Energy")
    ClientFactory(name="B plc", crp=bob, sector="Energy", tier=develop)
    ClientFactory(name="C plc", crp=bob, sector="Retail", status="dormant")
    http = login(alice)
    url = reverse("client-list")
    assert names_in(http.get(url, {"tier": develop.pk})) == ["B plc"]
    assert names_in(http.get(url, {"sector": "Energy"})) == ["A plc", "B plc"]
    assert names_in(http.get(url, {"crp": bob.pk})) == ["B plc", "C plc"]
    assert names_in(http.get(url, {"status": "dormant"})) == ["C plc"]
    assert names_in(http.get(url, {"mine": "1"})) == ["A plc"]
    assert names_in(http.get(url, {"q": "b p"})) == ["B plc"]


def test_list_sorts_by_fees_descending(alice, login):
    line = ServiceLineFactory()
    from accounts.selectors import last_complete_financial_year

    year = last_complete_financial_year()
    for name, amount in [("Low plc", 10), ("High plc", 1000), ("Mid plc", 100)]:
        FeeRecordFactory(
            client=ClientFactory(name=name, crp=alice), service_line=line, financial_year=year, amount=amount
        )
    response = login(alice).get(reverse("client-list"), {"sort": "-fees"})
    assert names_in(response) == ["High plc", "Mid plc", "Low plc"]


def test_malformed_filters_and_pages_give_a_clean_page(alice, normal_client, login):
    http = login(alice)
    response = http.get(reverse("client-list"), {"tier": "x", "crp": "'; drop", "sort": "-evil", "page": "9999"})
    assert response.status_code == 200
    assert names_in(response) == [normal_client.name]


def test_htmx_request_gets_only_the_table(alice, normal_client, login):
    response = login(alice).get(reverse("client-list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="client-table"' in body
    assert "<html" not in body
    assert normal_client.name in body


def test_client_list_query_count_is_constant(alice, login, count_queries):
    line = ServiceLineFactory()
    crps = [UserFactory() for _ in range(3)]

    def add_clients(count):
        for index in range(count):
            client = ClientFactory(crp=crps[index % 3])
            FeeRecordFactory(client=client, service_line=line)

    http = login(alice)
    add_clients(1)
    http.get(reverse("client-list"))
    at_one = count_queries(lambda: http.get(reverse("client-list")))
    add_clients(59)
    assert count_queries(lambda: http.get(reverse("client-list"))) == at_one <= 8


def test_client_detail_query_count_is_constant(alice, normal_client, login, count_queries):
    def add_fees(count):
        for _ in range(count):
            FeeRecordFactory(client=normal_client, service_line=ServiceLineFactory())

    http = login(alice)
    url = reverse("client-detail", args=[normal_client.pk])
    add_fees(1)
    http.get(url)
    # The page gathers a section from every app (team, fees, stakeholders, feeds' group, matters and
    # timekeepers, plan, workflow's playbooks, documents and discussion, health, listening, reports, capture).
    at_one = count_queries(lambda: http.get(url))
    add_fees(29)
    assert count_queries(lambda: http.get(url)) == at_one <= CLIENT_PAGE_QUERY_BUDGET


def test_client_page_does_not_grow_with_the_firms_people(alice, normal_client, login, count_queries):
    """The team form lists every active person in the firm: it is fetched when opened, not with the page."""
    http = login(alice)
    url = reverse("client-detail", args=[normal_client.pk])
    size_at_start = len(http.get(url).content)
    outsiders = [UserFactory(full_name=f"Outsider Number{index}") for index in range(40)]
    page = http.get(url).content.decode()
    assert not any(person.full_name in page for person in outsiders)
    assert len(page.encode()) == size_at_start
    assert outsiders[0].full_name in http.get(reverse("assignment-add", args=[normal_client.pk])).content.decode()


def test_create_form_shows_field_errors_and_saves_nothing(carol, alice, normal_client, login):
    tier = TierFactory()
    response = login(carol).post(
        reverse("client-create"),
        {
            "name": normal_client.name.upper(),
            "tier": tier.pk,
            "status": "active",
            "crp": alice.pk,
            "sam": alice.pk,
            "review_cadence_days": 91,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "already exists" in form.errors["name"][0]
    assert "someone other than the CRP" in form.errors["sam"][0]
    assert Client.objects.count() == 1


def test_create_form_refuses_unknown_service_line_and_user(carol, login):
    tier = TierFactory()
    response = login(carol).post(
        reverse("client-create"),
        {
            "name": "Kestrel Systems Ltd",
            "tier": tier.pk,
            "status": "active",
            "crp": 987654,
            "service_lines": [424242],
            "review_cadence_days": 91,
        },
    )
    form = response.context["form"]
    assert "crp" in form.errors and "service_lines" in form.errors
    assert not Client.objects.filter(name="Kestrel Systems Ltd").exists()


def test_create_form_makes_the_client_with_its_crp(carol, alice, login):
    tier = TierFactory()
    response = login(carol).post(
        reverse("client-create"),
        {
            "name": "Kestrel Systems Ltd",
            "tier": tier.pk,
            "status": "active",
            "crp": alice.pk,
            "review_cadence_days": 91,
            "sector": "Technology",
        },
    )
    client = Client.objects.get(name="Kestrel Systems Ltd")
    assert response.status_code == 302 and response.url == client.get_absolute_url()
    assert client.assignments.get(role="crp").user == alice


def test_edit_with_a_stale_version_shows_the_conflict_and_keeps_the_other_change(alice, mike, normal_client, login):
    url = reverse("client-edit", args=[normal_client.pk])
    form_data = {
        "name": normal_client.name,
        "tier": normal_client.tier_id,
        "status": "active",
        "review_cadence_days": 91,
        "version": normal_client.version,
    }
    login(mike).post(url, {**form_data, "notes": "Board changes in March."})
    response = login(alice).post(url, {**form_data, "notes": "Alice's view."})
    assert response.status_code == 200
    assert "Someone else saved this client" in response.content.decode()
    normal_client.refresh_from_db()
    assert normal_client.notes == "Board changes in March."
    # Saving again from the conflict page applies Alice's change on top.
    resubmit = {**form_data, "notes": "Alice's view.", "version": response.context["form"]["version"].value()}
    assert login(alice).post(url, resubmit).status_code == 302
    normal_client.refresh_from_db()
    assert normal_client.notes == "Alice's view."


def test_fee_form_refuses_a_negative_amount_and_a_malformed_year(alice, normal_client, login):
    line = ServiceLineFactory()
    http = login(alice)
    url = reverse("fee-set", args=[normal_client.pk])
    response = http.post(url, {"financial_year": "FY25/26", "service_line": line.pk, "amount": "-10"}, follow=True)
    text = response.content.decode()
    assert "four digits" in text and "cannot be negative" in text
    assert not FeeRecord.objects.exists()


def test_the_folded_fee_form_opens_for_the_team_only(alice, bob, normal_client, login):
    from accounts.selectors import last_complete_financial_year

    line = ServiceLineFactory(name="Forensic Accounting")
    url = reverse("fee-set", args=[normal_client.pk])
    folded = login(alice).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in folded and line.name in folded
    assert f'value="{last_complete_financial_year()}"' in folded
    assert login(bob).get(url).status_code == 403  # bob may read the client, not record its fees


def test_client_page_shows_fee_totals_and_history(alice, normal_client, login):
    line = ServiceLineFactory(name="Tax Advisory")
    http = login(alice)
    for year, amount in [(2024, "100000"), (2025, "150000")]:
        http.post(
            reverse("fee-set", args=[normal_client.pk]),
            {"financial_year": year, "service_line": line.pk, "amount": amount},
        )
    body = http.get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "Tax Advisory" in body
    assert "+50.0%" in body
    assert "Alice Partner" in body  # history names who recorded the fees


def test_partner_outside_team_cannot_post_fees(bob, normal_client, login):
    response = login(bob).post(
        reverse("fee-set", args=[normal_client.pk]),
        {"financial_year": 2025, "service_line": ServiceLineFactory().pk, "amount": 5},
    )
    assert response.status_code == 403
    assert not FeeRecord.objects.exists()


def test_client_page_sections_keep_their_declared_order(alice, normal_client, login):
    panels = login(alice).get(reverse("client-detail", args=[normal_client.pk])).context["panels"]
    assert [panel["template"] for panel in panels] == [
        "stakeholders/panel.html",
        "feeds/panel.html",
        "planning/client_panel.html",
        "workflow/client_panel.html",
        "health/client_panel.html",
        "listening/client_panel.html",
        "reports/pdf/client_panel.html",
        "capture/panel.html",
    ]
    orders = [panel["order"] for panel in panels]
    assert len(set(orders)) == len(orders), "each section declares its own place"


def test_client_page_offers_edits_to_the_team_and_says_read_only_to_others(alice, bob, normal_client, login):
    mine = login(alice).get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "Edit client" in mine
    assert "Read-only" not in mine
    theirs = login(bob).get(reverse("client-detail", args=[normal_client.pk])).content.decode()
    assert "Edit client" not in theirs
    assert "Read-only: you are not on this client" in theirs
