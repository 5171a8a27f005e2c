"""Read replicas against a real streaming replica (tests/replicas/streaming.py): the pages that opt in
read from it, a person who has just saved reads the primary, writes never reach it, and reads go back
to the primary when it is stopped or too far behind."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.db import connections
from django.db.utils import InternalError, NotSupportedError
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Client
from config.db_router import PIN_COOKIE, ReplicaPinMiddleware, health, reading_from_replica, user_is_pinned
from health.services.jobs import recompute_job_create
from reports.models import SavedView

# Committed rows (a replica sees nothing of a transaction that is rolled back); the alias is never flushed.
pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.slow,
    pytest.mark.isolated,
]

OLD, NEW = "Harbour Energy plc", "Harbour Renamed plc"


def dashboard_names(http, mine: str = "1") -> list[str]:
    response = http.get(reverse("dashboard"), {"mine": mine})
    assert response.status_code == 200
    return [row.client.name for row in response.context["table"].rows]


def rename_on_the_primary(client: Client, name: str) -> None:
    Client.objects.filter(pk=client.pk).update(name=name)


def test_a_read_block_really_reads_from_the_replica_server(replica, normal_client):
    with reading_from_replica() as alias:
        assert alias == "replica"
        assert Client.objects.all().db == "replica"
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
            assert cursor.fetchone() == (replica.port, True)
    assert Client.objects.all().db == "default"  # outside a block: the primary


def test_the_dashboard_reads_the_replica_but_a_person_who_saves_sees_their_change(
    replica, settings, alice, mike, normal_client, login
):
    alice_http, mike_http = login(alice), login(mike)
    replica.pause()
    rename_on_the_primary(normal_client, NEW)

    assert dashboard_names(alice_http) == [OLD]  # the paused replica: what it had
    assert NEW in alice_http.get(reverse("client-detail", args=[normal_client.pk])).content.decode()  # the primary

    response = alice_http.post(reverse("saved-view-save"), {"name": "My key clients", "query": "mine=1"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "My key clients" in body  # saved, redirected, and there, though the replica has not got it
    assert [row.client.name for row in response.context["table"].rows] == [NEW]
    assert dashboard_names(alice_http) == [NEW]  # and for the next pages too
    assert SavedView.objects.filter(user=alice).exists()

    mike_names = [row.client.name for row in mike_http.get(reverse("dashboard"), {"mine": "0"}).context["table"].rows]
    assert mike_names == [OLD]  # someone else, who saved nothing, still reads the replica

    cache.clear()  # the shared cache lost (or unreachable): her browser's signed cookie still holds the window
    assert dashboard_names(alice_http) == [NEW]
    alice_http.cookies.pop(PIN_COOKIE)
    assert dashboard_names(alice_http) == [OLD]  # neither: the replica

    settings.REPLICA_PIN_SECONDS = 1
    alice_http.post(reverse("saved-view-save"), {"name": "Second view", "query": "mine=1"})
    assert dashboard_names(alice_http) == [NEW]
    time.sleep(1.2)  # the window after her save is over: the replica again
    assert dashboard_names(alice_http) == [OLD]

    replica.resume()
    replica.wait_caught_up()
    assert dashboard_names(alice_http) == [NEW]
    assert dashboard_names(mike_http, mine="0") == [NEW]


def test_a_write_inside_a_read_block_goes_to_the_primary(replica, normal_client):
    replica.pause()
    with reading_from_replica():
        client = Client.objects.get(pk=normal_client.pk)
        client.name = NEW
        client.save()  # a hot standby refuses writes: this succeeds only on the primary
        Client.objects.filter(pk=client.pk).update(sector="Energy")
    with replica.primary_connection() as primary:
        assert primary.execute("SELECT name FROM accounts_client WHERE id = %s", [client.pk]).fetchone()[0] == NEW
    with pytest.raises((InternalError, NotSupportedError)), connections["replica"].cursor() as cursor:
        cursor.execute("UPDATE accounts_client SET name = 'x'")  # what the router keeps writes away from


def test_a_write_earlier_in_a_request_sends_its_later_reads_to_the_primary_and_pins_the_person(
    replica, alice, normal_client
):
    replica.pause()

    def view(request):
        with reading_from_replica():
            before = Client.objects.get(pk=normal_client.pk).name
            Client.objects.filter(pk=normal_client.pk).update(name=NEW)
            after = Client.objects.get(pk=normal_client.pk).name
        return HttpResponse(f"{before}|{after}")

    request = RequestFactory().get("/")
    request.user = alice
    assert not user_is_pinned(alice.pk)
    assert ReplicaPinMiddleware(view)(request).content.decode() == f"{OLD}|{NEW}"
    assert user_is_pinned(alice.pk)  # and her next pages read the primary


def test_bookkeeping_writes_of_a_page_leave_it_on_the_replica(replica, alice, normal_client, login):
    """The export records itself in the audit log (bookkeeping, not a person's write): still the replica."""
    http = login(alice)
    replica.pause()
    rename_on_the_primary(normal_client, NEW)
    export = http.get(reverse("dashboard-export-csv"), {"mine": "1"}).content.decode()
    assert OLD in export and NEW not in export
    assert dashboard_names(http) == [OLD]


def test_a_streamed_export_reads_its_rows_from_the_replica_after_the_view_returns(replica, alice, normal_client, login):
    from stakeholders.models import Stakeholder
    from tests.factories import StakeholderFactory

    person = StakeholderFactory(client=normal_client, name="Clara Chief")
    http = login(alice)
    replica.pause()
    Stakeholder.objects.filter(pk=person.pk).update(name="Clara Renamed")
    url = reverse("stakeholder-export", args=[normal_client.pk])
    body = b"".join(http.get(url).streaming_content).decode()
    assert "Clara Chief" in body and "Clara Renamed" not in body
    http.post(reverse("saved-view-save"), {"name": "Mine", "query": "mine=1"})  # she writes: the primary
    body = b"".join(http.get(url).streaming_content).decode()
    assert "Clara Renamed" in body


def test_reads_fall_back_to_the_primary_when_the_replica_stops(replica, alice, mike, normal_client, login):
    http = login(alice)
    assert dashboard_names(http) == [OLD]  # opens the replica connection the page keeps
    replica.stop()
    rename_on_the_primary(normal_client, NEW)

    started = time.monotonic()
    assert dashboard_names(http) == [NEW]  # not a server error: the primary
    first = time.monotonic() - started
    assert health.down_until.get("replica", 0) > time.monotonic()  # left alone for REPLICA_RETRY_SECONDS
    started = time.monotonic()
    for _ in range(5):
        assert dashboard_names(http) == [NEW]
    assert time.monotonic() - started < 5 * max(first, 0.5)
    assert login(mike).get(reverse("overview")).status_code == 200  # the overview too

    replica.start()
    replica.pause()
    rename_on_the_primary(normal_client, "Harbour Third Name plc")
    assert dashboard_names(http) == ["Harbour Third Name plc"]  # still within the retry window
    health.down_until["replica"] = 0  # the window is over
    assert dashboard_names(http) == [NEW]  # the replica again, paused where it was


def test_a_replica_that_goes_away_during_a_page_makes_the_page_run_again_on_the_primary(replica, normal_client):
    read_from = []

    @reading_from_replica()
    def page() -> str:
        read_from.append(Client.objects.all().db)
        name = Client.objects.get(pk=normal_client.pk).name
        if len(read_from) == 1:
            replica.stop()
            Client.objects.get(pk=normal_client.pk)  # the replica has gone in the middle of the page
        return name

    replica.pause()
    rename_on_the_primary(normal_client, NEW)
    assert page() == NEW  # not an error: the page again, on the primary
    assert read_from == ["replica", "default"]
    assert health.down_until["replica"] > time.monotonic()


def test_an_unresponsive_replica_costs_one_connect_timeout_not_one_per_request(replica, alice, normal_client, login):
    http = login(alice)
    connections["replica"].close()
    health.reset()
    with replica.frozen():
        started = time.monotonic()
        assert dashboard_names(http) == [OLD]  # the primary, after the 2-second connect timeout
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(10):
            assert dashboard_names(http) == [OLD]
        next_ten = time.monotonic() - started
    assert first >= 1.5
    assert next_ten < first  # not tried again within REPLICA_RETRY_SECONDS


def test_a_replica_further_behind_than_the_threshold_is_not_read(replica, settings, alice, normal_client, login):
    http = login(alice)
    replica.pause()
    rename_on_the_primary(normal_client, NEW)
    deadline = time.monotonic() + 30
    while replica.lag_seconds() <= 1.5:
        assert time.monotonic() < deadline, "the paused replica never fell behind"
        time.sleep(0.1)

    settings.REPLICA_MAX_LAG_SECONDS = 60
    assert dashboard_names(http) == [OLD]  # behind, but within the threshold: the replica
    settings.REPLICA_MAX_LAG_SECONDS = 1
    assert dashboard_names(http) == [NEW]  # too far behind: the primary

    settings.REPLICA_LAG_CHECK_SECONDS = 3600  # the lag is measured at most this often: the last one holds
    replica.resume()
    replica.wait_caught_up()
    with reading_from_replica() as alias:
        assert alias is None
    health.lag_checked_at.clear()
    with reading_from_replica() as alias:
        assert alias == "replica"  # measured again: caught up
    assert dashboard_names(http) == [NEW]


def test_the_recompute_all_job_reads_its_inputs_from_the_replica(replica, normal_client):
    from health.models import HealthScore

    with CaptureQueriesContext(connections["replica"]) as on_replica:
        recompute_job_create(as_of=None, reason="test")  # runs at once in the tests
    assert HealthScore.objects.filter(client=normal_client).exists()  # written to the primary
    statements = [query["sql"].lstrip().upper() for query in on_replica.captured_queries]
    assert any("STAKEHOLDERS_INTERACTION" in sql for sql in statements)
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in statements)


def test_a_pdf_render_reads_the_replica_unless_its_requester_has_just_written(replica, alice, normal_client):
    from django.utils import timezone

    from config.db_router import user_pin
    from reports.models import Report, ReportKind
    from reports.pdf.periods import last_complete_quarter
    from reports.pdf.services import report_render

    quarter = last_complete_quarter(timezone.localdate())

    def render_title() -> str:
        report = Report.objects.create(
            kind=ReportKind.ACCOUNT_REVIEW,
            requested_by=alice,
            scope={"type": "client", "id": normal_client.pk},
            period_start=quarter.start,
            period_end=quarter.end,
        )
        report_render(report_id=str(report.pk))
        report.refresh_from_db()
        assert report.status == "done", report.error
        return report.title

    replica.pause()
    rename_on_the_primary(normal_client, NEW)
    title = render_title()
    assert OLD in title and NEW not in title  # the figures: from the replica
    user_pin(alice.pk)  # she has just written something
    assert NEW in render_title()
