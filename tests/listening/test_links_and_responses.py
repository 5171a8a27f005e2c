"""The public response page: one personal link per recipient, refused politely when bad, recording nothing."""

import datetime

import pytest
from django.core import signing
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone

from health.models import Measurement
from listening import links
from listening.models import Invitation, InvitationStatus, Response, ResponseRevision, SurveyStatus

pytestmark = pytest.mark.django_db


def page(token: str):
    return f"/r/{token}/"


def answer(token: str, **data):
    values = {"nps": "9", "csat": "4", "comment": "Quick and clear advice", "q0": "More seminars"}
    values.update(data)
    return HttpClient().post(page(token), values)


def test_the_emailed_link_opens_the_survey_without_login(sent):
    response = HttpClient().get(page(sent))
    assert response.status_code == 200
    text = response.content.decode()
    assert "How likely are you to recommend" in text and "What should we do more of?" in text
    assert "a low score means a partner will be in touch" in text  # how the answer will be used


def test_an_answer_is_recorded_with_who_and_when(sent, decision_maker):
    response = answer(sent)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    saved = Response.objects.get()
    assert (saved.nps, saved.csat, saved.comment, saved.answers) == (9, 4, "Quick and clear advice", ["More seminars"])
    assert saved.stakeholder == decision_maker and saved.submitted_on == timezone.localdate()
    assert Invitation.objects.get().status == InvitationStatus.ANSWERED


def test_the_answer_becomes_the_days_nps_and_csat_measurements(sent, normal_client):
    answer(sent, nps="3", csat="2")
    values = dict(Measurement.objects.filter(client=normal_client).values_list("measure_key", "value"))
    assert values == {"client_nps": 3, "client_csat": 2}


def test_a_reused_link_is_refused_politely_and_records_nothing(sent):
    answer(sent, nps="9")
    again = answer(sent, nps="0")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Response.objects.get().nps == 9 and not ResponseRevision.objects.exists()


def test_a_tampered_link_is_refused_and_records_nothing(sent):
    tampered = sent[:-3] + ("aaa" if not sent.endswith("aaa") else "bbb")
    response = answer(tampered)
    assert response.status_code == 410 and "does not work" in response.content.decode()
    assert not Response.objects.exists()


def test_a_foreign_link_signed_for_another_purpose_or_key_is_refused(sent, survey):
    invitation = Invitation.objects.get()
    unsubscribe = links.unsubscribe_token(invitation.pk)  # ours, but for another purpose
    other_key = signing.TimestampSigner(key="another-firms-key", salt=links.RESPOND_SALT).sign_object(
        {"i": invitation.pk, "s": "guess"}
    )
    for token in (unsubscribe, other_key, "made-up"):
        assert answer(token).status_code == 410
    assert not Response.objects.exists()


def test_an_expired_link_is_refused_and_records_nothing(sent):
    with override_settings(LISTENING_LINK_MAX_AGE_DAYS=0):
        response = answer(sent)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not Response.objects.exists()


def test_a_closed_survey_refuses_its_links(sent, survey):
    survey.status = SurveyStatus.CLOSED
    survey.save()
    response = answer(sent)
    assert response.status_code == 410 and "closed" in response.content.decode()
    assert not Response.objects.exists()


def test_the_answer_can_be_changed_until_the_survey_closes_last_answer_wins_history_kept(sent, normal_client):
    thanks = answer(sent, nps="9").content.decode()
    change_token = thanks.split('href="/r/')[1].split("/")[0]
    answer(change_token, nps="4", comment="On reflection, slow")
    saved = Response.objects.get()
    assert (saved.nps, saved.comment, saved.revisions) == (4, "On reflection, slow", 2)
    assert list(ResponseRevision.objects.values_list("nps", "comment")) == [(9, "Quick and clear advice")]
    assert Measurement.objects.get(client=normal_client, measure_key="client_nps").value == 4


def test_bad_scores_get_field_errors_and_change_nothing(sent):
    response = answer(sent, nps="11", csat="")
    text = response.content.decode()
    assert response.status_code == 400
    assert "whole number from 0 to 10" in text and "Please choose a score." in text
    assert not Response.objects.exists()
    assert answer(sent, nps="7").status_code == 200  # the link still works after a mistake


def test_the_public_page_is_rate_limited_per_address(sent):
    http = HttpClient()
    with override_settings(LISTENING_REQUESTS_PER_ADDRESS=3):
        from listening import public

        limit = public.PUBLIC_REQUESTS
        public.PUBLIC_REQUESTS = type(limit)(limit.name, 3, 60)
        try:
            codes = [http.get(page(sent)).status_code for _ in range(5)]
        finally:
            public.PUBLIC_REQUESTS = limit
    assert codes == [200, 200, 200, 429, 429]


def test_the_response_page_fits_a_phone_and_labels_every_choice(sent):
    text = HttpClient().get(page(sent)).content.decode()
    assert 'name="viewport"' in text and "<legend>" in text and 'lang="en-GB"' in text
    assert text.count('type="radio" name="nps"') == 11


def test_changing_a_later_day_moves_the_measurement_to_that_day(sent, normal_client):
    thanks = answer(sent, nps="9").content.decode()
    Response.objects.update(submitted_on=timezone.localdate() - datetime.timedelta(days=3))
    change_token = thanks.split('href="/r/')[1].split("/")[0]
    answer(change_token, nps="5")
    rows = list(
        Measurement.objects.filter(client=normal_client, measure_key="client_nps").values_list("value", flat=True)
    )
    assert rows == [5]
