"""SCIM 2.0 provisioning round-trips: create, read, patch, deactivate (never delete), groups mapped to
roles; a deactivated person's sessions and API tokens stop working at once and their open work
appears on BD's leavers list."""

import json

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import ApiToken, Role, User
from accounts.services_tokens import api_token_create
from audit.models import AuditEntry, Kind
from identity.models import AttributeMapping
from identity.services import scim_token_create
from tests.factories import AccountPlanFactory, ActionFactory

pytestmark = pytest.mark.django_db

SCIM = "application/scim+json"


@pytest.fixture
def scim():
    _, raw = scim_token_create(name="Entra ID")
    http = HttpClient(headers={"Authorization": f"Bearer {raw}"})

    def call(method: str, path: str, body: dict | None = None):
        kwargs = {"content_type": SCIM, "data": json.dumps(body)} if body is not None else {}
        return getattr(http, method)(f"/scim/v2/{path}", **kwargs)

    return call


def new_user(**extra) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "Jane.Joiner@Firm.example",
        "externalId": "entra-0001",
        "name": {"givenName": "Jane", "familyName": "Joiner"},
        "title": "Partner",
        "active": True,
        **extra,
    }


def test_scim_refuses_without_a_valid_token():
    assert HttpClient().get("/scim/v2/Users").status_code == 401
    bad = HttpClient(headers={"Authorization": "Bearer scim_nope"}).get("/scim/v2/Users")
    assert bad.status_code == 401 and bad.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_a_session_is_not_a_scim_token(ada, login):
    assert login(ada).get("/scim/v2/Users").status_code in (401, 403)


def test_create_read_and_filter_round_trip(scim):
    created = scim("post", "Users", new_user())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["userName"] == "jane.joiner@firm.example" and body["active"] is True
    assert body["externalId"] == "entra-0001" and body["name"]["formatted"] == "Jane Joiner"
    user = User.objects.get(email="jane.joiner@firm.example")
    assert not user.has_usable_password()
    assert scim("get", f"Users/{user.pk}").json()["id"] == str(user.pk)
    found = scim("get", 'Users?filter=userName eq "JANE.JOINER@firm.example"').json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == str(user.pk)
    assert scim("get", 'Users?filter=externalId eq "entra-0001"').json()["totalResults"] == 1
    assert AuditEntry.objects.filter(kind=Kind.PROVISIONING, subject_user=user).exists()


def test_creating_a_user_twice_is_a_uniqueness_conflict(scim):
    scim("post", "Users", new_user())
    again = scim("post", "Users", new_user())
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"
    assert User.objects.filter(email="jane.joiner@firm.example").count() == 1


def test_bad_user_name_is_refused_and_changes_nothing(scim):
    response = scim("post", "Users", new_user(userName="not-an-email"))
    assert response.status_code == 400 and "userName" in response.json()["detail"]
    assert not User.objects.filter(full_name="Jane Joiner").exists()


def test_patch_replaces_attributes_entra_style(scim):
    pk = scim("post", "Users", new_user()).json()["id"]
    patched = scim(
        "patch",
        f"Users/{pk}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "title", "value": "Senior Partner"},
                {"op": "replace", "value": {"displayName": "Jane Joiner-Smith"}},
            ],
        },
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Senior Partner" and patched.json()["displayName"] == "Jane Joiner-Smith"


def test_deactivation_ends_sessions_and_tokens_at_once_and_keeps_history(scim, normal_client):
    pk = int(scim("post", "Users", new_user()).json()["id"])
    user = User.objects.get(pk=pk)
    browser = HttpClient()
    browser.force_login(user)
    assert browser.get("/clients/").status_code == 200
    _, raw = api_token_create(actor=user, name="sync", days=30)
    api = HttpClient(headers={"Authorization": f"Token {raw}"})
    assert api.get("/api/clients/").status_code == 200

    patched = scim("patch", f"Users/{pk}", {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]})
    assert patched.status_code == 200 and patched.json()["active"] is False

    refused = browser.get("/clients/")
    assert refused.status_code == 302 and "/login/" in refused["Location"]
    assert api.get("/api/clients/").status_code == 401
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert User.objects.filter(pk=pk, is_active=False).exists()  # kept, with its history
    entry = AuditEntry.objects.get(kind=Kind.PROVISIONING, detail__deactivated=True)
    assert entry.detail["sessions"] == 1 and entry.detail["tokens"] == 1


def test_delete_deactivates_and_never_deletes(scim):
    pk = scim("post", "Users", new_user()).json()["id"]
    assert scim("delete", f"Users/{pk}").status_code == 204
    assert User.objects.get(pk=pk).is_active is False
    assert scim("get", f"Users/{pk}").json()["active"] is False


def test_groups_map_to_roles_and_follow_membership(scim):
    AttributeMapping.objects.create(claim="groups", value="Keyline BD", role=Role.BD)
    pk = scim("post", "Users", new_user()).json()["id"]
    group = scim("post", "Groups", {"displayName": "Keyline BD", "members": [{"value": pk}]})
    assert group.status_code == 201
    assert User.objects.get(pk=pk).role == Role.BD
    assert scim("get", f"Users/{pk}").json()["groups"][0]["display"] == "Keyline BD"
    gid = group.json()["id"]
    removed = scim("patch", f"Groups/{gid}", {"Operations": [{"op": "remove", "path": f'members[value eq "{pk}"]'}]})
    assert removed.status_code == 200 and removed.json()["members"] == []
    AttributeMapping.objects.create(claim="groups", value="Keyline Admins", role=Role.ADMIN, priority=1)
    admins = scim("post", "Groups", {"displayName": "Keyline Admins"}).json()["id"]
    scim("patch", f"Groups/{admins}", {"Operations": [{"op": "add", "path": "members", "value": [{"value": pk}]}]})
    assert User.objects.get(pk=pk).role == Role.ADMIN
    assert AuditEntry.objects.filter(kind=Kind.PERMISSION_CHANGE, subject_user_id=pk).count() >= 2


def test_unknown_group_member_is_refused(scim):
    response = scim("post", "Groups", {"displayName": "X", "members": [{"value": "999999"}]})
    assert response.status_code == 400


def test_leavers_list_shows_a_deactivated_crps_roles_and_open_actions(
    scim, normal_client, confidential_client, alice, carol, ada, login
):
    plan = AccountPlanFactory(client=normal_client)
    ActionFactory(plan=plan, owner=alice, description="Call the GC", due_date=timezone.localdate())
    scim("delete", f"Users/{alice.pk}")
    page = login(carol).get("/leavers/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Harbour Energy plc" in text and "transition needed" in text and "Call the GC" in text
    assert "Project Nightjar" not in text  # carol is outside that wall
    assert "Project Nightjar" in login(ada).get("/leavers/").content.decode()


def test_partners_may_not_see_the_leavers_list(bob, login):
    assert login(bob).get("/leavers/").status_code == 403


def test_sign_out_everywhere_ends_other_sessions(alice):
    first, second = HttpClient(), HttpClient()
    first.force_login(alice)
    second.force_login(alice)
    assert second.get("/account/sessions/").status_code == 200
    assert second.post("/account/sessions/").status_code == 302
    assert second.get("/clients/").status_code == 200
    assert first.get("/clients/").status_code == 302
