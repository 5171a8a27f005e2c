"""Every change already in the records' history is part of the firm-wide audit log: merged with the
audit entries newest first, filtered the same way, cut by the wall, paged by a keyset cursor at a
fixed number of queries, and in the streamed export."""

import datetime
import json

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import client_update
from audit.log import Cursor
from audit.models import Kind
from audit.services import audit_record
from planning.models import AccountPlan, Action
from tests.dates import today
from tests.factories import AccountPlanFactory, ActionFactory, ScorecardFactory
from tests.history import recorded_at

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(today() - datetime.timedelta(days=n), datetime.time(12)))


def summaries(http, query: str = "") -> list[str]:
    return [row["summary"] for row in http.get(f"/api/audit-entries/?{query}").json()["results"]]


def test_record_history_is_merged_with_audit_entries_in_time_order(normal_client, mike, ada, login):
    with recorded_at(days_ago(3)):
        client_update(actor=mike, client=normal_client, expected_version=normal_client.version, notes="Met the GC")
        entry = audit_record(kind=Kind.EXPORT, actor=ada, client=normal_client, summary="Exported the stakeholders")
    with connection.cursor() as cursor:  # the owner back-dates the entry, as time would
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditentry SET at = %s WHERE id = %s", [days_ago(2), entry.pk])
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    with recorded_at(days_ago(1)):
        action = ActionFactory(plan=AccountPlanFactory(client=normal_client), description="Call the GC", owner=ada)
    http = login(ada)
    rows = http.get(f"/api/audit-entries/?client={normal_client.pk}").json()["results"]
    listed = [(row["kind"], row["summary"]) for row in rows]
    change = next(i for i, row in enumerate(listed) if row[1].startswith(f"Changed client #{normal_client.pk}"))
    export = listed.index(("export", "Exported the stakeholders"))
    created = listed.index(("record_change", f"Created action #{action.pk}"))
    assert created < export < change  # newest first
    assert "notes" in listed[change][1]
    change_row = rows[change]
    assert change_row["actor"] == "mike@firm.example"
    assert change_row["client_id"] == normal_client.pk
    assert change_row["detail"]["changes"]["notes"] == ["", "Met the GC"]
    page = http.get("/audit/?kind=record_change").content.decode()
    assert f"Changed client #{normal_client.pk}: notes" in page and "Record changed" in page
    assert "Exported the stakeholders" not in page


def test_walled_clients_history_is_shown_only_inside_the_wall_and_to_admins(
    confidential_client, normal_client, carol, ada, alice, login
):
    hidden_plan = AccountPlanFactory(client=confidential_client)
    hidden = ActionFactory(plan=hidden_plan, description="Secret step", owner=ada)
    shown = ActionFactory(plan=AccountPlanFactory(client=normal_client), description="Open step", owner=ada)
    firm_wide = ScorecardFactory()
    # A record whose parent has since been deleted is still placed by the parent's history.
    Action.objects.filter(plan=hidden_plan).delete()
    AccountPlan.objects.filter(pk=hidden_plan.pk).delete()
    for_bd = summaries(login(carol), "kind=record_change")
    assert f"Created action #{shown.pk}" in for_bd
    assert f"Created scorecard #{firm_wide.pk}" in for_bd
    assert not [s for s in for_bd if f"action #{hidden.pk}" in s or f"plan #{hidden_plan.pk}" in s]
    assert not [s for s in for_bd if f"client #{confidential_client.pk}" in s]
    for_admin = summaries(login(ada), "kind=record_change")
    assert f"Created action #{hidden.pk}" in for_admin and f"Deleted action #{hidden.pk}" in for_admin
    assert f"Created client #{confidential_client.pk}" in for_admin
    # The export is cut the same way.
    body = b"".join(login(carol).get("/audit/export.jsonl?kind=record_change").streaming_content).decode()
    records = {(row["detail"]["record"], row["detail"]["object"]) for row in map(json.loads, body.splitlines())}
    assert ("planning.Action", str(shown.pk)) in records and ("planning.Action", str(hidden.pk)) not in records
    assert not [line for line in body.splitlines() if json.loads(line)["client_id"] == confidential_client.pk]
    assert [line for line in body.splitlines() if json.loads(line)["client_id"] == normal_client.pk]


