"""Recompute job totals count only the clients their reader may see: BD never learns how many
clients sit behind the walls from "145 of 145 clients"."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from health.models import RecomputeJob
from health.services import jobs
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_job(scorecard, normal_client, confidential_client):
    ClientFactory.create_batch(2)
    ClientFactory(confidential=True)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="Scorecard v2")
    jobs.recompute_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.total == 5
    return job


def api_job(user, job) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/health/jobs/{job.pk}/").json()


def test_bd_reads_a_job_total_of_the_clients_they_may_see(finished_job, carol, login):
    page = login(carol).get(reverse("health-job", args=[finished_job.pk])).content.decode()
    assert "3 of 3 clients (100%)" in page and "of 5" not in page
    body = api_job(carol, finished_job)
    assert (body["done"], body["total"], body["percent"]) == (3, 3, 100)


def test_managing_partners_read_the_whole_firms_total(finished_job, mike, login):
    page = login(mike).get(reverse("health-job", args=[finished_job.pk])).content.decode()
    assert "5 of 5 clients (100%)" in page
    assert api_job(mike, finished_job)["total"] == 5


def test_a_running_jobs_progress_counts_only_visible_clients_done_so_far(
    scorecard, normal_client, confidential_client, carol, login
):
    ids = sorted([normal_client.pk, confidential_client.pk, ClientFactory().pk])
    job = RecomputeJob.objects.create(
        as_of=timezone.localdate(),
        reason="test",
        status="running",
        total=3,
        done=2,
        last_client_id=ids[1],
    )
    visible_done = len([pk for pk in ids[:2] if pk != confidential_client.pk])
    body = api_job(carol, job)
    assert (body["done"], body["total"]) == (visible_done, 2)


def test_a_bd_on_the_walled_team_counts_that_client_too(finished_job, carol, confidential_client):
    from accounts.models import Assignment

    Assignment.objects.create(client=confidential_client, user=carol, role="team")
    assert api_job(carol, finished_job)["total"] == 4


def test_the_job_list_counts_visible_clients_in_a_fixed_number_of_queries(finished_job, carol, count_queries):
    def add_jobs(count):
        for _ in range(count):
            RecomputeJob.objects.create(as_of=timezone.localdate(), reason="again", total=5, done=5, status="done")

    client = APIClient()
    client.force_authenticate(carol)
    add_jobs(1)
    at_one = count_queries(lambda: client.get("/api/health/jobs/"))
    add_jobs(7)
    assert count_queries(lambda: client.get("/api/health/jobs/")) == at_one <= 6
    body = client.get("/api/health/jobs/").json()
    assert {row["total"] for row in body["results"]} == {3}
