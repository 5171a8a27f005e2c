"""The quarterly pack's "voice of the client": NPS, verbatims and incidents, inside the wall only."""

import datetime

import pytest
from django.utils import timezone

from listening.models import Invitation, Response, Survey
from reports.pdf.build import build_report
from tests.factories import StakeholderFactory
from tests.reports_pdf.conftest import QUARTER, pack_record, pdf_pages

pytestmark = pytest.mark.django_db


def said(client, nps, comment, n):
    survey = Survey.objects.get_or_create(name="Pack survey", defaults={"closes_on": QUARTER.end})[0]
    person = StakeholderFactory(client=client, email=f"v{n}@example.com")
    invitation = Invitation.objects.create(
        survey=survey,
        client=client,
        stakeholder=person,
        email=person.email,
        token_digest=f"{n}" * 64,
        status="answered",
    )
    day = QUARTER.start + datetime.timedelta(days=10)
    Response.objects.create(
        invitation=invitation,
        survey=survey,
        client=client,
        stakeholder=person,
        nps=nps,
        comment=comment,
        submitted_on=day,
        submitted_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))),
    )


@pytest.fixture
def voices(normal_client, confidential_client, scorecard):
    said(normal_client, 10, "Outstanding responsiveness", 1)
    said(normal_client, 4, "Bills arrive late", 2)
    said(confidential_client, 2, "Walled-off complaint words", 3)


def text_of(user) -> str:
    return " ".join(" ".join(pdf_pages(build_report(pack_record(user)).pdf.content)).split())


def test_the_pack_gives_the_voice_of_the_client_with_verbatims(voices, mike):
    text = text_of(mike)
    assert "1.4 Voice of the client" in text
    assert "NPS -33 from 3 answers this quarter (1 promoter, 0 passives, 2 detractors)" in text
    assert "Walled-off complaint words" in text and "Bills arrive late" in text


def test_outsiders_pack_has_no_walled_verbatim_nor_its_count(voices, carol):
    text = text_of(carol)
    assert "NPS +0 from 2 answers" in text
    assert "Walled-off complaint words" not in text and "Bills arrive late" in text


def test_an_open_critical_incident_is_a_key_message_of_the_account_review(normal_client, alice, scorecard):
    from listening.services.incidents import incident_create
    from tests.reports_pdf.conftest import review_record

    incident_create(
        actor=alice,
        client=normal_client,
        owner=alice,
        title="Missed completion deadline",
        severity="critical",
        occurred_on=QUARTER.start + datetime.timedelta(days=5),
    )
    pages = pdf_pages(build_report(review_record(alice, normal_client)).pdf.content)
    first = " ".join(pages[0].split())
    assert "A critical incident is open since" in first and "Missed completion deadline" in first