def test_history_filters_by_user_client_kind_and_date(normal_client, confidential_client, mike, ada, login):
    with recorded_at(days_ago(1)):
        ActionFactory(plan=AccountPlanFactory(client=confidential_client), description="By nobody", owner=ada)
    # (pghistory's context lasts to the end of the transaction, and a test is one transaction.)
    with recorded_at(days_ago(5)), pghistory.context(user=mike.pk):
        ActionFactory(plan=AccountPlanFactory(client=normal_client), description="By Mike", owner=ada)
    http = login(ada)
    made = {"Created action", "Created account plan"}
    by_mike = summaries(http, f"user={mike.pk}&kind=record_change")
    assert made <= {s.split(" #")[0] for s in by_mike}
    assert not [s for s in by_mike if "client #" in s]  # the clients were made outside his context
    walled = http.get(f"/api/audit-entries/?client={confidential_client.pk}&kind=record_change").json()["results"]
    assert made <= {row["summary"].split(" #")[0] for row in walled}
    assert {row["client_id"] for row in walled} == {confidential_client.pk}
    day = (today() - datetime.timedelta(days=5)).isoformat()
    on_the_day = http.get(f"/api/audit-entries/?date_from={day}&date_to={day}").json()["results"]
    assert made <= {row["summary"].split(" #")[0] for row in on_the_day}
    assert {row["at"][:10] for row in on_the_day} == {day}
    assert summaries(http, f"kind=export&client={normal_client.pk}") == []


def test_pages_follow_a_keyset_cursor_at_a_fixed_number_of_queries(normal_client, ada, login):
    plan = AccountPlanFactory(client=normal_client)
    for n in range(70):
        ActionFactory(plan=plan, description=f"Step {n}", owner=ada)
    for n in range(40):
        audit_record(kind=Kind.DOWNLOAD, actor=ada, client=normal_client, summary=f"Download {n}")
    http = login(ada)
    http.get("/audit/")  # warm the session
    with CaptureQueriesContext(connection) as first:
        response = http.get("/audit/")
    assert response.status_code == 200
    page = response.context["page"]
    assert len(page.rows) == 50 and page.next_cursor is not None
    seen = [row.key for row in page.rows]
    queries = []
    while page.next_cursor is not None:
        with CaptureQueriesContext(connection) as later:
            response = http.get(f"/audit/?before={page.next_cursor.encode()}")
        queries.append(len(later))
        page = response.context["page"]
        seen += [row.key for row in page.rows]
    assert len(seen) == len(set(seen))  # no entry twice
    keys = [key for key in seen if key.startswith("history:planning.Action:")]
    assert len(keys) == 70 and len([k for k in seen if k.startswith("audit:")]) >= 40
    # Newest first all the way down.
    # Session, user, notifications badge and the like, plus the log's own: the page's keys, its audit
    # entries, its events (with the row before each), the people named and the clients.
    assert len(first) <= 9 and max(queries) <= len(first)


def test_a_forged_cursor_is_refused_and_changes_nothing(ada, login):
    http = login(ada)
    assert http.get("/audit/?before=not-a-cursor").status_code == 400
    assert http.get("/api/audit-entries/?before=bm9wZQ").status_code == 400
    good = Cursor(timezone.now(), "history", "planning.Action", 1).encode()
    assert http.get(f"/audit/?before={good}").status_code == 200
    assert Cursor.decode(good).model == "planning.Action"


def test_every_history_table_is_indexed_by_time_and_id_for_the_log():
    """A page reads each history table newest first along (time, id), never sorting a whole table."""
    from audit.indexes import index_name
    from audit.log import _event_models

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        indexes = dict(cursor.fetchall())
    for model in _event_models():
        table = model._meta.db_table
        assert f"ON public.{table} USING btree (pgh_created_at, pgh_id)" in indexes.get(index_name(table), ""), table


@pytest.mark.parametrize("query", ["", "?kind=record_change"])
def test_the_log_page_runs_the_same_queries_for_one_row_or_many(query, normal_client, ada, carol, login, count_queries):
    plan = AccountPlanFactory(client=normal_client)
    ActionFactory(plan=plan, description="Step", owner=ada)
    audit_record(kind=Kind.DOWNLOAD, actor=ada, client=normal_client, summary="Download")
    for viewer in (ada, carol):
        http = login(viewer)
        http.get(f"/audit/{query}")
        one = count_queries(lambda: http.get(f"/audit/{query}"))  # noqa: B023
        for n in range(30):
            ActionFactory(plan=plan, description=f"Step {n}", owner=ada)
            audit_record(kind=Kind.DOWNLOAD, actor=ada, client=normal_client, summary=f"Download {n}")
        # (a page with no history row, or none with a person, skips those look-ups: never more)
        assert count_queries(lambda: http.get(f"/audit/{query}")) <= one <= 9  # noqa: B023
