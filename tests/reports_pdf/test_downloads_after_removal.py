"""A stored report is checked against the wall again at every download, and never outlives it."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Assignment
from reports.models import BEHIND_A_WALL, Report
from reports.pdf import services
from tests.reports_pdf.conftest import give_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def nightjar(confidential_client, crp_of_wall, scorecard):
    return give_data(confidential_client, scorecard=scorecard, owner=crp_of_wall, now_score="30.00")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def rendered(user, kind, scope, capture) -> Report:
    with capture(execute=True):
        report = services.report_request(actor=user, kind=kind, scope=scope, quarter="2026-Q3")
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report


def download(user, report, via, login):
    if via == "page":
        return login(user).get(reverse("report-download", args=[report.pk]))
    return api(user).get(f"/api/reports/{report.pk}/download/")


def take_off_team(user, client):
    Assignment.objects.filter(client=client, user=user, end_date__isnull=True).update(end_date=timezone.localdate())


@pytest.fixture
def alices_pack(nightjar, rich_client, alice, django_capture_on_commit_callbacks):
    return rendered(alice, "quarterly_pack", {"type": "firm"}, django_capture_on_commit_callbacks)


@pytest.fixture
def alices_review(nightjar, alice, django_capture_on_commit_callbacks):
    scope = {"type": "client", "id": nightjar.pk}
    return rendered(alice, "account_review", scope, django_capture_on_commit_callbacks)


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("which", ["alices_pack", "alices_review"])
def test_a_report_downloads_while_its_requester_is_on_the_team(which, via, request, alice, login):
    report = request.getfixturevalue(which)
    response = download(alice, report, via, login)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("which", ["alices_pack", "alices_review"])
def test_a_report_is_refused_once_its_requester_leaves_the_team_and_its_file_is_deleted(
    which, via, request, alice, nightjar, login, django_capture_on_commit_callbacks
):
    report = request.getfixturevalue(which)
    stored = report.file.name
    take_off_team(alice, nightjar)
    with django_capture_on_commit_callbacks(execute=True):
        assert download(alice, report, via, login).status_code == 404
    report.refresh_from_db()
    assert report.withdrawn_at is not None and not report.file
    assert not default_storage.exists(stored)


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_pack_is_refused_once_an_open_client_in_it_is_put_behind_a_wall(
    via, rich_client, carol, login, django_capture_on_commit_callbacks
):
    pack = rendered(carol, "quarterly_pack", {"type": "firm"}, django_capture_on_commit_callbacks)
    rich_client.confidential = True
    rich_client.save()
    assert download(carol, pack, via, login).status_code == 404


def test_the_refusal_is_the_same_answer_as_for_a_report_without_a_file(
    alices_pack, alice, nightjar, rich_client, login
):
    take_off_team(alice, nightjar)
    refused = login(alice).get(reverse("report-download", args=[alices_pack.pk]))
    queued = services.report_request(
        actor=alice,
        kind="account_review",
        scope={"type": "client", "id": rich_client.pk},
        quarter="2026-Q3",
    )
    no_file = login(alice).get(reverse("report-download", args=[queued.pk]))
    assert refused.status_code == no_file.status_code == 404


def test_a_withdrawn_report_stays_withdrawn_after_its_requester_rejoins(alices_pack, alice, nightjar, login):
    take_off_team(alice, nightjar)
    download(alice, alices_pack, "page", login)
    Assignment.objects.create(client=nightjar, user=alice, role="team")
    assert download(alice, alices_pack, "page", login).status_code == 404


def test_the_periodic_sweep_withdraws_reports_nobody_tried_to_download(
    alices_pack, alices_review, alice, mike, nightjar, django_capture_on_commit_callbacks
):
    firm = rendered(mike, "quarterly_pack", {"type": "firm"}, django_capture_on_commit_callbacks)
    take_off_team(alice, nightjar)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_withdraw_unavailable() == 2
    assert set(Report.objects.filter(withdrawn_at__isnull=False).values_list("pk", flat=True)) == {
        alices_pack.pk,
        alices_review.pk,
    }
    firm.refresh_from_db()
    assert firm.file and default_storage.exists(firm.file.name)


def test_the_report_row_says_why_without_naming_the_client(alices_review, alice, nightjar, login):
    take_off_team(alice, nightjar)
    listing = login(alice).get(reverse("report-list")).content.decode()
    detail = login(alice).get(reverse("report-detail", args=[alices_review.pk])).content.decode()
    for page in (listing, detail):
        assert BEHIND_A_WALL in page and "Nightjar" not in page
        assert reverse("report-download", args=[alices_review.pk]) not in page
    body = api(alice).get(f"/api/reports/{alices_review.pk}/").json()
    assert body["available"] is False and body["unavailable_reason"] == BEHIND_A_WALL
    assert body["download_url"] is None and "id" not in body["scope"]
    assert "Nightjar" not in str(api(alice).get("/api/reports/").json())


def test_a_pack_rendered_before_coverage_was_recorded_is_served_only_behind_the_walls(
    alices_pack, alice, mike, login, django_capture_on_commit_callbacks
):
    mikes = rendered(mike, "quarterly_pack", {"type": "firm"}, django_capture_on_commit_callbacks)
    Report.objects.filter(pk__in=[alices_pack.pk, mikes.pk]).update(client_ids=None)
    assert download(alice, alices_pack, "page", login).status_code == 404
    assert download(mike, mikes, "page", login).status_code == 200
