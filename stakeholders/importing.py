"""CSV import of stakeholders and interactions: a dry run that lists row errors, then an import that is
all-or-nothing or (when the user says so) only the valid rows. Rows match existing records by external id,
else by natural key, so importing the same file twice changes nothing the second time."""

from __future__ import annotations

import codecs
import csv
import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.access import editable_clients
from accounts.models import User
from accounts.services import audited_write
from stakeholders.csv_format import (
    INTERACTION_COLUMNS,
    INTERACTION_REQUIRED,
    LIST_SEPARATOR,
    STAKEHOLDER_COLUMNS,
    STAKEHOLDER_REQUIRED,
    unescape_cell,
)
from stakeholders.models import (
    BuyingRole,
    ImportJob,
    ImportKind,
    ImportMode,
    ImportStatus,
    Interaction,
    InteractionKind,
    Seniority,
    Stakeholder,
    StakeholderStatus,
)
from stakeholders.services import manager_chain_has_cycle

MAX_KEPT_ERRORS = 2000
KEEP_MANAGER = object()
PROGRESS_EVERY = 500
WRITE_BATCH = 2000


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong headers, not UTF-8, not CSV."""


@dataclass
class Outcome:
    rows_total: int = 0
    valid_rows: int = 0
    error_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)

    def add_error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append({"row": row, "field": column, "message": message})


def progress_key(job_id: int) -> str:
    return f"stakeholder-import-progress-{job_id}"


def _report_progress(job: ImportJob, done: int) -> None:
    # The cache, not the job row: the import's own transaction hides row updates until it commits.
    cache.set(progress_key(job.pk), done, timeout=3600)


def read_rows(job: ImportJob, columns: list[str], required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, cleaned cells) for each data row, streamed from storage."""
    with job.file.open("rb") as raw:
        text = codecs.getreader("utf-8-sig")(raw, errors="strict")
        reader = csv.DictReader(text)
        try:
            header = [name.strip().lower() for name in (reader.fieldnames or [])]
        except UnicodeDecodeError as exc:
            raise ImportFileError("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.") from exc
        except csv.Error as exc:
            raise ImportFileError(f"This is not a readable CSV file ({exc}).") from exc
        missing = required - set(header)
        unknown = set(header) - set(columns)
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing column(s): {', '.join(sorted(missing))}")
            if unknown:
                parts.append(f"unknown column(s): {', '.join(sorted(unknown))}")
            raise ImportFileError(f"Wrong headers — {'; '.join(parts)}. Expected: {', '.join(columns)}.")
        reader.fieldnames = header
        try:
            for row in reader:
                cells = {k: unescape_cell((v or "").strip()) for k, v in row.items() if k in columns}
                if not any(cells.values()):
                    continue
                yield reader.line_num, cells
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"The file is not UTF-8 text (near line {reader.line_num + 1}). "
                                  "Save it as “CSV UTF-8” and upload it again.") from exc
        except csv.Error as exc:
            raise ImportFileError(f"The CSV is malformed near line {reader.line_num}: {exc}.") from exc


def _client_map(user: User) -> dict[str, int]:
    """Lower-cased names of the clients `user` may change. Others are reported as unknown: no leaks."""
    return {name.lower(): pk for pk, name in editable_clients(user).values_list("pk", "name")}


def _choice(value: str, choices: type, column: str, errors: dict[str, str], default: str) -> str:
    if not value:
        return default
    by_label = {label.lower(): key for key, label in choices.choices}
    key = value.lower().replace(" ", "_").replace("-", "_")
    if key in choices.values:
        return key
    if value.lower() in by_label:
        return by_label[value.lower()]
    errors[column] = f"“{value}” is not one of: {', '.join(choices.values)}."
    return default


def _int(value: str, column: str, low: int, high: int, default: int, errors: dict[str, str]) -> int:
    if not value:
        return default
    try:
        number = int(value.replace("+", ""))
    except ValueError:
        errors[column] = f"“{value}” is not a whole number."
        return default
    if not low <= number <= high:
        errors[column] = f"{number} is out of range ({low} to {high})."
    return number


# --- Stakeholders --------------------------------------------------------------------------------

@dataclass
class PlannedStakeholder:
    row: int
    client_id: int
    values: dict
    manager_ref: str | None  # None when the file has no reports_to column: keep the chart as it is
    present: set[str] = field(default_factory=set)
    existing: Stakeholder | None = None
    key: tuple = ()


