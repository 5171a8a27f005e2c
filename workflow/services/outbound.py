"""Messages out to Teams, Slack and signed webhooks, once per channel and event, never through a wall.

A confidential client's name goes only to channels whose readers are all inside its wall: a channel
marked for people inside every wall (managing partners, admins), or one person's direct channel when
that person may see the client. Firm-wide channels hear nothing about it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.access import is_administrator, may_take_part
from accounts.models import Assignment, AssignmentRole, Client, User
from workflow import safe_http
from workflow.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus, PlaybookRun

PERSONAL_EVENTS = {"mention", "assignment"}  # for the person only: never to a firm channel
EVENT_FLAGS = {
    "alert": "send_alerts",
    "playbook": "send_actions",
    "assignment": "send_actions",
    "mention": "send_mentions",
}


def absolute(url: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{url}"


def may_carry(channel: Channel, client: Client | None) -> bool:
    """Whether `channel`'s readers may all see `client` (the wall's rule for channels)."""
    if channel.audience == Audience.DIRECT:
        return channel.owner is not None and (client is None or may_take_part(channel.owner, client))
    if client is None or not client.confidential:
        return True
    return channel.audience == Audience.INSIDE_WALL


def channels_for(event: str, client: Client | None, user_ids: Iterable[int] = ()) -> list[Channel]:
    """Firm channels (not for mentions, which are personal) and the direct channels of `user_ids`."""
    flag = EVENT_FLAGS[event]
    mine = Q(owner_id__in=list(user_ids))
    scope = mine if event in PERSONAL_EVENTS else (Q(owner__isnull=True) | mine)
    candidates = Channel.objects.filter(scope, is_active=True, **{flag: True}).select_related("owner")
    return [channel for channel in candidates if may_carry(channel, client)]


def announce(
    *,
    event: str,
    client_id: int | None,
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    user_ids: Iterable[int] = (),
) -> list[Delivery]:
    """Queue one delivery per channel that may carry it; the same event twice queues nothing."""
    from workflow import tasks

    client = Client.objects.filter(pk=client_id).first() if client_id else None
    message = {
        "event": event,
        "title": title,
        "body": body,
        "url": absolute(url),
        "client": {"id": client.pk, "name": client.name} if client else None,
        "occurred_at": timezone.now().isoformat(),
    }
    created = []
    for channel in channels_for(event, client, user_ids):
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    channel=channel, event=event, dedupe_key=dedupe_key[:200], payload=message
                )
        except IntegrityError:
            continue
        created.append(delivery)
        transaction.on_commit(functools.partial(tasks.deliver.delay, delivery.pk), robust=True)
    return created


def playbook_run_announce(*, run_id: int) -> list[Delivery]:
    """A playbook's new actions: one message to the firm channels and the owners' direct channels."""
    run = PlaybookRun.objects.select_related("playbook").filter(pk=run_id).first()
    if run is None:
        return []
    links = list(run.run_actions.select_related("action"))
    lines = [f"• {link.action.description} – due {link.action.due_date:%d %b %Y}" for link in links]
    return announce(
        event="playbook",
        client_id=run.client_id,
        title=f"{run.playbook.name}: {run.title}",
        body="\n".join(lines) or "No actions: the client has no CRP.",
        url=reverse("client-detail", args=[run.client_id]) + "#playbooks",
        dedupe_key=f"run:{run.pk}",
        user_ids={link.action.owner_id for link in links},
    )


# --- message formats -------------------------------------------------------------------------


def slack_message(message: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message: fallback text and blocks with a link back."""
    text = f"*{message['title']}*\n{message['body']}"
    return {
        "text": f"{message['title']} – {message['url']}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{message['url']}|Open in Keyline>"}]},
        ],
    }


