"""A client with a full year of data, quarters that have ended, and PDF-reading helpers."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from health.formula import compute_score
from health.services.recompute import current_scorecard, load_scorecard
from planning.models import Opportunity, Risk
from reports.pdf.periods import Quarter
from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    ClientReviewFactory,
    FeeRecordFactory,
    HealthScoreFactory,
    InteractionFactory,
    ObjectiveFactory,
    OpportunityFactory,
    RelationshipFactory,
    RiskFactory,
    ServiceLineFactory,
    StakeholderFactory,
)
from tests.history import recorded_at

QUARTER = Quarter(2026, 3)  # ended 30 Sep 2026; the suite runs after it
RECORDED = timezone.make_aware(datetime.datetime(2026, 7, 1, 9, 0))


@pytest.fixture
def quarter():
    return QUARTER


@pytest.fixture
def scorecard(db):
    return current_scorecard()  # the default scorecard and its measures, as the app uses


def components(scorecard, score: float) -> list[dict]:
    """What a real recompute stores: `Component.as_json()` per measure of the scorecard, which
    keeps numbers and keys but not the measures' names or units."""
    loaded = load_scorecard(scorecard)
    share = score / 100
    raws = {
        spec.key: spec.floor + share * (spec.target - spec.floor)
        for spec in loaded.specs
        if spec.key != "payment_days"  # one measure without data, as most clients have
    }
    return [c.as_json() for c in compute_score(loaded.specs, raws, loaded.thresholds).components]


def give_data(client, *, scorecard, owner, now_score="58.00", before_score="72.00", band="amber"):
    """Give `client` scores, fees, plan, pipeline, risks, people and contacts around Q3 2026, all
    recorded on 1 July 2026 (their audit history says so too)."""
    with recorded_at(RECORDED):
        return _give_data(
            client, scorecard=scorecard, owner=owner, now_score=now_score, before_score=before_score, band=band
        )


def _give_data(client, *, scorecard, owner, now_score, before_score, band):
    HealthScoreFactory(
        client=client,
        scorecard=scorecard,
        as_of=datetime.date(2026, 6, 30),
        score=Decimal(before_score),
        band="green" if Decimal(before_score) >= 70 else "amber",
        components=components(scorecard, float(before_score)),
    )
    HealthScoreFactory(
        client=client,
        scorecard=scorecard,
        as_of=datetime.date(2026, 9, 28),
        score=Decimal(now_score),
        band=band,
        components=components(scorecard, float(now_score)),
    )
    # A later score must not leak into a report as of 30 September.
    HealthScoreFactory(
        client=client,
        scorecard=scorecard,
        as_of=datetime.date(2026, 10, 15),
        score=Decimal("99.00"),
        band="green",
        components=components(scorecard, 99),
    )
    tax = ServiceLineFactory(name="Tax")
    audit = ServiceLineFactory(name="Audit")
    FeeRecordFactory(client=client, service_line=tax, financial_year=2027, amount=Decimal("300000"))
    FeeRecordFactory(client=client, service_line=audit, financial_year=2027, amount=Decimal("150000"))
    FeeRecordFactory(client=client, service_line=tax, financial_year=2026, amount=Decimal("400000"))
    plan = AccountPlanFactory(client=client, year=2026, north_star="Grow in Asia. Cut costs by a tenth.")
    ObjectiveFactory(plan=plan, title="Win the Asia tax mandate")
    ActionFactory(
        plan=plan,
        owner=owner,
        description="Book the CFO breakfast",
        due_date=datetime.date(2026, 8, 1),
    )
    ActionFactory(
        plan=plan,
        owner=owner,
        description="Send the audit proposal",
        status="done",
        due_date=datetime.date(2026, 7, 1),
    )
    OpportunityFactory(
        client=client,
        service_line=tax,
        description="Asia tax restructuring",
        estimated_fees=Decimal("200000"),
        probability=50,
    )
    OpportunityFactory(
        client=client,
        service_line=audit,
        description="Group audit tender",
        estimated_fees=Decimal("100000"),
        probability=20,
    )
    RiskFactory(client=client, title="Competitor courting the CFO", likelihood=4, impact=5)
    RiskFactory(client=client, title="Fee pressure on audit", likelihood=2, impact=3)
    cfo = StakeholderFactory(client=client, name="Cara Finance", seniority="c_suite", buying_role="decision_maker")
    StakeholderFactory(client=client, name="Bo Board", seniority="board", buying_role="influencer")
    RelationshipFactory(stakeholder=cfo, user=owner, strength=4)
    for month, day in [(7, 3), (8, 14), (9, 20)]:
        InteractionFactory(client=client, date=datetime.date(2026, month, day), firm_attendees=[owner])
    InteractionFactory(client=client, date=datetime.date(2026, 5, 5), firm_attendees=[owner])
    ClientReviewFactory(client=client, planned_date=datetime.date(2026, 7, 10), held_date=datetime.date(2026, 7, 10))
    Opportunity.objects.filter(client=client).update(created_at=RECORDED)
    Risk.objects.filter(client=client).update(created_at=RECORDED)
    return client


@pytest.fixture
def rich_client(normal_client, alice, scorecard):
    return give_data(normal_client, scorecard=scorecard, owner=alice)


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def review_record(user, client, quarter=QUARTER):
    from reports.models import Report

    return Report.objects.create(
        kind="account_review",
        scope={"type": "client", "id": client.pk},
        client_ids=[client.pk],
        period_start=quarter.start,
        period_end=quarter.end,
        requested_by=user,
    )


def pack_record(user, scope=None, quarter=QUARTER):
    from reports.models import Report

    return Report.objects.create(
        kind="quarterly_pack",
        scope=scope or {"type": "firm"},
        period_start=quarter.start,
        period_end=quarter.end,
        requested_by=user,
    )


@pytest.fixture
def build():
    """Build a report record's PDF without storing it: returns (built, page texts)."""
    from reports.pdf.build import build_report

    def _build(report):
        built = build_report(report)
        return built, pdf_pages(built.pdf.content)

    return _build
