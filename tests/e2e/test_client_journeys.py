"""A partner logs in, filters the client list, opens a client and edits its notes."""

from playwright.sync_api import expect

from tests.factories import ClientFactory, TierFactory


def test_partner_filters_clients_opens_one_and_edits_its_notes(page, log_in, alice, bob):
    develop = TierFactory(name="Develop", rank=2)
    mine = ClientFactory(name="Meridian Water plc", crp=alice, tier=develop)
    ClientFactory(name="Atlas Motors Group", crp=bob, tier=develop)
    ClientFactory(name="Meridian Capital Ltd", crp=bob)  # Growth tier

    log_in(alice)
    page.goto("/clients/")
    expect(page.locator("#client-table")).to_contain_text("Atlas Motors Group")

    page.get_by_label("Search").fill("Meridian")
    expect(page.locator("#client-table")).not_to_contain_text("Atlas Motors Group")
    page.get_by_label("Tier").select_option(label="Develop")
    expect(page.locator("#client-table")).not_to_contain_text("Meridian Capital Ltd")
    expect(page.locator("#client-table")).to_contain_text("1 client")
    assert "q=Meridian" in page.url and f"tier={develop.pk}" in page.url  # shareable URL kept in sync

    page.get_by_role("link", name="Meridian Water plc").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meridian Water plc")
    page.get_by_role("link", name="Edit client").click()
    page.get_by_label("Notes").fill("CFO prefers quarterly face-to-face reviews.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_test_id("client-notes")).to_contain_text("CFO prefers quarterly face-to-face reviews.")
    mine.refresh_from_db()
    assert mine.notes == "CFO prefers quarterly face-to-face reviews."
    assert mine.version == 2
    assert page.js_errors == []


def test_reloading_a_filtered_url_reproduces_the_view(page, log_in, alice):
    ClientFactory(name="Sterling Foods plc", crp=alice, sector="Retail")
    ClientFactory(name="Orion Pharma SE", crp=alice, sector="Pharmaceuticals")
    log_in(alice)
    page.goto("/clients/?sector=Retail")
    expect(page.locator("#client-table")).to_contain_text("Sterling Foods plc")
    expect(page.locator("#client-table")).not_to_contain_text("Orion Pharma SE")
    expect(page.locator("#client-table")).to_contain_text("1 client")
    expect(page.get_by_label("Sector")).to_have_value("Retail")  # the filter shows what the URL asks for
