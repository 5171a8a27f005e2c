"""Writes started from the dashboards: saved views and digest choice."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import audited_write
from reports.dashboard.params import COLUMN_LABELS, parse_params
from reports.models import ColumnPreference, SavedView

MAX_SAVED_VIEWS = 50


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
        raise ValidationError({"name": f"You can keep up to {MAX_SAVED_VIEWS} saved views; delete one first."})
    with audited_write(actor):
        view, _ = SavedView.objects.update_or_create(user=actor, page=page, name=name, defaults={"query": canonical})
    return view


def saved_view_delete(*, actor: User, view: SavedView) -> None:
    if view.user_id != actor.pk:
        raise ValidationError("You can only delete your own saved views.")
    with audited_write(actor):
        view.delete()


def digest_preference_set(*, actor: User, weekly_digest: bool) -> User:
    with audited_write(actor):
        User.objects.filter(pk=actor.pk).update(weekly_digest=weekly_digest)
    actor.weekly_digest = weekly_digest
    return actor


def column_preference_set(*, actor: User, columns: list[str], page: str = "dashboard") -> ColumnPreference:
    """Remember the columns `actor` shows on `page`; names that are not columns are refused."""
    unknown = [key for key in columns if key not in COLUMN_LABELS]
    if unknown:
        raise ValidationError({"cols": f"“{unknown[0][:40]}” is not a column of this table."})
    ordered = [key for key in COLUMN_LABELS if key in columns]
    with audited_write(actor):
        preference, _ = ColumnPreference.objects.update_or_create(user=actor, page=page, defaults={"columns": ordered})
    return preference
