"""Take docs/identity.md's screenshots of Keyline's own single sign-on screens from a running Keyline
with the demo data, started with single sign-on configured, e.g.

    FIRM_NAME="Harcourt Lane LLP" SSO_PROVIDER_NAME="Harcourt Lane" \
    OIDC_DISCOVERY_URL=https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration \
    OIDC_CLIENT_ID=<client id> OIDC_CLIENT_SECRET=<secret> \
    LOCAL_LOGIN_ENABLED=false BREAK_GLASS_EMAILS=admin@keyline.example make run
    .venv/bin/python scripts/identity_screenshots.py [--base http://127.0.0.1:8000]

It signs in as the demo's break-glass administrator (setting up its authenticator the first time,
as a person would, from the key the page shows), adds two claim/group mappings through the admin
if they are missing, and shoots: the login page ("Sign in with <firm>"), the single sign-on set-up
page (the values to enter in the provider's console) and the admin's mapping form.
"""

import argparse
import base64
import hashlib
import hmac
import struct
import time

from playwright.sync_api import Page, sync_playwright
from screenshots import ARGS, OUT, PASSWORD, _shrink

ADMIN = "admin@keyline.example"
MAPPINGS = [("groups", "Keyline-BD", "Business development"), ("groups", "Keyline-Partners", "Partner")]


def totp(secret: str, at: float | None = None) -> str:
    """The 6-digit RFC 6238 code an authenticator app shows for `secret` (base32) now."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in_as_admin(page: Page, secret_key: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    if "/account/mfa/" in page.url:
        secret = page.get_by_test_id("mfa-secret")
        if secret.count():
            secret_key = secret.inner_text().strip()
            print(f"the administrator's authenticator key (pass --totp-key next time): {secret_key}")
            page.get_by_label("Code").fill(totp(secret_key))
            page.get_by_role("button", name="Turn on").click()
        elif secret_key:
            page.get_by_label("Code").fill(totp(secret_key))
            page.get_by_role("button", name="Continue").click()
        else:
            raise SystemExit("The administrator already has an authenticator: pass its key with --totp-key.")
        page.wait_for_load_state("networkidle")


def shoot(page: Page, name: str, full_page: bool = True) -> None:
    path = OUT / name
    page.screenshot(path=str(path), full_page=full_page)
    _shrink(path)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--totp-key", default="", help="the administrator's authenticator key, once set up")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        context = browser.new_context(base_url=options.base, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto("/login/")
        page.wait_for_load_state("networkidle")
        shoot(page, "sso-login.png", full_page=False)

        sign_in_as_admin(page, options.totp_key)
        page.goto("/admin/identity/attributemapping/")
        existing = page.locator("#result_list").inner_text() if page.locator("#result_list").count() else ""
        for claim, value, role in MAPPINGS:
            if value in existing:
                continue
            page.goto("/admin/identity/attributemapping/add/")
            page.get_by_label("Claim").fill(claim)
            page.get_by_label("Value").fill(value)
            page.get_by_label("Role").select_option(label=role)
            if value == MAPPINGS[0][1]:
                shoot(page, "sso-mapping-admin.png", full_page=False)
            page.locator("input[name=_save]").click()
            page.wait_for_load_state("networkidle")
        page.goto("/sso/setup/")
        page.wait_for_load_state("networkidle")
        shoot(page, "sso-setup.png")
        browser.close()


if __name__ == "__main__":
    main()
