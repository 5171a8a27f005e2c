"""Interaction rows: parse, match by external id or natural key, write with their attendees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from stakeholders.csv_format import (
    INTERACTION_COLUMNS,
    INTERACTION_REQUIRED,
    LIST_SEPARATOR,
)
from stakeholders.importing.rows import (
    PROGRESS_EVERY,
    WRITE_BATCH,
    Outcome,
    client_map,
    parse_choice,
    parse_int,
    read_rows,
    report_progress,
)
from stakeholders.importing.stakeholder_rows import existing_stakeholders
from stakeholders.models import (
    ImportJob,
    Interaction,
    InteractionKind,
    InteractionSource,
)

# --- Interactions --------------------------------------------------------------------------------


@dataclass
class PlannedInteraction:
    row: int
    client_id: int
    values: dict
    attendee_ids: list[int]
    stakeholder_ids: list[int]
    existing: Interaction | None = None


def plan_interactions(job: ImportJob, outcome: Outcome) -> tuple[list[PlannedInteraction], set[int]]:
    clients = client_map(job.created_by)
    users = {email.lower(): pk for pk, email in User.objects.filter(is_active=True).values_list("pk", "email")}
    today = timezone.localdate()
    rows = []
    for line, cells in read_rows(job, INTERACTION_COLUMNS, INTERACTION_REQUIRED):
        outcome.rows_total += 1
        rows.append((line, cells))
    client_ids = {clients.get(cells.get("client", "").lower()) for _, cells in rows} - {None}
    by_ext, by_name, _ = existing_stakeholders(client_ids)
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
        kind = parse_choice(cells.get("type", ""), InteractionKind, "type", errors, InteractionKind.MEETING)
        sentiment = parse_int(cells.get("sentiment", ""), "sentiment", -2, 2, 0, errors)
        summary = cells.get("summary", "")
        if not summary:
            errors["summary"] = "A summary is required."
        elif len(summary) > 500:
            errors["summary"] = "Longer than 500 characters."
        if len(cells.get("follow_up", "")) > 500:
            errors["follow_up"] = "Longer than 500 characters."
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
            values = {
                "date": date,
                "kind": kind,
                "sentiment": sentiment,
                "summary": summary,
                "follow_up": cells.get("follow_up", ""),
                "external_ref": cells.get("external_id", ""),
            }
            planned.append(
                PlannedInteraction(
                    line, client_id, values, sorted({users[e] for e in emails}), sorted(set(stakeholder_ids))
                )
            )
        if count % PROGRESS_EVERY == 0:
            report_progress(job, count)
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
        values = {
            "date": interaction.date,
            "kind": interaction.kind,
            "summary": interaction.summary,
            "external_ref": interaction.external_ref,
        }
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


def write_interactions(job: ImportJob, planned: list[PlannedInteraction], outcome: Outcome) -> None:
    new, changed, relink = [], [], []
    for plan in planned:
        if plan.existing is None:
            plan.instance = Interaction(
                client_id=plan.client_id, created_by=job.created_by, source=InteractionSource.IMPORT, **plan.values
            )
            new.append(plan.instance)
            relink.append(plan)
            continue
        plan.instance = plan.existing
        diff = [
            f for f, v in plan.values.items() if getattr(plan.existing, f) != v and not (f == "external_ref" and not v)
        ]
        for f in diff:
            setattr(plan.existing, f, plan.values[f])
        people_differ = (
            plan.existing.attendee_ids != plan.attendee_ids or plan.existing.stakeholder_ids != plan.stakeholder_ids
        )
        if people_differ:
            relink.append(plan)
        if diff or people_differ:
            changed.append(plan.existing)
    Interaction.objects.bulk_create(new, batch_size=WRITE_BATCH)
    Interaction.objects.bulk_update(
        changed, ["date", "kind", "sentiment", "summary", "follow_up", "external_ref"], batch_size=WRITE_BATCH
    )
    report_progress(job, outcome.rows_total * 3 // 4)
    attendees, met = Interaction.firm_attendees.through, Interaction.stakeholders.through
    stale = [p.instance.pk for p in relink if p.existing is not None]
    attendees.objects.filter(interaction_id__in=stale).delete()
    met.objects.filter(interaction_id__in=stale).delete()
    attendees.objects.bulk_create(
        [attendees(interaction_id=p.instance.pk, user_id=u) for p in relink for u in p.attendee_ids],
        batch_size=WRITE_BATCH,
    )
    met.objects.bulk_create(
        [met(interaction_id=p.instance.pk, stakeholder_id=s) for p in relink for s in p.stakeholder_ids],
        batch_size=WRITE_BATCH,
    )
    outcome.created += len(new)
    outcome.updated += len(changed)
    outcome.unchanged += len(planned) - len(new) - len(changed)
