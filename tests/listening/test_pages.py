"""The firm's listening pages: incidents edited without lost updates, the client section at constant
queries, and NPS reported by client, practice group, CRP and firm."""

import datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from listening.models import Incident
from listening.reporting import nps_by
from listening.services.incidents import incident_create
from tests.factories import PracticeGroupFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def incident_form(alice, **changes):
    data = {
        "kind": "complaint",
        "title": "Invoice disputed",
        "severity": "major",
        "owner": alice.pk,
        "occurred_on": timezone.localdate().isoformat(),
        "recovery_plan": "Credit note and call",
    }
    data.update(changes)
    return data


def test_an_incident_is_edited_and_a_stale_edit_is_refused(alice, login, normal_client):
    incident = incident_create(
        actor=alice, client=normal_client, owner=alice, title="Invoice disputed", occurred_on=timezone.localdate()
    )
    http = login(alice)
    ok = http.post(f"/incidents/{incident.pk}/", {**incident_form(alice, title="Invoice disputed twice"), "version": 1})
    assert ok.status_code == 302 and Incident.objects.get().title == "Invoice disputed twice"
    stale = http.post(f"/incidents/{incident.pk}/", {**incident_form(alice, title="Old tab"), "version": 1})
    assert stale.status_code == 400 and "Someone changed this record" in stale.content.decode()
    assert Incident.objects.get().title == "Invoice disputed twice"


def test_an_outsider_cannot_record_an_incident_against_a_walled_client(bob, login, confidential_client):
    response = login(bob).post(f"/clients/{confidential_client.pk}/incidents/new/", incident_form(bob))
    assert response.status_code == 404 and not Incident.objects.exists()


def answer_as(carol, survey, person, nps, django_capture_on_commit_callbacks):
    from django.core import mail

    from listening.services.surveys import survey_invite, survey_send

    with django_capture_on_commit_callbacks(execute=True):
        survey_invite(actor=carol, survey=survey, stakeholders=[person])  # an open survey sends at once
        if survey.status == "draft":
            survey_send(actor=carol, survey=survey)
    token = mail.outbox[-1].body.split("/r/")[1].split("/")[0]
    assert HttpClient().post(f"/r/{token}/", {"nps": str(nps), "csat": "4"}).status_code == 200


def test_the_client_section_runs_constant_queries(
    carol, alice, survey, login, normal_client, count_queries, django_capture_on_commit_callbacks
):
    people = [StakeholderFactory(client=normal_client, email=f"p{i}@harbour.example") for i in range(6)]
    answer_as(carol, survey, people[0], 9, django_capture_on_commit_callbacks)
    http = login(alice)
    url = reverse("client-detail", args=[normal_client.pk])
    http.get(url)
    at_one = count_queries(lambda: http.get(url))
    for person in people[1:]:
        answer_as(carol, survey, person, 3, django_capture_on_commit_callbacks)
    assert count_queries(lambda: http.get(url)) == at_one


def test_nps_by_client_practice_group_crp_and_firm(
    carol, alice, survey, normal_client, django_capture_on_commit_callbacks
):
    alice.practice_group = PracticeGroupFactory(name="Disputes")
    alice.save()
    for nps in (10, 9, 7, 2):
        person = StakeholderFactory(client=normal_client, email=f"n{nps}@harbour.example")
        answer_as(carol, survey, person, nps, django_capture_on_commit_callbacks)
    figures = nps_by(carol)
    firm = figures["firm"]
    assert (firm.promoters, firm.passives, firm.detractors, firm.nps, firm.response_rate) == (2, 1, 1, 25, 100)
    assert [(name, f.nps) for name, f in figures["crps"]] == [("Alice Partner", 25)]
    assert [(name, f.nps) for name, f in figures["practice_groups"]] == [("Disputes", 25)]
    assert [(name, f.nps) for name, _pk, f in figures["clients"]] == [("Harbour Energy plc", 25)]


def test_the_overview_shows_open_incidents_by_age_and_severity(carol, alice, login, normal_client):
    incident_create(
        actor=alice,
        client=normal_client,
        owner=alice,
        title="Data breach",
        severity="critical",
        occurred_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    page = login(carol).get("/listening/").content.decode()
    assert "<td>1–3 months</td><td>1</td>" in page.replace("\n", "")
    assert login(alice).get("/listening/").status_code == 403


def test_a_rated_client_review_feeds_the_review_rating_measure_as_of_its_day(alice, normal_client):
    from health.measures import review_rating
    from planning.services.items import review_create

    held = timezone.localdate() - datetime.timedelta(days=10)
    review_create(actor=alice, client=normal_client, planned_date=held, held_date=held, rating=2)
    assert review_rating(timezone.localdate(), [normal_client.pk]) == {normal_client.pk: 2.0}
    assert review_rating(held - datetime.timedelta(days=1), [normal_client.pk]) == {}


def test_a_review_cannot_be_rated_before_it_is_held(alice, normal_client):
    from django.core.exceptions import ValidationError

    from planning.models import ClientReview
    from planning.services.items import review_create

    with pytest.raises(ValidationError) as error:
        review_create(actor=alice, client=normal_client, planned_date=timezone.localdate(), rating=4)
    assert "rating" in error.value.message_dict and not ClientReview.objects.exists()
