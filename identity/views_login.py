"""The login page: "Sign in with <firm>" when single sign-on is set up, and the firm's password policy
(local passwords can be switched off for everyone but the break-glass administrators)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.views_login import ACCOUNT_LOCKED, LoginView, ThrottledAuthenticationForm
from audit.models import Kind
from audit.services import audit_record

LOCAL_SIGN_IN_OFF = "Password sign-in is switched off at this firm: use “Sign in with {firm}”."


def may_use_password(email: str) -> bool:
    if settings.LOCAL_LOGIN_ENABLED:
        return True
    return email.strip().lower() in {e.lower() for e in settings.BREAK_GLASS_EMAILS}


class PolicyAuthenticationForm(ThrottledAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        if username and not may_use_password(username):
            audit_record(
                kind=Kind.SIGN_IN_FAILED,
                summary=f"Password sign-in refused for {username}: local sign-in is off",
                detail={"username": username, "reason": "local sign-in off"},
            )
            raise ValidationError(LOCAL_SIGN_IN_OFF.format(firm=settings.SSO_PROVIDER_NAME), code="local_off")
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "throttled" or ACCOUNT_LOCKED in error.messages:
                audit_record(
                    kind=Kind.LOCKOUT,
                    summary=f"Sign-in refused for {username}: too many failures on this account",
                    detail={"username": username, "by": "account"},
                )
            raise


class IdentityLoginView(LoginView):
    form_class = PolicyAuthenticationForm

    def form_valid(self, form: Any) -> Any:
        # A password sign-in: the session policy asks for the second factor where it is required.
        self.request.identity_method = "password"  # type: ignore[attr-defined]
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "sso_oidc": bool(settings.OIDC_DISCOVERY_URL),
            "sso_saml": bool(settings.SAML_IDP_METADATA),
            "sso_name": settings.SSO_PROVIDER_NAME,
            "local_login": settings.LOCAL_LOGIN_ENABLED,
        }
