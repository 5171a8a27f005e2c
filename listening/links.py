"""The signed links in survey emails: a response link (personal, single-use, expiring) and an
unsubscribe link (honoured for ever).

A response link carries the invitation id and a random secret, signed with a timestamp under its
own salt. The invitation stores only the secret's SHA-256 digest, and a new secret replaces it once
the link has been used, so a used link stops working; the answer can still be changed through the
new link shown on the thank-you page until the survey closes.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

RESPOND_SALT = "listening.respond"
UNSUBSCRIBE_SALT = "listening.unsubscribe"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def email_digest(email: str) -> str:
    """How opt-outs and bounces remember an address without keeping it."""
    return digest(email.strip().lower())


def new_secret() -> tuple[str, str]:
    """(secret, its digest): the secret goes in the link, the digest in the database."""
    secret = secrets.token_urlsafe(18)
    return secret, digest(secret)


def respond_token(invitation_id: int, secret: str) -> str:
    return signing.TimestampSigner(salt=RESPOND_SALT).sign_object({"i": invitation_id, "s": secret}, compress=False)


def unsubscribe_token(invitation_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"i": invitation_id})


class LinkProblem(enum.Enum):
    TAMPERED = "tampered"  # not signed by us for this purpose: altered, made up, or another link's
    EXPIRED = "expired"
    USED = "used"  # signed by us, but its secret has been used (or replaced by a reminder's)


@dataclass(frozen=True)
class OpenedLink:
    invitation_id: int
    secret_digest: str


def open_respond_token(token: str) -> OpenedLink | LinkProblem:
    """The invitation a response link names, or why it cannot be used. Reads no database."""
    max_age = settings.LISTENING_LINK_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        payload = signing.TimestampSigner(salt=RESPOND_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        return LinkProblem.EXPIRED
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return LinkProblem.TAMPERED
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int) or not isinstance(payload.get("s"), str):
        return LinkProblem.TAMPERED
    return OpenedLink(payload["i"], digest(payload["s"]))


def open_unsubscribe_token(token: str) -> int | None:
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
        return None
    return payload["i"]
