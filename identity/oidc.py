"""OpenID Connect sign-in (authorization code flow with PKCE) on mozilla-django-oidc.

What Keyline adds to the library: the provider's endpoints come from its discovery document (cached);
the ID token's issuer, audience, authorised party and expiry are checked besides its signature and
nonce (the library checks only those two); people are matched by their stored subject, else by email
(case-insensitive); unknown people are refused unless just-in-time creation is on; a deactivated
person is refused; roles, practice groups and offices follow the mapping table; every refusal is in
the audit log with its reason.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.shortcuts import render
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.models import User
from audit.models import Kind
from audit.services import audit_record
from identity.models import ExternalIdentity, Provider
from identity.services import user_apply_mapping, user_provision

DISCOVERY_CACHE_SECONDS = 3600
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class SignOnRefused(Exception):
    """A sign-in the provider vouched for that Keyline still refuses (unknown, deactivated…)."""


def discovery() -> dict[str, Any]:
    """The provider's discovery document, fetched once an hour."""
    url = settings.OIDC_DISCOVERY_URL
    if not url:
        raise ImproperlyConfigured("Set OIDC_DISCOVERY_URL to use OpenID Connect sign-in.")
    key = f"identity:oidc-discovery:{url}"
    document = cache.get(key)
    if document is None:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    if attr in ENDPOINTS and not getattr(settings, attr, None):
        return discovery()[ENDPOINTS[attr]]
    if default:
        return getattr(settings, attr, default[0])
    value = getattr(settings, attr, None)
    if value is None:
        raise ImproperlyConfigured(f"Set {attr} to use OpenID Connect sign-in.")
    return value


class KeylineOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Endpoints are read when a sign-in happens, not on every request of a signed-in person
        # (Django builds the backend to load the session's user).
        self.UserModel = User
        self.OIDC_RP_SIGN_ALGO = getattr(settings, "OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = None

    get_settings = staticmethod(oidc_setting)

    def _configure(self) -> None:
        self.OIDC_OP_TOKEN_ENDPOINT = oidc_setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = oidc_setting("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = oidc_setting("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = oidc_setting("OIDC_RP_CLIENT_SECRET")

    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        if request is None or "nonce" not in kwargs or "code" not in request.GET:
            return None  # a password sign-in, for the other backends
        self._configure()
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> User | None:
        """A deactivated person's session is anonymous from their next request on."""
        return User.objects.filter(pk=user_id, is_active=True).first()

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)  # signature (provider's keys) and nonce
        issuer = discovery().get("issuer")
        if payload.get("iss") != issuer:
            raise SuspiciousOperation(f"ID token issuer {payload.get('iss')!r} is not {issuer!r}.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience is not this application.")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token authorised party is not this application.")
        now, skew = time.time(), settings.SSO_CLOCK_SKEW_SECONDS
        if "exp" not in payload or payload["exp"] < now - skew:
            raise SuspiciousOperation("ID token has expired.")
        if payload.get("iat", now) > now + skew:
            raise SuspiciousOperation("ID token was issued in the future.")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub") and claims.get("email"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        linked = ExternalIdentity.objects.filter(provider=Provider.OIDC, subject=claims["sub"]).select_related("user")
        if link := linked.first():
            return [link.user]
        return list(User.objects.filter(email__iexact=claims["email"]))

    def create_user(self, claims: dict[str, Any]) -> User:
        if not settings.SSO_JIT_CREATE:
            raise SignOnRefused(f"{claims['email']} has no Keyline account and just-in-time creation is off.")
        user = user_provision(
            email=claims["email"],
            full_name=str(claims.get("name") or claims["email"]),
            by="OpenID Connect sign-in (just in time)",
            claims=claims,
        )
        ExternalIdentity.objects.create(user=user, provider=Provider.OIDC, subject=claims["sub"])
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        if not user.is_active:
            raise SignOnRefused(f"{user.email} is deactivated.")
        ExternalIdentity.objects.update_or_create(
            provider=Provider.OIDC, user=user, defaults={"subject": claims["sub"], "last_used_at": timezone.now()}
        )
        user_apply_mapping(user=user, claims=claims)
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:  # the library returns None for an unknown person when creation is off
            raise SignOnRefused("This person has no Keyline account and just-in-time creation is off.")
        return user


class OIDCStartView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: Any) -> Any:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        except (requests.RequestException, ImproperlyConfigured, KeyError) as exc:
            return refused(request, f"the identity provider could not be reached ({type(exc).__name__})")
        return super().get(request)


def refused(request: Any, reason: str, status: int = 403) -> Any:
    audit_record(
        kind=Kind.SSO_ERROR, summary=f"OpenID Connect sign-in refused: {reason}"[:300], detail={"reason": reason}
    )
    return render(
        request,
        "identity/sso_refused.html",
        {"reason": reason, "provider": settings.SSO_PROVIDER_NAME},
        status=status,
    )


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def get(self, request: Any) -> Any:
        if request.GET.get("error"):
            return refused(request, f"the provider answered {request.GET['error']!r}")
        if "code" not in request.GET or "state" not in request.GET:
            return refused(request, "the answer carried no code or state", status=400)
        if request.GET["state"] not in request.session.get("oidc_states", {}):
            return refused(request, "the state does not match a sign-in started here", status=400)
        request.identity_method = "oidc"
        try:
            return super().get(request)
        except SignOnRefused as exc:
            return refused(request, str(exc))
        except SuspiciousOperation as exc:
            return refused(request, str(exc), status=400)
        except requests.RequestException as exc:
            return refused(request, f"the token exchange failed ({type(exc).__name__})", status=502)

    def login_success(self) -> Any:
        self.request.identity_method = "oidc"
        return super().login_success()

    def login_failure(self) -> Any:
        return refused(self.request, "the sign-in could not be completed")
