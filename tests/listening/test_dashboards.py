"""NPS on the managing partner's overview: promoters, passives, detractors and the response rate,
with a confidential client's answers counted only for those inside its wall."""

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from listening.services.surveys import survey_invite, survey_send
from tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def nps_section(http) -> str:
    page = http.get(reverse("overview")).content.decode()
    start = page.index('data-testid="overview-nps"')
    return " ".join(page[start : page.index("</section>", start)].split())


def test_the_overview_shows_nps_and_leaves_walled_answers_out_for_outsiders(
    sent, carol, mike, survey, confidential_client, login, django_capture_on_commit_callbacks
):
    assert HttpClient().post(f"/r/{sent}/", {"nps": "10", "csat": "5"}).status_code == 200
    person = StakeholderFactory(client=confidential_client, email="cfo@nightjar.example", buying_role="decision_maker")
    survey_invite(actor=mike, survey=survey, stakeholders=[person])
    with django_capture_on_commit_callbacks(execute=True):
        survey_send(actor=mike, survey=survey)
    walled_token = mail.outbox[-1].body.split("/r/")[1].split("/")[0]
    assert HttpClient().post(f"/r/{walled_token}/", {"nps": "2", "csat": "1"}).status_code == 200

    inside = nps_section(login(mike))
    assert "Firm NPS <strong>0</strong>" in inside
    assert "1 promoters, 0 passives, 1 detractors · response rate 100%" in inside

    outside = nps_section(login(carol))
    assert "Firm NPS <strong>100</strong>" in outside
    assert "1 promoters, 0 passives, 0 detractors · response rate 100%" in outside
