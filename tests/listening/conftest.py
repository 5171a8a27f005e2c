import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from listening.services.surveys import survey_create, survey_invite, survey_send
from tests.factories import StakeholderFactory


@pytest.fixture
def decision_maker(normal_client):
    return StakeholderFactory(
        client=normal_client, name="Dana Decider", email="dana@harbour.example", buying_role="decision_maker"
    )


@pytest.fixture
def survey(carol):
    return survey_create(
        actor=carol,
        name="Spring relationship survey",
        closes_on=timezone.localdate() + datetime.timedelta(days=14),
        asks_nps=True,
        asks_csat=True,
        questions=["What should we do more of?"],
    )


def link_in(message) -> str:
    return re.search(r"http://[^\s]+/r/([^/\s]+)/", message.body).group(1)


@pytest.fixture
def sent(carol, survey, decision_maker, django_capture_on_commit_callbacks):
    """The survey sent to Dana; returns her emailed token."""
    survey_invite(actor=carol, survey=survey, stakeholders=[decision_maker])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        survey_send(actor=carol, survey=survey)
    assert len(mail.outbox) == 1
    return link_in(mail.outbox[0])


@pytest.fixture
def scorecard(db):
    from health.services.recompute import current_scorecard

    return current_scorecard()
