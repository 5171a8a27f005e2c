"""Hooks that write the audit log from what other apps already announce: Django's sign-in signals,
django-axes' lockout, and saves of users (role, activation), clients (the ethical wall) and the
teams of walled clients (who is inside the wall). `accounts` knows nothing of this app."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import Assignment, Client, User
from accounts.signals import wall_changed
from audit.models import Kind
from audit.services import audit_record

PERMISSION_FIELDS = ("role", "is_active", "is_superuser", "practice_group_id", "office_id")
PERMISSION_FIELD_NAMES = {*PERMISSION_FIELDS, "practice_group", "office"}


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    method = getattr(request, "identity_method", None) or "other"
    audit_record(kind=Kind.SIGN_IN, actor=user, summary=f"{user.email} signed in ({method})", detail={"method": method})


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        reason = getattr(request, "identity_logout_reason", "") if request is not None else ""
        summary = f"{user.email} signed out" + (f": {reason}" if reason else "")
        audit_record(kind=Kind.SIGN_OUT, actor=user, summary=summary, detail={"reason": reason} if reason else {})


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    typed = str(credentials.get("username") or credentials.get("email") or "")[:254]
    known = User.objects.filter(email__iexact=typed).first() if typed else None
    audit_record(
        kind=Kind.SIGN_IN_FAILED,
        subject_user=known,
        summary=f"Failed sign-in as {typed or '(no name)'}",
        detail={"username": typed, "known_user": known is not None},
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any) -> None:
    audit_record(
        kind=Kind.LOCKOUT,
        subject_user=User.objects.filter(email__iexact=username).first() if username else None,
        summary=f"Sign-in locked out for {username or '(no name)'} after repeated failures",
        detail={"username": username, "by": "address and account"},
    )


def _stored(model: type, pk: Any, fields: tuple[str, ...]) -> dict[str, Any] | None:
    if pk is None:
        return None
    return model._default_manager.filter(pk=pk).values(*fields).first()


@receiver(pre_save, sender=User, dispatch_uid="audit_user_before")
def _user_before(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and not set(update_fields) & PERMISSION_FIELD_NAMES:
        instance._audit_before = None  # type: ignore[attr-defined]
        return
    instance._audit_before = _stored(User, instance.pk, PERMISSION_FIELDS)  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="audit_user_after")
def _user_after(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_audit_before", None)
    if created:
        audit_record(
            kind=Kind.PERMISSION_CHANGE,
            subject_user=instance,
            summary=f"User {instance.email} created as {instance.get_role_display()}",
            detail={"created": True, "role": instance.role, "is_active": instance.is_active},
        )
        return
    if not before:
        return
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in PERMISSION_FIELDS
        if before[field] != getattr(instance, field)
    }
    if changes:
        words = ", ".join(f"{field.removesuffix('_id')} {old} → {new}" for field, (old, new) in changes.items())
        audit_record(
            kind=Kind.PERMISSION_CHANGE,
            subject_user=instance,
            summary=f"{instance.email}: {words}",
            detail={"changes": changes},
        )


@receiver(wall_changed, dispatch_uid="audit_wall_changed")
def _wall_changed(sender: Any, client: Client, actor: User, **kwargs: Any) -> None:
    put_up = client.confidential
    audit_record(
        kind=Kind.WALL_CHANGE,
        actor=actor,
        client=client,
        summary=f"Ethical wall {'put up around' if put_up else 'taken down from'} {client.name}",
        detail={"confidential": put_up},
    )


@receiver(post_save, sender=Client, dispatch_uid="audit_client_created_walled")
def _client_created(sender: Any, instance: Client, created: bool, **kwargs: Any) -> None:
    if created and instance.confidential:
        audit_record(
            kind=Kind.WALL_CHANGE,
            client=instance,
            summary=f"{instance.name} created behind an ethical wall",
            detail={"confidential": True, "created": True},
        )


@receiver(pre_save, sender=Assignment, dispatch_uid="audit_assignment_before")
def _assignment_before(sender: Any, instance: Assignment, **kwargs: Any) -> None:
    instance._audit_before = _stored(Assignment, instance.pk, ("end_date",))  # type: ignore[attr-defined]


@receiver(post_save, sender=Assignment, dispatch_uid="audit_assignment_after")
def _assignment_after(sender: Any, instance: Assignment, created: bool, **kwargs: Any) -> None:
    """Joining or leaving the team of a walled client moves someone across its wall."""
    before = getattr(instance, "_audit_before", None)
    ended = before is not None and before["end_date"] is None and instance.end_date is not None
    if not (created or ended):
        return
    client = Client.objects.filter(pk=instance.client_id, confidential=True).first()
    if client is None:
        return
    user = User.objects.get(pk=instance.user_id)
    audit_record(
        kind=Kind.WALL_CHANGE,
        client=client,
        subject_user=user,
        summary=f"{user.email} {'left' if ended else 'joined'} the wall of {client.name} "
        f"({instance.get_role_display()})",
        detail={"assignment": instance.pk, "role": instance.role, "joined": created},
    )
