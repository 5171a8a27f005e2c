import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stakeholders import services
from stakeholders.models import IMPORT_MAX_RUNS, ImportJob, Interaction, Stakeholder
from stakeholders.tasks import run_import_job
from tests.factories import InteractionFactory, StakeholderFactory

pytestmark = pytest.mark.django_db
HEADER = "external_id,client,name,job_title,seniority,reports_to,buying_role,attitude,influence\n"


@pytest.fixture
def upload(login, django_capture_on_commit_callbacks):
    """Upload a CSV as `user` and let its dry run finish; returns the job."""

    def _upload(user, text: str | bytes, kind: str = "stakeholders") -> ImportJob:
        data = text.encode() if isinstance(text, str) else text
        with django_capture_on_commit_callbacks(execute=True):
            response = login(user).post(
                reverse("stakeholder-import"),
                {"kind": kind, "file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
            )
        assert response.status_code == 302
        return ImportJob.objects.latest("pk")

    return _upload


@pytest.fixture
def run(login, django_capture_on_commit_callbacks):
    def _run(user, job: ImportJob, mode: str) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            login(user).post(reverse("stakeholder-import-run", args=[job.pk]), {"mode": mode})
        job.refresh_from_db()
        return job

    return _run


def good_file(client_name: str) -> str:
    return (
        HEADER + f"E1,{client_name},Clara Chief,CEO,c_suite,,decision_maker,1,5\n"
        f"E2,{client_name},Frank Finance,CFO,c_suite,E1,influencer,0,4\n"
        f"E3,{client_name},Ana Lyst,Analyst,other,Frank Finance,user,0,1\n"
    )


def test_dry_run_lists_row_errors_and_writes_nothing(alice, normal_client, upload):
    text = good_file(normal_client.name) + f"E4,{normal_client.name},Bad Row,X,emperor,,user,7,1\n"
    job = upload(alice, text)
    assert job.status == "previewed"
    assert (job.valid_rows, job.error_rows) == (3, 1)
    assert {(e["row"], e["field"]) for e in job.errors} == {(5, "seniority"), (5, "attitude")}
    assert not Stakeholder.objects.exists()


def test_all_or_nothing_import_writes_the_whole_file_with_its_org_chart(alice, normal_client, upload, run):
    job = run(alice, upload(alice, good_file(normal_client.name)), "all_or_nothing")
    assert (job.status, job.created) == ("done", 3)
    analyst = Stakeholder.objects.get(name="Ana Lyst")
    assert analyst.reports_to.name == "Frank Finance"
    assert analyst.reports_to.reports_to.external_id == "E1"


def test_file_with_errors_is_refused_unless_only_valid_rows_are_chosen(
    alice, normal_client, upload, run, django_capture_on_commit_callbacks
):
    text = good_file(normal_client.name) + "E4,Unknown Client Ltd,Nobody,X,other,,user,0,1\n"
    job = upload(alice, text)
    job = run(alice, job, "all_or_nothing")
    assert job.status == "previewed"  # the page refuses: nothing queued, nothing written
    assert not Stakeholder.objects.exists()
    ImportJob.objects.filter(pk=job.pk).update(status="import_queued", mode="all_or_nothing")
    run_import_job(job.pk)  # even if queued, the task refuses the whole file
    job.refresh_from_db()
    assert job.status == "refused" and not Stakeholder.objects.exists()


def test_valid_rows_only_imports_the_good_rows_and_reports_the_rest(alice, normal_client, upload, run):
    text = good_file(normal_client.name) + "E4,Unknown Client Ltd,Nobody,X,other,,user,0,1\n"
    job = run(alice, upload(alice, text), "valid_only")
    assert (job.status, job.created, job.skipped) == ("done", 3, 1)
    assert "Unknown client" in job.errors[0]["message"]
    assert Stakeholder.objects.count() == 3


def test_reimporting_the_same_file_creates_no_duplicates(alice, normal_client, upload, run):
    run(alice, upload(alice, good_file(normal_client.name)), "all_or_nothing")
    again = run(alice, upload(alice, good_file(normal_client.name)), "all_or_nothing")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Stakeholder.objects.count() == 3


def test_rows_without_external_id_match_by_name(alice, normal_client, ceo, upload, run):
    text = "client,name,job_title\n" + f"{normal_client.name},clara chief,Group CEO\n"
    job = run(alice, upload(alice, text), "all_or_nothing")
    assert (job.created, job.updated) == (0, 1)
    ceo.refresh_from_db()
    assert ceo.job_title == "Group CEO" and ceo.seniority == "c_suite"  # columns not in the file are kept


def test_reporting_loop_in_a_file_is_a_row_error(alice, normal_client, upload):
    text = (
        HEADER + f"A,{normal_client.name},Ann,CEO,other,B,user,0,1\nB,{normal_client.name},Ben,CFO,other,A,user,0,1\n"
    )
    job = upload(alice, text)
    assert job.error_rows == 2
    assert all("loop" in e["message"] for e in job.errors)


def test_wrong_headers_fail_with_a_clear_message(alice, normal_client, upload):
    job = upload(alice, "fullname,company\nX,Y\n")
    assert job.status == "failed"
    assert "missing column(s): client, name" in job.message and "unknown column(s)" in job.message


def test_a_file_that_is_not_utf8_fails_with_a_clear_message(alice, normal_client, upload):
    job = upload(alice, ("client,name\n" + f"{normal_client.name},Jürgen Müller\n").encode("latin-1"))
    assert job.status == "failed"
    assert "UTF-8" in job.message


def test_confidential_client_is_unknown_to_an_outsider_importing(carol, normal_client, confidential_client, upload):
    job = upload(carol, f"client,name\n{confidential_client.name},Spy\n")
    assert job.errors[0]["message"].startswith("Unknown client, or not one you may change")
    assert not Stakeholder.objects.filter(name="Spy").exists()


def test_interaction_import_checks_dates_people_and_stakeholders(alice, normal_client, ceo, upload):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    text = (
        "client,date,type,summary,firm_attendees,stakeholders\n"
        f"{normal_client.name},2026-02-30,meeting,Bad date,{alice.email},\n"
        f"{normal_client.name},{future},meeting,Future,{alice.email},\n"
        f"{normal_client.name},2026-01-05,meeting,Ghost,nobody@firm.example,\n"
        f"{normal_client.name},2026-01-05,call,Who,{alice.email},Mystery Person\n"
        f"{normal_client.name},2026-01-06,call,Fine,{alice.email},Clara Chief\n"
    )
    job = upload(alice, text, kind="interactions")
    fields = {e["row"]: e["field"] for e in job.errors}
    assert fields == {2: "date", 3: "date", 4: "firm_attendees", 5: "stakeholders"}
    assert job.valid_rows == 1


def test_interaction_export_reimports_unchanged(alice, normal_client, ceo, login, upload, run):
    meeting = InteractionFactory(
        client=normal_client, firm_attendees=[alice], summary="=cmd|' /C calc'!A0", sentiment=-1
    )
    meeting.stakeholders.set([ceo])
    exported = b"".join(login(alice).get(reverse("interaction-export", args=[normal_client.pk])).streaming_content)
    assert b"'=cmd" in exported
    job = run(alice, upload(alice, exported, kind="interactions"), "all_or_nothing")
    assert (job.created, job.updated, job.unchanged) == (0, 0, 1)
    assert Interaction.objects.get().summary == "=cmd|' /C calc'!A0"


def test_stakeholder_export_reimports_unchanged(alice, normal_client, ceo, login, upload, run):
    StakeholderFactory(client=normal_client, name="-Dash Person", reports_to=ceo, attitude=-2, notes="+1 for us")
    exported = b"".join(login(alice).get(reverse("stakeholder-export", args=[normal_client.pk])).streaming_content)
    job = run(alice, upload(alice, exported), "all_or_nothing")
    assert (job.created, job.updated, job.unchanged, job.error_rows) == (0, 0, 2, 0)


def test_import_task_is_safe_to_run_twice(alice, normal_client, upload, run):
    job = run(alice, upload(alice, good_file(normal_client.name)), "all_or_nothing")
    assert run_import_job(job.pk) == "nothing to do"
    assert Stakeholder.objects.count() == 3


def test_someone_elses_import_is_a_404(alice, bob, normal_client, upload, login):
    job = upload(alice, good_file(normal_client.name))
    assert login(bob).get(reverse("stakeholder-import-detail", args=[job.pk])).status_code == 404


def test_import_job_page_shows_the_outcome(alice, normal_client, upload, login):
    job = upload(alice, good_file(normal_client.name) + "E9,Nope plc,X,,,,,,\n")
    body = login(alice).get(reverse("stakeholder-import-detail", args=[job.pk])).content.decode()
    assert "Import only the valid rows" in body and "Nope plc" in body


def test_running_an_unchecked_job_is_refused(alice, normal_client):
    job = ImportJob.objects.create(kind="stakeholders", created_by=alice, original_name="x.csv")
    with pytest.raises(services.ValidationError):
        services.import_job_run(actor=alice, job=job, mode="all_or_nothing")


def test_jobs_never_sent_are_sent_again_and_run_once(
    alice, normal_client, login, settings, django_capture_on_commit_callbacks
):
    """The broker was down when the file was uploaded and again when the import was asked for."""
    http = login(alice)
    with django_capture_on_commit_callbacks(execute=False):  # the sends never reached a broker
        http.post(
            reverse("stakeholder-import"),
            {
                "kind": "stakeholders",
                "file": SimpleUploadedFile(
                    "people.csv", good_file(normal_client.name).encode(), content_type="text/csv"
                ),
            },
        )
    job = ImportJob.objects.get()
    assert job.status == "preview_queued"
    assert services.import_jobs_requeue_waiting() == 0  # just queued: its message may still be on its way
    assert services.import_jobs_requeue_waiting(older_than_seconds=0) == 1
    job.refresh_from_db()
    assert job.status == "previewed"

    with django_capture_on_commit_callbacks(execute=False):
        http.post(reverse("stakeholder-import-run", args=[job.pk]), {"mode": "all_or_nothing"})
    job.refresh_from_db()
    assert job.status == "import_queued"
    assert services.import_jobs_requeue_waiting(older_than_seconds=0) == 1
    assert services.import_jobs_requeue_waiting(older_than_seconds=0) == 0  # nothing waits any more
    assert run_import_job(job.pk) == "nothing to do"  # a message that arrives late after all
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 3)
    assert Stakeholder.objects.count() == 3


