"""SAML 2.0 sign-in against pysaml2's IdP: SP- and IdP-initiated, and each refusal (unsigned or badly
signed assertion, wrong audience, expired, replayed, unknown or deactivated person)."""

import pytest
from django.test import Client as HttpClient

from accounts.models import Role
from audit.models import AuditEntry, Kind
from identity.models import AttributeMapping
from tests.factories import UserFactory
from tests.identity.saml_fixtures import answer, idp_metadata, idp_server

pytestmark = pytest.mark.django_db

ACS = "http://testserver/sso/saml/acs/"
SP_ENTITY = "http://testserver/sso/saml/metadata/"


@pytest.fixture
def sp_metadata(settings, tmp_path):
    """Keyline's metadata, as an IdP admin downloads it (read before the IdP exists: a placeholder)."""
    placeholder = idp_server(tmp_path, "<x/>", name="placeholder")
    settings.SAML_IDP_METADATA = str(tmp_path / "idp.xml")
    (tmp_path / "idp.xml").write_text(idp_metadata(placeholder))
    response = HttpClient().get("/sso/saml/metadata/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def idp(settings, tmp_path, sp_metadata):
    server = idp_server(tmp_path, sp_metadata)
    (tmp_path / "idp.xml").write_text(idp_metadata(server))
    return server


def post(http: HttpClient, reply) -> object:
    return http.post("/sso/saml/acs/", {"SAMLResponse": reply.saml_response, "RelayState": reply.relay_state})


def signed_in_as(http: HttpClient):
    response = http.get("/account/sessions/")
    return response.wsgi_request.user.email if response.status_code == 200 else None


def test_metadata_names_the_assertion_consumer_service(sp_metadata):
    assert ACS in sp_metadata and 'WantAssertionsSigned="true"' in sp_metadata


def test_sp_initiated_sign_in_maps_the_group_to_a_role(idp):
    AttributeMapping.objects.create(claim="groups", value="Keyline-BD", role=Role.BD)
    person = UserFactory(email="sam.saml@firm.example")
    http = HttpClient()
    start = http.get("/sso/saml/start/?next=/clients/")
    assert start.status_code == 302 and "SAMLRequest=" in start["Location"]
    reply = answer(
        idp, "Sam.Saml@firm.example", authn_request_url=start["Location"], attributes={"groups": ["Keyline-BD"]}
    )
    response = post(http, reply)
    assert response.status_code == 302 and response["Location"] == "/clients/"
    assert signed_in_as(http) == "sam.saml@firm.example"
    person.refresh_from_db()
    assert person.role == Role.BD
    assert AuditEntry.objects.filter(kind=Kind.SIGN_IN, actor=person, detail__method="saml").exists()


def test_idp_initiated_sign_in(idp):
    UserFactory(email="sam.saml@firm.example")
    http = HttpClient()
    assert post(http, answer(idp, "sam.saml@firm.example", acs=ACS, audience=SP_ENTITY)).status_code == 302
    assert signed_in_as(http) == "sam.saml@firm.example"


def test_a_replayed_assertion_is_refused(idp):
    UserFactory(email="sam.saml@firm.example")
    reply = answer(idp, "sam.saml@firm.example", acs=ACS, audience=SP_ENTITY)
    assert post(HttpClient(), reply).status_code == 302
    again = HttpClient()
    response = post(again, reply)
    assert response.status_code == 400 and "replay" in response.content.decode()
    assert signed_in_as(again) is None


def test_an_unsigned_assertion_is_refused(idp):
    UserFactory(email="sam.saml@firm.example")
    http = HttpClient()
    assert post(http, answer(idp, "sam.saml@firm.example", acs=ACS, audience=SP_ENTITY, sign=False)).status_code == 400
    assert signed_in_as(http) is None


def test_an_assertion_signed_by_another_key_is_refused(idp, tmp_path, sp_metadata):
    UserFactory(email="sam.saml@firm.example")
    impostor = idp_server(tmp_path, sp_metadata, name="impostor")  # same entity id, its own key
    http = HttpClient()
    assert post(http, answer(impostor, "sam.saml@firm.example", acs=ACS, audience=SP_ENTITY)).status_code == 400
    assert signed_in_as(http) is None


def test_wrong_audience_is_refused(idp):
    UserFactory(email="sam.saml@firm.example")
    http = HttpClient()
    reply = answer(idp, "sam.saml@firm.example", acs=ACS, audience="https://another-app.example/metadata")
    assert post(http, reply).status_code == 400
    assert signed_in_as(http) is None


def test_expired_assertion_is_refused(settings, tmp_path, sp_metadata):
    settings.SSO_CLOCK_SKEW_SECONDS = 30
    stale = idp_server(tmp_path, sp_metadata, name="stale", lifetime_minutes=-10)
    (tmp_path / "idp.xml").write_text(idp_metadata(stale))
    UserFactory(email="sam.saml@firm.example")
    http = HttpClient()
    assert post(http, answer(stale, "sam.saml@firm.example", acs=ACS, audience=SP_ENTITY)).status_code == 400
    assert signed_in_as(http) is None


def test_unknown_and_deactivated_people_are_refused(idp):
    UserFactory(email="gone@firm.example", is_active=False)
    unknown = post(HttpClient(), answer(idp, "stranger@firm.example", acs=ACS, audience=SP_ENTITY))
    assert unknown.status_code == 403 and "just-in-time" in unknown.content.decode()
    gone = post(HttpClient(), answer(idp, "gone@firm.example", acs=ACS, audience=SP_ENTITY))
    assert gone.status_code == 403 and "deactivated" in gone.content.decode()
    assert AuditEntry.objects.filter(kind=Kind.SSO_ERROR).count() == 2
