"""Stakeholder rows: parse, match by external id or name, resolve reporting lines, write level by level."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models.functions import Lower
from django.utils import timezone

from stakeholders.csv_format import (
    STAKEHOLDER_COLUMNS,
    STAKEHOLDER_REQUIRED,
)
from stakeholders.importing.rows import (
    KEEP_MANAGER,
    PROGRESS_EVERY,
    WRITE_BATCH,
    Outcome,
    client_map,
    parse_choice,
    parse_int,
    read_rows,
    report_progress,
)
from stakeholders.models import (
    BuyingRole,
    ImportJob,
    Seniority,
    Stakeholder,
    StakeholderStatus,
)
from stakeholders.org_chart import manager_chain_has_cycle

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
        "name": cells.get("name", ""),
        "job_title": cells.get("job_title", ""),
        "department": cells.get("department", ""),
        "email": cells.get("email", ""),
        "phone": cells.get("phone", ""),
        "notes": cells.get("notes", ""),
        "external_id": cells.get("external_id", ""),
        "seniority": parse_choice(cells.get("seniority", ""), Seniority, "seniority", errors, Seniority.OTHER),
        "buying_role": parse_choice(cells.get("buying_role", ""), BuyingRole, "buying_role", errors, BuyingRole.USER),
        "status": parse_choice(cells.get("status", ""), StakeholderStatus, "status", errors, StakeholderStatus.ACTIVE),
        "attitude": parse_int(cells.get("attitude", ""), "attitude", -2, 2, 0, errors),
        "influence": parse_int(cells.get("influence", ""), "influence", 1, 5, 3, errors),
    }
    if not values["name"]:
        errors["name"] = "A name is required."
    for column in ["name", "job_title", "department", "phone", "external_id", "notes", "email"]:
        limit = Stakeholder._meta.get_field(column).max_length  # the model's limits, as the forms and API
        if len(values[column]) > limit:
            errors[column] = f"Longer than {limit:,} characters."
    if values["email"] and ("@" not in values["email"] or " " in values["email"]):
        errors["email"] = f"“{values['email']}” is not an email address."
    return values


def existing_stakeholders(client_ids: set[int]) -> tuple[dict, dict, dict]:
    """By (client, external id), by (client, lower name) and the reporting lines of these clients."""
    by_ext, by_name, parents = {}, defaultdict(list), {}
    rows = Stakeholder.objects.filter(client_id__in=client_ids).annotate(lname=Lower("name"))
    for s in rows:
        if s.external_id:
            by_ext[(s.client_id, s.external_id)] = s
        by_name[(s.client_id, s.lname)].append(s)
        parents[s.pk] = s.reports_to_id
    return by_ext, by_name, parents


def plan_stakeholders(job: ImportJob, outcome: Outcome) -> tuple[list[PlannedStakeholder], set[int]]:
    clients = client_map(job.created_by)
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
            report_progress(job, count)
    by_ext, by_name, parents = existing_stakeholders({p.client_id for p in planned})
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
                outcome.add_error(
                    plan.row,
                    "name",
                    "Several stakeholders of this client have this name: add an external_id to say which.",
                )
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
            found = by_ext.get((plan.client_id, ref)) or next(
                iter(by_name.get((plan.client_id, ref.lower()), [])), None
            )
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


def _still_as_read(changed: list[PlannedStakeholder], outcome: Outcome) -> list[PlannedStakeholder]:
    """The rows to change that nobody changed (or deleted) since the file was checked against them.

    Their rows are locked, in primary-key order, until the import commits: an edit made meanwhile
    either came first (its row is skipped and reported, so the edit stands) or waits and then finds
    the version moved (the editor is told, as for any stale save). Never a lost edit, and the version
    only goes up. One query per WRITE_BATCH rows.
    """
    read_at = {plan.existing.pk: plan.existing.version for plan in changed}
    ids = sorted(read_at)
    current: dict[int, int] = {}
    for start in range(0, len(ids), WRITE_BATCH):
        current.update(
            Stakeholder.objects.select_for_update()
            .filter(pk__in=ids[start : start + WRITE_BATCH])
            .order_by("pk")
            .values_list("pk", "version")
        )
    kept = []
    for plan in changed:
        version = current.get(plan.existing.pk)
        if version == read_at[plan.existing.pk]:
            kept.append(plan)
            continue
        outcome.changed_meanwhile += 1
        outcome.skipped += 1
        outcome.add_error(
            plan.row,
            "",
            "Row skipped: this stakeholder was "
            + ("deleted or merged" if version is None else "changed by someone else")
            + " while the import ran, and their change stands. Import the file again to apply this row.",
        )
    return kept


def write_stakeholders(job: ImportJob, planned: list[PlannedStakeholder], outcome: Outcome) -> None:
    fields = [f for f in STAKEHOLDER_COLUMNS if f not in ("client", "reports_to")]
    new: list[PlannedStakeholder] = []
    changed = []
    for plan in planned:
        if plan.existing is None:
            plan.instance = Stakeholder(client_id=plan.client_id, **plan.values)
            new.append(plan)
            continue
        plan.instance = plan.existing
        diff = [
            f
            for f in fields
            if f in plan.present
            and getattr(plan.existing, f) != plan.values[f]
            and not (f == "external_id" and not plan.values[f])
        ]
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
        report_progress(job, outcome.rows_total // 2)
    changed = _still_as_read(changed, outcome)
    now = timezone.now()
    for plan in changed:
        if plan.manager is not KEEP_MANAGER:
            plan.instance.reports_to_id = _manager_id(plan)
        plan.instance.version += 1
        plan.instance.updated_at = now
    Stakeholder.objects.bulk_update(
        [plan.instance for plan in changed], [*fields, "reports_to", "version", "updated_at"], batch_size=500
    )
    outcome.created += len(new)
    outcome.updated += len(changed)
    outcome.unchanged += len(planned) - len(new) - len(changed) - outcome.changed_meanwhile


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
