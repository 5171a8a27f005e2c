"""Writes started from the dashboards: action done, saved views, alert read, digest choice."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.concurrency import save_versioned
from accounts.models import Notification, User
from accounts.services import audited_write
from planning.models import Action, ActionStatus
from reports.dashboard.params import parse_params
from reports.models import SavedView

MAX_SAVED_VIEWS = 50


def action_complete(*, actor: User, action: Action, expected_version: int) -> Action:
    """Mark an open action done today, unless someone changed it since `expected_version`."""
    if action.status != ActionStatus.OPEN:
        raise ValidationError({"status": "This action is no longer open."})
    action.status = ActionStatus.DONE
    action.completed_on = timezone.localdate()
    with audited_write(actor):
        save_versioned(action, expected_version, ["status", "completed_on"])
    return action


def saved_view_save(*, actor: User, name: str, query: str, page: str = "dashboard") -> SavedView:
    """Save (or overwrite, by name) the user's view, keeping the canonical form of the query."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > 100:
        raise ValidationError({"name": "Keep the name to 100 characters."})
    from django.http import QueryDict

    canonical = parse_params(QueryDict(query.lstrip("?")), default_mine=False).query(page=None)
    if len(canonical) > 2000:
        raise ValidationError({"query": "This view has too many filters to save."})
    existing = SavedView.objects.filter(user=actor, page=page)
    if existing.count() >= MAX_SAVED_VIEWS and not existing.filter(name=name).exists():
        raise ValidationError(
            {"name": f"You can keep up to {MAX_SAVED_VIEWS} saved views; delete one first."}
        )
    with audited_write(actor):
        view, _ = SavedView.objects.update_or_create(
            user=actor, page=page, name=name, defaults={"query": canonical}
        )
    return view


def saved_view_delete(*, actor: User, view: SavedView) -> None:
    if view.user_id != actor.pk:
        raise ValidationError("You can only delete your own saved views.")
    with audited_write(actor):
        view.delete()


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise ValidationError("This alert is not yours.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.read_at = timezone.now()
    return notification


def digest_preference_set(*, actor: User, weekly_digest: bool) -> User:
    with audited_write(actor):
        User.objects.filter(pk=actor.pk).update(weekly_digest=weekly_digest)
    actor.weekly_digest = weekly_digest
    return actor
