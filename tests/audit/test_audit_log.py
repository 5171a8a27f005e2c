"""The firm-wide audit log: append-only in the database, written by sign-ins, permission and wall
changes, exports and personal-data requests, read by admins and cut by the wall for everyone else."""

import datetime
import json

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Assignment, Role
from audit.models import AuditEntry, Kind
from audit.services import audit_purge_expired, audit_record
from tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    """The kinds written so far, leaving out the fixtures' own "user created" entries."""
    return list(AuditEntry.objects.exclude(kind=Kind.PERMISSION_CHANGE).order_by("id").values_list("kind", flat=True))


def test_a_raw_sql_update_of_an_entry_fails(ada):
    entry = audit_record(kind=Kind.EXPORT, actor=ada, summary="Exported something")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = 'nothing happened' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.summary == "Exported something"


def test_a_raw_sql_delete_within_retention_fails(ada):
    entry = audit_record(kind=Kind.EXPORT, actor=ada, summary="Exported something")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_orm_cannot_change_an_entry_either(ada):
    entry = audit_record(kind=Kind.EXPORT, actor=ada, summary="Exported something")
    entry.summary = "rewritten"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()


def test_retention_purge_removes_only_expired_entries(ada, settings):
    settings.AUDIT_RETENTION_DAYS = 1
    old = audit_record(kind=Kind.EXPORT, actor=ada, summary="old")
    fresh = audit_record(kind=Kind.EXPORT, actor=ada, summary="fresh")
    # Neither has reached its retention date an hour later.
    assert audit_purge_expired(now=timezone.now() + datetime.timedelta(hours=1)) == 0
    # The owner of the table (not the application) back-dates one entry, as time would.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditentry SET retain_until = now() - interval '1 second' WHERE id = %s", [old.pk])
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    assert audit_purge_expired() == 1
    assert list(AuditEntry.objects.filter(kind=Kind.EXPORT).values_list("pk", flat=True)) == [fresh.pk]


def test_sign_in_success_and_failure_are_logged(alice, password):
    http = HttpClient()
    http.post("/login/", {"username": "alice@firm.example", "password": "wrong-password"})
    http.post("/login/", {"username": "nobody@firm.example", "password": "wrong-password"})
    http.post("/login/", {"username": "alice@firm.example", "password": password})
    assert kinds() == [Kind.SIGN_IN_FAILED, Kind.SIGN_IN_FAILED, Kind.SIGN_IN]
    failed, unknown, signed_in = AuditEntry.objects.exclude(kind=Kind.PERMISSION_CHANGE).order_by("id")
    assert failed.subject_user == alice and failed.ip_address == "127.0.0.1"
    assert unknown.subject_user is None and unknown.detail["username"] == "nobody@firm.example"
    assert signed_in.actor == alice


