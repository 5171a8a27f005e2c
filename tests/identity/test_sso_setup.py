"""The single sign-on set-up page: the exact values an administrator types into the identity
provider's console, the configuration in force (never a secret), and the claim/group mapping."""

import pytest

from accounts.models import Role
from identity.models import AttributeMapping

pytestmark = pytest.mark.django_db


def test_admin_sees_the_values_to_register_and_the_mapping(ada, login, settings):
    settings.OIDC_DISCOVERY_URL = "https://login.example/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = "keyline-app"
    settings.OIDC_RP_CLIENT_SECRET = "very-secret-value"
    settings.SAML_SP_ENTITY_ID = ""
    AttributeMapping.objects.create(claim="groups", value="Keyline BD", role=Role.BD)
    page = login(ada).get("/sso/setup/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "http://testserver/sso/oidc/callback/" in body
    assert "http://testserver/sso/saml/metadata/" in body  # the entity ID defaults to the metadata URL
    assert "http://testserver/sso/saml/acs/" in body
    assert "http://testserver/scim/v2<" in body
    assert ("keyline-app" in body and "Keyline BD" in body and "Business development" in body) or "BD" in body
    assert "very-secret-value" not in body and "set (not shown)" in body


def test_only_administrators_see_it(alice, carol, mike, login):
    for person in (alice, carol, mike):
        assert login(person).get("/sso/setup/").status_code == 403
