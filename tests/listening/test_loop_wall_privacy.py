"""Closing the loop, the wall, personal data, programmes, incidents and real SMTP delivery."""

import datetime

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Assignment, Notification
from listening.models import FollowUp, Incident, Programme, Response, RootCause
from listening.services.incidents import incident_create, incident_resolve
from listening.services.programmes import programmes_fire_for_review
from listening.services.surveys import survey_invite, survey_send
from planning.models import Action, ActionStatus, ClientReview
from stakeholders.privacy import stakeholder_erase, stakeholder_personal_data
from tests.factories import StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db


def answer(token, **data):
    values = {"nps": "3", "csat": "2", "comment": "Slow replies from the deal team"}
    values.update(data)
    return HttpClient().post(f"/r/{token}/", values)


def test_a_detractor_gives_the_crp_a_follow_up_action_and_tells_crp_and_sam(sent, alice, normal_client):
    sam = UserFactory(full_name="Sam Deputy")
    Assignment.objects.create(client=normal_client, user=sam, role="sam")
    answer(sent)
    follow_up = FollowUp.objects.get()
    assert follow_up.reason == "detractor" and follow_up.action.owner == alice
    assert follow_up.action.due_date == timezone.localdate() + datetime.timedelta(days=5)
    assert set(Notification.objects.values_list("user__full_name", flat=True)) == {"Alice Partner", "Sam Deputy"}


def test_the_follow_up_shows_on_the_crps_home_until_closed_with_what_was_done(sent, alice, login):
    answer(sent)
    home = login(alice).get("/home/").content.decode()
    assert "Survey follow-up (detractor" in home
    follow_up = FollowUp.objects.get()
    refused = login(alice).post(f"/follow-ups/{follow_up.pk}/close/", {"outcome": ""})
    assert refused.status_code == 400 and FollowUp.objects.get().closed_at is None
    done = login(alice).post(
        f"/follow-ups/{follow_up.pk}/close/", {"outcome": "Called the GC; new matter lead", "tell_client": "on"}
    )
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.closed_at and follow_up.outcome == "Called the GC; new matter lead"
    assert Action.objects.get().status == ActionStatus.DONE
    # Gone from My actions (the alert that it was assigned stays among the alerts, as alerts do).
    home = login(alice).get("/home/").content.decode()
    assert "Survey follow-up (detractor" not in home.split('id="h-alerts"')[0]
    assert mail.outbox[-1].to == ["dana@harbour.example"] and "new matter lead" in mail.outbox[-1].body


def test_a_promoter_needs_no_follow_up(sent):
    answer(sent, nps="10", csat="5")
    assert not FollowUp.objects.exists()


def test_responses_land_on_the_client_page_with_score_verbatim_who_and_when(sent, alice, login, normal_client):
    answer(sent, nps="9", csat="4", comment="Sharp and commercial")
    page = login(alice).get(f"/clients/{normal_client.pk}/").content.decode()
    assert "Sharp and commercial" in page and "Dana Decider" in page and "NPS <strong>100</strong>" in page


def test_erasure_keeps_the_anonymous_score_and_drops_who_said_what(sent, ada, decision_maker, normal_client):
    answer(sent, nps="4", comment="Dana here: too slow")
    stakeholder_erase(actor=ada, stakeholder=decision_maker)
    response = Response.objects.get()
    assert (response.nps, response.comment, response.stakeholder_id, response.anonymised) == (4, "", None, True)
    assert response.invitation.email == ""


def test_the_personal_data_export_includes_survey_answers(sent, ada, decision_maker):
    answer(sent, nps="8", comment="Fine")
    data = stakeholder_personal_data(actor=ada, stakeholder=decision_maker)
    assert data["survey_responses"][0]["nps"] == 8 and data["survey_responses"][0]["comment"] == "Fine"


def test_an_erased_person_cannot_be_surveyed(carol, survey, ada, normal_client):
    person = StakeholderFactory(client=normal_client, email="ex@harbour.example")
    stakeholder_erase(actor=ada, stakeholder=person)
    assert survey_invite(actor=carol, survey=survey, stakeholders=[person]).invited == 0


