"""Redis goes away: pages keep working, requested work is kept and queued for later, and it is sent
when Redis is back. Uses a private redis-server so the machine's own Redis is never touched."""

from __future__ import annotations

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from config.queues import HEAVY
from reports.models import Report
from reports.pdf.periods import last_complete_quarter
from reports.pdf.services import reports_requeue_waiting
from stakeholders.models import ImportJob, Stakeholder
from stakeholders.services import import_jobs_requeue_waiting
from tests.faults.processes import wait_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.isolated]
TIMEOUT = 120  # generous: two CPUs under CI load


def test_pages_keep_working_and_work_is_queued_for_when_redis_returns(
    private_redis, mike, normal_client, login, django_capture_on_commit_callbacks
):
    private_redis.stop()
    http = login(mike)
    for url in ["/clients/", f"/clients/{normal_client.pk}/", "/dashboard/", "/overview/"]:
        assert http.get(url).status_code == 200, url

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("report-list"),
            {"kind": "quarterly_pack", "scope": "firm", "quarter": last_complete_quarter(timezone.localdate()).code},
        )
    assert response.status_code == 302  # not a 500: the request is kept
    report = Report.objects.get()
    assert report.status == "queued"

    private_redis.start()
    assert reports_requeue_waiting(older_than_seconds=0) == 1
    assert redis.Redis(port=private_redis.port).llen(HEAVY) == 1  # the render is on the heavy queue now


STAKEHOLDERS_CSV = (
    "external_id,client,name,job_title,seniority,reports_to,buying_role,attitude,influence\n"
    "E1,{client},Clara Chief,CEO,c_suite,,decision_maker,1,5\n"
    "E2,{client},Frank Finance,CFO,c_suite,E1,influencer,0,4\n"
    "E3,{client},Ana Lyst,Analyst,other,Frank Finance,user,0,1\n"
)


@pytest.mark.django_db(transaction=True)  # a real worker reads what this test writes
def test_an_import_asked_for_while_redis_is_down_waits_and_runs_once_when_it_is_back(
    private_redis, workers, alice, normal_client, login
):
    http = login(alice)
    worker = workers("before")
    http.post(
        reverse("stakeholder-import"),
        {
            "kind": "stakeholders",
            "file": SimpleUploadedFile(
                "people.csv", STAKEHOLDERS_CSV.format(client=normal_client.name).encode(), content_type="text/csv"
            ),
        },
    )
    job = ImportJob.objects.get()
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status="previewed").exists(),
        seconds=TIMEOUT,
        what="the file to be checked",
        workers=[worker],
    )
    worker.stop()

    private_redis.stop()
    response = http.post(reverse("stakeholder-import-run", args=[job.pk]), {"mode": "all_or_nothing"})
    assert response.status_code == 302  # not a 500: the import is kept
    job.refresh_from_db()
    assert job.status == "import_queued"
    page = http.get(reverse("stakeholder-import-detail", args=[job.pk]))
    assert page.status_code == 200 and "Waiting to import" in page.content.decode()
    assert import_jobs_requeue_waiting(older_than_seconds=0) == 0  # the sweep cannot send it either
    assert not Stakeholder.objects.exists()

    private_redis.start()  # an empty Redis: the message of the request never reached it
    assert import_jobs_requeue_waiting(older_than_seconds=0) == 1
    # The sweep runs again before a worker takes the job: two messages for one import.
    assert import_jobs_requeue_waiting(older_than_seconds=0) == 1
    queue = redis.Redis(port=private_redis.port)
    assert queue.llen(HEAVY) == 2

    worker = workers("after")
    wait_for(
        lambda: queue.llen(HEAVY) == 0 and queue.hlen("unacked") == 0,
        seconds=TIMEOUT,
        what="both messages to be handled",
        workers=[worker],
    )
    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.unchanged) == ("done", 3, 0, 0)
    assert sorted(Stakeholder.objects.filter(client=normal_client).values_list("external_id", flat=True)) == [
        "E1",
        "E2",
        "E3",
    ]
    assert "Waiting" not in http.get(reverse("stakeholder-import-detail", args=[job.pk])).content.decode()
