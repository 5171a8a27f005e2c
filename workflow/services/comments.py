"""Short threaded comments with @mentions, on a client and its plans, actions and interactions.

Only people who may see the client can be mentioned: naming someone outside its wall is refused with
a message and nothing is saved. Comments are edited only by their author within a short window;
a deleted comment leaves a tombstone in its thread. Every change is in the audit history.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import firm_people_for, sees_behind_walls
from accounts.models import User
from accounts.services import NotificationDraft, audited_write, notifications_create
from workflow.models import COMMENT_MAX_LENGTH, Comment
from workflow.subjects import Subject

MENTION_START = re.compile(r"(?<![\w@.])@")


def edit_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)


def find_mentions(body: str, people: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The people named `@Full Name` in `body` (longest name wins: "@Ann Lee" over "@Ann")."""
    lowered = body.casefold()
    ordered = sorted(people, key=lambda person: -len(person[1]))
    found: dict[int, str] = {}
    for match in MENTION_START.finditer(body):
        start = match.end()
        for pk, name in ordered:
            folded = name.casefold()
            end = start + len(folded)
            if folded and lowered.startswith(folded, start) and (end == len(body) or not body[end].isalnum()):
                found.setdefault(pk, name)
                break
    return list(found.items())


def mentions_check(body: str, subject: Subject) -> list[int]:
    """Ids of the people mentioned; refuses a mention of someone who may not see the client."""
    everyone = list(User.objects.active().values_list("pk", "full_name"))
    mentioned = find_mentions(body, everyone)
    if not mentioned:
        return []
    allowed = set(
        firm_people_for(subject.client).filter(pk__in=[pk for pk, _ in mentioned]).values_list("pk", flat=True)
    )
    refused = [name for pk, name in mentioned if pk not in allowed]
    if refused:
        names = ", ".join(refused)
        raise ValidationError(
            {
                "body": f"{names} cannot be mentioned here: they are outside this client's ethical wall "
                "and may not see it. Remove the mention to post."
            }
        )
    return [pk for pk, _ in mentioned]


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something to post."})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Keep comments to {COMMENT_MAX_LENGTH:,} characters (this one has {len(body):,})."}
        )
    return body


def comment_post(*, actor: User, subject: Subject, body: str, parent: Comment | None = None) -> Comment:
    body = _clean_body(body)
    if parent is not None and (
        parent.subject_id != subject.obj.pk
        or parent.subject_type_id != ContentType.objects.get_for_model(subject.obj).pk
        or parent.is_deleted
    ):
        raise ValidationError({"parent": "Reply to a comment of this thread."})
    mentioned = mentions_check(body, subject)
    with audited_write(actor):
        comment = Comment.objects.create(
            client=subject.client,
            subject_type=ContentType.objects.get_for_model(subject.obj),
            subject_id=subject.obj.pk,
            parent=parent.parent or parent if parent else None,  # threads are one level deep
            author=actor,
            body=body,
        )
        comment.mentions.set(mentioned)
        _notify_mentions(actor, comment, subject, mentioned)
    return comment


def comment_edit(*, actor: User, comment: Comment, subject: Subject, body: str) -> Comment:
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only its author can edit a comment.")
    if comment.is_deleted:
        raise ValidationError({"body": "This comment was deleted."})
    if timezone.now() - comment.created_at > edit_window():
        minutes = settings.COMMENT_EDIT_MINUTES
        raise ValidationError(
            {"body": f"Comments can be edited for {minutes} minutes after posting; add a reply instead."}
        )
    body = _clean_body(body)
    mentioned = mentions_check(body, subject)
    with audited_write(actor):
        comment.body, comment.edited_at = body, timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        comment.mentions.set(mentioned)
        _notify_mentions(actor, comment, subject, mentioned)
    return comment


def may_delete(user: User, comment: Comment) -> bool:
    return comment.author_id == user.pk or sees_behind_walls(user)


def comment_delete(*, actor: User, comment: Comment) -> Comment:
    """The text goes; a tombstone saying who deleted it stays in the thread (and the text in the history)."""
    if not may_delete(actor, comment):
        raise PermissionDenied("Only its author, a managing partner or an administrator can delete a comment.")
    if comment.is_deleted:
        return comment
    with audited_write(actor):
        comment.body, comment.deleted_at, comment.deleted_by = "", timezone.now(), actor
        comment.save(update_fields=["body", "deleted_at", "deleted_by"])
        comment.mentions.clear()
    return comment


def _notify_mentions(actor: User, comment: Comment, subject: Subject, user_ids: list[int]) -> None:
    """Each person mentioned hears once per comment (an edit does not repeat it)."""
    others = [pk for pk in user_ids if pk != actor.pk]
    if not others:
        return
    title = f"{actor} mentioned you: {subject.title}"[:200]
    url = f"{subject.thread_url}#comment-{comment.pk}"
    excerpt = comment.body if len(comment.body) <= 300 else comment.body[:297] + "…"
    drafts = [
        NotificationDraft(pk, title, excerpt, url, subject.client.pk, f"mention:{comment.pk}:{pk}") for pk in others
    ]
    created = {draft.user_id for draft in notifications_create(drafts=drafts)}
    if not created:
        return
    from workflow.services import outbound

    transaction.on_commit(
        lambda: outbound.announce(
            event="mention",
            client_id=subject.client.pk,
            title=title,
            body=excerpt,
            url=url,
            dedupe_key=f"mention:{comment.pk}",
            user_ids=created,
        ),
        robust=True,
    )