def _parse_stakeholder(cells: dict[str, str], errors: dict[str, str]) -> dict:
    values = {
        "name": cells.get("name", ""), "job_title": cells.get("job_title", ""),
        "department": cells.get("department", ""), "email": cells.get("email", ""),
        "phone": cells.get("phone", ""), "notes": cells.get("notes", ""),
        "external_id": cells.get("external_id", ""),
        "seniority": _choice(cells.get("seniority", ""), Seniority, "seniority", errors, Seniority.OTHER),
        "buying_role": _choice(cells.get("buying_role", ""), BuyingRole, "buying_role", errors, BuyingRole.USER),
        "status": _choice(cells.get("status", ""), StakeholderStatus, "status", errors, StakeholderStatus.ACTIVE),
        "attitude": _int(cells.get("attitude", ""), "attitude", -2, 2, 0, errors),
        "influence": _int(cells.get("influence", ""), "influence", 1, 5, 3, errors),
    }
    if not values["name"]:
        errors["name"] = "A name is required."
    for column, limit in [("name", 150), ("job_title", 150), ("department", 100), ("phone", 40),
                          ("external_id", 100)]:
        if len(values[column]) > limit:
            errors[column] = f"Longer than {limit} characters."
    if values["email"] and ("@" not in values["email"] or " " in values["email"]):
        errors["email"] = f"“{values['email']}” is not an email address."
    return values


def _existing_stakeholders(client_ids: set[int]) -> tuple[dict, dict, dict]:
    """By (client, external id), by (client, lower name) and the reporting lines of these clients."""
    by_ext, by_name, parents = {}, defaultdict(list), {}
    rows = Stakeholder.objects.filter(client_id__in=client_ids).annotate(lname=Lower("name"))
    for s in rows:
        if s.external_id:
            by_ext[(s.client_id, s.external_id)] = s
        by_name[(s.client_id, s.lname)].append(s)
        parents[s.pk] = s.reports_to_id
    return by_ext, by_name, parents


def _plan_stakeholders(job: ImportJob, outcome: Outcome) -> tuple[list[PlannedStakeholder], set[int]]:
    clients = _client_map(job.created_by)
    planned: list[PlannedStakeholder] = []
    bad_rows: set[int] = set()
    for count, (line, cells) in enumerate(read_rows(job, STAKEHOLDER_COLUMNS, STAKEHOLDER_REQUIRED), 1):
        outcome.rows_total += 1
        errors: dict[str, str] = {}
        client_id = clients.get(cells.get("client", "").lower())
        if client_id is None:
            errors["client"] = f"Unknown client, or not one you may change: “{cells.get('client', '')}”."
        values = _parse_stakeholder(cells, errors)
        if errors:
            bad_rows.add(line)
            for column, message in errors.items():
                outcome.add_error(line, column, message)
        else:
            planned.append(PlannedStakeholder(line, client_id, values, cells.get("reports_to"), set(cells)))
        if count % PROGRESS_EVERY == 0:
            _report_progress(job, count)
    by_ext, by_name, parents = _existing_stakeholders({p.client_id for p in planned})
    seen: dict[tuple, int] = {}
    kept = []
    for plan in planned:
        ext, name = plan.values["external_id"], plan.values["name"].lower()
        plan.key = (plan.client_id, "ext", ext) if ext else (plan.client_id, "name", name)
        if plan.key in seen:
            outcome.add_error(plan.row, "name", f"Same person as row {seen[plan.key]}: row skipped.")
            outcome.skipped += 1
            continue
        seen[plan.key] = plan.row
        if ext:
            plan.existing = by_ext.get((plan.client_id, ext))
        else:
            same = by_name.get((plan.client_id, name), [])
            if len(same) > 1:
                bad_rows.add(plan.row)
                outcome.add_error(plan.row, "name", "Several stakeholders of this client have this name: "
                                                    "add an external_id to say which.")
                continue
            plan.existing = same[0] if same else None
        kept.append(plan)
    _check_managers(kept, by_ext, by_name, parents, outcome, bad_rows)
    return [plan for plan in kept if plan.row not in bad_rows], bad_rows


