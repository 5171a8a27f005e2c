"""The comments and documents API: token auth, the same wall as the pages, files only when clean."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Notification
from accounts.services_tokens import api_token_create
from planning.models import PanelAppointment
from tests.factories import AccountPlanFactory, ActionFactory
from tests.workflow.conftest import EICAR
from workflow.models import Comment, Document, DocumentVersion

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def api():
    def _api(user):
        http = APIClient()
        http.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=user, name='test')[1]}")
        return http

    return _api


def test_posting_a_comment_with_a_mention_notifies_and_lists(normal_client, alice, carol, api):
    action = ActionFactory(plan=AccountPlanFactory(client=normal_client), owner=alice)
    http = api(alice)
    response = http.post(
        "/api/comments/",
        {"subject_kind": "action", "subject_id": action.pk, "body": "@Carol Bd please price this"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "action" and body["client"] == normal_client.pk and body["mentions"] == [carol.pk]
    assert Notification.objects.filter(user=carol, title__contains="mentioned you").count() == 1
    reply = http.post(
        "/api/comments/",
        {"subject_kind": "action", "subject_id": action.pk, "body": "Done", "parent": body["id"]},
        format="json",
    )
    assert reply.status_code == 201 and reply.json()["parent"] == body["id"]
    listed = api(carol).get(f"/api/comments/?subject_kind=action&subject_id={action.pk}").json()
    assert [row["body"] for row in listed["results"]] == ["@Carol Bd please price this", "Done"]


def test_the_wall_holds_for_comments(confidential_client, crp_of_wall, bob, api):
    plan = AccountPlanFactory(client=confidential_client)
    insider = api(crp_of_wall)
    refused = insider.post(
        "/api/comments/", {"subject_kind": "plan", "subject_id": plan.pk, "body": "Ask @Bob Outsider"}, format="json"
    )
    assert refused.status_code == 400
    assert "Bob Outsider cannot be mentioned here" in refused.json()["body"][0]
    insider.post("/api/comments/", {"subject_kind": "plan", "subject_id": plan.pk, "body": "Fine"}, format="json")
    comment = Comment.objects.get()
    outsider = api(bob)
    assert outsider.get("/api/comments/").json()["count"] == 0
    assert outsider.get(f"/api/comments/{comment.pk}/").status_code == 404
    hidden = outsider.post(
        "/api/comments/", {"subject_kind": "plan", "subject_id": plan.pk, "body": "let me in"}, format="json"
    )
    missing = outsider.post(
        "/api/comments/", {"subject_kind": "plan", "subject_id": plan.pk + 9999, "body": "x"}, format="json"
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json() == {"subject_id": ["No such account plan."]}
    assert Comment.objects.count() == 1


def test_bad_comment_input_gets_field_errors(normal_client, alice, api):
    http = api(alice)
    response = http.post("/api/comments/", {"subject_kind": "panel", "subject_id": 1, "body": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"subject_kind", "body"}
    assert not Comment.objects.exists()


def upload(http, subject_kind, pk, name, data, **fields):
    return http.post(
        "/api/documents/",
        {"subject_kind": subject_kind, "subject_id": pk, "file": SimpleUploadedFile(name, data), **fields},
        format="multipart",
    )


def test_a_document_uploads_lists_and_downloads_through_the_api(normal_client, alice, bob, api, scanner_on):
    panel = PanelAppointment.objects.create(client=normal_client, panel_name="Legal panel")
    response = upload(api(alice), "panel", panel.pk, "Panel contract.pdf", PDF, kind="panel_contract")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "panel" and body["title"] == "Panel contract.pdf"
    assert body["versions"][0]["scan_status"] == "clean" and body["versions"][0]["downloadable"] is True
    reader = api(bob)  # outside the team, no wall: may read, not attach
    download = reader.get(f"/api/documents/{body['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="Panel contract.pdf"'
    assert b"".join(download.streaming_content) == PDF
    assert reader.get(f"/api/documents/{body['id']}/download/?version=2").status_code == 404
    assert upload(reader, "panel", panel.pk, "mine.pdf", PDF).status_code == 403
    assert reader.get(f"/api/documents/?subject_kind=panel&subject_id={panel.pk}").json()["count"] == 1


def test_an_infected_or_lying_file_is_refused_with_a_field_error(normal_client, alice, api, scanner_on):
    http = api(alice)
    infected = upload(http, "client", normal_client.pk, "notes.txt", EICAR)
    assert infected.status_code == 400 and "contains a virus" in infected.json()["file"][0]
    lying = upload(http, "client", normal_client.pk, "contract.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    assert lying.status_code == 400 and "does not match its .pdf name" in lying.json()["file"][0]
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_a_confidential_document_never_reaches_an_outsider(
    confidential_client, crp_of_wall, bob, carol, api, scanner_on
):
    plan = AccountPlanFactory(client=confidential_client)
    created = upload(api(crp_of_wall), "plan", plan.pk, "recovery.pdf", PDF).json()
    for outsider in (bob, carol):
        http = api(outsider)
        assert http.get("/api/documents/").json()["count"] == 0
        assert http.get(f"/api/documents/{created['id']}/").status_code == 404
        assert http.get(f"/api/documents/{created['id']}/download/").status_code == 404
        assert http.get(f"/api/documents/{created['id'] + 999}/download/").status_code == 404
        refused = upload(http, "plan", plan.pk, "x.pdf", PDF)
        assert refused.status_code == 400 and refused.json() == {"subject_id": ["No such account plan."]}
    assert Document.objects.count() == 1


def test_the_schema_documents_both_endpoints(alice, api):
    schema = api(alice).get("/api/schema/?format=json").json()
    assert "/api/comments/" in schema["paths"] and "/api/documents/{id}/download/" in schema["paths"]
    assert "multipart/form-data" in schema["paths"]["/api/documents/"]["post"]["requestBody"]["content"]
