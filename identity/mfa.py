"""Multi-factor for password sign-ins (django-otp): a TOTP app, with ten single-use recovery codes.

Required for administrators, and for everyone when MFA_REQUIRED_FOR_EVERYONE is on. Until the second
factor is given, a password-signed-in session reaches only these pages (identity.middleware)."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import is_administrator
from accounts.models import User
from audit.models import Kind
from audit.services import audit_record

RECOVERY_CODES = 10


def mfa_required(user: User) -> bool:
    return settings.MFA_REQUIRED_FOR_EVERYONE or is_administrator(user)


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: User) -> TOTPDevice:
    """The authenticator being set up (made once, so reloading the page shows the same code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key in the base32 form authenticator apps take when typed by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4)


def recovery_codes_renew(*, user: User) -> list[str]:
    """Ten fresh single-use codes; the old ones stop working. Shown once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        audit_record(kind=Kind.MFA, actor=user, summary=f"{user.email} made new recovery codes")
    return codes


def totp_confirm(*, request, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app being set up with a code from it; the recovery codes on success."""
    if not device.verify_token(token.strip()):
        audit_record(kind=Kind.MFA, actor=user, summary=f"{user.email} gave a wrong code setting up multi-factor")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_record(kind=Kind.MFA, actor=user, summary=f"{user.email} set up multi-factor sign-in")
    return recovery_codes_renew(user=user)


def mfa_verify(*, request, user: User, token: str) -> bool:
    """A code from the app, or one recovery code (used up)."""
    token = token.strip().replace(" ", "")
    totp = confirmed_totp(user)
    if totp is not None and totp.verify_is_allowed()[0] and totp.verify_token(token):
        otp_login(request, totp)
        return True
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if static is not None and static.verify_is_allowed()[0] and static.verify_token(token):
        otp_login(request, static)
        audit_record(kind=Kind.MFA, actor=user, summary=f"{user.email} used a recovery code")
        return True
    audit_record(kind=Kind.MFA, actor=user, summary=f"{user.email} gave a wrong multi-factor code")
    return False
