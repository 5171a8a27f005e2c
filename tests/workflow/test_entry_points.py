"""Every object comments or documents attach to has its own way in from the page that shows it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from listening.models import Incident
from planning.models import PanelAppointment
from tests.factories import AccountPlanFactory, ActionFactory, ClientReviewFactory, InteractionFactory
from workflow.models import Comment, Document, DocumentVersion

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_plan_rows_offer_discussion_and_attachments(normal_client, alice, login):
    plan = AccountPlanFactory(client=normal_client)
    action = ActionFactory(plan=plan, owner=alice)
    review = ClientReviewFactory(client=normal_client)
    panel = PanelAppointment.objects.create(client=normal_client, panel_name="Legal panel 2026")
    page = login(alice).get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/comments/plan/{plan.pk}/"' in page
    assert f'href="/comments/action/{action.pk}/"' in page
    assert f'href="/documents/new/plan/{plan.pk}/"' in page
    assert f'href="/documents/new/review/{review.pk}/"' in page
    assert f'href="/documents/new/panel/{panel.pk}/"' in page


def test_a_read_only_viewer_may_discuss_but_is_offered_no_upload(normal_client, bob, login):
    plan = AccountPlanFactory(client=normal_client)
    review = ClientReviewFactory(client=normal_client)
    page = login(bob).get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/comments/plan/{plan.pk}/"' in page
    assert f'href="/documents/new/review/{review.pk}/"' not in page


def test_the_timeline_and_the_incident_list_lead_to_their_threads(normal_client, alice, carol, login):
    interaction = InteractionFactory(client=normal_client)
    incident = Incident.objects.create(
        client=normal_client, title="Missed filing", severity="major", owner=alice, occurred_on=timezone.localdate()
    )
    http = login(alice)
    timeline = http.get(f"/clients/{normal_client.pk}/interactions/").content.decode()
    assert f'href="/comments/interaction/{interaction.pk}/"' in timeline
    client_page = http.get(f"/clients/{normal_client.pk}/").content.decode()
    assert f'href="/comments/incident/{incident.pk}/"' in client_page
    response = http.post(f"/comments/incident/{incident.pk}/", {"body": "@Carol Bd the root cause is resourcing"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.client == normal_client and list(comment.mentions.all()) == [carol]
    thread = login(carol).get(f"/comments/incident/{incident.pk}/").content.decode()
    assert "the root cause is resourcing" in thread and "Missed filing" in thread


def test_an_outsider_cannot_reach_a_confidential_incident_or_interaction_thread(
    confidential_client, crp_of_wall, bob, login
):
    incident = Incident.objects.create(
        client=confidential_client,
        title="Walled incident",
        severity="critical",
        owner=crp_of_wall,
        occurred_on=timezone.localdate(),
    )
    interaction = InteractionFactory(client=confidential_client)
    outsider = login(bob)
    for kind, pk in (("incident", incident.pk), ("interaction", interaction.pk)):
        assert outsider.get(f"/comments/{kind}/{pk}/").status_code == 404
        assert outsider.post(f"/comments/{kind}/{pk}/", {"body": "hello"}).status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize("kind", ["panel", "review"])
def test_a_document_attached_to_a_panel_or_review_is_walled(
    kind, confidential_client, crp_of_wall, alice, bob, carol, login, scanner_on
):
    if kind == "panel":
        obj = PanelAppointment.objects.create(client=confidential_client, panel_name="Nightjar panel")
    else:
        obj = ClientReviewFactory(client=confidential_client)
    form = login(crp_of_wall).get(f"/documents/new/{kind}/{obj.pk}/")
    assert form.status_code == 200
    response = login(crp_of_wall).post(
        f"/documents/new/{kind}/{obj.pk}/",
        {"file": SimpleUploadedFile("panel contract.pdf", PDF), "title": "", "kind": "panel_contract"},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.client == confidential_client and document.subject_id == obj.pk
    version = DocumentVersion.objects.get()
    assert login(alice).get(f"/documents/versions/{version.pk}/download/").status_code == 200
    for outsider in (bob, carol):
        http = login(outsider)
        assert http.get(f"/documents/new/{kind}/{obj.pk}/").status_code == 404
        assert http.get(f"/documents/{document.pk}/").status_code == 404
        assert http.get(f"/documents/versions/{version.pk}/download/").status_code == 404
        assert http.get(f"/documents/versions/{version.pk + 999}/download/").status_code == 404
    assert Document.objects.count() == 1
