"""Alerts when a client slips: a band drop, or a fall of 10+ points within 30 days.

Each event has a dedupe key (the day of the drop, or the day of the peak it fell from), so the
CRP and SAM hear about it once, however many nightly recomputes see it again.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse

from accounts.models import Assignment, AssignmentRole
from accounts.services import NotificationDraft, notifications_create
from health.formula import AMBER, GREEN, RED, ScoreResult
from health.measures import for_clients
from health.models import HealthScore
from health.selectors import latest_scores

log = logging.getLogger(__name__)
BAND_RANK = {GREEN: 3, AMBER: 2, RED: 1}
FALL_POINTS = 10
FALL_WINDOW_DAYS = 30
PREVIOUS_WINDOW_DAYS = 35  # a band drop is measured against the last score of the past five weeks

# Sent with `events` (a list of AlertEvent) and `as_of` once alerts are raised, after the
# transaction commits: higher apps (playbooks, channels) react without health importing them.
alerts_raised = Signal()


@dataclass(frozen=True)
class AlertEvent:
    client_id: int
    dedupe_key: str
    title: str
    body: str
    kind: str = ""  # "band_drop" or "score_fall"
    to_band: str = ""
    points: float = 0.0


def _previous_scores(client_ids: list[int], as_of: datetime.date) -> dict[int, HealthScore]:
    """Each client's last score before `as_of`, if it falls within the past five weeks."""
    since = as_of - datetime.timedelta(days=PREVIOUS_WINDOW_DAYS)
    rows = (
        latest_scores(client_ids, as_of - datetime.timedelta(days=1))
        .filter(as_of__gte=since)
        .only("client_id", "as_of", "score", "band")
    )
    return {row.client_id: row for row in rows}


def _peaks(client_ids: list[int], as_of: datetime.date) -> dict[int, HealthScore]:
    since = as_of - datetime.timedelta(days=FALL_WINDOW_DAYS)
    rows = (
        for_clients(HealthScore.objects.all(), client_ids)
        .filter(as_of__gte=since, as_of__lt=as_of, score__isnull=False)
        .exclude(band="insufficient")
        .order_by("client_id", "-score", "as_of")
        .distinct("client_id")
        .only("client_id", "as_of", "score", "band")
    )
    return {row.client_id: row for row in rows}


def detect_events(results: dict[int, ScoreResult], as_of: datetime.date, names: dict[int, str]) -> list[AlertEvent]:
    ids = list(results)
    previous, peaks = _previous_scores(ids, as_of), _peaks(ids, as_of)
    events = []
    for client_id, result in results.items():
        if result.band not in BAND_RANK or result.score is None:
            continue
        name = names.get(client_id, f"Client {client_id}")
        before = previous.get(client_id)
        if (
            before
            and before.score is not None
            and before.band in BAND_RANK
            and BAND_RANK[before.band] > BAND_RANK[result.band]
        ):
            events.append(
                AlertEvent(
                    client_id,
                    f"health:band:{client_id}:{before.band}-{result.band}:{as_of.isoformat()}",
                    f"{name} dropped from {before.band} to {result.band}",
                    f"Health score {result.score:.0f} on {as_of:%d %b %Y}, "
                    f"was {float(before.score):.0f} "
                    f"on {before.as_of:%d %b %Y}.",
                    kind="band_drop",
                    to_band=result.band,
                    points=float(before.score) - result.score,
                )
            )
        peak = peaks.get(client_id)
        if peak and peak.score is not None and float(peak.score) - result.score >= FALL_POINTS:
            events.append(
                AlertEvent(
                    client_id,
                    f"health:fall:{client_id}:{peak.as_of.isoformat()}",
                    f"{name} fell {float(peak.score) - result.score:.0f} points in {FALL_WINDOW_DAYS} days",
                    f"Health score {result.score:.0f} on {as_of:%d %b %Y}, "
                    f"down from {float(peak.score):.0f} "
                    f"on {peak.as_of:%d %b %Y}.",
                    kind="score_fall",
                    to_band=result.band,
                    points=float(peak.score) - result.score,
                )
            )
    return events


def alerts_raise(*, results: dict[int, ScoreResult], as_of: datetime.date, email: bool = True) -> int:
    """Notify each slipping client's CRP and SAM (in-app and by email), once per event."""
    if not results:
        return 0
    slipping = {event.client_id for event in detect_events(results, as_of, {})}
    if not slipping:
        return 0
    results = {client_id: results[client_id] for client_id in slipping}
    team = list(
        Assignment.objects.filter(
            client_id__in=list(results),
            end_date__isnull=True,
            role__in=[AssignmentRole.CRP, AssignmentRole.SAM],
        ).values_list("client_id", "user_id", "user__email", "client__name")
    )
    names = {client_id: name for client_id, _, _, name in team}
    events = detect_events(results, as_of, names)
    if not events:
        return 0
    transaction.on_commit(lambda: alerts_raised.send(sender=AlertEvent, events=events, as_of=as_of), robust=True)
    emails = {user_id: email for _, user_id, email, _ in team}
    recipients: dict[int, list[int]] = {}
    for client_id, user_id, _, _ in team:
        recipients.setdefault(client_id, []).append(user_id)
    drafts = [
        NotificationDraft(
            user_id=user_id,
            title=event.title,
            body=event.body,
            client_id=event.client_id,
            url=reverse("client-detail", args=[event.client_id]) + "#health",
            dedupe_key=event.dedupe_key,
        )
        for event in events
        for user_id in recipients.get(event.client_id, [])
    ]
    created = notifications_create(drafts=drafts)
    messages = [
        (note.title, f"{note.body}\n\nOpen the client: {note.url}", emails[note.user_id])
        for note in created
        if emails.get(note.user_id)
    ]
    if email:
        transaction.on_commit(lambda: _send(messages), robust=True)
    return len(created)


def _send(messages: list[tuple[str, str, str]]) -> None:
    # The in-app notification is the record; a mail server being down must not undo the recompute.
    for subject, body, email in messages:
        try:
            send_mail(f"[Keyline] {subject}", body, settings.DEFAULT_FROM_EMAIL, [email])
        except OSError:
            log.exception("Could not email a health alert to %s", email)