def test_outsiders_see_no_confidential_answers_nor_their_count(
    carol, bob, mike, survey, confidential_client, login, django_capture_on_commit_callbacks
):
    person = StakeholderFactory(
        client=confidential_client, email="secret@nightjar.example", buying_role="decision_maker"
    )
    survey_invite(actor=mike, survey=survey, stakeholders=[person])
    with django_capture_on_commit_callbacks(execute=True):
        survey_send(actor=mike, survey=survey)
    token = mail.outbox[-1].body.split("/r/")[1].split("/")[0]
    answer(token, nps="2", comment="Walled words")
    carol_view = login(carol).get(f"/surveys/{survey.pk}/").content.decode()
    assert "Nightjar" not in carol_view and "1 recipient" not in carol_view and "0 recipients" in carol_view
    overview = login(carol).get("/listening/").content.decode()
    assert "Nightjar" not in overview and "detractors" in overview and "Firm NPS <strong>—" in overview
    assert "Walled words" not in login(bob).get("/home/").content.decode()
    assert login(bob).get(f"/follow-ups/{FollowUp.objects.get().pk}/close/").status_code == 404
    assert "Firm NPS <strong>-100" in login(mike).get("/listening/").content.decode()


def test_a_programme_fires_once_per_client_review(
    alice, normal_client, decision_maker, django_capture_on_commit_callbacks
):
    Programme.objects.create(name="After each review", asks_nps=True)
    review = ClientReview.objects.create(client=normal_client, planned_date=timezone.localdate())
    review.client_attendees.set([decision_maker])
    with django_capture_on_commit_callbacks(execute=True):
        review.held_date = timezone.localdate()
        review.save()
        review.save()  # saved twice
        programmes_fire_for_review(review_id=review.pk)  # and the task run again
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@harbour.example"]


def test_an_open_critical_incident_counts_in_the_health_measure_as_of_its_dates(alice, normal_client):
    from listening.selectors import open_critical_incident_counts

    today = timezone.localdate()
    incident = incident_create(
        actor=alice,
        client=normal_client,
        owner=alice,
        title="Missed filing deadline",
        severity="critical",
        occurred_on=today - datetime.timedelta(days=10),
    )
    assert open_critical_incident_counts(today, [normal_client.pk]) == {"open_incidents": {normal_client.pk: 1.0}}
    cause = RootCause.objects.create(name="Resourcing")
    incident_resolve(
        actor=alice, incident=incident, expected_version=incident.version, root_cause=cause, resolved_on=today
    )
    assert open_critical_incident_counts(today, [normal_client.pk]) == {"open_incidents": {}}
    yesterday = today - datetime.timedelta(days=1)
    assert open_critical_incident_counts(yesterday, [normal_client.pk]) == {"open_incidents": {normal_client.pk: 1.0}}


def test_resolving_needs_a_root_cause(alice, normal_client):
    from django.core.exceptions import ValidationError

    incident = incident_create(
        actor=alice,
        client=normal_client,
        owner=alice,
        title="Complaint about a bill",
        kind="complaint",
        occurred_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as error:
        incident_resolve(actor=alice, incident=incident, expected_version=incident.version, root_cause=None)
    assert "root_cause" in error.value.message_dict
    assert Incident.objects.get().resolved_on is None


def test_an_incident_in_the_future_gets_a_field_error(alice, login, normal_client):
    response = login(alice).post(
        f"/clients/{normal_client.pk}/incidents/new/",
        {
            "kind": "incident",
            "title": "X",
            "severity": "critical",
            "owner": alice.pk,
            "occurred_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400 and "cannot have happened in the future" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_answer_shows_in_the_stakeholders_timeline(sent, alice, login, decision_maker):
    answer(sent, nps="8", comment="Good team")
    page = login(alice).get(f"/stakeholders/{decision_maker.pk}/").content.decode()
    assert "Survey answers" in page and "Good team" in page and "NPS 8" in page


def test_the_crps_weekly_digest_has_a_listening_line(sent, alice, normal_client):
    from reports.dashboard.digest import digest_send

    answer(sent)
    incident_create(
        actor=alice,
        client=normal_client,
        owner=alice,
        title="Outage",
        severity="critical",
        occurred_on=timezone.localdate(),
    )
    mail.outbox.clear()
    assert digest_send(user_id=alice.pk)
    assert "Survey follow-ups to close: 1 · critical incidents open on clients you lead: 1" in mail.outbox[0].body
