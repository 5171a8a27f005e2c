"""The partner scorecard: the figures other pages show, and who may see it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.selectors import fee_period, fee_table
from health.portfolio import portfolio_signals
from planning.selectors.portfolio import client_panel
from reports.pdf.periods import Quarter
from stakeholders.selectors import contact_frequency
from stewardship.models import ScorecardView
from stewardship.selectors.scorecard import partner_scorecard
from tests.factories import (
    ClientFactory,
    FeeRecordFactory,
    HealthScoreFactory,
    InteractionFactory,
    MeasurementFactory,
    OpportunityFactory,
    ServiceLineFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_book(alice, normal_client, today):
    """Alice leads two clients with fees, scores, pipeline, NPS and her own touchpoints."""
    second = ClientFactory(name="Second Harbour plc", crp=alice)
    period = fee_period(today)
    line = ServiceLineFactory(name="Corporate")
    for client, before, last in ((normal_client, 100_000, 130_000), (second, 50_000, 40_000)):
        FeeRecordFactory(client=client, service_line=line, financial_year=period.previous, amount=Decimal(before))
        FeeRecordFactory(client=client, service_line=line, financial_year=period.year, amount=Decimal(last))
        HealthScoreFactory(client=client, as_of=today, score=Decimal("70.00"), band="green")
        OpportunityFactory(client=client, origin="sourced", estimated_fees=Decimal(100_000), probability=30)
        MeasurementFactory(client=client, value=Decimal(40))
    for days in (3, 20, 40):
        InteractionFactory(client=normal_client, date=today - datetime.timedelta(days=days), firm_attendees=[alice])
    return [normal_client, second]


def test_scorecard_figures_equal_what_the_other_pages_show(mike, alice, alices_book, today, login):
    card = partner_scorecard(mike, alice, Quarter.containing(today), today).current
    # the CRP signals page (health portfolio): the same partner row
    row = next(p for p in portfolio_signals(mike, today).partners if p.user_id == alice.pk)
    assert (card.led, card.workload, card.growth_clients) == (row.led, row.workload, row.growth_clients)
    assert card.fee_retention == row.fee_retention == 113.3  # 170k on 150k
    assert card.average_health == row.average_health == 70.0
    # each client's page: the fee table and the plan panel's weighted pipeline
    year = fee_period(today).year
    client_fees = sum(fee_table(c).totals[fee_table(c).years.index(year)] for c in alices_book)
    assert card.fees.amount == client_fees == Decimal(170_000)
    pipeline = sum(client_panel(client=c, user=mike)["weighted_pipeline"] for c in alices_book)
    assert card.pipeline_sourced == pipeline == Decimal(60_000)
    # the interaction timeline's contact count (Alice attended every touchpoint)
    assert card.activity.year == sum(contact_frequency(c, today).count for c in alices_book) == 3
    assert card.nps == 40.0

    scorecard_page = login(mike).get(f"/stewardship/partners/{alice.pk}/scorecard/").content.decode()
    signals_page = login(mike).get("/health/portfolio/").content.decode()
    key = Quarter.containing(today).code
    assert f'data-testid="retention-{key}">113.3%<' in scorecard_page
    assert ">113.3%<" in signals_page
    assert f'data-testid="fees-{key}">170,000<' in scorecard_page


def test_bd_and_another_partner_get_404(alice, bob, carol, normal_client, login):
    for person in (bob, carol):
        assert login(person).get(f"/stewardship/partners/{alice.pk}/scorecard/").status_code == 404
        assert login(person).get(f"/stewardship/partners/{alice.pk}/profile/").status_code == 404
    assert not ScorecardView.objects.exists()


def test_the_partner_managing_partners_and_admins_see_it(alice, mike, ada, normal_client, login):
    for person in (alice, mike, ada):
        assert login(person).get(f"/stewardship/partners/{alice.pk}/scorecard/").status_code == 200


def test_every_view_of_another_partners_scorecard_is_recorded(alice, mike, ada, normal_client, login, today):
    login(alice).get(f"/stewardship/partners/{alice.pk}/scorecard/")
    assert not ScorecardView.objects.exists()  # one's own views are not audited
    login(mike).get(f"/stewardship/partners/{alice.pk}/scorecard/?quarter={Quarter.containing(today).previous.code}")
    login(ada).get(f"/stewardship/partners/{alice.pk}/scorecard/")
    views = list(ScorecardView.objects.order_by("viewed_at").values_list("viewer__full_name", "partner", "quarter"))
    assert views == [
        ("Mike Managing", alice.pk, Quarter.containing(today).previous.code),
        ("Ada Admin", alice.pk, Quarter.containing(today).code),
    ]


def test_the_trend_runs_over_four_quarters(mike, alice, alices_book, today):
    card = partner_scorecard(mike, alice, Quarter.containing(today), today)
    assert [q.quarter for q in card.quarters] == [
        Quarter.containing(today).previous.previous.previous,
        Quarter.containing(today).previous.previous,
        Quarter.containing(today).previous,
        Quarter.containing(today),
    ]


def test_the_page_runs_the_same_queries_for_one_client_or_many(mike, alice, normal_client, login, count_queries):
    http = login(mike)
    url = f"/stewardship/partners/{alice.pk}/scorecard/"
    http.get(url)
    one = count_queries(lambda: http.get(url))
    for n in range(5):
        ClientFactory(name=f"More {n} plc", crp=alice)
    assert count_queries(lambda: http.get(url)) == one
