"""Reports pages and API: list, request, progress, download, retry, and who may see what."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reports.models import Report, ReportStatus
from tests.reports_pdf.conftest import review_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def _api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _api


def post_request(http, capture, **data):
    with capture(execute=True):
        return http.post(reverse("report-list"), data)


def test_nav_has_a_reports_link(alice, login):
    page = login(alice).get(reverse("client-list"))
    assert f'href="{reverse("report-list")}"' in page.content.decode()


def test_reports_page_lists_only_my_reports(rich_client, alice, mike, login):
    mine = review_record(alice, rich_client)
    theirs = review_record(mike, rich_client)
    body = login(alice).get(reverse("report-list")).content.decode()
    assert reverse("report-detail", args=[mine.pk]) in body
    assert reverse("report-detail", args=[theirs.pk]) not in body


def test_reports_page_filters_by_status(rich_client, alice, login):
    done = review_record(alice, rich_client)
    Report.objects.filter(pk=done.pk).update(status=ReportStatus.DONE, title="Finished one")
    review_record(alice, rich_client)
    http = login(alice)
    body = http.get(reverse("report-list"), {"status": "done"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Finished one" in body and "1 report" in body


def test_reports_page_runs_a_constant_number_of_queries(rich_client, alice, login, count_queries):
    http = login(alice)
    url = reverse("report-list")
    review_record(alice, rich_client)
    http.get(url)
    at_one = count_queries(lambda: http.get(url))
    for _ in range(29):
        review_record(alice, rich_client)
    assert count_queries(lambda: http.get(url)) == at_one <= 14


def test_requesting_a_pack_from_the_page_renders_it_and_shows_the_download(
    rich_client, mike, login, django_capture_on_commit_callbacks
):
    http = login(mike)
    response = post_request(
        http,
        django_capture_on_commit_callbacks,
        kind="quarterly_pack",
        scope="firm",
        quarter="2026-Q3",
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("report-detail", args=[report.pk])
    page = http.get(response.url).content.decode()
    assert reverse("report-download", args=[report.pk]) in page
    assert 'hx-trigger="every 1s"' not in page


def test_the_page_refuses_a_future_quarter_with_a_field_error(
    rich_client, mike, login, django_capture_on_commit_callbacks
):
    response = post_request(
        login(mike),
        django_capture_on_commit_callbacks,
        kind="quarterly_pack",
        scope="firm",
        quarter="2099-Q1",
    )
    assert response.status_code == 400
    assert "Q1 2099 is in the future" in response.content.decode()
    assert not Report.objects.exists()


def test_the_page_refuses_a_client_the_user_may_not_see(
    confidential_client, bob, login, django_capture_on_commit_callbacks
):
    response = post_request(
        login(bob),
        django_capture_on_commit_callbacks,
        kind="account_review",
        scope=f"client:{confidential_client.pk}",
        quarter="2026-Q3",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "No client you can see has that id." in body and "Nightjar" not in body
    assert not Report.objects.exists()


def test_the_request_form_does_not_offer_walled_clients_to_outsiders(confidential_client, normal_client, bob, login):
    body = login(bob).get(reverse("report-list")).content.decode()
    assert normal_client.name in body and "Nightjar" not in body


def test_progress_polls_while_the_report_renders(rich_client, alice, login):
    report = review_record(alice, rich_client)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, progress=40)
    body = login(alice).get(reverse("report-detail", args=[report.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="40"' in body
    assert "<html" not in body


def test_a_failed_report_shows_its_error_and_a_retry_button(
    rich_client, alice, login, django_capture_on_commit_callbacks
):
    report = review_record(alice, rich_client)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="The report took too long.")
    http = login(alice)
    body = http.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "The report took too long." in body and reverse("report-retry", args=[report.pk]) in body
    with django_capture_on_commit_callbacks(execute=True):
        http.post(reverse("report-retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_download_serves_the_pdf_to_its_requester_only(
    rich_client, alice, mike, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(alice).post(
            reverse("report-list"),
            {"kind": "account_review", "scope": f"client:{rich_client.pk}", "quarter": "2026-Q3"},
        )
    report = Report.objects.get()
    url = reverse("report-download", args=[report.pk])
    response = login(alice).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "no-store" in response["Cache-Control"]
    assert login(mike).get(url).status_code == 404


def test_an_account_review_is_no_longer_served_once_its_client_is_walled_off(
    rich_client, bob, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(bob).post(
            reverse("report-list"),
            {"kind": "account_review", "scope": f"client:{rich_client.pk}", "quarter": "2026-Q3"},
        )
    report = Report.objects.get(status=ReportStatus.DONE)
    rich_client.confidential = True
    rich_client.save()
    assert login(bob).get(reverse("report-download", args=[report.pk])).status_code == 404


def test_unknown_report_ids_are_404(alice, login):
    http = login(alice)
    assert http.get("/reports/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert http.get("/reports/not-a-uuid/download/").status_code == 404


def test_api_requests_polls_and_downloads_a_report(rich_client, alice, api, django_capture_on_commit_callbacks):
    client = api(alice)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/reports/",
            {
                "kind": "account_review",
                "scope": {"type": "client", "id": rich_client.pk},
                "quarter": "2026-Q3",
            },
            format="json",
        )
    assert created.status_code == 201
    polled = client.get(f"/api/reports/{created.data['id']}/").json()
    assert polled["status"] == "done" and polled["progress"] == 100 and polled["download_url"]
    download = client.get(f"/api/reports/{created.data['id']}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_api_refuses_a_future_quarter_with_a_field_error(rich_client, alice, api):
    response = api(alice).post(
        "/api/reports/",
        {
            "kind": "account_review",
            "scope": {"type": "client", "id": rich_client.pk},
            "quarter": "2099-Q4",
        },
        format="json",
    )
    assert response.status_code == 400 and "quarter" in response.json()


def test_api_hides_other_peoples_reports(rich_client, alice, mike, api):
    report = review_record(mike, rich_client)
    client = api(alice)
    assert client.get(f"/api/reports/{report.pk}/").status_code == 404
    assert client.get("/api/reports/").json()["count"] == 0


def test_api_schema_describes_the_reports_endpoints(alice, api):
    schema = api(alice).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/reports/" in schema["paths"] and "/api/reports/{id}/download/" in schema["paths"]


def test_a_link_can_prefill_the_request_form_for_an_account_review(normal_client, alice, login):
    url = reverse("report-list") + f"?kind=account_review&scope=client:{normal_client.pk}"
    body = login(alice).get(url).content.decode()
    assert f'<option value="client:{normal_client.pk}" selected>' in body
    assert '<option value="account_review" selected>' in body


def test_client_page_offers_a_one_click_account_review(rich_client, alice, login, django_capture_on_commit_callbacks):
    http = login(alice)
    page = http.get(rich_client.get_absolute_url()).content.decode()
    assert "Create the account review" in page and f'value="client:{rich_client.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("report-list"),
            {"kind": "account_review", "scope": f"client:{rich_client.pk}", "quarter": "2026-Q3"},
        )
    assert response.status_code == 302
    assert Report.objects.get().status == ReportStatus.DONE


def test_a_stalled_render_stops_polling_and_offers_a_retry(rich_client, alice, login):
    import datetime

    from django.utils import timezone

    report = review_record(alice, rich_client)
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, started_at=long_ago)
    body = login(alice).get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "The render stopped before it finished." in body
    assert 'hx-trigger="every 1s"' not in body and reverse("report-retry", args=[report.pk]) in body


def test_api_list_runs_a_constant_number_of_queries(rich_client, alice, api, count_queries):
    client = api(alice)
    review_record(alice, rich_client)
    at_one = count_queries(lambda: client.get("/api/reports/"))
    for _ in range(29):
        review_record(alice, rich_client)
    assert count_queries(lambda: client.get("/api/reports/")) == at_one <= 4
    assert client.get("/api/reports/").json()["count"] == 30


def test_a_report_queued_for_a_while_tells_the_user_it_is_kept(rich_client, alice, login):
    import datetime

    from django.utils import timezone

    report = review_record(alice, rich_client)
    http = login(alice)
    assert (
        "Still waiting for the job queue" not in http.get(reverse("report-detail", args=[report.pk])).content.decode()
    )
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    body = http.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "Still waiting for the job queue" in body and "request is kept" in body
