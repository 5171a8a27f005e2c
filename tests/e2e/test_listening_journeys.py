"""Browser journey: BD sends a survey to a client's decision-makers, a recipient answers on a phone,
the detractor's follow-up reaches the CRP's home, the CRP closes the loop, and the client's NPS and
the firm's change."""

import re

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Role
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: F401 (the browser fixture is set up there)
from tests.factories import PASSWORD, ClientFactory, StakeholderFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_survey_goes_out_is_answered_on_a_phone_and_the_loop_is_closed(page, browser, live_server):
    with transaction.atomic():
        UserFactory(email="bd@firm.example", full_name="Beatrice Bd", role=Role.BD)
        crp = UserFactory(email="crp@firm.example", full_name="Cora Partner", role=Role.PARTNER)
        client = ClientFactory(name="Granite Foods plc", crp=crp)
        StakeholderFactory(client=client, name="Dev Decider", email="dev@granite.example", buying_role="decision_maker")
        StakeholderFactory(client=client, name="Ursula User", email="ursula@granite.example", buying_role="user")
    mail.outbox.clear()

    # BD defines the survey and sends it to the client's decision-makers.
    log_in(page, live_server, "bd@firm.example")
    page.goto(f"{live_server.url}/surveys/new/")
    page.fill("input[name=name]", "Autumn check-in")
    page.fill("textarea[name=intro]", "We would value two minutes of your time.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/$"))
    page.select_option("select[name=clients]", label="Granite Foods plc")
    page.get_by_role("button", name="Add recipients").click()
    page.wait_for_load_state("networkidle")
    assert "1 invited" in page.content()
    page.get_by_role("button", name=re.compile(r"Send to 1 recipient")).click()
    page.wait_for_load_state("networkidle")
    assert "1 sent" in page.get_by_test_id("survey-figures").inner_text()
    [message] = mail.outbox
    assert message.to == ["dev@granite.example"]
    link = re.search(r"http://\S+/r/\S+/", message.body).group(0).replace("http://127.0.0.1:8000", live_server.url)

    # The recipient answers on a phone-width page, without logging in.
    phone = browser.new_context(viewport={"width": 375, "height": 740})
    mobile = phone.new_page()
    mobile.goto(link)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375  # nothing runs off the screen
    mobile.get_by_role("group", name=re.compile("likely are you to recommend")).get_by_role(
        "radio", name="3", exact=True
    ).check()
    mobile.fill("textarea[name=comment]", "Hard to reach the team this quarter")
    mobile.get_by_role("button", name="Send my answer").click()
    mobile.get_by_role("heading", name="Thank you").wait_for()
    phone.close()

    # The detractor's follow-up is on the CRP's home; the CRP closes the loop from the client page.
    page.context.clear_cookies()
    log_in(page, live_server, "crp@firm.example")
    page.goto(f"{live_server.url}/home/")
    assert "Survey follow-up (detractor" in page.content()
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    listening = page.locator("#listening")
    assert "NPS -100" in " ".join(listening.get_by_test_id("client-nps").inner_text().split())
    assert "Hard to reach the team" in listening.inner_text()
    listening.get_by_role("link", name="Close the loop").click()
    page.fill("textarea[name=outcome]", "Met the GC; named a day-to-day contact")
    page.get_by_role("button", name="Close the loop").click()
    page.wait_for_load_state("networkidle")
    assert "Loop closed." in page.content()
    page.goto(f"{live_server.url}/home/")
    # Gone from My actions (the alert that it was assigned stays among the alerts, as alerts do).
    assert "Survey follow-up (detractor" not in page.locator("section[aria-labelledby=h-actions]").inner_text()

    # The firm's figures changed with the answer.
    page.context.clear_cookies()
    log_in(page, live_server, "bd@firm.example")
    page.goto(f"{live_server.url}/listening/")
    assert "Firm NPS -100" in " ".join(page.get_by_test_id("firm-nps").inner_text().split())
    assert "Follow-ups closed: 1 of 1 (100%)" in page.get_by_test_id("closed-loop").inner_text()
    assert page.js_errors == []
