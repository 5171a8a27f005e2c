"""A past quarter's report shows the risks, pipeline and people of that quarter, from the history."""

import datetime
from decimal import Decimal

import pytest

from planning.models import Opportunity, Risk
from reports.pdf.periods import Quarter
from reports.pdf.readers import gather
from stakeholders.models import Relationship, Stakeholder
from tests.factories import RiskFactory
from tests.history import recorded_at
from tests.reports_pdf.conftest import QUARTER, pack_record, review_record

pytestmark = pytest.mark.django_db

AFTER_THE_QUARTER = datetime.date(2026, 10, 15)


def flat(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


@pytest.fixture
def changed_after_the_quarter(rich_client, alice):
    """In October the big risk is closed, the Asia work is won, a new risk is raised and the CFO
    leaves: none of it belongs in the Q3 report."""
    with recorded_at(AFTER_THE_QUARTER):
        Risk.objects.filter(client=rich_client, title="Competitor courting the CFO").update(status="closed")
        Opportunity.objects.filter(client=rich_client, description="Asia tax restructuring").update(
            stage="won", probability=100
        )
        RiskFactory(client=rich_client, title="Merger talks with a rival", likelihood=5, impact=5)
        Stakeholder.objects.filter(client=rich_client, name="Cara Finance").update(status="left")
        Relationship.objects.filter(stakeholder__client=rich_client).update(strength=1)
    return rich_client


def test_a_past_quarter_reads_the_risks_and_pipeline_open_at_its_end(changed_after_the_quarter):
    client = gather([changed_after_the_quarter.pk], QUARTER).clients[0]
    assert [r.title for r in client.risks] == ["Competitor courting the CFO", "Fee pressure on audit"]
    assert client.pipeline_total == Decimal("300000")
    assert client.pipeline_weighted == Decimal("120000")
    assert [p.name for p in client.stakeholders] == ["Bo Board", "Cara Finance"]
    assert client.coverage_gaps == [p for p in client.stakeholders if p.name == "Bo Board"]
    assert client.history_starts == {}


def test_the_account_review_of_a_past_quarter_shows_what_was_open_then(changed_after_the_quarter, alice, build):
    _, pages = build(review_record(alice, changed_after_the_quarter))
    text = flat(pages)
    assert "Competitor courting the CFO" in text
    assert "Asia tax restructuring" in text
    assert "Merger talks with a rival" not in text
    assert "Cara Finance" in text


def test_the_firm_pack_of_a_past_quarter_shows_its_pipeline(changed_after_the_quarter, mike, build):
    _, pages = build(pack_record(mike))
    text = flat(pages)
    assert "Asia tax restructuring" in text
    assert "No open opportunities are recorded" not in text


def test_a_quarter_before_any_history_says_so_instead_of_none_recorded(rich_client, alice, build):
    early = Quarter(2026, 1)
    client = gather([rich_client.pk], early).clients[0]
    assert (client.risks, client.opportunities, client.stakeholders) == ([], [], [])
    recorded = datetime.date(2026, 7, 1)
    assert client.history_starts == {"risks": recorded, "opportunities": recorded, "stakeholders": recorded}

    _, pages = build(review_record(alice, rich_client, quarter=early))
    text = flat(pages)
    assert "No history of risks is recorded before 1 Jul 2026" in text
    assert "No history of opportunities is recorded before 1 Jul 2026" in text
    assert "No history of the stakeholder map is recorded before 1 Jul 2026" in text
    assert "No open risks are recorded" not in text
