"""A Celery worker killed with SIGKILL in the middle of a task. Nothing acknowledges its message, so
once a new worker starts the broker hands it over (after the visibility timeout, shortened here to
seconds), and the work finishes exactly once: no duplicate rows or files, nothing half-written.

Each test holds a row the task is about to write from a second database session, so the worker
stops at a known point in the middle of its work; it is killed there, the row is let go (the dead
worker's session then ends and its open transaction rolls back), and a new worker is started. Work the
killed worker had marked as running (a report rendering, an import importing) is taken over once that
mark is older than the task could ever take, shortened here to seconds too.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Client, Notification, Role
from health.models import HealthScore, JobStatus, RecomputeJob
from health.services.jobs import recompute_job_create
from health.services.recompute import client_recompute, load_scorecard
from reports.models import Report, ReportStatus
from reports.pdf.periods import last_complete_quarter
from reports.pdf.services import report_request
from stakeholders.models import ImportJob, ImportStatus, Stakeholder
from tests.factories import ClientFactory, StakeholderFactory, UserFactory
from tests.faults.processes import RowLock, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.isolated]

VISIBILITY_TIMEOUT = 2  # seconds before the broker gives an unacknowledged message to another worker
TIMEOUT = 120  # generous: two CPUs under CI load


def kill_while_blocked(worker, held: RowLock, statement: str, row: str) -> None:
    """Once `worker` waits on the held row, SIGKILL it, let the row go, and wait until its database
    session has ended (its open transaction rolled back)."""
    [session] = wait_for(
        lambda: held.blocked_sessions(statement),
        seconds=TIMEOUT,
        what=f"the worker to wait for {row}",
        workers=[worker],
    )
    worker.kill()
    held.release()
    wait_for(lambda: held.session_gone(session), seconds=TIMEOUT, what="the killed worker's session to end")


@pytest.fixture
def held():
    lock = RowLock()
    yield lock
    lock.close()


def stored_pdfs(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*.pdf"))


# --- A quarterly pack ------------------------------------------------------------------------------

PACK_CLIENTS = 12
RENDER_LIMIT = 10  # REPORTS_MAX_RENDER_SECONDS in the workers: a render still marked running after
#                    twice this long was killed, and is taken over


def test_a_pack_render_killed_midway_is_finished_once_by_the_next_worker(mike, workers, media, held):
    crp = UserFactory(role=Role.PARTNER)
    for _ in range(PACK_CLIENTS):
        ClientFactory(crp=crp)
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "REPORTS_MAX_RENDER_SECONDS": str(RENDER_LIMIT)}
    first = workers("first", **env)
    report = report_request(
        actor=mike,
        kind="quarterly_pack",
        scope={"type": "firm"},
        quarter=last_complete_quarter(timezone.localdate()).code,
    )

    # Past 50% the bar follows WeasyPrint's layout page by page: hold the report's row there, so
    # the worker stops at its next progress write, in the middle of laying out the PDF.
    wait_for(
        lambda: Report.objects.filter(pk=report.pk, progress__gt=50).exists(),
        seconds=TIMEOUT,
        what="the layout to start",
        workers=[first],
    )
    [(status, file)] = held.lock("SELECT status, file FROM reports_report WHERE id = %s FOR UPDATE", [report.pk])
    assert (status, file) == (ReportStatus.RENDERING, ""), "the render ended before it could be stopped"
    kill_while_blocked(first, held, 'UPDATE "reports_report"', "the report row")
    killed_at = timezone.now()
    report.refresh_from_db()
    assert (report.status, report.file.name, stored_pdfs(media)) == (ReportStatus.RENDERING, "", [])

    second = workers("second", **env)
    wait_for(
        lambda: Report.objects.filter(pk=report.pk, status__in=[ReportStatus.DONE, ReportStatus.FAILED]),
        seconds=TIMEOUT,
        what="the report to be finished",
        workers=[first, second],
    )
    report.refresh_from_db()
    assert (report.status, report.error, report.progress) == (ReportStatus.DONE, "", 100)
    assert report.started_at > killed_at  # rendered afresh by the new worker, from the start
    assert report.clients_included == PACK_CLIENTS and report.file.read(5) == b"%PDF-"
    assert stored_pdfs(media) == [report.file.name]  # one stored file, the one the report names
    assert Report.objects.count() == 1
    assert Notification.objects.filter(user=mike).count() == 1  # "your report is ready", once

    finished = (report.finished_at, report.file.name)
    time.sleep(2)  # anything else still on its way would have arrived by now
    report.refresh_from_db()
    assert (report.finished_at, report.file.name) == finished and stored_pdfs(media) == [report.file.name]


# --- Recompute-all of the health scores ----------------------------------------------------------------

CLIENTS = 40
BATCH = 5  # HEALTH_RECOMPUTE_BATCH in the workers: each batch commits with the job's progress


def test_a_recompute_all_killed_midway_resumes_on_the_next_worker_and_scores_everyone_once(workers, held):
    crp = UserFactory(role=Role.PARTNER)
    with transaction.atomic():
        ids = sorted(ClientFactory(crp=crp).pk for _ in range(CLIENTS))
    today = timezone.localdate()
    # One client of the fourth batch was rescored earlier today (after an edit, say). Holding its
    # score row stops the recompute in the middle of writing that batch, its transaction open.
    stopper = ids[3 * BATCH + 2]
    client_recompute(client=Client.objects.get(pk=stopper))
    scored_earlier = HealthScore.objects.get(client_id=stopper, as_of=today).computed_at
    held.lock("SELECT 1 FROM health_healthscore WHERE client_id = %s AND as_of = %s FOR UPDATE", [stopper, today])

    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "HEALTH_RECOMPUTE_BATCH": str(BATCH)}
    first = workers("first", **env)
    job = recompute_job_create(reason="Scorecard changed")
    wait_for(
        lambda: RecomputeJob.objects.filter(pk=job.pk, done=3 * BATCH).exists(),
        seconds=TIMEOUT,
        what="three batches to be written",
        workers=[first],
    )
    kill_while_blocked(first, held, "%INSERT INTO health_healthscore", "the score row")

    job.refresh_from_db()
    assert (job.status, job.done, job.last_client_id) == (JobStatus.RUNNING, 3 * BATCH, ids[3 * BATCH - 1])
    before = dict(HealthScore.objects.filter(as_of=today).values_list("client_id", "computed_at"))
    # Three whole batches; of the fourth, nothing (its open transaction died with the worker).
    assert set(before) == set(ids[: 3 * BATCH]) | {stopper}
    assert before[stopper] == scored_earlier

    second = workers("second", **env)
    wait_for(
        lambda: RecomputeJob.objects.filter(pk=job.pk, status__in=[JobStatus.DONE, JobStatus.FAILED]),
        seconds=TIMEOUT,
        what="the job to be finished",
        workers=[first, second],
    )
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.error) == (JobStatus.DONE, CLIENTS, CLIENTS, "")
    scores = HealthScore.objects.filter(as_of=today)
    assert sorted(scores.values_list("client_id", flat=True)) == ids  # exactly one score per client
    after = dict(scores.values_list("client_id", "computed_at"))
    # Resumed after the last whole batch: the batches written before the kill were not redone.
    assert all(after[client_id] == before[client_id] for client_id in ids[: 3 * BATCH])
    assert after[stopper] > scored_earlier
    measures = len(load_scorecard().specs)
    assert all(len(components) == measures for components in scores.values_list("components", flat=True))


# --- A stakeholder import ----------------------------------------------------------------------------

NEW_PEOPLE = 30
STALE_AFTER = 20  # STAKEHOLDER_IMPORT_STALE_SECONDS in the workers: an import still running this long
#                   after its run took it up lost that run, and is taken over


def test_an_import_killed_midway_is_taken_over_by_the_next_worker_and_imports_each_row_once(
    alice, normal_client, login, workers, held
):
    # The file changes one person already in Keyline and adds thirty. Holding that person's row stops
    # the import after it has inserted the new people, in the middle of its one transaction.
    known = StakeholderFactory(client=normal_client, name="Clara Chief", external_id="E0", job_title="CEO")
    lines = [f"E0,{normal_client.name},Clara Chief,Group CEO"]
    lines += [f"E{n},{normal_client.name},Person {n},Analyst" for n in range(1, NEW_PEOPLE + 1)]
    csv = "external_id,client,name,job_title\n" + "\n".join(lines) + "\n"
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "STAKEHOLDER_IMPORT_STALE_SECONDS": str(STALE_AFTER)}
    first = workers("first", **env)
    http = login(alice)
    http.post(
        reverse("stakeholder-import"),
        {"kind": "stakeholders", "file": SimpleUploadedFile("people.csv", csv.encode(), content_type="text/csv")},
    )
    job = ImportJob.objects.get()
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).exists(),
        seconds=TIMEOUT,
        what="the file to be checked",
        workers=[first],
    )

    held.lock("SELECT 1 FROM stakeholders_stakeholder WHERE id = %s FOR UPDATE", [known.pk])
    http.post(reverse("stakeholder-import-run", args=[job.pk]), {"mode": "all_or_nothing"})
    # The import locks the rows it will change (to skip any edited meanwhile) before it writes them.
    kill_while_blocked(first, held, 'SELECT %FROM "stakeholders_stakeholder"%FOR UPDATE', "the known person's row")
    killed_at = timezone.now()
    job.refresh_from_db()
    assert (job.status, job.runs) == (ImportStatus.IMPORTING, 1)  # left running, nothing written:
    assert list(Stakeholder.objects.values_list("external_id", "job_title")) == [("E0", "CEO")]

    # Its message comes back to the new worker, which finds the import running and looks once more
    # when that run counts as lost (or, on a slow machine, finds it lost already); either way it
    # takes the import over and does it from the start.
    second = workers("second", **env)
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.DONE, ImportStatus.FAILED]),
        seconds=TIMEOUT + STALE_AFTER,
        what="the import to be finished",
        workers=[first, second],
    )
    job.refresh_from_db()
    assert (job.status, job.message, job.runs) == (ImportStatus.DONE, "", 2)
    assert (job.created, job.updated, job.unchanged) == (NEW_PEOPLE, 1, 0)
    assert job.claimed_at > killed_at
    people = Stakeholder.objects.filter(client=normal_client)
    assert sorted(people.values_list("external_id", flat=True)) == sorted(f"E{n}" for n in range(NEW_PEOPLE + 1))
    assert people.get(external_id="E0").job_title == "Group CEO"

    finished = job.finished_at
    time.sleep(2)  # anything else still on its way would have arrived by now
    job.refresh_from_db()
    assert (job.finished_at, job.runs) == (finished, 2) and people.count() == NEW_PEOPLE + 1
