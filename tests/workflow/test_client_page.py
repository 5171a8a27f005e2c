"""The client page's playbooks, documents and discussion cost the same queries for 1 row or many."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.factories import UserFactory
from workflow.models import Comment, Document, DocumentVersion
from workflow.services.playbooks import signal_fire

pytestmark = pytest.mark.django_db


def add_rows(client, n: int, start: int) -> None:
    client_type = ContentType.objects.get_for_model(client)
    for i in range(start, start + n):
        signal_fire(trigger="detractor", client_id=client.pk, dedupe_key=f"nps:{i}", title=f"Detractor {i}")
        author = UserFactory()
        comment = Comment.objects.create(
            client=client, subject_type=client_type, subject_id=client.pk, author=author, body=f"Note {i}"
        )
        Comment.objects.create(
            client=client, subject_type=client_type, subject_id=client.pk, author=author, body="Re", parent=comment
        )
        document = Document.objects.create(client=client, subject_type=client_type, subject_id=client.pk, title=f"D{i}")
        DocumentVersion.objects.create(
            document=document,
            number=1,
            file=f"documents/x{i}",
            filename="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            scan_status="clean",
        )


def test_the_client_page_runs_a_constant_number_of_queries(
    default_playbooks, normal_client, alice, login, count_queries
):
    http = login(alice)
    add_rows(normal_client, 1, 0)
    http.get(f"/clients/{normal_client.pk}/")  # warm caches (content types, sessions)
    one = count_queries(lambda: http.get(f"/clients/{normal_client.pk}/"))
    add_rows(normal_client, 6, 1)
    page = http.get(f"/clients/{normal_client.pk}/")
    assert page.content.decode().count('data-testid="playbook-run"') == 7
    many = count_queries(lambda: http.get(f"/clients/{normal_client.pk}/"))
    assert many == one