def teams_message(message: dict[str, Any]) -> dict[str, Any]:
    """A Microsoft Teams incoming-webhook (Workflows) message: an Adaptive Card with a link back."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": message["title"], "weight": "Bolder", "wrap": True},
                        {"type": "TextBlock", "text": message["body"], "wrap": True},
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": "Open in Keyline", "url": message["url"]}],
                },
            }
        ],
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the channel's secret, as the receiver recomputes it."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def request_for(delivery: Delivery) -> tuple[bytes, dict[str, str]]:
    channel = delivery.channel
    headers = {"Content-Type": "application/json"}
    if channel.kind == ChannelKind.SLACK:
        return json.dumps(slack_message(delivery.payload)).encode(), headers
    if channel.kind == ChannelKind.TEAMS:
        return json.dumps(teams_message(delivery.payload)).encode(), headers
    body = json.dumps({"id": delivery.pk, **delivery.payload}, sort_keys=True).encode()
    timestamp = str(int(timezone.now().timestamp()))
    headers |= {
        "X-Keyline-Event": delivery.event,
        "X-Keyline-Delivery": str(delivery.pk),
        "X-Keyline-Timestamp": timestamp,
        "X-Keyline-Signature": signature(channel.secret, timestamp, body),
    }
    return body, headers


# --- delivery --------------------------------------------------------------------------------


def max_attempts() -> int:
    return settings.WEBHOOK_MAX_ATTEMPTS


def retry_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: doubling from the base (30 s, 1 min, 2 min …)."""
    return float(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def delivery_attempt(*, delivery_id: int) -> float | None:
    """One attempt. Returns seconds until the next attempt, or None when there is none to make.

    Claimed by a conditional update of its attempt count, so two workers never send it twice at once.
    """
    delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        return None
    attempt = delivery.attempts + 1
    claimed = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(attempts=attempt)
    if not claimed:
        return None
    if not delivery.channel.is_active:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error="Channel disabled")
        return None
    body, headers = request_for(delivery)
    status_code, error = None, ""
    try:
        answer = safe_http.post(delivery.channel.url, body, headers)
        status_code = answer.status
        if not 200 <= answer.status < 300:
            error = f"The receiver answered {answer.status}."
    except safe_http.UnsafeURL as exc:
        error = str(exc)
    except Exception as exc:
        error = f"Could not reach the receiver ({type(exc).__name__})."
    if not error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DELIVERED, last_status_code=status_code, last_error="", delivered_at=timezone.now()
        )
        Channel.objects.filter(pk=delivery.channel_id).update(failures=0)
        return None
    final = attempt >= max_attempts()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING,
        last_status_code=status_code,
        last_error=error[:300],
    )
    if final:
        _count_failure(delivery.channel)
        return None
    return retry_delay(attempt)


def _count_failure(channel: Channel) -> None:
    """A delivery that failed for good; after `WEBHOOK_DISABLE_AFTER` in a row the channel is switched off."""
    limit = settings.WEBHOOK_DISABLE_AFTER
    Channel.objects.filter(pk=channel.pk).update(failures=F("failures") + 1)
    disabled = Channel.objects.filter(pk=channel.pk, failures__gte=limit, is_active=True).update(
        is_active=False, disabled_reason=f"Switched off after {limit} failed deliveries in a row."
    )
    if disabled:
        from accounts.services import notifications_send

        people = [channel.owner] if channel.owner else User.objects.filter(is_active=True, role="admin")
        notifications_send(
            users=people,
            title=f"Channel {channel.name} was switched off",
            body=f"{limit} deliveries in a row failed. Check its address, then switch it back on.",
        )


# --- channel set-up --------------------------------------------------------------------------


def may_manage_firm_channels(user: User) -> bool:
    return is_administrator(user)


def channel_create(*, actor: User, firm: bool, **fields: Any) -> Channel:
    """A firm channel (administrators) or the actor's own direct channel; the URL is checked first."""
    url = str(fields.get("url", ""))
    try:
        safe_http.check_url(url)
    except safe_http.UnsafeURL as exc:
        raise ValidationError({"url": str(exc)}) from exc
    if not firm:
        fields["audience"] = Audience.DIRECT
    elif fields.get("audience") == Audience.DIRECT:
        raise ValidationError({"audience": "A firm channel is read by many: choose who may read it."})
    channel = Channel(owner=None if firm else actor, **fields)
    if channel.kind == ChannelKind.WEBHOOK:
        channel.secret = secrets.token_hex(32)
    channel.full_clean()
    channel.save()
    return channel


def channel_enable(*, channel: Channel) -> Channel:
    Channel.objects.filter(pk=channel.pk).update(is_active=True, failures=0, disabled_reason="")
    channel.refresh_from_db()
    return channel


def channel_delete(*, channel: Channel) -> None:
    channel.delete()


def team_user_ids(client_id: int) -> list[int]:
    return list(
        Assignment.objects.filter(
            client_id=client_id, end_date__isnull=True, role__in=[AssignmentRole.CRP, AssignmentRole.SAM]
        ).values_list("user_id", flat=True)
    )