def test_lockout_is_logged(alice, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    http = HttpClient()
    for _ in range(3):
        http.post("/login/", {"username": "alice@firm.example", "password": "wrong-password"})
    assert Kind.LOCKOUT in kinds()


def test_role_change_and_deactivation_are_permission_changes(alice, ada):
    alice.role = Role.BD
    alice.save()
    alice.is_active = False
    alice.save()
    entries = AuditEntry.objects.filter(
        kind=Kind.PERMISSION_CHANGE, subject_user=alice, detail__has_key="changes"
    ).order_by("id")
    assert [e.detail["changes"] for e in entries] == [{"role": ["partner", "bd"]}, {"is_active": [True, False]}]


def test_putting_up_a_wall_and_joining_it_are_wall_changes(normal_client, bob, mike, login):
    from accounts.services import client_update

    client_update(actor=mike, client=normal_client, expected_version=normal_client.version, confidential=True)

    Assignment.objects.create(client=normal_client, user=bob, role="team")
    walls = AuditEntry.objects.filter(kind=Kind.WALL_CHANGE, client=normal_client).order_by("id")
    assert [w.summary for w in walls] == [
        "Ethical wall put up around Harbour Energy plc",
        "bob@firm.example joined the wall of Harbour Energy plc (Team member)",
    ]
    assert walls[0].actor == mike


def test_exports_downloads_and_personal_data_requests_are_logged(normal_client, alice, login):
    person = StakeholderFactory(client=normal_client, name="Jo Bloggs")
    http = login(alice)
    assert http.get(f"/clients/{normal_client.pk}/stakeholders/export.csv").status_code == 200
    assert http.get(f"/stakeholders/{person.pk}/personal-data.json").status_code == 200
    assert http.post(f"/stakeholders/{person.pk}/erase/").status_code == 302
    entries = AuditEntry.objects.filter(actor=alice).exclude(kind=Kind.SIGN_IN).order_by("id")
    assert [e.kind for e in entries] == [Kind.EXPORT, Kind.PERSONAL_DATA_EXPORT, Kind.PERSONAL_DATA_ERASURE]
    assert all(e.client == normal_client for e in entries)
    # The erasure entry must not keep what was erased.
    assert "Jo Bloggs" not in json.dumps([[e.summary, e.detail] for e in entries])


def test_portfolio_export_is_logged(normal_client, carol, login):
    assert login(carol).get("/dashboard/export.csv").status_code == 200
    assert AuditEntry.objects.get(kind=Kind.EXPORT).detail["export"] == "portfolio"


def test_walled_clients_entries_are_shown_only_inside_the_wall_and_to_admins(
    confidential_client, normal_client, carol, ada, login
):
    audit_record(kind=Kind.EXPORT, client=confidential_client, summary="Exported the stakeholders of Nightjar")
    audit_record(kind=Kind.EXPORT, client=normal_client, summary="Exported the stakeholders of Harbour")
    bd_page = login(carol).get("/audit/")
    assert b"Harbour" in bd_page.content and b"Nightjar" not in bd_page.content
    assert b"Nightjar" in login(ada).get("/audit/").content
    # The client filter answers a walled id exactly as an id that does not exist.
    hidden = login(carol).get(f"/audit/?client={confidential_client.pk}")
    missing = login(carol).get("/audit/?client=999999")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.context["form"].errors == missing.context["form"].errors
    api = login(carol).get("/api/audit-entries/").json()
    assert [e["summary"] for e in api["results"] if "Nightjar" in e["summary"]] == []


def test_partners_may_not_read_the_audit_log(alice, login):
    assert login(alice).get("/audit/").status_code == 403
    assert login(alice).get("/api/audit-entries/").status_code == 403


def test_filters_by_kind_user_and_date(alice, bob, ada, login):
    audit_record(kind=Kind.EXPORT, actor=alice, summary="alice exported")
    audit_record(kind=Kind.DOWNLOAD, actor=bob, summary="bob downloaded")
    http = login(ada)
    assert [e["summary"] for e in http.get("/api/audit-entries/?kind=download").json()["results"]] == ["bob downloaded"]
    by_alice = http.get(f"/api/audit-entries/?user={alice.pk}&kind=export").json()["results"]
    assert [e["summary"] for e in by_alice] == ["alice exported"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert http.get(f"/api/audit-entries/?date_from={tomorrow}").json()["results"] == []
    bad = http.get("/api/audit-entries/?date_from=2026-02-30")
    assert bad.status_code == 400 and "date_from" in bad.json()


def test_export_streams_csv_and_json_lines_and_is_itself_logged(alice, ada, login):
    audit_record(kind=Kind.EXPORT, actor=alice, summary="=HYPERLINK(evil)")
    http = login(ada)
    response = http.get(f"/audit/export.jsonl?kind=export&user={alice.pk}")
    assert response.streaming
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [line["summary"] for line in lines] == ["=HYPERLINK(evil)"]
    csv_body = b"".join(http.get("/audit/export.csv").streaming_content).decode()
    assert csv_body.splitlines()[0].startswith("id,at,kind,actor")
    assert "'=HYPERLINK(evil)" in csv_body
    assert AuditEntry.objects.filter(kind=Kind.EXPORT, actor=ada, detail__export="audit_log").count() == 2


def test_a_raw_sql_truncate_of_the_log_fails(ada):
    entry = audit_record(kind=Kind.EXPORT, actor=ada, summary="Exported something")
    with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_log_does_not_carry_every_client_and_person_in_its_pickers(carol, normal_client, login):
    """The pickers ask the API as one types: the page holds only the chosen client, however large the firm."""
    from django.urls import reverse

    from tests.factories import ClientFactory, UserFactory

    http = login(carol)
    url = reverse("audit-log")
    others = [ClientFactory(name=f"Unlisted Holdings {index}") for index in range(30)]
    people = [UserFactory(full_name=f"Unlisted Person {index}") for index in range(30)]
    page = http.get(url).content.decode()
    pickers = page[page.index('<select name="user"') : page.index("</select>", page.index('<select name="client"'))]
    assert "Unlisted Holdings" not in pickers and "Unlisted Person" not in pickers
    assert 'data-picker-source="/api/clients/"' in page and 'data-picker-source="/api/users/"' in page

    chosen = http.get(url, {"client": others[3].pk, "user": people[5].pk}).content.decode()
    assert f'<option value="{others[3].pk}" selected>Unlisted Holdings 3</option>' in chosen
    assert f'<option value="{people[5].pk}" selected>Unlisted Person 5</option>' in chosen
    assert "Unlisted Holdings 4" not in chosen


def test_the_client_picker_of_the_log_never_offers_a_walled_client_outside_the_wall(carol, confidential_client, login):
    from django.urls import reverse

    http = login(carol)
    found = http.get(reverse("api:client-list"), {"search": confidential_client.name[:6]}).json()["results"]
    assert confidential_client.pk not in [row["id"] for row in found]
    page = http.get(reverse("audit-log"), {"client": confidential_client.pk})
    assert confidential_client.name not in page.content.decode()
