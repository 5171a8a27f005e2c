"""Reads of the workflow app, each through the wall."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.access import visible
from accounts.models import Client, User
from workflow.models import Channel, Comment, Document, DocumentVersion, Playbook, PlaybookPause, PlaybookRun, RunAction
from workflow.subjects import Subject


def thread(subject: Subject) -> list[Comment]:
    """Top-level comments in order, each with `.thread_replies`; a constant number of queries."""
    rows = list(
        Comment.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject.obj), subject_id=subject.obj.pk
        ).select_related("author", "deleted_by")
    )
    replies: dict[int, list[Comment]] = {}
    for row in rows:
        if row.parent_id:
            replies.setdefault(row.parent_id, []).append(row)
    top = [row for row in rows if row.parent_id is None]
    for row in top:
        row.thread_replies = replies.get(row.pk, [])  # type: ignore[attr-defined]
    return top


def comment_for(user: User, pk: object) -> Comment:
    from accounts.access import get_visible_object

    return get_visible_object(user, Comment.objects.select_related("subject_type"), pk)


def documents_of(subject: Subject) -> QuerySet[Document]:
    return Document.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject.obj), subject_id=subject.obj.pk
    ).prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number")))


def client_documents(client: Client) -> QuerySet[Document]:
    return (
        Document.objects.filter(client=client)
        .select_related("subject_type")
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number")))
    )


def document_for(user: User, pk: object) -> Document:
    from accounts.access import get_visible_object

    return get_visible_object(user, Document.objects.select_related("client", "subject_type"), pk)


def version_for(user: User, pk: object) -> DocumentVersion:
    from accounts.access import get_visible_object

    return get_visible_object(user, DocumentVersion.objects.select_related("document"), pk, "document__client")


def client_runs(client: Client, limit: int = 10) -> list[PlaybookRun]:
    return list(
        PlaybookRun.objects.filter(client=client)
        .select_related("playbook")
        .prefetch_related(
            Prefetch("run_actions", queryset=RunAction.objects.select_related("action__owner").order_by("id"))
        )[:limit]
    )


def playbooks_with_pauses(client: Client) -> list[Playbook]:
    """Active playbooks, each with `paused_here` for `client` (one query)."""
    paused = PlaybookPause.objects.filter(client=client, playbook=OuterRef("pk"))
    return list(Playbook.objects.filter(is_active=True).annotate(paused_here=Exists(paused)))


def channels_of(user: User) -> QuerySet[Channel]:
    return Channel.objects.filter(owner=user)


def visible_runs(user: User) -> QuerySet[PlaybookRun]:
    return visible(user, PlaybookRun.objects.all())
