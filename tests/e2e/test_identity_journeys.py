"""Signing in through the firm's identity provider in Chromium, and a leaver's session ending."""

import json

import pytest
from django.test import Client as HttpClient

from accounts.models import Role, User
from identity.models import AttributeMapping
from identity.services import scim_token_create
from tests.factories import ClientFactory, UserFactory
from tests.identity.oidc_fixtures import start_provider

ACCOUNTS = {"bea-sub": {"email": "bea@firm.example", "name": "Bea Bd", "groups": ["Keyline-BD"]}}


@pytest.fixture
def provider(live_server, settings):
    running = start_provider([f"{live_server.url}/sso/oidc/callback/"], ACCOUNTS)
    settings.OIDC_DISCOVERY_URL = running.discovery_url
    settings.OIDC_RP_CLIENT_ID = "keyline"
    settings.OIDC_RP_CLIENT_SECRET = "keyline-test-secret"
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


def sign_in_with_the_firm(page, account: str) -> None:
    page.goto("/login/", timeout=30_000)  # the first page of a run may wait on a busy machine
    page.get_by_role("link", name="Sign in with Keyline Demo LLP").click()
    page.locator("input[name=login]").fill(account)  # the provider's own sign-in page
    page.locator("input[name=password]").fill("their-directory-password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_load_state("networkidle")


def test_a_person_whose_group_maps_to_bd_signs_in_and_lands_on_the_dashboard(page, provider):
    AttributeMapping.objects.create(claim="groups", value="Keyline-BD", role=Role.BD)
    bea = UserFactory(email="bea@firm.example", full_name="Bea Bd", role=Role.PARTNER)
    ClientFactory(name="Harbour Energy plc")
    sign_in_with_the_firm(page, "bea-sub")
    assert "/dashboard/" in page.url
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert "Harbour Energy plc" in page.content()
    bea.refresh_from_db()
    assert bea.role == Role.BD


def test_a_deactivated_persons_open_session_is_refused_on_the_next_request(page, provider):
    bea = UserFactory(email="bea@firm.example", full_name="Bea Bd")
    sign_in_with_the_firm(page, "bea-sub")
    page.goto("/clients/")
    assert "/login/" not in page.url
    _, token = scim_token_create(name="Entra ID")
    scim = HttpClient(headers={"Authorization": f"Bearer {token}"})
    patch = {"Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert (
        scim.patch(f"/scim/v2/Users/{bea.pk}", json.dumps(patch), content_type="application/scim+json").status_code
        == 200
    )
    page.goto("/clients/")
    assert "/login/" in page.url
    assert User.objects.get(pk=bea.pk).is_active is False


def test_a_person_signs_in_through_the_saml_idp(page, live_server, settings, tmp_path):
    from tests.identity.saml_fixtures import idp_metadata, idp_server, serve_idp

    settings.SAML_IDP_METADATA = str(tmp_path / "idp.xml")
    (tmp_path / "idp.xml").write_text(idp_metadata(idp_server(tmp_path, "<x/>", name="placeholder")))
    host = live_server.url.removeprefix("http://")
    metadata = HttpClient().get("/sso/saml/metadata/", HTTP_HOST=host).content.decode()
    _, server, httpd = serve_idp(tmp_path, metadata, f"{live_server.url}/sso/saml/acs/")
    try:
        (tmp_path / "idp.xml").write_text(idp_metadata(server))
        AttributeMapping.objects.create(claim="groups", value="Keyline-BD", role=Role.BD)
        sam = UserFactory(email="sam@firm.example", full_name="Sam Saml", role=Role.PARTNER)
        ClientFactory(name="Harbour Energy plc")
        page.goto("/login/")
        page.get_by_role("link", name="Sign in with Keyline Demo LLP (SAML)").click()
        page.get_by_label("Email").fill("sam@firm.example")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Continue to Keyline").click()
        page.wait_for_load_state("networkidle")
        assert "/dashboard/" in page.url
        assert "Harbour Energy plc" in page.content()
        sam.refresh_from_db()
        assert sam.role == Role.BD  # the IdP's group, through the mapping table
    finally:
        httpd.shutdown()