def _check_managers(planned, by_ext, by_name, parents, outcome: Outcome, bad_rows: set[int]) -> None:
    """Resolve `reports_to` against the file and the database; refuse unknown managers and loops."""
    in_file = {}
    for plan in planned:
        in_file[(plan.client_id, plan.values["external_id"] or None)] = plan
        in_file[(plan.client_id, plan.values["name"].lower())] = plan
    parents = dict(parents)
    # Rows for new people get stand-in ids (negative) so the loop check can run before anything exists.
    ident = {id(plan): plan.existing.pk if plan.existing else -n for n, plan in enumerate(planned, 1)}
    plan_manager: dict[int, object] = {}
    for plan in planned:
        ref = plan.manager_ref
        if ref is None:
            continue
        if not ref:
            parents[ident[id(plan)]] = None
            plan_manager[id(plan)] = None
            continue
        target = in_file.get((plan.client_id, ref)) or in_file.get((plan.client_id, ref.lower()))
        manager_id = ident[id(target)] if target else None
        if manager_id is None:
            found = by_ext.get((plan.client_id, ref)) or next(iter(by_name.get((plan.client_id, ref.lower()), [])),
                                                               None)
            manager_id = found.pk if found else None
        if manager_id is None:
            bad_rows.add(plan.row)
            outcome.add_error(plan.row, "reports_to", f"No stakeholder “{ref}” at this client.")
            continue
        if manager_id == ident[id(plan)]:
            bad_rows.add(plan.row)
            outcome.add_error(plan.row, "reports_to", "Nobody can report to themselves.")
            continue
        parents[ident[id(plan)]] = manager_id
        plan_manager[id(plan)] = target or manager_id
    for plan in planned:
        if plan.row not in bad_rows and manager_chain_has_cycle(parents, ident[id(plan)]):
            bad_rows.add(plan.row)
            outcome.add_error(plan.row, "reports_to", "This reporting line makes a loop in the org chart.")
    for plan in planned:
        plan.manager = plan_manager.get(id(plan), KEEP_MANAGER)


def _manager_id(plan: PlannedStakeholder) -> int | None:
    target = plan.manager
    return target.instance.pk if isinstance(target, PlannedStakeholder) else target


