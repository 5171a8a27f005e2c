"""Multi-factor for password sign-ins (TOTP app and recovery codes), required for administrators and,
when the firm says so, for everyone; idle and absolute session time-outs."""

import re
import time

import pytest
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from audit.models import AuditEntry, Kind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def password_sign_in(user, password) -> HttpClient:
    http = HttpClient()
    response = http.post("/login/", {"username": user.email, "password": password})
    assert response.status_code == 302
    return http


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def set_up_mfa(http: HttpClient, user) -> list[str]:
    assert http.get("/account/mfa/").status_code == 200
    page = http.post("/account/mfa/", {"code": current_code(user), "next": "/clients/"})
    assert page.status_code == 200
    return re.findall(r"<li><code>([^<]+)</code></li>", page.content.decode())


def test_an_admin_must_set_up_a_second_factor_before_any_page(password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a wrong code; not under test here
    admin = UserFactory(email="root@firm.example", role=Role.ADMIN)
    http = password_sign_in(admin, password)
    blocked = http.get("/clients/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/account/mfa/")
    setup = http.get("/account/mfa/").content.decode()
    assert "<svg" in setup and "Scan this code" in setup
    wrong = http.post("/account/mfa/", {"code": "000000"})
    assert wrong.status_code == 400 and "not the one your app shows" in wrong.content.decode()
    codes = set_up_mfa(http, admin)
    assert len(codes) == 10
    assert http.get("/clients/").status_code == 200
    assert AuditEntry.objects.filter(kind=Kind.MFA, summary__contains="set up").exists()


def test_next_sign_in_asks_for_a_code_and_takes_a_recovery_code_once(password):
    admin = UserFactory(email="root@firm.example", role=Role.ADMIN)
    codes = set_up_mfa(password_sign_in(admin, password), admin)
    http = password_sign_in(admin, password)
    assert http.get("/clients/")["Location"].startswith("/account/mfa/")
    assert "recovery codes" in http.get("/account/mfa/").content.decode()
    assert http.post("/account/mfa/", {"code": codes[0], "next": "/clients/"})["Location"] == "/clients/"
    assert http.get("/clients/").status_code == 200
    again = password_sign_in(admin, password)
    assert again.post("/account/mfa/", {"code": codes[0]}).status_code == 400  # used up
    assert again.get("/clients/").status_code == 302


def test_a_partner_needs_no_second_factor_unless_the_firm_says_so(alice, password, settings):
    assert password_sign_in(alice, password).get("/clients/").status_code == 200
    settings.MFA_REQUIRED_FOR_EVERYONE = True
    assert password_sign_in(alice, password).get("/clients/").status_code == 302


def test_idle_session_times_out(alice, password, settings):
    http = password_sign_in(alice, password)
    assert http.get("/clients/").status_code == 200
    session = http.session
    session["identity_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = http.get("/clients/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert http.get("/clients/").status_code == 302
    assert AuditEntry.objects.filter(kind=Kind.SIGN_OUT, detail__reason="session timed out (idle)").exists()


def test_absolute_time_out_ends_even_a_busy_session(alice, password, settings):
    http = password_sign_in(alice, password)
    session = http.session
    session["identity_started"] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - 5
    session.save()
    assert http.get("/clients/").status_code == 302
    assert AuditEntry.objects.filter(kind=Kind.SIGN_OUT, detail__reason="session timed out (absolute)").exists()


def test_sessions_page_lists_the_sign_in(alice, password):
    http = password_sign_in(alice, password)
    page = http.get("/account/sessions/").content.decode()
    assert "(this one)" in page and "password" in page
