"""Personal API tokens: made and revoked by their owner, stored only as a digest, each with an expiry."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User

TOKEN_PREFIX = "kl_"  # noqa: S105 (marks a Keyline token; not a secret)
EXPIRY_DAYS = (30, 90, 365)  # the choices offered; a token never lives longer than a year
DEFAULT_EXPIRY_DAYS = 90
# last_used_at is written at most this often per token, so a busy client does not write on every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


def token_digest(raw: str) -> str:
    # The token holds 256 random bits, so a fast hash is enough: there is nothing to guess from its digest.
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, actor: User, name: str, days: int = DEFAULT_EXPIRY_DAYS) -> tuple[ApiToken, str]:
    """A new token of `actor`'s and the raw token, which is never stored and cannot be shown again."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Say what the token is for."
    elif len(name) > (ApiToken._meta.get_field("name").max_length or 0):
        errors["name"] = "Keep the name under 100 characters."
    if days not in EXPIRY_DAYS:
        errors["days"] = f"Choose an expiry of {', '.join(map(str, EXPIRY_DAYS))} days."
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=raw[:10],
            digest=token_digest(raw),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise ValidationError("You can only revoke your own tokens.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token behind `raw` (its user active), noting when it was last used; None otherwise."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at"))
