"""Browser journey: a partner forwards a meeting invite to the firm mailbox (a real Dovecot server);
the meeting appears on the client's timeline, the unknown attendee waits in the review queue, one
click accepts them, and the coverage gap they close disappears."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from capture.models import ClientEmailDomain
from capture.services.mailbox import mailbox_poll
from tests.capture.conftest import dovecot_server, invite, mailbox  # noqa: F401 - fixtures
from tests.factories import PASSWORD, ClientFactory, StakeholderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_forwarded_invite_reaches_the_timeline_and_its_new_attendee_is_accepted_in_one_click(
    page,
    live_server,
    alice,
    mailbox,  # noqa: F811
):
    with transaction.atomic():  # the client and its CRP must arrive together
        harbour = ClientFactory(name="Harbour Energy plc", crp=alice)
    ClientEmailDomain.objects.create(client=harbour, domain="harbour.example")
    cfo = StakeholderFactory(
        client=harbour, name="James Wilde", job_title="", seniority="c_suite", buying_role="decision_maker", email=""
    )
    start = timezone.now() - datetime.timedelta(hours=3)
    mailbox.deliver(
        invite(organizer=alice.email, attendees=["james.wilde@harbour.example"], start=start, summary="Budget review")
    )
    assert mailbox_poll().outcomes == {"created": 1}  # what the Celery beat does every minute

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("review-waiting")).to_contain_text("1 captured item waiting")

    page.goto(f"{live_server.url}/clients/{harbour.pk}/interactions/")
    item = page.locator("#timeline-items li", has_text="Budget review")
    expect(item).to_contain_text("Invite")
    expect(item).to_contain_text("Meeting")

    page.goto(f"{live_server.url}/clients/{harbour.pk}/")
    gap = page.locator(f"#stakeholder-gaps li[data-gap=not_contacted][data-stakeholder='{cfo.pk}']")
    expect(gap).to_be_visible()

    page.get_by_role("link", name="Review queue").first.click()
    proposal = page.get_by_test_id("review-items").locator("li", has_text="james.wilde@harbour.example")
    proposal.get_by_role("button", name="Same person as James Wilde: add the address").click()
    expect(page.get_by_test_id("review-items")).to_contain_text("Nothing waiting for a decision.")

    page.goto(f"{live_server.url}/clients/{harbour.pk}/")
    expect(page.locator("#stakeholder-gaps")).to_be_visible()
    expect(gap).to_have_count(0)
    assert page.js_errors == []
