"""Session policy on every page: idle and absolute time-outs, the last-seen time of each session, and
multi-factor before anything else for a password sign-in that needs it."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from identity.models import UserSession

SEEN_PRECISION = 60  # seconds: the last-seen time is written at most once a minute
OPEN_DURING_MFA = ("/account/mfa/", "/logout/", "/static/")


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path_info.startswith("/api/"):
            return self.get_response(request)
        session = request.session
        now = time.time()
        started = session.setdefault("identity_started", now)
        seen = session.get("identity_seen", now)
        idle = now - seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
        if idle or now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
            reason = "idle" if idle else "absolute"
            request.identity_logout_reason = f"session timed out ({reason})"  # type: ignore[attr-defined]
            logout(request)
            return redirect_to_login(request.get_full_path())
        if now - seen >= SEEN_PRECISION or "identity_seen" not in session:
            session["identity_seen"] = now
            UserSession.objects.filter(session_key=session.session_key).update(last_seen_at=timezone.now())
        if session.get("identity_method") == "password" and not request.path_info.startswith(OPEN_DURING_MFA):
            from identity.mfa import mfa_required

            if mfa_required(user) and not user.is_verified():
                return redirect(f"/account/mfa/?next={request.get_full_path()}")
        return self.get_response(request)
