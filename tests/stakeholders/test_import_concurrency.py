"""A stakeholder import never overwrites a row someone changed after the import read it, and never
winds a version back: such rows are skipped, kept as the other person left them, and reported.

The edits are real: another connection saves them while the import runs, after the import has
read the rows and before it writes them.
"""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse

from stakeholders import services
from stakeholders.models import ImportJob, ImportMode, ImportStatus, Stakeholder
from stakeholders.tasks import run_import_job
from tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 20
EDITED = [2, 5, 11, 17]  # the rows another person changes while the import runs


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _in_thread(target) -> threading.Thread:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.errors = errors
    thread.start()
    return thread


@pytest.fixture
def people(normal_client):
    return [
        StakeholderFactory(
            client=normal_client, external_id=f"E{n}", name=f"Person {n}", job_title="Old title", notes="Before"
        )
        for n in range(PEOPLE)
    ]


@pytest.fixture
def queued_import(alice, normal_client, people) -> ImportJob:
    """A checked file that changes every person's title and adds three, waiting for its import to run."""
    lines = ["external_id,client,name,job_title,notes"]
    lines += [f"E{n},{normal_client.name},Person {n},New title,From the file" for n in range(PEOPLE)]
    lines += [f"N{n},{normal_client.name},Newcomer {n},Analyst," for n in range(3)]
    upload = SimpleUploadedFile("people.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")
    job = services.import_job_start(actor=alice, kind="stakeholders", upload=upload)
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED, job.message
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORT_QUEUED, mode=ImportMode.ALL_OR_NOTHING)
    return job


def test_edits_saved_while_an_import_runs_are_kept_skipped_and_reported(alice, people, queued_import, login):
    read = {person.pk: person.version for person in people}
    edits_held, release = threading.Event(), threading.Event()

    def edit_while_the_import_runs() -> None:
        with transaction.atomic():
            for n in EDITED:  # twice each: a wound-back version would show
                for text in ["First edit", f"Edited during the import {n}"]:
                    person = Stakeholder.objects.get(pk=people[n].pk)
                    services.stakeholder_update(
                        actor=alice, stakeholder=person, expected_version=person.version, notes=text
                    )
            edits_held.set()
            assert release.wait(30)

    editor = _in_thread(edit_while_the_import_runs)
    assert edits_held.wait(30)
    importer = _in_thread(lambda: run_import_job(queued_import.pk))
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock():  # the import has read the rows and now wants to write them
        assert time.monotonic() < deadline, "the import never reached the edited rows"
        time.sleep(0.05)
    release.set()
    editor.join(60)
    importer.join(60)
    assert not editor.errors and not importer.errors, editor.errors + importer.errors

    job = ImportJob.objects.get(pk=queued_import.pk)
    assert job.status == ImportStatus.DONE
    assert (job.created, job.updated, job.changed_meanwhile) == (3, PEOPLE - len(EDITED), len(EDITED))
    assert job.skipped == len(EDITED)
    reported = {entry["row"] for entry in job.errors if "changed by someone else" in entry["message"]}
    assert reported == {n + 2 for n in EDITED}  # file lines: the header is line 1
    for n, person in enumerate(people):
        stored = Stakeholder.objects.get(pk=person.pk)
        if n in EDITED:  # 0 lost edits, and the version only went up
            assert (stored.notes, stored.job_title) == (f"Edited during the import {n}", "Old title")
            assert stored.version == read[person.pk] + 2
        else:
            assert (stored.notes, stored.job_title) == ("From the file", "New title")
            assert stored.version == read[person.pk] + 1

    page = login(alice).get(reverse("stakeholder-import-detail", args=[job.pk])).content.decode()
    assert 'data-testid="changed-meanwhile">4<' in page
    assert "changed by someone else while the import ran" in page


def test_an_etag_read_before_the_import_is_stale_after_it(alice, people, queued_import, login):
    http = login(alice)
    url = f"/api/stakeholders/{people[0].pk}/"
    before = http.get(url).headers["ETag"]
    run_import_job(queued_import.pk)
    response = http.patch(url, {"notes": "Late"}, content_type="application/json", HTTP_IF_MATCH=before)
    assert response.status_code == 412
    assert Stakeholder.objects.get(pk=people[0].pk).notes == "From the file"
