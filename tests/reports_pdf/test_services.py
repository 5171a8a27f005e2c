"""Requesting, rendering, retrying and scheduling reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Notification
from reports.models import Report, ReportStatus
from reports.pdf import services, tasks
from reports.pdf.periods import Quarter
from tests.factories import ClientFactory, OfficeFactory, UserFactory
from tests.reports_pdf.conftest import pdf_pages, review_record

pytestmark = pytest.mark.django_db


def request_review(user, client, capture, quarter="2026-Q3"):
    with capture(execute=True):
        report = services.report_request(
            actor=user,
            kind="account_review",
            scope={"type": "client", "id": client.pk},
            quarter=quarter,
        )
    report.refresh_from_db()
    return report


def test_a_request_is_rendered_and_stored_once_committed(rich_client, alice, django_capture_on_commit_callbacks):
    report = request_review(alice, rich_client, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE and report.progress == 100
    assert report.title == "Account review: Harbour Energy plc"
    assert report.pages >= 4 and report.file_size > 1000
    assert report.file.read(5) == b"%PDF-"


def test_nothing_renders_before_the_request_commits(rich_client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request(
            actor=alice,
            kind="account_review",
            scope={"type": "client", "id": rich_client.pk},
            quarter="2026-Q3",
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and len(callbacks) == 1


def test_stored_file_name_is_not_guessable(rich_client, alice, django_capture_on_commit_callbacks):
    first = request_review(alice, rich_client, django_capture_on_commit_callbacks)
    second = request_review(alice, rich_client, django_capture_on_commit_callbacks)
    for report in (first, second):
        stem = report.file.name.rsplit("/", 1)[-1].removesuffix(".pdf")
        assert len(stem) >= 40 and str(report.pk) not in report.file.name
    assert first.file.name != second.file.name


def test_running_the_task_again_for_a_done_report_does_nothing(rich_client, alice, django_capture_on_commit_callbacks):
    report = request_review(alice, rich_client, django_capture_on_commit_callbacks)
    finished_at, name = report.finished_at, report.file.name
    assert tasks.render_report(str(report.pk)) is None
    report.refresh_from_db()
    assert (report.finished_at, report.file.name, report.status) == (finished_at, name, "done")


def test_a_killed_render_is_retried_to_the_same_result(rich_client, alice, django_capture_on_commit_callbacks):
    reference = request_review(alice, rich_client, django_capture_on_commit_callbacks)
    killed = review_record(alice, rich_client)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    Report.objects.filter(pk=killed.pk).update(status=ReportStatus.RENDERING, started_at=long_ago, progress=50)
    assert tasks.render_report(str(killed.pk)) == ReportStatus.DONE
    killed.refresh_from_db()
    assert pdf_pages(killed.file.read()) == pdf_pages(reference.file.read())


def test_a_render_killed_after_storing_its_pdf_leaves_one_file(rich_client, alice):
    killed = review_record(alice, rich_client)
    storage = killed.file.storage
    left_behind = storage.save("reports/left-by-a-killed-render.pdf", ContentFile(b"%PDF-1.7 cut"))
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    Report.objects.filter(pk=killed.pk).update(
        status=ReportStatus.RENDERING, started_at=long_ago, progress=95, file=left_behind
    )
    assert tasks.render_report(str(killed.pk)) == ReportStatus.DONE
    killed.refresh_from_db()
    assert killed.file.name != left_behind and not storage.exists(left_behind)
    assert killed.file.read(5) == b"%PDF-"


def test_a_render_still_running_is_not_claimed_twice(rich_client, alice):
    running = review_record(alice, rich_client)
    Report.objects.filter(pk=running.pk).update(status=ReportStatus.RENDERING, started_at=timezone.now())
    assert tasks.render_report(str(running.pk)) is None
    running.refresh_from_db()
    assert running.status == ReportStatus.RENDERING and not running.file


def test_a_report_that_loses_its_scope_fails_with_the_reason_and_can_be_retried(
    rich_client, alice, django_capture_on_commit_callbacks
):
    report = review_record(alice, rich_client)
    rich_client.confidential = True
    rich_client.save()
    other = UserFactory()
    Report.objects.filter(pk=report.pk).update(requested_by=other)
    tasks.render_report(str(report.pk))
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "No client you can see" in report.error
    Report.objects.filter(pk=report.pk).update(requested_by=alice)
    report.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(actor=alice, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.error == ""


def test_only_failed_reports_can_be_retried(rich_client, alice, django_capture_on_commit_callbacks):
    report = request_review(alice, rich_client, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="Only a failed report"):
        services.report_retry(actor=alice, report=report)


def test_the_requester_is_notified_when_the_report_is_ready(rich_client, alice, django_capture_on_commit_callbacks):
    report = request_review(alice, rich_client, django_capture_on_commit_callbacks)
    note = Notification.objects.get(user=alice)
    assert note.title == "Your report is ready: Account review: Harbour Energy plc"
    assert note.url == f"/reports/{report.pk}/"


def test_a_future_quarter_is_refused(rich_client, alice):
    future = Quarter(timezone.localdate().year + 1, 1)
    with pytest.raises(ValidationError) as error:
        services.report_request(
            actor=alice,
            kind="account_review",
            scope={"type": "client", "id": rich_client.pk},
            quarter=future.code,
        )
    assert "is in the future" in error.value.message_dict["quarter"][0]
    assert not Report.objects.exists()


def test_a_malformed_quarter_is_refused(rich_client, alice):
    with pytest.raises(ValidationError) as error:
        services.report_request(
            actor=alice,
            kind="account_review",
            scope={"type": "client", "id": rich_client.pk},
            quarter="autumn",
        )
    assert "YYYY-Qn" in error.value.message_dict["quarter"][0]


def test_an_empty_scope_is_refused(mike):
    empty_office = OfficeFactory(name="Edinburgh")
    with pytest.raises(ValidationError) as error:
        services.report_request(
            actor=mike,
            kind="quarterly_pack",
            scope={"type": "office", "id": empty_office.pk},
            quarter="2026-Q3",
        )
    assert "no active client" in error.value.message_dict["scope"][0]


def test_a_scope_the_user_may_not_see_is_refused(confidential_client, crp_of_wall, bob):
    with pytest.raises(ValidationError) as error:
        services.report_request(
            actor=bob,
            kind="quarterly_pack",
            scope={"type": "crp", "id": crp_of_wall.pk},
            quarter="2026-Q3",
        )
    assert error.value.message_dict["scope"] == [
        "This scope has no active client you may see, so the pack would be empty."
    ]


def test_an_account_review_of_a_walled_client_is_refused_to_an_outsider(confidential_client, bob):
    with pytest.raises(ValidationError) as error:
        services.report_request(
            actor=bob,
            kind="account_review",
            scope={"type": "client", "id": confidential_client.pk},
            quarter="2026-Q3",
        )
    assert error.value.message_dict["scope"] == ["No client you can see has that id."]


def test_the_schedule_makes_a_firm_pack_for_each_managing_partner_once(
    rich_client, mike, django_capture_on_commit_callbacks
):
    second = UserFactory(role="managing_partner", full_name="Mia Managing")
    ClientFactory(name="Led By Mia plc", crp=second)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.quarterly_packs_generate(quarter=Quarter(2026, 3))
    assert sorted((r.requested_by.full_name, r.scope["type"]) for r in created) == [
        ("Mia Managing", "crp"),
        ("Mia Managing", "firm"),
        ("Mike Managing", "firm"),
    ]
    assert all(r.scheduled for r in created)
    assert Report.objects.filter(status=ReportStatus.DONE).count() == 3
    assert Notification.objects.filter(user=mike, title__startswith="Your report is ready").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.quarterly_packs_generate(quarter=Quarter(2026, 3)) == []


def test_the_beat_schedule_runs_the_quarterly_packs_after_each_quarter(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-quarterly-packs"]
    assert entry["task"] == "reports.tasks.generate_quarterly_packs"
    assert entry["schedule"].month_of_year == {1, 4, 7, 10}
