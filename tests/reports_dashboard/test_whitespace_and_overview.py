"""Whitespace map cells and penetration, the firm overview's figures, and the charts' figures."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.selectors import last_complete_financial_year
from tests.factories import FeeRecordFactory, OpportunityFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(db):
    return ServiceLineFactory(name="Tax Advisory"), ServiceLineFactory(name="Litigation")


def test_whitespace_cells_show_last_years_fees_and_open_opportunities(carol, login, portfolio, lines):
    tax, litigation = lines
    FeeRecordFactory(
        client=portfolio["red"],
        service_line=tax,
        financial_year=last_complete_financial_year(),
        amount=Decimal("120000"),
    )
    OpportunityFactory(client=portfolio["red"], service_line=litigation, stage="qualified")
    result = login(carol).get(reverse("whitespace"), {"band": "red", "mine": "0"}).context["map"]
    ((client, cells),) = result.rows
    by_line = dict(zip([line.name for line in result.lines], cells, strict=True))
    assert client.name == "Redwood Bank plc"
    assert by_line["Tax Advisory"].fees == Decimal("120000") and by_line["Tax Advisory"].shade == 4
    assert by_line["Litigation"].fees == 0 and by_line["Litigation"].opportunities == 1


def test_whitespace_penetration_counts_clients_buying_each_line(carol, login, portfolio, lines):
    tax, _ = lines
    year = last_complete_financial_year()
    FeeRecordFactory(client=portfolio["red"], service_line=tax, financial_year=year, amount=Decimal("10"))
    FeeRecordFactory(client=portfolio["green"], service_line=tax, financial_year=year, amount=Decimal("30"))
    result = login(carol).get(reverse("whitespace"), {"mine": "0"}).context["map"]
    tax_totals = next(p for p in result.penetration if p.line == tax)
    assert (tax_totals.clients, round(tax_totals.share), tax_totals.fees) == (2, 67, Decimal("40"))


def test_overview_band_shares_and_their_quarterly_change(mike, login, portfolio, score):
    overview = login(mike).get(reverse("overview")).context["overview"]
    shares = {b.band: b for b in overview.bands}
    assert overview.total == 3
    assert [shares[b].count for b in ("green", "amber", "red")] == [1, 1, 1]
    assert shares["red"].change == 0


def test_overview_links_each_figure_to_the_filtered_dashboard(mike, login, portfolio):
    body = login(mike).get(reverse("overview")).content.decode()
    assert "/dashboard/?mine=0&band=red" in body
    assert "/dashboard/?mine=0&attention=no_contact" in body


def test_overview_flags_a_crp_with_no_successor(mike, login, portfolio):
    flags = login(mike).get(reverse("overview")).context["overview"].crp_flags
    assert {f.name for f in flags} == {"Rita Red", "Andy Amber", "Gina Green"}
    assert all(any(flag.startswith("No successor") for flag in f.flags) for f in flags)


def test_overview_shows_the_25_most_flagged_crps_and_says_how_many_more(mike, login):
    from accounts.models import Role
    from tests.factories import ClientFactory, UserFactory

    for index in range(27):
        ClientFactory(name=f"Client {index:02}", crp=UserFactory(full_name=f"Partner {index:02}", role=Role.PARTNER))
    response = login(mike).get(reverse("overview"))
    flagged = response.context["overview"].crp_flags
    assert len(flagged) == 27
    assert [len(f.flags) for f in flagged] == sorted((len(f.flags) for f in flagged), reverse=True)
    body = response.content.decode()
    table = body[body.index('data-testid="crp-flags"') : body.index("</table>", body.index('data-testid="crp-flags"'))]
    assert table.count("<tr>") == 26  # the heading row and 25 CRPs
    assert "The 25 with the most flags of 27 flagged CRPs" in body


def test_chart_figures_follow_the_filters(carol, login, portfolio):
    context = login(carol).get(reverse("dashboard-charts"), {"tier": portfolio["red"].tier.pk, "mine": "0"}).context
    counts = {s.band: s.count for s in context["bands"]}
    assert counts == {"green": 1, "amber": 0, "red": 1}
    assert [m.name for m in context["up"]] == []
    assert [m.name for m in context["down"]] == ["Greenfield Energy plc", "Redwood Bank plc"]


def test_each_chart_has_a_table_alternative_and_text_labels(carol, login, portfolio):
    body = login(carol).get(reverse("dashboard-charts"), {"mine": "0"}).content.decode()
    assert body.count("Show as a table") == 5
    assert 'role="img"' in body and "1 (33%)" in body
