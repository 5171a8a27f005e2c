"""The demo firm shows client listening: a sent survey with a promoter, a passive and a detractor whose
follow-up waits on the demo partner's home, and one open critical incident; seeding twice adds nothing."""

import pytest
from django.core.management import call_command

from listening.models import FollowUp, Incident, Response, Severity, Survey, SurveyStatus

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_sent_survey_with_answers_a_follow_up_and_an_open_incident(client):
    call_command("seed_demo", "--clients", "10", "--quiet")
    survey = Survey.objects.get(name__startswith="Client feedback")
    assert survey.status == SurveyStatus.OPEN
    responses = Response.objects.filter(survey=survey)
    assert sorted(r.nps_category for r in responses) == ["detractor", "passive", "promoter"]
    follow_up = FollowUp.objects.get(response__survey=survey)
    assert follow_up.closed_at is None
    assert follow_up.action.owner.email == "partner@keyline.example"
    incident = Incident.objects.get(severity=Severity.CRITICAL, resolved_on__isnull=True)
    assert incident.client_id == follow_up.client_id

    client.login(username="partner@keyline.example", password="keyline-demo-2026")
    home = client.get("/home/").content.decode()
    assert "Survey follow-up" in home

    call_command("seed_demo", "--clients", "10", "--quiet")
    assert Response.objects.count() == 3 and FollowUp.objects.count() == 1 and Incident.objects.count() == 1
