"""Behind PgBouncer in transaction mode: clients share server sessions, so nothing may rely on one.

Each test starts a real PgBouncer and first shows the hazard (two clients on one server session, a dead
client's session lock outliving it, a cursor lost between two statements), then that Keyline's way
does not run into it."""

from __future__ import annotations

import os
import socket
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from core.leases import lease_renew, lease_take
from health.models import HealthScore, JobStatus, RecomputeJob
from health.services import jobs
from health.services.recompute import current_scorecard
from tests.factories import ClientFactory
from tests.pgbouncer import pooled_alias, running_pgbouncer

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scorecard():
    return current_scorecard()


def one(conn, sql: str, params: list | None = None):
    with conn.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def test_two_workers_sharing_one_server_connection_cannot_both_hold_a_job(scorecard):
    ClientFactory()
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    with (
        running_pgbouncer(pool_size=1) as port,
        pooled_alias("worker_a", port) as a,
        pooled_alias("worker_b", port) as b,
    ):
        # Two clients, one server session: a session advisory lock one takes, the other "takes" too.
        assert one(a, "SELECT pg_backend_pid()") == one(b, "SELECT pg_backend_pid()")
        assert one(a, "SELECT pg_try_advisory_lock(4601, %s)", [job.pk])
        assert one(b, "SELECT pg_try_advisory_lock(4601, %s)", [job.pk])  # what the job lock used to be
        one(a, "SELECT pg_advisory_unlock_all()")
        # The session setting Django makes (TimeZone) PgBouncer keeps per client: a neighbour's does not leak.
        one(b, "SELECT set_config('TimeZone', 'Asia/Tokyo', false)")
        assert one(a, "SHOW TimeZone") == "UTC" and one(b, "SHOW TimeZone") == "Asia/Tokyo"

        assert lease_take(RecomputeJob, job.pk, holder="worker-a", seconds=30, using="worker_a") is not None
        assert lease_take(RecomputeJob, job.pk, holder="worker-b", seconds=30, using="worker_b") is None
        assert not lease_renew(RecomputeJob, job.pk, holder="worker-b", seconds=30, using="worker_b")
        assert jobs.recompute_job_run(job_id=job.pk) is None  # nor a third worker on its own connection
        assert lease_renew(RecomputeJob, job.pk, holder="worker-a", seconds=30, using="worker_a")
    assert not HealthScore.objects.exists()


def die(conn: psycopg.Connection) -> None:
    """Cut a client's connection the way SIGKILL does: no goodbye to the server, mid-transaction or not."""
    sock = socket.socket(fileno=os.dup(conn.pgconn.socket))
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def test_a_worker_killed_behind_the_pooler_leaves_its_job_to_the_next_once_its_lease_ran_out(scorecard):
    clients = ClientFactory.create_batch(3)
    job = RecomputeJob.objects.create(as_of=timezone.localdate(), reason="test")
    db = connection.settings_dict
    with running_pgbouncer(pool_size=1) as port:

        def worker() -> psycopg.Connection:
            return psycopg.connect(host="127.0.0.1", port=port, dbname=db["NAME"], user=db["USER"] or "postgres")

        # The old way: a session lock taken through the pooler stays on the server connection after its
        # worker died, so no other worker would ever resume the job.
        killed = worker()
        killed.autocommit = True
        assert one(killed, "SELECT pg_try_advisory_lock(4601, %s)", [job.pk])
        die(killed)
        time.sleep(0.5)
        assert not one(connection, "SELECT pg_try_advisory_lock(4601, %s)", [job.pk])

        # Keyline's way: the worker held the job (its last batch renewed the lease for a second), then
        # dies in the middle of the next batch, the job's row locked by that batch's transaction.
        killed = worker()
        killed.autocommit = True
        lease = "UPDATE health_recomputejob SET holder = 'killed', status = 'running', held_until = "
        lease += "statement_timestamp() + interval '1 second' WHERE id = %s"
        killed.execute(lease, [job.pk])
        killed.autocommit = False
        killed.execute(lease, [job.pk])
        die(killed)
        assert jobs.recompute_job_run(job_id=job.pk) is None  # still its job for that second
        deadline = time.monotonic() + 10
        while jobs.recompute_job_run(job_id=job.pk) is None and time.monotonic() < deadline:
            time.sleep(0.2)  # the pooler dropped the dead client's server connection and its row lock
    job.refresh_from_db()
    assert (job.status, job.done, job.holder) == (JobStatus.DONE, len(clients), "")
    assert HealthScore.objects.count() == len(clients)


def test_iterating_a_large_query_through_the_pooler_needs_the_pooler_setting():
    """`.iterator()` opens a server-side cursor WITH HOLD in autocommit: the next chunk is fetched in a
    new transaction, which the pooler may run on another server connection, where no such cursor is."""
    for n in range(5):
        RecomputeJob.objects.create(as_of=timezone.localdate(), reason=f"job {n}")

    def iterate_while_another_request_runs(reader: str, other: str) -> list[str]:
        rows = RecomputeJob.objects.using(reader).order_by("pk").values_list("reason", flat=True).iterator(2)
        seen = [next(rows)]
        with transaction.atomic(using=other):  # another request's transaction takes that server connection
            assert RecomputeJob.objects.using(other).count() == 5
            seen += list(rows)
        return seen

    with running_pgbouncer(pool_size=2) as port:
        with (
            pooled_alias("reader", port, pooler_settings=False),
            pooled_alias("other", port),
            pytest.raises((DatabaseError, psycopg.Error), match=r"cursor .* does not exist"),
        ):
            iterate_while_another_request_runs("reader", "other")
        with pooled_alias("reader", port), pooled_alias("other", port):  # DATABASE_POOLER=transaction
            assert iterate_while_another_request_runs("reader", "other") == [f"job {n}" for n in range(5)]
