"""OpenID Connect sign-in against a real provider (npm `oidc-provider` on loopback): the authorization
code flow with PKCE, the provider's discovery document and signing keys, and each refusal."""

import time
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client as HttpClient

from accounts.models import Role, User
from audit.models import AuditEntry, Kind
from identity.models import AttributeMapping, ExternalIdentity, Provider
from identity.oidc import KeylineOIDCBackend
from tests.factories import UserFactory
from tests.identity.oidc_fixtures import new_jwk, start_provider

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/sso/oidc/callback/"
ACCOUNTS = {
    "jane-sub": {
        "email": "Jane.Doe@Firm.example",
        "email_verified": True,
        "name": "Jane Doe",
        "groups": ["Keyline-BD"],
    },
    "newcomer-sub": {"email": "new.joiner@firm.example", "name": "New Joiner", "groups": ["Keyline-BD"]},
    "leaver-sub": {"email": "leaver@firm.example", "name": "Lee Leaver", "groups": []},
}


@pytest.fixture(scope="module")
def provider():
    running = start_provider([CALLBACK], ACCOUNTS)
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


@pytest.fixture(autouse=True)
def oidc_settings(settings, provider):
    settings.OIDC_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_RP_CLIENT_ID = "keyline"
    settings.OIDC_RP_CLIENT_SECRET = "keyline-test-secret"
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.SSO_JIT_CREATE = False
    return settings


def start(http: HttpClient) -> str:
    response = http.get("/sso/oidc/start/")
    assert response.status_code == 302
    return response["Location"]


def sign_in(http: HttpClient, provider, account: str):
    back = provider.sign_in(start(http), account)
    assert back.startswith(CALLBACK)
    return http.get(back.removeprefix("http://testserver"))


def signed_in_as(http: HttpClient) -> str | None:
    response = http.get("/account/sessions/")
    return response.wsgi_request.user.email if response.status_code == 200 else None


def test_login_page_offers_sign_in_with_the_firm():
    page = HttpClient().get("/login/").content.decode()
    assert "Sign in with Keyline Demo LLP" in page and "/sso/oidc/start/" in page


