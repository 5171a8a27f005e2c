"""The survey programmes page: BD lists, creates, edits, pauses and resumes programmes; partners are
refused; bad input changes nothing; a paused programme does not fire; the list costs the same
queries for one programme as for many; the figures keep the wall."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from listening.models import Programme
from listening.services.programmes import programme_save, programmes_fire_for_review
from planning.models import ClientReview
from tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "After each review",
    "trigger": "after_review",
    "intro": "Thank you for meeting us.",
    "asks_nps": "on",
    "asks_csat": "on",
    "open_days": "14",
}


def held_review(client, attendees):
    review = ClientReview.objects.create(client=client, planned_date=timezone.localdate())
    review.client_attendees.set(attendees)
    review.held_date = timezone.localdate()
    review.save()
    return review


def test_bd_creates_a_programme_and_sees_it_listed_from_the_surveys_page(carol, login):
    http = login(carol)
    assert reverse("programme-list") in http.get("/surveys/").content.decode()
    response = http.post("/surveys/programmes/new/", GOOD)
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert (programme.name, programme.open_days, programme.asks_ces, programme.active) == (
        "After each review",
        14,
        False,
        True,
    )
    page = http.get("/surveys/programmes/").content.decode()
    assert "After each review" in page and "NPS, CSAT; open 14 days" in page and "Never" in page


def test_bd_edits_a_programme(carol, login):
    programme = programme_save(actor=carol, name="After each review", open_days=21)
    http = login(carol)
    assert 'value="21"' in http.get(f"/surveys/programmes/{programme.pk}/").content.decode()
    changes = {**GOOD, "name": "Post-review pulse", "asks_ces": "on"}
    response = http.post(f"/surveys/programmes/{programme.pk}/", changes)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Post-review pulse" and programme.asks_ces and programme.open_days == 14


@pytest.mark.parametrize(
    "changes, field, text",
    [
        ({"name": ""}, "name", "This field is required"),
        ({"open_days": "0"}, "open_days", "greater than or equal to 1"),
        ({"open_days": "365"}, "open_days", "less than or equal to 180"),
        ({"open_days": "soon"}, "open_days", "Enter a whole number"),
        ({"asks_nps": "", "asks_csat": ""}, "asks_nps", "Ask at least one of NPS, CSAT or CES"),
        ({"trigger": "every_full_moon"}, "trigger", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_field_error_and_changes_nothing(carol, login, changes, field, text):
    programme = programme_save(actor=carol, name="After each review", open_days=21)
    http = login(carol)
    for url in ("/surveys/programmes/new/", f"/surveys/programmes/{programme.pk}/"):
        response = http.post(url, {**GOOD, **changes})
        assert response.status_code == 400
        page = response.content.decode()
        assert f'id="id_{field}-error"' in page and text in page
    assert Programme.objects.count() == 1
    programme.refresh_from_db()
    assert (programme.name, programme.open_days, programme.asks_nps) == ("After each review", 21, True)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_partners_are_refused_every_programme_page(who, request, carol, login):
    programme = programme_save(actor=carol, name="After each review")
    http = login(request.getfixturevalue(who))
    assert http.get("/surveys/programmes/").status_code == 403
    assert http.get("/surveys/programmes/new/").status_code == 403
    assert http.post("/surveys/programmes/new/", GOOD).status_code == 403
    assert http.post(f"/surveys/programmes/{programme.pk}/", {**GOOD, "name": "Mine"}).status_code == 403
    assert http.post(f"/surveys/programmes/{programme.pk}/active/", {"active": "off"}).status_code == 403
    programme.refresh_from_db()
    assert programme.name == "After each review" and programme.active and Programme.objects.count() == 1


def test_an_unknown_programme_or_survey_is_not_found(carol, login):
    http = login(carol)
    assert http.get("/surveys/programmes/999999/").status_code == 404
    assert http.get("/surveys/999999/").status_code == 404
    # A number past the database's 64-bit ids is no such row either, not a server error.
    assert http.get(f"/surveys/programmes/{10**20}/").status_code == 404
    assert http.post(f"/surveys/{10**20}/close/").status_code == 404


def test_a_paused_programme_does_not_fire_and_a_resumed_one_does(
    carol, login, normal_client, decision_maker, django_capture_on_commit_callbacks
):
    programme = programme_save(actor=carol, name="After each review", asks_nps=True)
    http = login(carol)
    assert http.post(f"/surveys/programmes/{programme.pk}/active/", {"active": "off"}).status_code == 302
    assert "Paused" in http.get("/surveys/programmes/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        paused_review = held_review(normal_client, [decision_maker])
    assert programmes_fire_for_review(review_id=paused_review.pk) == 0
    assert mail.outbox == [] and not programme.runs.exists()

    assert http.post(f"/surveys/programmes/{programme.pk}/active/", {"active": "on"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        review = held_review(normal_client, [decision_maker])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@harbour.example"]
    assert list(programme.runs.values_list("review_id", flat=True)) == [review.pk]  # not the paused one
    page = http.get("/surveys/programmes/").content.decode()
    assert f"{timezone.localdate():%-d %b %Y}" in page and "<td>1</td>" in page


def test_the_figures_count_a_walled_client_only_inside_the_wall(
    carol, mike, login, confidential_client, django_capture_on_commit_callbacks
):
    programme_save(actor=carol, name="After each review", asks_nps=True)
    person = StakeholderFactory(client=confidential_client, email="pat@nightjar.example")
    with django_capture_on_commit_callbacks(execute=True):
        held_review(confidential_client, [person])
    assert len(mail.outbox) == 1
    outside = login(carol).get("/surveys/programmes/").content.decode()
    assert "Never" in outside and "<td>1</td>" not in outside
    inside = login(mike).get("/surveys/programmes/").content.decode()
    assert "Never" not in inside and inside.count("<td>1</td>") == 2  # one survey, one email


def test_the_list_runs_the_same_queries_for_one_programme_or_many(
    carol, login, normal_client, decision_maker, count_queries, django_capture_on_commit_callbacks
):
    programme_save(actor=carol, name="Programme 0")
    with django_capture_on_commit_callbacks(execute=True):
        held_review(normal_client, [decision_maker])
    http = login(carol)
    http.get("/surveys/programmes/")
    at_one = count_queries(lambda: http.get("/surveys/programmes/"))
    for i in range(1, 8):
        programme_save(actor=carol, name=f"Programme {i}", active=i % 2 == 0)
    others = [StakeholderFactory(client=normal_client, email=f"p{i}@harbour.example") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        held_review(normal_client, others)
    assert count_queries(lambda: http.get("/surveys/programmes/")) == at_one
