"""Passing the second factor in a browser test, as a person with their authenticator app would."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(user) -> str:
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-id").first()
    assert device is not None, "no authenticator set up or being set up"
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def pass_second_factor(page, user) -> None:
    """On the multi-factor page (set-up or sign-in), type the app's current code; after a set-up,
    continue past the recovery codes."""
    if "/account/mfa/" not in page.url:
        return
    page.get_by_label("Code").fill(code_for(user))
    page.get_by_role("button", name="Turn on").or_(page.get_by_role("button", name="Continue")).click()
    page.wait_for_load_state("networkidle")
    if page.get_by_test_id("recovery-codes").count():
        page.get_by_role("link", name="Continue").click()
        page.wait_for_load_state("networkidle")
