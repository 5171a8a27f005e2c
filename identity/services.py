"""Writes of the identity app: the attribute mapping applied to a person, provisioning (create,
update, deactivate — never delete), ending sessions, and the SCIM bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, User
from audit.models import Kind
from audit.services import audit_record
from identity.models import AttributeMapping, ScimToken, UserSession

MAPPED = ("role", "practice_group", "office")


def claim_values(claims: Mapping[str, Any], claim: str) -> set[str]:
    raw = claims.get(claim)
    if raw is None:
        return set()
    if isinstance(raw, (list, tuple, set)):
        return {str(item) for item in raw}
    return {str(raw)}


def mapped_attributes(claims: Mapping[str, Any]) -> dict[str, Any]:
    """{"role": …, "practice_group": …, "office": …} from the mapping table, for the attributes some
    rule sets; where two rules set one attribute, the lower priority number wins."""
    result: dict[str, Any] = {}
    for mapping in AttributeMapping.objects.select_related("practice_group", "office"):
        if mapping.value not in claim_values(claims, mapping.claim):
            continue
        for attribute in MAPPED:
            value = getattr(mapping, attribute)
            if value and attribute not in result:
                result[attribute] = value
    return result


def user_apply_mapping(*, user: User, claims: Mapping[str, Any]) -> list[str]:
    """Set the mapped attributes on `user`; the names of those that changed (a role change is a
    permission change in the audit log, written by its receiver)."""
    changed = []
    for attribute, value in mapped_attributes(claims).items():
        if getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed.append(attribute)
    if changed:
        user.save(update_fields=changed)
    return changed


# --- sessions -------------------------------------------------------------------------------------


def session_record(*, request: HttpRequest, user: User, method: str) -> None:
    from axes.helpers import get_client_ip_address

    session = request.session
    if session.session_key is None:
        session.save()
    now = timezone.now()
    session["identity_started"] = now.timestamp()
    session["identity_seen"] = now.timestamp()
    session["identity_method"] = method
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "method": method,
            "ip_address": get_client_ip_address(request) or None,
            "user_agent": request.headers.get("User-Agent", "")[:300],
        },
    )


def sessions_end(*, user: User, keep: str | None = None) -> int:
    """End `user`'s browser sessions (all but `keep`) at once: their session rows are deleted, so the
    next request of each is anonymous. Returns how many were ended."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    return len(keys)


def tokens_revoke_all(*, user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def sign_out_everywhere(*, user: User, keep: str | None = None) -> int:
    with transaction.atomic():
        ended = sessions_end(user=user, keep=keep)
        audit_record(
            kind=Kind.SESSIONS_REVOKED,
            subject_user=user,
            summary=f"{user.email} signed out everywhere ({ended} other session{'s' if ended != 1 else ''})",
            detail={"sessions": ended},
        )
    return ended


# --- provisioning ---------------------------------------------------------------------------------


def user_deactivate(*, user: User, by: str) -> dict[str, int]:
    """A leaver: inactive at once, every session and API token ended; nothing deleted. Their open actions
    and team roles stay as they are, for BD (and, for a CRP, the managing partners) to reassign from
    the leavers list."""
    with transaction.atomic():
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        sessions = sessions_end(user=user)
        tokens = tokens_revoke_all(user=user)
        audit_record(
            kind=Kind.PROVISIONING,
            subject_user=user,
            summary=f"{user.email} deactivated by {by}: {sessions} session(s) and {tokens} API token(s) revoked",
            detail={"deactivated": True, "by": by, "sessions": sessions, "tokens": tokens},
        )
    return {"sessions": sessions, "tokens": tokens}


def user_provision(
    *, email: str, full_name: str, active: bool = True, job_title: str = "", by: str, claims: Mapping[str, Any]
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=None, full_name=full_name or email, job_title=job_title)
        user_apply_mapping(user=user, claims=claims)
        audit_record(
            kind=Kind.PROVISIONING,
            subject_user=user,
            summary=f"{user.email} created by {by}",
            detail={"created": True, "by": by},
        )
        if not active:
            user_deactivate(user=user, by=by)
    return user


# --- SCIM tokens ----------------------------------------------------------------------------------


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def scim_token_create(*, name: str) -> tuple[ScimToken, str]:
    raw = "scim_" + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(name=name, prefix=raw[:10], digest=token_digest(raw))
    audit_record(kind=Kind.PROVISIONING, summary=f"SCIM token “{name}” made", detail={"scim_token": token.pk})
    return token, raw


def scim_token_authenticate(raw: str) -> ScimToken | None:
    token = ScimToken.objects.filter(digest=token_digest(raw), revoked_at__isnull=True).first()
    if token is not None:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def groups_of(user: User) -> Iterable[str]:
    return user.scim_groups.values_list("display_name", flat=True)
