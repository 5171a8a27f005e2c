"""Size limits: an import file's bytes and rows, and the length of free text in every form and the API.
Past a limit the answer is a clear field-level message and nothing changes; an upload is deleted once
its import ends, and its row report stays."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from accounts.models import FREE_TEXT_MAX_LENGTH, Client
from planning.models import ClientReview
from stakeholders.models import ImportJob, Relationship, Stakeholder
from tests.factories import ClientReviewFactory, RelationshipFactory

from .test_import import HEADER, good_file, run, upload  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
TOO_LONG = "x" * (FREE_TEXT_MAX_LENGTH + 1)


@override_settings(STAKEHOLDER_IMPORT_MAX_BYTES=2_000)
def test_an_upload_past_the_byte_limit_is_refused_at_the_form(alice, normal_client, login):
    text = HEADER + "".join(f"E{n},{normal_client.name},Person {n},Title,other,,user,0,1\n" for n in range(100))
    response = login(alice).post(
        reverse("stakeholder-import"),
        {"kind": "stakeholders", "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "an import takes at most" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


@override_settings(STAKEHOLDER_IMPORT_MAX_ROWS=5)
def test_a_file_past_the_row_limit_is_refused_and_its_upload_deleted(alice, normal_client, upload):  # noqa: F811
    text = HEADER + "".join(f"E{n},{normal_client.name},Person {n},Title,other,,user,0,1\n" for n in range(6))
    job = upload(alice, text)
    assert job.status == "failed"
    assert "more than 5 rows" in job.message
    assert job.file.name == ""
    assert not Stakeholder.objects.exists()


def test_the_upload_is_deleted_when_the_import_ends_and_the_row_report_stays(
    alice,
    normal_client,
    upload,  # noqa: F811
    run,  # noqa: F811
    login,
):
    text = good_file(normal_client.name) + f"E4,{normal_client.name},Bad Row,X,emperor,,user,0,1\n"
    job = upload(alice, text)
    stored = job.file.name
    assert stored and job.file.storage.exists(stored)  # kept between the check and the import
    job = run(alice, job, "valid_only")
    assert job.status == "done"
    assert job.file.name == "" and not job.file.storage.exists(stored)
    assert {(e["row"], e["field"]) for e in job.errors} == {(5, "seniority")}
    page = login(alice).get(reverse("stakeholder-import-detail", args=[job.pk])).content.decode()
    assert "emperor" in page


def test_import_row_with_notes_past_the_limit_is_a_row_error(alice, normal_client, upload):  # noqa: F811
    text = f"external_id,client,name,notes\nE1,{normal_client.name},Clara Chief,{TOO_LONG}\n"
    job = upload(alice, text)
    assert {(e["row"], e["field"]) for e in job.errors} == {(2, "notes")}
    assert f"Longer than {FREE_TEXT_MAX_LENGTH:,} characters." in job.errors[0]["message"]


def test_api_refuses_stakeholder_notes_past_the_limit_by_field(alice, ceo, login):
    http = login(alice)
    url = f"/api/stakeholders/{ceo.pk}/"
    response = http.patch(
        url, {"notes": TOO_LONG}, content_type="application/json", HTTP_IF_MATCH=http.get(url).headers["ETag"]
    )
    assert response.status_code == 400
    assert "notes" in response.json()
    assert Stakeholder.objects.get(pk=ceo.pk).notes == ""


def test_page_form_refuses_stakeholder_notes_past_the_limit_by_field(alice, ceo, login):
    response = login(alice).post(
        reverse("stakeholder-detail", args=[ceo.pk]),
        {
            "name": ceo.name,
            "seniority": ceo.seniority,
            "buying_role": ceo.buying_role,
            "attitude": 0,
            "influence": 3,
            "status": "active",
            "notes": TOO_LONG,
            "version": ceo.version,
        },
    )
    assert response.status_code == 200
    assert f"at most {FREE_TEXT_MAX_LENGTH}" in response.context["form"].errors["notes"][0]
    assert Stakeholder.objects.get(pk=ceo.pk).notes == ""


def test_the_service_refuses_it_too(alice, ceo):
    from django.core.exceptions import ValidationError

    from stakeholders import services

    with pytest.raises(ValidationError) as error:
        services.relationship_set(actor=alice, stakeholder=ceo, user=alice, strength=3, notes=TOO_LONG)
    assert "notes" in error.value.message_dict
    assert not Relationship.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "field"), [("relationships", "notes"), ("reviews", "decisions"), ("clients", "notes")]
)
def test_api_refuses_other_free_text_past_the_limit_by_field(prefix, field, alice, ceo, normal_client, login):
    row = {
        "relationships": lambda: RelationshipFactory(stakeholder=ceo, user=alice),
        "reviews": lambda: ClientReviewFactory(client=normal_client),
        "clients": lambda: normal_client,
    }[prefix]()
    http = login(alice)
    url = f"/api/{prefix}/{row.pk}/"
    response = http.patch(
        url, {field: TOO_LONG}, content_type="application/json", HTTP_IF_MATCH=http.get(url).headers["ETag"]
    )
    assert response.status_code == 400
    assert field in response.json()
    model = {"relationships": Relationship, "reviews": ClientReview, "clients": Client}[prefix]
    assert getattr(model.objects.get(pk=row.pk), field) == ""
