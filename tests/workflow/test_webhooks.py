"""Teams, Slack and signed webhooks: a real local receiver proves signing, retries and switching off;
URLs that could reach inside the network are refused."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Notification
from workflow import safe_http
from workflow.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus
from workflow.services import outbound

pytestmark = pytest.mark.django_db


def firm_channel(ada, receiver, kind=ChannelKind.WEBHOOK, audience=Audience.FIRM, name="Firm systems") -> Channel:
    return outbound.channel_create(actor=ada, firm=True, name=name, kind=kind, url=receiver.url, audience=audience)


def alert(client, key="k1", capture=None):
    with capture(execute=True):
        return outbound.announce(
            event="alert",
            client_id=client.pk,
            title=f"{client.name} dropped from green to red",
            body="Health score 35.",
            url=f"/clients/{client.pk}/#health",
            dedupe_key=key,
        )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.com/hook", safe_http.REFUSED_NOT_HTTPS),
        ("https://10.0.0.8/hook", safe_http.REFUSED_PRIVATE),
        ("https://192.168.1.20/hook", safe_http.REFUSED_PRIVATE),
        ("https://127.0.0.2/hook", safe_http.REFUSED_PRIVATE),
        ("https://localhost/hook", safe_http.REFUSED_SELF),
        ("https://169.254.169.254/latest/meta-data", safe_http.REFUSED_PRIVATE),
        ("https://[::1]/hook", safe_http.REFUSED_PRIVATE),
        ("https://[::ffff:10.0.0.1]/hook", safe_http.REFUSED_PRIVATE),
        ("https://user:pw@example.com/hook", safe_http.REFUSED_SHAPE),
        ("ftp://example.com/hook", safe_http.REFUSED_NOT_HTTPS),
    ],
)
def test_urls_that_could_reach_inside_are_refused(url, reason, ada):
    with pytest.raises(ValidationError) as refused:
        outbound.channel_create(actor=ada, firm=True, name="x", kind=ChannelKind.SLACK, url=url, audience=Audience.FIRM)
    assert refused.value.message_dict == {"url": [reason]}
    assert not Channel.objects.exists()


def test_keylines_own_address_is_refused(ada, settings):
    settings.SITE_URL = "https://keyline.firm.example"
    with pytest.raises(safe_http.UnsafeURL, match="back at Keyline itself"):
        safe_http.check_url("https://keyline.firm.example/api/clients/")


def test_the_channel_page_shows_the_refusal_on_the_field(ada, login):
    response = login(ada).post(
        "/channels/",
        {
            "scope": "firm",
            "firm-name": "Ops",
            "firm-kind": "slack",
            "firm-url": "http://10.1.1.1/x",
            "firm-audience": "firm",
        },
    )
    assert response.status_code == 400 and safe_http.REFUSED_NOT_HTTPS in response.content.decode()


def test_a_signed_webhook_reaches_the_receiver_with_a_valid_signature(
    normal_client, ada, receiver, django_capture_on_commit_callbacks
):
    channel = firm_channel(ada, receiver)
    alert(normal_client, capture=django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    expected = hmac.new(
        channel.secret.encode(), headers["x-keyline-timestamp"].encode() + b"." + sent["body"], hashlib.sha256
    ).hexdigest()
    assert headers["x-keyline-signature"] == f"sha256={expected}"
    assert headers["x-keyline-event"] == "alert"
    body = receiver.json()
    assert body["client"] == {"id": normal_client.pk, "name": "Harbour Energy plc"}
    assert body["url"].endswith(f"/clients/{normal_client.pk}/#health")
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_failed_delivery_is_retried_until_it_succeeds(
    normal_client, ada, receiver, django_capture_on_commit_callbacks
):
    firm_channel(ada, receiver)
    receiver.statuses = [500, 503]
    alert(normal_client, capture=django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)
    assert len(receiver.requests) == 3
    assert len({r["body"] for r in receiver.requests}) == 1  # the same message each time


def test_the_same_event_is_sent_once(normal_client, ada, receiver, django_capture_on_commit_callbacks):
    firm_channel(ada, receiver)
    alert(normal_client, key="same", capture=django_capture_on_commit_callbacks)
    alert(normal_client, key="same", capture=django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1


def test_a_channel_is_switched_off_after_repeated_failures(
    normal_client, ada, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_DISABLE_AFTER = 2
    channel = firm_channel(ada, receiver)
    receiver.statuses = [500] * 10
    alert(normal_client, key="a", capture=django_capture_on_commit_callbacks)
    channel.refresh_from_db()
    assert channel.is_active and channel.failures == 1
    alert(normal_client, key="b", capture=django_capture_on_commit_callbacks)
    channel.refresh_from_db()
    assert not channel.is_active and channel.disabled_reason == "Switched off after 2 failed deliveries in a row."
    assert len(receiver.requests) == 4
    assert list(Delivery.objects.values_list("status", flat=True)) == [DeliveryStatus.FAILED] * 2
    assert Notification.objects.filter(user=ada, title="Channel Firm systems was switched off").exists()
    alert(normal_client, key="c", capture=django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 4  # nothing more goes to a switched-off channel


def test_slack_and_teams_get_their_own_message_formats(
    normal_client, ada, receiver, django_capture_on_commit_callbacks
):
    firm_channel(ada, receiver, kind=ChannelKind.SLACK, name="Slack")
    firm_channel(ada, receiver, kind=ChannelKind.TEAMS, name="Teams")
    alert(normal_client, capture=django_capture_on_commit_callbacks)
    bodies = [receiver.json(i) for i in range(2)]
    slack = next(b for b in bodies if "blocks" in b)
    teams = next(b for b in bodies if b.get("type") == "message")
    assert slack["blocks"][0]["text"]["text"].startswith("*Harbour Energy plc dropped from green to red*")
    assert "Open in Keyline>" in slack["blocks"][1]["elements"][0]["text"]
    card = teams["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["actions"][0]["url"].endswith(f"/clients/{normal_client.pk}/#health")


def test_a_walled_clients_name_never_reaches_a_channel_outsiders_read(
    confidential_client, crp_of_wall, bob, ada, receiver, django_capture_on_commit_callbacks
):
    firm_channel(ada, receiver, kind=ChannelKind.SLACK, name="Everyone")
    firm_channel(ada, receiver, kind=ChannelKind.SLACK, name="Partners board", audience=Audience.INSIDE_WALL)
    outbound.channel_create(actor=bob, firm=False, name="Bob DM", kind=ChannelKind.SLACK, url=receiver.url)
    outbound.channel_create(actor=crp_of_wall, firm=False, name="Walter DM", kind=ChannelKind.SLACK, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        outbound.announce(
            event="alert",
            client_id=confidential_client.pk,
            title=f"{confidential_client.name} dropped",
            body="",
            url="/",
            dedupe_key="w",
            user_ids=[bob.pk, crp_of_wall.pk],
        )
    assert sorted(Delivery.objects.values_list("channel__name", flat=True)) == ["Partners board", "Walter DM"]
    assert len(receiver.requests) == 2


def test_someone_elses_channel_and_its_log_are_not_found(ada, bob, alice, login, receiver):
    mine = outbound.channel_create(actor=bob, firm=False, name="Bob DM", kind=ChannelKind.SLACK, url=receiver.url)
    firm = firm_channel(ada, receiver)
    assert login(alice).get(f"/channels/{mine.pk}/").status_code == 404
    assert login(alice).get(f"/channels/{firm.pk}/").status_code == 404
    assert login(alice).post(f"/channels/{mine.pk}/delete/").status_code == 404
    assert login(bob).get(f"/channels/{mine.pk}/").status_code == 200
    assert Channel.objects.count() == 2


def test_a_playbooks_actions_go_to_the_firm_channel_and_the_owners_direct_channel(
    default_playbooks, normal_client, alice, ada, receiver, django_capture_on_commit_callbacks
):
    firm_channel(ada, receiver, kind=ChannelKind.SLACK, name="BD room")
    outbound.channel_create(actor=alice, firm=False, name="Alice DM", kind=ChannelKind.TEAMS, url=receiver.url)
    from workflow.services.playbooks import signal_fire

    with django_capture_on_commit_callbacks(execute=True):
        signal_fire(trigger="detractor", client_id=normal_client.pk, dedupe_key="nps:1", title="NPS 2 from the GC")
    playbook = Delivery.objects.filter(event="playbook")
    assert sorted(playbook.values_list("channel__name", flat=True)) == ["Alice DM", "BD room"]
    message = playbook.first().payload
    assert message["title"] == "Detractor: close the loop: NPS 2 from the GC"
    assert "• Call the detractor within two days (Detractor: close the loop)" in message["body"]
    assert message["url"].endswith(f"/clients/{normal_client.pk}/#playbooks")
    # Alice's assignment notices reach her direct channel too, never the firm room
    assert set(Delivery.objects.filter(event="assignment").values_list("channel__name", flat=True)) == {"Alice DM"}


def test_a_mention_reaches_the_persons_direct_channel_only(
    normal_client, alice, carol, ada, login, receiver, django_capture_on_commit_callbacks
):
    firm_channel(ada, receiver, kind=ChannelKind.SLACK, name="BD room")
    outbound.channel_create(actor=carol, firm=False, name="Carol DM", kind=ChannelKind.SLACK, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        login(alice).post(f"/comments/client/{normal_client.pk}/", {"body": "@Carol Bd over to you"})
    assert list(Delivery.objects.values_list("channel__name", "event")) == [("Carol DM", "mention")]
    assert "over to you" in receiver.json()["text"] or "over to you" in str(receiver.json())