def test_authorization_request_uses_pkce_state_and_nonce(provider):
    query = parse_qs(urlparse(start(HttpClient())).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and query["client_id"] == ["keyline"]


def test_known_person_signs_in_matched_by_email_and_group_maps_to_role(provider):
    AttributeMapping.objects.create(claim="groups", value="Keyline-BD", role=Role.BD)
    jane = UserFactory(email="jane.doe@firm.example", role=Role.PARTNER)
    http = HttpClient()
    response = sign_in(http, provider, "jane-sub")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(http) == "jane.doe@firm.example"
    jane.refresh_from_db()
    assert jane.role == Role.BD
    assert ExternalIdentity.objects.get(user=jane, provider=Provider.OIDC).subject == "jane-sub"
    assert AuditEntry.objects.filter(kind=Kind.SIGN_IN, actor=jane, detail__method="oidc").exists()


def test_unknown_person_is_refused_when_just_in_time_creation_is_off(provider):
    http = HttpClient()
    response = sign_in(http, provider, "newcomer-sub")
    assert response.status_code == 403
    assert "no Keyline account" in response.content.decode()
    assert not User.objects.filter(email="new.joiner@firm.example").exists()
    assert signed_in_as(http) is None
    assert AuditEntry.objects.filter(kind=Kind.SSO_ERROR, summary__contains="just-in-time").exists()


def test_unknown_person_is_created_just_in_time_when_switched_on(provider, oidc_settings):
    oidc_settings.SSO_JIT_CREATE = True
    AttributeMapping.objects.create(claim="groups", value="Keyline-BD", role=Role.BD)
    http = HttpClient()
    assert sign_in(http, provider, "newcomer-sub").status_code == 302
    user = User.objects.get(email="new.joiner@firm.example")
    assert user.role == Role.BD and user.full_name == "New Joiner" and not user.has_usable_password()


def test_deactivated_person_is_refused(provider):
    UserFactory(email="leaver@firm.example", is_active=False)
    http = HttpClient()
    response = sign_in(http, provider, "leaver-sub")
    assert response.status_code == 403 and "deactivated" in response.content.decode()
    assert signed_in_as(http) is None


def test_wrong_state_is_refused(provider):
    UserFactory(email="jane.doe@firm.example")
    http = HttpClient()
    back = provider.sign_in(start(http), "jane-sub")
    query = parse_qs(urlparse(back).query)
    forged = f"/sso/oidc/callback/?{urlencode({'code': query['code'][0], 'state': 'forged-state'})}"
    response = http.get(forged)
    assert response.status_code == 400 and "state" in response.content.decode()
    assert signed_in_as(http) is None


def test_a_callback_cannot_be_replayed(provider):
    UserFactory(email="jane.doe@firm.example")
    http = HttpClient()
    back = provider.sign_in(start(http), "jane-sub").removeprefix("http://testserver")
    assert http.get(back).status_code == 302
    http.post("/logout/")
    assert http.get(back).status_code == 400  # the state was used up


def test_wrong_nonce_is_refused(provider):
    UserFactory(email="jane.doe@firm.example")
    http = HttpClient()
    back = provider.sign_in(start(http), "jane-sub")
    session = http.session
    for state in session["oidc_states"]:
        session["oidc_states"][state]["nonce"] = "not-the-nonce-sent"
    session.save()
    response = http.get(back.removeprefix("http://testserver"))
    assert response.status_code == 400 and "Nonce" in response.content.decode()
    assert signed_in_as(http) is None


@pytest.fixture
def backend(provider):
    backend = KeylineOIDCBackend()
    backend._configure()
    return backend


def claims(provider, **changes):
    now = int(time.time())
    return {"iss": provider.issuer, "aud": "keyline", "sub": "jane-sub", "nonce": "n", "iat": now, "exp": now + 300} | (
        changes
    )


def test_a_token_signed_by_the_providers_key_with_the_right_claims_is_accepted(provider, backend):
    assert backend.verify_token(provider.sign(claims(provider)), nonce="n")["sub"] == "jane-sub"


def test_wrong_audience_is_refused(provider, backend):
    with pytest.raises(SuspiciousOperation, match="audience"):
        backend.verify_token(provider.sign(claims(provider, aud="another-app")), nonce="n")


def test_wrong_issuer_is_refused(provider, backend):
    with pytest.raises(SuspiciousOperation, match="issuer"):
        backend.verify_token(provider.sign(claims(provider, iss="http://127.0.0.1:1")), nonce="n")


def test_expired_token_is_refused(provider, backend):
    stale = int(time.time()) - 3600
    with pytest.raises(Exception, match="xpired"):
        backend.verify_token(provider.sign(claims(provider, iat=stale - 300, exp=stale)), nonce="n")


def test_bad_signature_is_refused(provider, backend):
    _, stranger = new_jwk("test-key-1")  # same key id, another key: a forged token
    with pytest.raises(SuspiciousOperation, match="verification failed"):
        backend.verify_token(provider.sign(claims(provider), key=stranger), nonce="n")


def test_wrong_nonce_in_token_is_refused(provider, backend):
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(provider.sign(claims(provider)), nonce="another")


def test_local_password_refused_when_local_sign_in_is_off_except_break_glass(settings, password):
    settings.LOCAL_LOGIN_ENABLED = False
    settings.BREAK_GLASS_EMAILS = ["glass@firm.example"]
    UserFactory(email="partner@firm.example")
    UserFactory(email="glass@firm.example", role=Role.ADMIN)
    http = HttpClient()
    refused = http.post("/login/", {"username": "partner@firm.example", "password": password})
    assert refused.status_code == 200 and "Password sign-in is switched off" in refused.content.decode()
    assert signed_in_as(http) is None
    assert http.post("/login/", {"username": "glass@firm.example", "password": password}).status_code == 302
    assert AuditEntry.objects.filter(kind=Kind.SIGN_IN_FAILED, detail__reason="local sign-in off").exists()


def test_a_deactivated_sso_sessions_next_request_is_refused(provider):
    jane = UserFactory(email="jane.doe@firm.example")
    http = HttpClient()
    sign_in(http, provider, "jane-sub")
    assert signed_in_as(http) == "jane.doe@firm.example"
    User.objects.filter(pk=jane.pk).update(is_active=False)  # even without ending the session
    assert http.get("/clients/").status_code == 302