def _write_stakeholders(job: ImportJob, planned: list[PlannedStakeholder], outcome: Outcome) -> None:
    fields = [f for f in STAKEHOLDER_COLUMNS if f not in ("client", "reports_to")]
    new: list[PlannedStakeholder] = []
    changed = []
    for plan in planned:
        if plan.existing is None:
            plan.instance = Stakeholder(client_id=plan.client_id, **plan.values)
            new.append(plan)
            continue
        plan.instance = plan.existing
        diff = [f for f in fields if f in plan.present and getattr(plan.existing, f) != plan.values[f]
                and not (f == "external_id" and not plan.values[f])]
        for f in diff:
            setattr(plan.existing, f, plan.values[f])
        if plan.manager is not KEEP_MANAGER and plan.existing.reports_to_id != _manager_id(plan):
            # Managers that are new rows get their id below, once created.
            diff.append("reports_to")
        if diff:
            changed.append(plan)
    # New people are inserted managers first, level by level, so each row is written once with its manager.
    for level in _levels(new):
        for plan in level:
            if plan.manager is not KEEP_MANAGER:
                plan.instance.reports_to_id = _manager_id(plan)
        Stakeholder.objects.bulk_create([plan.instance for plan in level], batch_size=WRITE_BATCH)
        _report_progress(job, outcome.rows_total // 2)
    now = timezone.now()
    for plan in changed:
        if plan.manager is not KEEP_MANAGER:
            plan.instance.reports_to_id = _manager_id(plan)
        plan.instance.version += 1
        plan.instance.updated_at = now
    Stakeholder.objects.bulk_update([plan.instance for plan in changed],
                                    [*fields, "reports_to", "version", "updated_at"], batch_size=500)
    outcome.created += len(new)
    outcome.updated += len(changed)
    outcome.unchanged += len(planned) - len(new) - len(changed)


def _levels(new: list[PlannedStakeholder]) -> list[list[PlannedStakeholder]]:
    """New rows grouped by how many new managers sit above them (loops were refused earlier)."""
    depth: dict[int, int] = {}

    def level_of(plan: PlannedStakeholder) -> int:
        chain = []
        node = plan
        while isinstance(node, PlannedStakeholder) and node.existing is None and id(node) not in depth:
            chain.append(node)
            node = node.manager
        base = depth.get(id(node), -1) if isinstance(node, PlannedStakeholder) and node.existing is None else -1
        for item in reversed(chain):
            base += 1
            depth[id(item)] = base
        return depth[id(plan)]

    levels: dict[int, list[PlannedStakeholder]] = defaultdict(list)
    for plan in new:
        levels[level_of(plan)].append(plan)
    return [levels[n] for n in sorted(levels)]


# --- Interactions --------------------------------------------------------------------------------

@dataclass
class PlannedInteraction:
    row: int
    client_id: int
    values: dict
    attendee_ids: list[int]
    stakeholder_ids: list[int]
    existing: Interaction | None = None


def _plan_interactions(job: ImportJob, outcome: Outcome) -> tuple[list[PlannedInteraction], set[int]]:
    clients = _client_map(job.created_by)
    users = {email.lower(): pk for pk, email in User.objects.filter(is_active=True).values_list("pk", "email")}
    today = timezone.localdate()
    rows = []
    for line, cells in read_rows(job, INTERACTION_COLUMNS, INTERACTION_REQUIRED):
        outcome.rows_total += 1
        rows.append((line, cells))
    client_ids = {clients.get(cells.get("client", "").lower()) for _, cells in rows} - {None}
    by_ext, by_name, _ = _existing_stakeholders(client_ids)
    planned, bad_rows = [], set()
    for count, (line, cells) in enumerate(rows, 1):
        errors: dict[str, str] = {}
        client_id = clients.get(cells.get("client", "").lower())
        if client_id is None:
            errors["client"] = f"Unknown client, or not one you may change: “{cells.get('client', '')}”."
        try:
            date = datetime.date.fromisoformat(cells.get("date", ""))
            if date > today:
                errors["date"] = "An interaction cannot be dated in the future."
        except ValueError:
            date = None
            errors["date"] = f"“{cells.get('date', '')}” is not a date like 2026-03-31."
        kind = _choice(cells.get("type", ""), InteractionKind, "type", errors, InteractionKind.MEETING)
        sentiment = _int(cells.get("sentiment", ""), "sentiment", -2, 2, 0, errors)
        summary = cells.get("summary", "")
        if not summary:
            errors["summary"] = "A summary is required."
        elif len(summary) > 500:
            errors["summary"] = "Longer than 500 characters."
        emails = [e.strip().lower() for e in cells.get("firm_attendees", "").split(LIST_SEPARATOR) if e.strip()]
        unknown = [e for e in emails if e not in users]
        if not emails:
            errors["firm_attendees"] = "Name at least one firm attendee (email)."
        elif unknown:
            errors["firm_attendees"] = f"Unknown firm people: {', '.join(unknown)}."
        stakeholder_ids = []
        for ref in [r.strip() for r in cells.get("stakeholders", "").split(LIST_SEPARATOR) if r.strip()]:
            found = by_ext.get((client_id, ref)) or next(iter(by_name.get((client_id, ref.lower()), [])), None)
            if found is None and client_id is not None:
                errors["stakeholders"] = f"No stakeholder “{ref}” at this client."
            elif found is not None:
                stakeholder_ids.append(found.pk)
        if errors:
            bad_rows.add(line)
            for column, message in errors.items():
                outcome.add_error(line, column, message)
        else:
            values = {"date": date, "kind": kind, "sentiment": sentiment, "summary": summary,
                      "follow_up": cells.get("follow_up", "")[:500], "external_ref": cells.get("external_id", "")}
            planned.append(PlannedInteraction(line, client_id, values, sorted({users[e] for e in emails}),
                                              sorted(set(stakeholder_ids))))
        if count % PROGRESS_EVERY == 0:
            _report_progress(job, count)
    return _match_interactions(planned, outcome), bad_rows


def _natural_key(client_id: int, values: dict) -> tuple:
    if values["external_ref"]:
        return (client_id, "ext", values["external_ref"])
    return (client_id, values["date"], values["kind"], values["summary"].lower())


def _match_interactions(planned: list[PlannedInteraction], outcome: Outcome) -> list[PlannedInteraction]:
    client_ids = {p.client_id for p in planned}
    existing = {}
    qs = Interaction.objects.filter(client_id__in=client_ids).prefetch_related("firm_attendees", "stakeholders")
    for interaction in qs.iterator(WRITE_BATCH):
        values = {"date": interaction.date, "kind": interaction.kind, "summary": interaction.summary,
                  "external_ref": interaction.external_ref}
        interaction.attendee_ids = sorted(u.pk for u in interaction.firm_attendees.all())
        interaction.stakeholder_ids = sorted(s.pk for s in interaction.stakeholders.all())
        existing.setdefault(_natural_key(interaction.client_id, values), interaction)
        if interaction.external_ref:
            existing.setdefault(_natural_key(interaction.client_id, {**values, "external_ref": ""}), interaction)
    seen: dict[tuple, int] = {}
    kept = []
    for plan in planned:
        key = _natural_key(plan.client_id, plan.values)
        if key in seen:
            outcome.add_error(plan.row, "summary", f"Same interaction as row {seen[key]}: row skipped.")
            outcome.skipped += 1
            continue
        seen[key] = plan.row
        plan.existing = existing.get(key)
        kept.append(plan)
    return kept


def _write_interactions(job: ImportJob, planned: list[PlannedInteraction], outcome: Outcome) -> None:
    new, changed, relink = [], [], []
    for plan in planned:
        if plan.existing is None:
            plan.instance = Interaction(client_id=plan.client_id, created_by=job.created_by, **plan.values)
            new.append(plan.instance)
            relink.append(plan)
            continue
        plan.instance = plan.existing
        diff = [f for f, v in plan.values.items() if getattr(plan.existing, f) != v and
                not (f == "external_ref" and not v)]
        for f in diff:
            setattr(plan.existing, f, plan.values[f])
        people_differ = (plan.existing.attendee_ids != plan.attendee_ids
                         or plan.existing.stakeholder_ids != plan.stakeholder_ids)
        if people_differ:
            relink.append(plan)
        if diff or people_differ:
            changed.append(plan.existing)
    Interaction.objects.bulk_create(new, batch_size=WRITE_BATCH)
    Interaction.objects.bulk_update(changed, ["date", "kind", "sentiment", "summary", "follow_up", "external_ref"],
                                    batch_size=WRITE_BATCH)
    _report_progress(job, outcome.rows_total * 3 // 4)
    attendees, met = Interaction.firm_attendees.through, Interaction.stakeholders.through
    stale = [p.instance.pk for p in relink if p.existing is not None]
    attendees.objects.filter(interaction_id__in=stale).delete()
    met.objects.filter(interaction_id__in=stale).delete()
    attendees.objects.bulk_create([attendees(interaction_id=p.instance.pk, user_id=u)
                                   for p in relink for u in p.attendee_ids], batch_size=WRITE_BATCH)
    met.objects.bulk_create([met(interaction_id=p.instance.pk, stakeholder_id=s)
                             for p in relink for s in p.stakeholder_ids], batch_size=WRITE_BATCH)
    outcome.created += len(new)
    outcome.updated += len(changed)
    outcome.unchanged += len(planned) - len(new) - len(changed)


# --- Running a job -------------------------------------------------------------------------------

PLANNERS = {ImportKind.STAKEHOLDERS: (_plan_stakeholders, _write_stakeholders),
            ImportKind.INTERACTIONS: (_plan_interactions, _write_interactions)}


def _save(job: ImportJob, outcome: Outcome, status: str, message: str = "") -> None:
    for name in ["rows_total", "valid_rows", "error_rows", "created", "updated", "unchanged", "skipped", "errors"]:
        setattr(job, name, getattr(outcome, name))
    job.rows_done = outcome.rows_total
    job.status = status
    job.message = message
    job.finished_at = timezone.now() if status in {ImportStatus.DONE, ImportStatus.REFUSED,
                                                   ImportStatus.FAILED} else None
    job.save()
    cache.delete(progress_key(job.pk))


def import_preview(job: ImportJob) -> ImportJob:
    """The dry run: every row checked against the file and the database, nothing written."""
    plan, _ = PLANNERS[job.kind]
    outcome = Outcome()
    try:
        planned, bad_rows = plan(job, outcome)
    except ImportFileError as error:
        _save(job, outcome, ImportStatus.FAILED, str(error))
        return job
    outcome.error_rows = len(bad_rows)
    outcome.valid_rows = len(planned)
    _save(job, outcome, ImportStatus.PREVIEWED)
    return job


def import_execute(job: ImportJob) -> ImportJob:
    """Check again (the data may have moved since the preview) and write, in one transaction."""
    plan, write = PLANNERS[job.kind]
    outcome = Outcome()
    try:
        planned, bad_rows = plan(job, outcome)
    except ImportFileError as error:
        _save(job, outcome, ImportStatus.FAILED, str(error))
        return job
    outcome.error_rows = len(bad_rows)
    outcome.valid_rows = len(planned)
    if bad_rows and job.mode != ImportMode.VALID_ONLY:
        outcome.skipped += len(planned)
        _save(job, outcome, ImportStatus.REFUSED,
              f"{len(bad_rows)} row(s) have errors, so nothing was imported. Fix them, or choose to import "
              "only the valid rows.")
        return job
    with audited_write(job.created_by):
        write(job, planned, outcome)
    outcome.skipped += len(bad_rows)
    _save(job, outcome, ImportStatus.DONE)
    return job
