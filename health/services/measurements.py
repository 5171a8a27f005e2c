"""Entering and importing measured values (NPS, payment days…): validated, all or nothing."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.access import editable_clients
from accounts.models import Client, User
from accounts.services import audited_write
from accounts.validators import sensible_date
from core.queueing import send_task_on_commit
from health.models import Measure, Measurement, MeasureSource, Scorecard

# Values outside these ranges are refused, whatever the scorecard's floor and target say.
VALUE_RANGES = {
    "client_nps": (Decimal(0), Decimal(10)),
    "payment_days": (Decimal(0), Decimal(1000)),
    "client_csat": (Decimal(1), Decimal(5)),
    "client_ces": (Decimal(1), Decimal(7)),
}
CSV_COLUMNS = ["client_id", "measure_key", "value", "measured_on"]


def entered_measure_keys() -> dict[str, str]:
    """{key: name} of the measures of the current scorecard that are entered, not computed."""
    return dict(
        Measure.objects.filter(scorecard__is_current=True, source=MeasureSource.ENTERED).values_list("key", "name")
    )


def clean_value(key: str, raw: object, keys: dict[str, str]) -> Decimal:
    if key not in keys:
        raise ValidationError({"measure_key": f"Unknown measure {key!r}: choose one of {', '.join(sorted(keys))}."})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": f"{raw!r} is not a number."}) from exc
    if not value.is_finite():
        raise ValidationError({"value": f"{raw!r} is not a number."})
    low, high = VALUE_RANGES.get(key, (None, None))
    if low is not None and high is not None and not (low <= value <= high):
        raise ValidationError({"value": f"{keys[key]} runs from {low} to {high}; {value} is outside it."})
    return value


def clean_date(raw: object) -> datetime.date:
    try:
        day = raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise ValidationError({"measured_on": f"{raw!r} is not a date (YYYY-MM-DD)."}) from exc
    if day > timezone.localdate():
        raise ValidationError({"measured_on": "A measurement cannot be dated in the future."})
    try:
        sensible_date(day)
    except ValidationError as exc:
        raise ValidationError({"measured_on": exc.messages}) from exc
    return day


NOTE_MAX_LENGTH = 300  # Measurement.note and Scorecard.note
NOTE_TOO_LONG = f"Longer than {NOTE_MAX_LENGTH} characters: shorten it; nothing was cut."


def clean_note(note: str) -> str:
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": NOTE_TOO_LONG})
    return note


def measurement_enter(
    *,
    actor: User,
    client: Client,
    measure_key: str,
    value: object,
    measured_on: object,
    note: str = "",
) -> Measurement:
    """Record (or correct) one client's value of an entered measure on a day."""
    if not editable_clients(actor).filter(pk=client.pk).exists():
        raise ValidationError({"client": "Unknown client."})
    number = clean_value(measure_key, value, entered_measure_keys())
    day = clean_date(measured_on)
    note = clean_note(note)
    with audited_write(actor):
        measurement, _ = Measurement.objects.update_or_create(
            client=client,
            measure_key=measure_key,
            measured_on=day,
            defaults={"value": number, "note": note, "entered_by": actor},
        )
    return measurement


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line", "field", "message"}

    @property
    def ok(self) -> bool:
        return not self.errors


def measurements_import(*, actor: User, csv_text: str, dry_run: bool) -> ImportReport:
    """Import rows `client_id,measure_key,value,measured_on[,note]`. Any bad row: nothing saved."""
    report = ImportReport(dry_run=dry_run)
    # newline="": the csv module itself reads line ends, a lone carriage return included.
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"), newline=""))
    try:
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        rows = [] if missing else list(reader)
    except csv.Error as error:
        report.errors.append(
            {"line": reader.line_num, "field": "file", "message": f"Not a readable CSV file: {error}."}
        )
        return report
    if missing:
        report.errors.append({"line": 1, "field": "header", "message": f"Missing column(s): {', '.join(missing)}."})
        return report
    report.rows = len(rows)
    keys = entered_measure_keys()
    ids = {row["client_id"].strip() for row in rows if (row.get("client_id") or "").strip().isdigit()}
    allowed = set(editable_clients(actor).filter(pk__in=[int(i) for i in ids]).values_list("pk", flat=True))
    cleaned: dict[tuple[int, str, datetime.date], Measurement] = {}
    for line, row in enumerate(rows, start=2):
        raw_id = (row.get("client_id") or "").strip()
        if not raw_id.isdigit() or int(raw_id) not in allowed:
            report.errors.append({"line": line, "field": "client_id", "message": f"Unknown client {raw_id!r}."})
            continue
        try:
            key = (row.get("measure_key") or "").strip()
            value = clean_value(key, row.get("value"), keys)
            day = clean_date(row.get("measured_on"))
            note = clean_note(row.get("note") or "")
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                report.errors.append({"line": line, "field": name, "message": messages[0]})
            continue
        cleaned[(int(raw_id), key, day)] = Measurement(
            client_id=int(raw_id),
            measure_key=key,
            value=value,
            measured_on=day,
            note=note,
            entered_by=actor,
        )
    if report.errors:
        return report
    existing = _existing(list(cleaned))
    report.updated = len(existing)
    report.created = len(cleaned) - len(existing)
    if dry_run:
        return report
    with audited_write(actor):
        Measurement.objects.bulk_create(
            list(cleaned.values()),
            update_conflicts=True,
            unique_fields=["client", "measure_key", "measured_on"],
            update_fields=["value", "note", "entered_by"],
        )
        clients_recompute_request(client_ids={client_id for client_id, _, _ in cleaned})
    return report


def _existing(keys: list[tuple[int, str, datetime.date]]) -> set[tuple[int, str, datetime.date]]:
    if not keys:
        return set()
    client_ids = {k[0] for k in keys}
    rows = Measurement.objects.filter(client_id__in=client_ids).values_list("client_id", "measure_key", "measured_on")
    return set(rows) & set(keys)


def clients_recompute_request(*, client_ids: set[int]) -> None:
    """Bulk writes send no signals: ask for the affected clients' recompute in one statement."""
    from health.services.jobs import debounce_seconds
    from health.tasks import recompute_pending

    if not client_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO health_pendingrecompute (client_id, requested_at) "
            "SELECT unnest(%s::bigint[]), now() ON CONFLICT (client_id) DO NOTHING",
            [sorted(client_ids)],
        )
    send_task_on_commit(recompute_pending, countdown=debounce_seconds())


def current_scorecard_version() -> int | None:
    return Scorecard.objects.filter(is_current=True).values_list("version", flat=True).first()
