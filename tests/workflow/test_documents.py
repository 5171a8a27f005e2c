"""Documents: type and size checked by content, ClamAV before storage, served only through the wall."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import AccountPlanFactory
from tests.workflow.conftest import EICAR
from workflow.models import Document, DocumentVersion, ScanStatus

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


def upload(http, kind, pk, name, data, **fields):
    return http.post(
        f"/documents/new/{kind}/{pk}/",
        {
            "file": SimpleUploadedFile(name, data),
            "title": fields.pop("title", ""),
            "kind": "engagement_letter",
            **fields,
        },
    )


def test_an_upload_is_scanned_stored_and_downloads_as_an_attachment(normal_client, alice, login, scanner_on):
    http = login(alice)
    response = upload(http, "client", normal_client.pk, "Engagement letter 2026.pdf", PDF, title="Engagement letter")
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    assert version.scan_status == ScanStatus.CLEAN and version.content_type == "application/pdf"
    download = http.get(f"/documents/versions/{version.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="Engagement letter 2026.pdf"'
    assert b"".join(download.streaming_content) == PDF


def test_clamav_refuses_an_infected_upload_and_keeps_nothing(normal_client, alice, login, scanner_on):
    response = upload(login(alice), "client", normal_client.pk, "notes.txt", EICAR)
    assert response.status_code == 400
    assert "This file contains a virus (Keyline.Test.EICAR.UNOFFICIAL) and was refused." in response.content.decode()
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_a_file_whose_content_lies_about_its_extension_is_refused(normal_client, alice, login):
    http = login(alice)
    response = upload(http, "client", normal_client.pk, "contract.pdf", EXE)
    assert "This file&#x27;s content does not match its .pdf name" in response.content.decode()
    response = upload(http, "client", normal_client.pk, "deck.pptx", PDF)
    assert "does not match its .pptx name" in response.content.decode()
    response = upload(http, "client", normal_client.pk, "rates.csv", EXE)
    assert "is not the text its .csv name says" in response.content.decode()
    assert not Document.objects.exists()


def test_types_not_taken_and_files_too_large_are_refused(normal_client, alice, login, settings):
    http = login(alice)
    assert (
        "Files of this type are not taken" in upload(http, "client", normal_client.pk, "run.exe", EXE).content.decode()
    )
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    assert "larger than the limit of 1 MB" in upload(http, "client", normal_client.pk, "big.pdf", big).content.decode()
    assert not Document.objects.exists()


def test_a_confidential_clients_document_never_downloads_for_an_outsider(
    confidential_client, crp_of_wall, bob, carol, login, scanner_on
):
    plan = AccountPlanFactory(client=confidential_client)
    assert upload(login(crp_of_wall), "plan", plan.pk, "recovery.pdf", PDF).status_code == 302
    version = DocumentVersion.objects.get()
    for outsider in (bob, carol):
        http = login(outsider)
        # guessing the URLs: the same 404 as for an id that does not exist
        assert http.get(f"/documents/versions/{version.pk}/download/").status_code == 404
        assert http.get(f"/documents/{version.document_id}/").status_code == 404
        assert http.get(f"/documents/versions/{version.pk + 1000}/download/").status_code == 404
        assert upload(http, "plan", plan.pk, "x.pdf", PDF).status_code == 404


def test_a_read_only_viewer_may_download_but_not_attach(normal_client, alice, bob, login):
    upload(login(alice), "client", normal_client.pk, "letter.pdf", PDF)
    version = DocumentVersion.objects.get()
    assert login(bob).get(f"/documents/versions/{version.pk}/download/").status_code == 200
    assert upload(login(bob), "client", normal_client.pk, "mine.pdf", PDF).status_code == 403


def test_a_file_stored_while_the_scanner_is_down_waits_for_its_scan(normal_client, alice, login, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-scanner.sock")
    http = login(alice)
    upload(http, "client", normal_client.pk, "letter.pdf", PDF)
    version = DocumentVersion.objects.get()
    assert version.scan_status == ScanStatus.PENDING
    assert http.get(f"/documents/versions/{version.pk}/download/").status_code == 404


def test_versions_are_kept_and_numbered(normal_client, alice, login):
    http = login(alice)
    upload(http, "client", normal_client.pk, "guidelines.pdf", PDF, title="Billing guidelines")
    document = Document.objects.get()
    http.post(f"/documents/{document.pk}/", {"file": SimpleUploadedFile("guidelines-v2.pdf", PDF + b"%v2")})
    assert list(document.versions.order_by("number").values_list("number", "filename")) == [
        (1, "guidelines.pdf"),
        (2, "guidelines-v2.pdf"),
    ]
    page = http.get(f"/documents/{document.pk}/").content.decode()
    assert "guidelines-v2.pdf" in page and "v1" in page


def test_deleting_a_document_removes_its_stored_files(normal_client, alice, login, django_capture_on_commit_callbacks):
    http = login(alice)
    upload(http, "client", normal_client.pk, "letter.pdf", PDF)
    version = DocumentVersion.objects.get()
    storage, name = version.file.storage, version.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert http.post(f"/documents/{version.document_id}/delete/").status_code == 302
    assert not storage.exists(name) and not Document.objects.exists()
