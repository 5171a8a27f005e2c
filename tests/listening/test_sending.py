"""Sending: a personal link per recipient, one-click unsubscribe headers, once per recipient, reminders once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening import links
from listening.models import Invitation, InvitationStatus, Suppression
from listening.services.surveys import (
    bounces_record,
    client_no_surveys_set,
    invitations_remind,
    invitations_send,
    survey_invite,
    survey_send,
)
from tests.factories import StakeholderFactory
from tests.listening.conftest import link_in

pytestmark = pytest.mark.django_db


def test_each_recipient_gets_a_personal_link_and_one_click_unsubscribe(sent, decision_maker):
    message = mail.outbox[0]
    assert message.to == ["dana@harbour.example"]
    assert "Dear Dana Decider" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message.extra_headers["List-Unsubscribe"].startswith("<http")
        and "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    )


def test_sending_twice_emails_each_recipient_once(sent):
    invitation = Invitation.objects.get()
    assert invitations_send(invitation_ids=[invitation.pk]) == 0
    assert len(mail.outbox) == 1


def test_the_reminder_goes_once_and_replaces_the_link(sent):
    Invitation.objects.update(sent_at=timezone.now() - datetime.timedelta(days=8))
    assert invitations_remind() == 1
    assert invitations_remind() == 0
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith("Reminder")
    assert link_in(mail.outbox[1]) != sent


def test_one_click_unsubscribe_stops_every_future_survey(sent, carol, survey, decision_maker, client):
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").split("8000", 1)[1]
    assert client.post(url).status_code == 200  # no cookie, no CSRF token: RFC 8058
    assert Suppression.objects.filter(reason="opted_out").count() == 1
    report = survey_invite(actor=carol, survey=survey, stakeholders=[decision_maker])
    assert report.invited == 0
    another = StakeholderFactory(client=decision_maker.client, email="DANA@harbour.example")
    assert survey_invite(actor=carol, survey=survey, stakeholders=[another]).left_out == {"opted out or bounced": 1}


def test_a_bounced_address_is_never_sent_again(carol, survey, decision_maker, django_capture_on_commit_callbacks):
    survey_invite(actor=carol, survey=survey, stakeholders=[decision_maker])
    bounces_record(emails=["Dana@Harbour.example"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        survey_send(actor=carol, survey=survey)  # nothing waiting: the only recipient bounced
    assert mail.outbox == []
    assert Invitation.objects.get().status == InvitationStatus.BOUNCED


def test_an_opt_out_between_invite_and_send_is_honoured(
    carol, survey, decision_maker, django_capture_on_commit_callbacks
):
    survey_invite(actor=carol, survey=survey, stakeholders=[decision_maker])
    Suppression.objects.create(email_digest=links.email_digest("dana@harbour.example"), reason="opted_out")
    with django_capture_on_commit_callbacks(execute=True):
        survey_send(actor=carol, survey=survey)
    assert mail.outbox == []
    assert Invitation.objects.get().status == InvitationStatus.SUPPRESSED


def test_the_clients_no_surveys_switch_leaves_its_people_out(carol, survey, decision_maker, normal_client, alice):
    client_no_surveys_set(actor=alice, client=normal_client, no_surveys=True)
    report = survey_invite(actor=carol, survey=survey, stakeholders=[decision_maker])
    assert report.invited == 0 and report.left_out == {"client asked for no surveys": 1}


def test_people_without_a_valid_address_are_left_out_and_counted(carol, survey, normal_client):
    people = [
        StakeholderFactory(client=normal_client, email=""),
        StakeholderFactory(client=normal_client, email="not-an-address"),
    ]
    Invitation.objects.all().delete()
    report = survey_invite(actor=carol, survey=survey, stakeholders=people)
    assert report.invited == 0
    assert report.left_out == {"without an email address": 1, "with an invalid email address": 1}


def test_a_partner_cannot_send_surveys(alice, login, survey):
    assert login(alice).get(f"/surveys/{survey.pk}/").status_code == 403
    assert login(alice).get("/surveys/").status_code == 403


@pytest.mark.parametrize("reminder", [False, True])
def test_a_batch_renders_each_recipients_email_as_the_templates_would(carol, survey, normal_client, reminder):
    """The bodies are rendered once per batch and filled in per recipient: the same text and HTML as
    rendering the templates for each recipient, names and client names escaped in the HTML."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from listening.services.surveys import EmailBodies, build_email

    normal_client.name = "O'Brien & <Sons>"
    people = [
        StakeholderFactory(client=normal_client, name='Zoë "Z" <b>Ng</b> & co', email="zoe@obrien.example"),
        StakeholderFactory(client=normal_client, name="", email="desk@obrien.example"),
    ]
    survey.intro = "Line one & <two>\nline three"
    bodies = EmailBodies(survey, reminder=reminder)
    for person in people:
        invitation = Invitation(
            pk=person.pk, survey=survey, client=normal_client, stakeholder=person, email=person.email
        )
        message = build_email(invitation, "s3cret", reminder=reminder, bodies=bodies)
        link = links.respond_token(invitation.pk, "s3cret")
        context = {
            "firm": settings.FIRM_NAME,
            "name": person.name,
            "client": normal_client.name,
            "survey": survey,
            "link": f"{settings.SITE_URL}/r/{link}/",
            "unsubscribe": f"{settings.SITE_URL}/r/{links.unsubscribe_token(invitation.pk)}/unsubscribe/",
            "reminder": reminder,
        }
        assert message.body == render_to_string("listening/email/invitation.txt", context)
        assert message.alternatives[0].content == render_to_string("listening/email/invitation.html", context)
        assert "<b>" not in message.alternatives[0].content and "&lt;Sons&gt;" in message.alternatives[0].content