def test_the_sweep_for_waiting_imports_is_on_the_beat_schedule(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["stakeholders-requeue-waiting-imports"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 600


# --- A run lost mid-way (its worker killed) --------------------------------------------------------------


def queued_import(job: ImportJob) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status="import_queued", mode="all_or_nothing")
    return job


def lost_run(job_id: int, *, seconds_ago: float) -> ImportJob:
    """A run takes the job up `seconds_ago` and is lost: its worker is killed before it commits anything."""
    taken = services.import_job_claim(job_id)
    assert taken is not None
    taken.claimed_at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    ImportJob.objects.filter(pk=job_id).update(claimed_at=taken.claimed_at)
    return taken


def test_an_import_whose_run_was_lost_long_ago_is_taken_over_and_imports_its_rows_once(
    alice, normal_client, upload, settings
):
    job = queued_import(upload(alice, good_file(normal_client.name)))
    lost = lost_run(job.pk, seconds_ago=settings.STAKEHOLDER_IMPORT_STALE_SECONDS + 1)
    job.refresh_from_db()
    assert (job.status, job.runs, job.stalled, job.will_be_retried) == ("importing", 1, True, True)

    assert run_import_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.created, job.runs) == ("done", 3, 2)
    assert job.claimed_at > lost.claimed_at and not job.stalled
    # The lost run turns out to be alive after all, only very slow: it writes nothing over the new one.
    from stakeholders.importing import import_execute

    import_execute(lost)
    assert run_import_job(job.pk) == "nothing to do"
    job.refresh_from_db()
    assert (job.status, job.created, job.runs) == ("done", 3, 2)
    assert sorted(Stakeholder.objects.values_list("external_id", flat=True)) == ["E1", "E2", "E3"]


