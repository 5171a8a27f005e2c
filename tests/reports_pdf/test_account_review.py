"""The account review PDF: graded-entry order, key messages, figures equal to the database."""

import datetime
import re

import pytest

from accounts.models import FeeRecord
from reports.pdf import narrative
from reports.pdf.readers import gather
from reports.pdf.text import words_in
from tests.factories import AccountPlanFactory, ClientFactory
from tests.reports_pdf.conftest import QUARTER, review_record

pytestmark = pytest.mark.django_db

NUMBERED = re.compile(r"^\s*\d\.\s*$", re.MULTILINE)


def test_page_one_holds_only_the_key_messages_with_at_most_five_statements(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    first = pages[0]
    assert "Key messages" in first
    assert "Executive summary" not in first
    assert 1 <= len(NUMBERED.findall(first)) <= 5


def test_key_messages_put_the_bottom_line_first(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    body = pages[0].split("Key messages", 1)[1]
    assert body.strip().startswith("Harbour Energy plc scores 58, amber, down from 72 to 58 since Q2")


def test_sections_come_in_graded_entry_order(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    text = "\n".join(pages)
    positions = [text.index(heading) for heading in ["Key messages", "Executive summary", "Full report", "Appendices"]]
    assert positions == sorted(positions)
    assert pages[1].lstrip().startswith("Executive summary")


def test_executive_summary_fits_on_two_pages(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    starts = [i for i, page in enumerate(pages) if page.lstrip().startswith("Full report")]
    assert starts and starts[0] - 1 <= 2


def test_figures_in_the_pdf_equal_the_database(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    text = " ".join(" ".join(pages).split())
    fy2027 = sum(f.amount for f in FeeRecord.objects.filter(client=rich_client, financial_year=2027))
    # At 30 Sep 2026 FY2027 (from May) is still running: FY2026 is the last complete year.
    assert "Fees were £400,000 in FY2026, the last complete year." in text
    assert f"FY2027 is still running: £{int(fy2027):,} billed so far." in text
    assert "Health score 58 72" in text
    assert "£300,000" in text and "£120,000" in text  # open pipeline and its weighted value
    assert "Open risks 2" in text and "Overdue actions 1" in text
    from stakeholders.models import Interaction
    from stakeholders.selectors import contact_target_per_year

    year = Interaction.objects.filter(
        client=rich_client, date__gt=QUARTER.end - datetime.timedelta(days=365), date__lte=QUARTER.end
    ).count()
    assert (
        f"Touchpoints: 3 in Q3 2026 (1 in Q2 2026), {year} in 12 months against a target of "
        f"{contact_target_per_year()} a year." in text
    )


def test_a_score_recorded_after_the_quarter_does_not_appear(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    assert "99" not in pages[0]


def test_every_changed_figure_says_since_which_quarter(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    assert "down from 72 to 58 since Q2 2026" in " ".join(" ".join(pages).split())


def test_generated_sentences_stay_within_twenty_words(rich_client, alice):
    data = gather([rich_client.pk], QUARTER)
    client = data.clients[0]
    sentences = narrative.client_key_messages(client, QUARTER) + narrative.client_summary(client, QUARTER)
    assert all(words_in(sentence) <= 20 for sentence in sentences), sentences


def test_the_biggest_risk_and_opportunity_are_named(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    first = " ".join(pages[0].split())
    assert "The biggest risk is “Competitor courting the CFO”, rated 20 out of 25." in first
    assert "The biggest opportunity is “Asia tax restructuring”, worth £100,000 weighted." in first


def test_a_client_with_no_data_gets_a_report_that_says_what_is_missing(alice, build):
    empty = ClientFactory(name="Brand New Ltd", crp=alice)
    built, pages = build(review_record(alice, empty))
    text = " ".join(" ".join(pages).split())
    assert "has no health score yet" in pages[0]
    assert "No data yet for: health score, fee records, active account plan" in text
    assert built.pdf.pages >= 4


def test_appendix_shows_readability_figures(rich_client, alice, build):
    _, pages = build(review_record(alice, rich_client))
    appendix = " ".join(pages[-1].split()) + " ".join(pages[-2].split())
    assert "Readability" in appendix and "Generated narrative" in appendix
    assert "Harbour Energy plc: Client's business goals" in appendix


def test_hard_to_read_plan_text_is_flagged_in_the_account_review(normal_client, alice, build, scorecard):
    long_sentence = (
        "Notwithstanding the aforementioned considerations regarding multijurisdictional "
        "organisational restructuring, the institution's comprehensive transformational "
        "programme necessitates substantially intensified cross-functional collaboration "
        "across geographically distributed operational subsidiaries, "
        "affiliates and their many partners."
    )
    AccountPlanFactory(client=normal_client, year=2026, north_star=long_sentence)
    _, pages = build(review_record(alice, normal_client))
    text = " ".join(" ".join(pages).split())
    assert "Hard to read: reading ease" in text
    assert "1 sentence over 25 words" in text


def test_gathering_costs_the_same_queries_for_one_client_or_many(
    rich_client, alice, scorecard, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports_pdf.conftest import give_data

    with CaptureQueriesContext(connection) as one:
        gather([rich_client.pk], QUARTER)
    others = [give_data(ClientFactory(crp=alice), scorecard=scorecard, owner=alice) for _ in range(4)]
    with django_assert_num_queries(len(one)):
        gather([rich_client.pk, *[c.pk for c in others]], QUARTER)
