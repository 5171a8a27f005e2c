"""The Q3 and Q4 packs of a demo-like firm, read as text as a managing partner reads them.

The firm: a dozen clients that bill in every complete financial year but (like the demo) have no
fees yet in the year still running, scores stored as real recomputes store them (no measure
names), stakeholders with long titles, and client-review interactions.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from health.models import Measure
from planning.models import Risk
from reports.pdf.periods import Quarter
from tests.factories import (
    ClientFactory,
    FeeRecordFactory,
    HealthScoreFactory,
    InteractionFactory,
    RiskFactory,
    ServiceLineFactory,
    StakeholderFactory,
)
from tests.history import recorded_at
from tests.reports_pdf.conftest import components, pack_record, review_record

pytestmark = pytest.mark.django_db

Q3, Q4 = Quarter(2026, 3), Quarter(2026, 4)
NUMBERED = re.compile(r"^\s*\d\.\s*$", re.MULTILINE)
TITLES = ["Head of Procurement", "Chief Financial Officer", "Group Financial Controller"]


@pytest.fixture
def firm(alice, scorecard):
    tax, audit = ServiceLineFactory(name="Tax"), ServiceLineFactory(name="Audit")
    clients = []
    for i in range(12):
        client = ClientFactory(name=f"Client {chr(65 + i)} Holdings", crp=alice)
        for year, amount in [(2025, 200_000 + i * 1000), (2026, 180_000 + i * 2000)]:
            FeeRecordFactory(client=client, service_line=tax, financial_year=year, amount=amount)
            FeeRecordFactory(client=client, service_line=audit, financial_year=year, amount=50_000)
        for day, score in [
            (datetime.date(2026, 6, 30), 70 - i),
            (datetime.date(2026, 9, 28), 60 - 2 * i),
            (datetime.date(2026, 12, 15), 62 - 2 * i),
        ]:
            HealthScoreFactory(
                client=client,
                scorecard=scorecard,
                as_of=day,
                score=Decimal(score),
                band="green" if score >= 70 else "amber" if score >= 40 else "red",
                components=components(scorecard, score),
            )
        for title in TITLES:
            StakeholderFactory(client=client, job_title=title, seniority="senior", buying_role="decision_maker")
        InteractionFactory(client=client, kind="client_review", date=datetime.date(2026, 8, 3), firm_attendees=[alice])
        InteractionFactory(client=client, kind="client_review", date=datetime.date(2026, 11, 3), firm_attendees=[alice])
        clients.append(client)
    return clients


def text_of(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


@pytest.fixture(params=[Q3, Q4], ids=["Q3", "Q4"])
def firm_pack(request, firm, mike, build):
    return build(pack_record(mike, quarter=request.param))[1]


def test_packs_state_no_pound_zero_fees_for_clients_that_bill(firm_pack):
    text = text_of(firm_pack)
    assert "£0 in FY" not in text
    assert "down 100%" not in text
    assert "billed £" in text and "in FY2026, the last complete year" in text


def test_account_reviews_compare_the_last_complete_years(firm, mike, build):
    _, pages = build(review_record(mike, firm[0], quarter=Q3))
    text = text_of(pages)
    assert "Fees were £230,000 in FY2026, down 8% on FY2025." in text  # 180k+50k on 200k+50k
    assert "£0 in FY" not in text


def test_every_client_in_the_pack_names_every_measure(firm, firm_pack, scorecard):
    text = text_of(firm_pack)
    names = list(Measure.objects.filter(scorecard=scorecard).values_list("name", flat=True))
    assert names
    cards = text.split("Why this score:")[1:]
    assert len(cards) == len(firm)
    for card in cards:
        for name in names:
            assert name in card, name


def test_the_account_review_why_table_names_each_measure_with_its_value_in_its_unit(firm, mike, build, scorecard):
    _, pages = build(review_record(mike, firm[0], quarter=Q3))
    text = text_of(pages)
    why = text.split("Measure Value Score Weight Points", 1)[1]
    for measure in Measure.objects.filter(scorecard=scorecard).exclude(key="payment_days"):
        assert re.search(rf"{re.escape(measure.name)} \S", why), measure.name
    assert "Contact frequency 6 touchpoints a year 60" in why  # 60% of the way to 10 a year
    assert "Payment days missing" in why
    assert not re.search(r"\b\d+\.\d{3,}\b", why)  # no raw 0.8333 or 10.7239


def test_executive_summary_takes_at_most_two_pages(firm_pack):
    summary = next(i for i, p in enumerate(firm_pack) if p.lstrip().startswith("Executive summary"))
    full = next(i for i, p in enumerate(firm_pack) if p.lstrip().startswith("Full report"))
    assert summary == 1 and full - summary <= 2
    summary_text = text_of(firm_pack[summary:full])
    assert "more in section 1.2" in summary_text  # twelve CRP signals, five shown


def test_page_one_holds_only_the_key_messages(firm_pack):
    first = firm_pack[0]
    assert "Key messages" in first
    assert 1 <= len(NUMBERED.findall(first)) <= 5
    for other in ["Executive summary", "Contents", "Full report", "CRP signals", "Client CRP", "Band"]:
        assert other not in first, other


def test_choices_print_their_labels(firm, mike, build):
    with recorded_at(datetime.date(2026, 7, 1)):  # open at the quarter's end, by the audit history
        RiskFactory(client=firm[0], title="Competitor courting the CFO", likelihood=4, impact=5)
    Risk.objects.update(created_at=timezone.make_aware(datetime.datetime(2026, 7, 1)))
    _, pages = build(review_record(mike, firm[0], quarter=Q3))
    text = text_of(pages)
    assert "Client review 1" in text
    assert "Client_review" not in text and "client_review" not in text
    assert "Likelihood" in text  # the heat-map's axis label, whole


def words_run_together(text: str, cells: list[str]) -> list[str]:
    """Tokens of `text` that are two words of adjacent cells glued together, e.g.
    'Procurementmanagement'."""
    vocabulary = {w.lower() for cell in cells for w in re.findall(r"[A-Za-z]+", cell)}
    glued = []
    for token in set(re.findall(r"[A-Za-z]+", text)):
        lower = token.lower()
        if lower in vocabulary:
            continue
        for cut in range(3, len(lower) - 2):
            if lower[:cut] in vocabulary and lower[cut:] in vocabulary:
                glued.append(token)
                break
    return glued


def test_no_two_words_of_adjacent_cells_run_together(firm, mike, build):
    _, review = build(review_record(mike, firm[0], quarter=Q3))
    _, pack = build(pack_record(mike, quarter=Q3))
    cells = [
        *TITLES,
        "Senior management",
        "Decision-maker",
        "Client review",
        "Contact frequency",
        "Senior coverage",
        "touchpoints a year",
        "mean sentiment",
        "out of",
        "days",
        "risks",
        *[c.name for c in firm],
        "Alice Partner",
        "no successor",
        "rotation due",
        "CRP overloaded",
    ]
    for pages in (review, pack):
        text = "\n".join(pages)
        assert words_run_together(text, cells) == []


def test_the_run_together_check_catches_glued_cells():
    assert words_run_together("Head of Procurementmanagement", ["Head of Procurement", "Senior management"]) == [
        "Procurementmanagement"
    ]
