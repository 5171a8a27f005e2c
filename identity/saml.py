"""SAML 2.0 sign-in (pysaml2): SP-initiated and IdP-initiated, signed assertions required, audience and
recipient checked by pysaml2, clock skew bounded by SSO_CLOCK_SKEW_SECONDS, each assertion accepted
once (replay refused). The IdP's metadata comes from a file or a URL (SAML_IDP_METADATA); Keyline's
own metadata is at /sso/saml/metadata/."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS

from accounts.models import User
from audit.models import Kind
from audit.services import audit_record
from identity.models import ExternalIdentity, Provider, SamlAssertionSeen
from identity.services import user_apply_mapping, user_provision

OUTSTANDING = "identity_saml_outstanding"


def sp_urls(request: HttpRequest) -> tuple[str, str]:
    entity_id = settings.SAML_SP_ENTITY_ID or request.build_absolute_uri(reverse("saml-metadata"))
    return entity_id, request.build_absolute_uri(reverse("saml-acs"))


def sp_config(request: HttpRequest) -> SPConfig:
    source = settings.SAML_IDP_METADATA
    if not source:
        raise Http404("SAML sign-in is not set up here.")
    metadata = {"remote": [{"url": source}]} if source.startswith(("http://", "https://")) else {"local": [source]}
    entity_id, acs = sp_urls(request)
    config = SPConfig()
    config.load(
        {
            "entityid": entity_id,
            "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
            "metadata": metadata,
            "accepted_time_diff": settings.SSO_CLOCK_SKEW_SECONDS,
            # Keep attributes pysaml2 has no converter for ("groups", Entra's claim URIs…): the mapping
            # table names them.
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "name": settings.FIRM_NAME,
                    "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
                    "allow_unsolicited": True,  # IdP-initiated sign-in
                    "authn_requests_signed": False,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "name_id_format": NAMEID_FORMAT_EMAILADDRESS,
                }
            },
        }
    )
    return config


def refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    audit_record(kind=Kind.SSO_ERROR, summary=f"SAML sign-in refused: {reason}", detail={"reason": reason})
    context = {"reason": reason, "provider": settings.SSO_PROVIDER_NAME}
    return render(request, "identity/sso_refused.html", context, status=status)


def saml_start(request: HttpRequest) -> HttpResponse:
    """SP-initiated: send the browser to the IdP with an AuthnRequest whose id we keep."""
    client = Saml2Client(config=sp_config(request))
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    request_id, info = client.prepare_for_authenticate(relay_state=next_url, binding=BINDING_HTTP_REDIRECT)
    request.session[OUTSTANDING] = {**request.session.get(OUTSTANDING, {}), request_id: next_url}
    return HttpResponseRedirect(dict(info["headers"])["Location"])


def _remember(assertion_id: str, not_on_or_after: datetime.datetime) -> bool:
    """False when the assertion was seen before (a replay)."""
    SamlAssertionSeen.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            SamlAssertionSeen.objects.create(assertion_id=assertion_id, expires_at=not_on_or_after)
    except IntegrityError:
        return False
    return True


def _person(name_id: str, attributes: dict[str, list[str]]) -> User:
    email = (attributes.get("email") or attributes.get("mail") or [name_id])[0].strip().lower()
    claims: dict[str, Any] = {key: values for key, values in attributes.items()}
    link = ExternalIdentity.objects.filter(provider=Provider.SAML, subject=name_id).select_related("user").first()
    user = link.user if link else User.objects.filter(email__iexact=email).first()
    if user is None:
        if not settings.SSO_JIT_CREATE:
            raise PermissionError(f"{email} has no Keyline account and just-in-time creation is off")
        name = (attributes.get("displayName") or attributes.get("cn") or [email])[0]
        user = user_provision(email=email, full_name=name, by="SAML sign-in (just in time)", claims=claims)
    if not user.is_active:
        raise PermissionError(f"{user.email} is deactivated")
    ExternalIdentity.objects.update_or_create(
        provider=Provider.SAML, user=user, defaults={"subject": name_id, "last_used_at": timezone.now()}
    )
    user_apply_mapping(user=user, claims=claims)
    return user


def saml_acs(request: HttpRequest) -> HttpResponse:
    """The assertion consumer service: SP- and IdP-initiated responses, posted by the browser."""
    config = sp_config(request)
    if request.method != "POST" or "SAMLResponse" not in request.POST:
        return refused(request, "no SAML response was posted", status=400)
    client = Saml2Client(config=config)
    outstanding = request.session.get(OUTSTANDING, {})
    try:
        response = client.parse_authn_request_response(
            request.POST["SAMLResponse"], BINDING_HTTP_POST, outstanding=outstanding
        )
    except Exception as exc:  # pysaml2 raises many kinds; each is a refusal, named in the log
        return refused(request, f"the SAML response was not accepted ({type(exc).__name__}: {exc})"[:250], 400)
    if response is None:
        return refused(request, "the SAML response was not accepted", status=400)
    assertion = response.assertion
    expires = timezone.now() + datetime.timedelta(seconds=settings.SSO_CLOCK_SKEW_SECONDS + 3600)
    if not _remember(assertion.id, expires):
        return refused(request, "this assertion was already used (replay)", status=400)
    next_url = outstanding.pop(response.in_response_to, None) if response.in_response_to else None
    request.session[OUTSTANDING] = outstanding
    try:
        user = _person(response.name_id.text, response.get_identity())
    except PermissionError as exc:
        return refused(request, str(exc))
    request.identity_method = "saml"  # type: ignore[attr-defined]
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    relay = request.POST.get("RelayState", "")
    target = next_url or relay or "/"
    return HttpResponseRedirect(target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/")


def saml_metadata(request: HttpRequest) -> HttpResponse:
    xml = create_metadata_string(None, config=sp_config(request))
    return HttpResponse(xml, content_type="application/samlmetadata+xml")