def test_a_check_whose_run_was_lost_is_done_again(alice, normal_client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the first run takes it up from here
        job = services.import_job_start(
            actor=alice,
            kind="stakeholders",
            upload=SimpleUploadedFile("people.csv", good_file(normal_client.name).encode(), content_type="text/csv"),
        )
    lost_run(job.pk, seconds_ago=settings.STAKEHOLDER_IMPORT_STALE_SECONDS + 1)
    assert run_import_job(job.pk) == "previewed"
    job.refresh_from_db()
    assert (job.status, job.valid_rows, job.error_rows, job.runs) == ("previewed", 3, 0, 2)
    assert not Stakeholder.objects.exists()  # a check writes nothing, however many times it runs


def test_a_run_that_took_the_job_up_recently_is_not_taken_over(alice, normal_client, upload, settings, monkeypatch):
    job = queued_import(upload(alice, good_file(normal_client.name)))
    lost_run(job.pk, seconds_ago=60)
    sent = []
    monkeypatch.setattr(run_import_job, "apply_async", lambda *a, **kw: sent.append((a, kw)))
    # A redelivered message finds the job importing: it looks once more when that run would be stale.
    assert run_import_job(job.pk) == "claimed elsewhere"
    assert run_import_job(job.pk, recheck=False) == "claimed elsewhere"  # the second look only looks
    [((args, kwargs), options)] = sent
    assert (args, kwargs) == ((job.pk,), {"recheck": False})
    assert (
        settings.STAKEHOLDER_IMPORT_STALE_SECONDS - 60
        < options["countdown"]
        <= settings.STAKEHOLDER_IMPORT_STALE_SECONDS - 59
    )
    assert services.import_jobs_requeue_waiting(older_than_seconds=0) == 0  # the sweep leaves it too
    job.refresh_from_db()
    assert (job.status, job.runs, job.stalled) == ("importing", 1, False)
    assert not Stakeholder.objects.exists()


def test_the_sweep_sends_again_the_jobs_whose_run_was_lost(alice, normal_client, upload, settings):
    stuck = queued_import(upload(alice, good_file(normal_client.name)))
    lost_run(stuck.pk, seconds_ago=settings.STAKEHOLDER_IMPORT_STALE_SECONDS + 1)
    busy = queued_import(upload(alice, good_file(normal_client.name)))
    lost_run(busy.pk, seconds_ago=5)
    assert services.import_jobs_requeue_waiting() == 1  # tasks run eagerly here: it is imported now
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert (stuck.status, stuck.created, stuck.runs) == ("done", 3, 2)
    assert (busy.status, busy.runs) == ("importing", 1)
    assert services.import_jobs_requeue_waiting() == 0
    assert Stakeholder.objects.count() == 3


def test_a_job_whose_runs_keep_being_lost_is_given_up(alice, normal_client, upload, login, settings):
    job = queued_import(upload(alice, good_file(normal_client.name)))
    ImportJob.objects.filter(pk=job.pk).update(
        status="importing",
        runs=IMPORT_MAX_RUNS,
        claimed_at=timezone.now() - datetime.timedelta(seconds=settings.STAKEHOLDER_IMPORT_STALE_SECONDS + 1),
    )
    page = login(alice).get(reverse("stakeholder-import-detail", args=[job.pk])).content.decode()
    assert "will not be tried again" in page
    assert run_import_job(job.pk) == "nothing to do"
    job.refresh_from_db()
    assert job.status == "failed" and f"started {IMPORT_MAX_RUNS} times" in job.message
    assert not Stakeholder.objects.exists()


def test_the_import_page_says_a_stalled_job_will_be_started_again(alice, normal_client, upload, login, settings):
    job = queued_import(upload(alice, good_file(normal_client.name)))
    lost_run(job.pk, seconds_ago=60)
    http = login(alice)
    page = http.get(reverse("stakeholder-import-detail", args=[job.pk])).content.decode()
    assert "Importing" in page and "<progress" in page and "stopped before it finished" not in page
    ImportJob.objects.filter(pk=job.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(seconds=settings.STAKEHOLDER_IMPORT_STALE_SECONDS + 1)
    )
    page = http.get(reverse("stakeholder-import-detail", args=[job.pk])).content.decode()
    assert "The import stopped before it finished, and nothing was written." in page
    assert "It will be started again from the beginning within a few minutes" in page


def test_an_import_leaves_the_planner_the_real_row_counts(alice, normal_client, upload, run):
    from django.db import connection

    run(alice, upload(alice, good_file(normal_client.name)), "all_or_nothing")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Stakeholder._meta.db_table])
        assert cursor.fetchone()[0] == Stakeholder.objects.count() == 3
