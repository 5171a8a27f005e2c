"""The quarterly pack: firm messages, client sections, contents, bookmarks and the wall."""

import re

import pytest

from tests.factories import ClientFactory
from tests.reports_pdf.conftest import give_data, pack_record, pdf_reader

pytestmark = pytest.mark.django_db

NUMBERED = re.compile(r"^\s*\d\.\s*$", re.MULTILINE)
TOC_ENTRY = re.compile(r"(?P<title>[^.\n]+?)\s*\.{3,}\s*(?P<page>\d+)")


@pytest.fixture
def portfolio(rich_client, confidential_client, alice, crp_of_wall, scorecard):
    give_data(
        confidential_client,
        scorecard=scorecard,
        owner=crp_of_wall,
        now_score="30.00",
        before_score="45.00",
        band="red",
    )
    third = ClientFactory(name="Atlas Shipping Ltd", crp=alice)
    give_data(
        third,
        scorecard=scorecard,
        owner=alice,
        now_score="80.00",
        before_score="60.00",
        band="green",
    )
    return [rich_client, confidential_client, third]


def contents(pages: list[str]) -> dict[str, int]:
    """The full report's own contents: its sections and the client index, with page numbers."""
    start = next(i for i, p in enumerate(pages) if p.lstrip().startswith("Full report"))
    end = next(i for i, p in enumerate(pages) if p.lstrip().startswith("1 Portfolio"))
    entries = {}
    for match in TOC_ENTRY.finditer("\n".join(pages[start:end])):
        entries[match["title"].strip()] = int(match["page"])
    return entries


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        titles.extend(outline_titles(item) if isinstance(item, list) else [item.title])
    return titles


def test_pack_page_one_is_firm_key_messages_with_at_most_five(portfolio, mike, build):
    _, pages = build(pack_record(mike))
    assert "Key messages" in pages[0]
    assert 1 <= len(NUMBERED.findall(pages[0])) <= 5
    assert "1 of 3 clients are green, 1 amber and 1 red." in " ".join(pages[0].split())


def test_full_report_contents_match_the_real_page_numbers(portfolio, mike, build):
    _, pages = build(pack_record(mike))
    entries = contents(pages)
    names = ["Atlas Shipping Ltd", "Harbour Energy plc", "Project Nightjar Holdings"]
    assert set(names) <= set(entries)
    for name in names:
        assert f"\n{name}\n" in f"\n{pages[entries[name] - 1]}", name
    assert pages[entries["1 Portfolio"] - 1].lstrip().startswith("1 Portfolio")
    assert pages[entries["2 Clients"] - 1].lstrip().startswith("2 Clients")
    assert pages[entries["Appendices"] - 1].lstrip().startswith("Appendices")


def test_pack_has_a_bookmark_for_each_client(portfolio, mike, build):
    built, _ = build(pack_record(mike))
    titles = outline_titles(pdf_reader(built.pdf.content).outline)
    for name in [
        "Key messages",
        "Executive summary",
        "Full report",
        "Atlas Shipping Ltd",
        "Harbour Energy plc",
        "Project Nightjar Holdings",
        "Appendices",
    ]:
        assert name in titles


def test_confidential_client_is_absent_for_someone_outside_its_wall(portfolio, bob, build):
    built, pages = build(pack_record(bob))
    text = "\n".join(pages)
    assert "Nightjar" not in text
    assert built.clients_included == 2


def test_pack_says_the_same_words_about_the_wall_to_everyone_and_counts_nothing(portfolio, carol, mike, build):
    note = "Clients behind an ethical wall are never shown to those outside it."
    for reader in (carol, mike):
        _, pages = build(pack_record(reader))
        assert note in " ".join(pages[0].split()) and "leaves out" not in pages[0]


def test_managing_partner_sees_every_client(portfolio, mike, build):
    built, _ = build(pack_record(mike))
    assert built.clients_included == 3


def test_pack_summary_lists_the_biggest_movers_and_the_at_risk_clients(portfolio, mike, build):
    _, pages = build(pack_record(mike))
    assert pages[1].lstrip().startswith("Executive summary")
    summary = " ".join(pages[1].split())
    assert "Atlas Shipping Ltd 60 80 +20" in summary
    assert "At risk" in summary and "Project Nightjar Holdings" in summary


def test_a_crp_scope_holds_only_that_partners_clients(portfolio, alice, mike, build):
    built, pages = build(pack_record(mike, scope={"type": "crp", "id": alice.pk}))
    assert built.clients_included == 2
    assert "Nightjar" not in "\n".join(pages)


def test_pack_sentences_stay_within_twenty_words(portfolio, mike):
    from reports.pdf import narrative
    from reports.pdf.readers import gather
    from reports.pdf.text import words_in
    from tests.reports_pdf.conftest import QUARTER

    data = gather([c.pk for c in portfolio], QUARTER)
    sentences = narrative.pack_key_messages(data) + narrative.pack_summary(data)
    assert len(narrative.pack_key_messages(data)) <= 5
    assert all(words_in(sentence) <= 20 for sentence in sentences), sentences


def test_crp_workload_counts_only_clients_the_reader_may_see(bob, mike):
    from accounts.models import Tier
    from reports.pdf.readers import gather
    from tests.factories import UserFactory
    from tests.reports_pdf.conftest import QUARTER

    Tier.objects.filter(name="Growth").update(workload_weight=1)  # nine clients of weight 1: 8 seen, 1 walled
    busy = UserFactory(full_name="Busy Partner")
    open_clients = [ClientFactory(crp=busy) for _ in range(8)]
    ClientFactory(crp=busy, confidential=True)  # the ninth, behind a wall
    ids = [c.pk for c in open_clients]
    assert gather(ids, QUARTER, reader=mike).clients[0].overloaded
    assert not gather(ids, QUARTER, reader=bob).clients[0].overloaded
