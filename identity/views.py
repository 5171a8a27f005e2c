"""Identity pages: one's sessions and tokens (sign out everywhere), and BD's leavers list."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import may_manage_identity, may_see_leavers, require
from accounts.services_tokens import tokens_of
from identity.models import AttributeMapping
from identity.saml import sp_urls
from identity.selectors import leavers_for, sessions_of
from identity.services import sign_out_everywhere

LEAVERS_REFUSED = "The leavers list is for BD, managing partners and administrators."
SETUP_REFUSED = "Single sign-on set-up is for administrators."


@require_http_methods(["GET", "POST"])
def my_sessions(request):
    if request.method == "POST":
        ended = sign_out_everywhere(user=request.user, keep=request.session.session_key)
        messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
        return redirect("my-sessions")
    return render(
        request,
        "identity/sessions.html",
        {
            "sessions": sessions_of(request.user),
            "current": request.session.session_key,
            "tokens": tokens_of(request.user),
        },
    )


@require_GET
def leavers(request):
    require(may_see_leavers(request.user), LEAVERS_REFUSED)
    found = leavers_for(request.user)
    return render(request, "identity/leavers.html", {"roles": found.roles, "actions": found.actions})


@require_GET
def sso_setup(request):
    """What to register at the identity provider (Keyline's own URLs and the claims it reads), how
    sign-on is configured here now, and the claim/group mapping: no secret is shown."""
    require(may_manage_identity(request.user), SETUP_REFUSED)
    entity_id, acs = sp_urls(request)
    context = {
        "redirect_uri": request.build_absolute_uri(reverse("oidc-callback")),
        "entity_id": entity_id,
        "acs_url": acs,
        "metadata_url": request.build_absolute_uri(reverse("saml-metadata")),
        "scim_base": request.build_absolute_uri(reverse("scim-users")).removesuffix("/Users"),
        "login_url": request.build_absolute_uri(reverse("login")),
        "oidc": {
            "discovery": settings.OIDC_DISCOVERY_URL,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "secret_set": bool(settings.OIDC_RP_CLIENT_SECRET),
            "scopes": settings.OIDC_RP_SCOPES,
        },
        "saml_metadata": settings.SAML_IDP_METADATA,
        "provider_name": settings.SSO_PROVIDER_NAME,
        "jit": settings.SSO_JIT_CREATE,
        "local_login": settings.LOCAL_LOGIN_ENABLED,
        "break_glass": settings.BREAK_GLASS_EMAILS,
        "mfa_everyone": settings.MFA_REQUIRED_FOR_EVERYONE,
        "mappings": AttributeMapping.objects.select_related("practice_group", "office"),
    }
    return render(request, "identity/sso_setup.html", context)
