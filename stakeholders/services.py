"""Writes to stakeholders, relationships and interactions: validate, then save in one audited transaction."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import visible_clients
from accounts.concurrency import save_versioned
from accounts.models import Client, User
from accounts.queueing import send_task
from accounts.services import audited_write
from stakeholders.models import (
    IMPORT_MAX_RUNS,
    RUNNING_STATUSES,
    ImportJob,
    ImportMode,
    ImportStatus,
    Interaction,
    InteractionKind,
    Relationship,
    Stakeholder,
    import_stale_after,
)

logger = logging.getLogger(__name__)

STAKEHOLDER_FIELDS = [
    "name",
    "job_title",
    "department",
    "seniority",
    "reports_to",
    "buying_role",
    "attitude",
    "influence",
    "email",
    "phone",
    "status",
    "notes",
    "external_id",
]
RELATIONSHIP_FIELDS = ["strength", "target_strength", "is_primary", "notes"]


def _check_range(
    errors: dict[str, str], field: str, value: object, low: int, high: int, label: str
) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors[field] = f"{label} runs from {low} to {high}."


def manager_chain_has_cycle(parents: dict[int, int | None], start: int) -> bool:
    """True if following `reports_to` upwards from `start` comes back to a stakeholder already seen."""
    seen: set[int] = set()
    node: int | None = start
    while node is not None:
        if node in seen:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def _check_manager(stakeholder: Stakeholder, manager: Stakeholder | None) -> None:
    """A manager must be another stakeholder of the same client, and may not sit below them."""
    if manager is None:
        return
    if manager.client_id != stakeholder.client_id:
        raise ValidationError(
            {"reports_to": "The manager must be a stakeholder of the same client."}
        )
    if stakeholder.pk and manager.pk == stakeholder.pk:
        raise ValidationError({"reports_to": "Nobody can report to themselves."})
    if not stakeholder.pk:
        return
    # One query for the client's whole chart: the walk below is then free.
    parents = dict(
        Stakeholder.objects.filter(client_id=stakeholder.client_id).values_list(
            "id", "reports_to_id"
        )
    )
    parents[stakeholder.pk] = manager.pk
    if manager_chain_has_cycle(parents, stakeholder.pk):
        raise ValidationError(
            {
                "reports_to": f"{manager} already reports (directly or not) to {stakeholder}: "
                "that would make a loop in the org chart."
            }
        )


def _validate_stakeholder(stakeholder: Stakeholder) -> None:
    errors: dict[str, str] = {}
    _check_range(errors, "attitude", stakeholder.attitude, -2, 2, "Attitude")
    _check_range(errors, "influence", stakeholder.influence, 1, 5, "Influence")
    if errors:
        raise ValidationError(errors)
    stakeholder.full_clean(exclude=["client", "reports_to"], validate_constraints=False)


def stakeholder_create(
    *,
    actor: User,
    client: Client,
    name: str,
    reports_to: Stakeholder | None = None,
    **fields: object,
) -> Stakeholder:
    unknown = set(fields) - set(STAKEHOLDER_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown stakeholder fields: {', '.join(sorted(unknown))}")
    stakeholder = Stakeholder(
        client=client, name=(name or "").strip(), reports_to=reports_to, **fields
    )
    _validate_stakeholder(stakeholder)
    _check_manager(stakeholder, reports_to)
    with audited_write(actor):
        stakeholder.save()
    return stakeholder


def stakeholder_update(
    *, actor: User, stakeholder: Stakeholder, expected_version: int, **changes: object
) -> Stakeholder:
    """Save changed fields unless someone else saved the stakeholder since `expected_version`."""
    unknown = set(changes) - set(STAKEHOLDER_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown stakeholder fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(
            stakeholder,
            field,
            value.strip() if isinstance(value, str) and field == "name" else value,
        )
    _validate_stakeholder(stakeholder)
    if "reports_to" in changes:
        _check_manager(stakeholder, changes["reports_to"])  # type: ignore[arg-type]
    with audited_write(actor):
        save_versioned(stakeholder, expected_version, list(changes))
    return stakeholder


def _check_firm_person(user: User | None, client: Client, field: str) -> None:
    if user is None or not user.is_active:
        raise ValidationError({field: "Choose an active firm person."})
    if not visible_clients(user).filter(pk=client.pk).exists():
        raise ValidationError({field: f"{user} is walled off from this client."})


def relationship_set(
    *,
    actor: User,
    stakeholder: Stakeholder,
    user: User,
    strength: int,
    target_strength: int | None = None,
    is_primary: bool = False,
    notes: str = "",
    expected_version: int | None = None,
) -> Relationship:
    """Create or update how well `user` knows `stakeholder`. A stakeholder has at most one primary owner."""
    errors: dict[str, str] = {}
    _check_range(errors, "strength", strength, 1, 5, "Strength")
    _check_range(errors, "target_strength", target_strength, 1, 5, "Target strength")
    if errors:
        raise ValidationError(errors)
    _check_firm_person(user, stakeholder.client, "user")
    with audited_write(actor):
        existing = (
            Relationship.objects.select_for_update()
            .filter(stakeholder=stakeholder, user=user)
            .first()
        )
        if is_primary:
            other = (
                Relationship.objects.filter(stakeholder=stakeholder, is_primary=True)
                .exclude(user=user)
                .select_related("user")
                .first()
            )
            if other:
                raise ValidationError(
                    {
                        "is_primary": f"{other.user} is already the primary owner of "
                        f"{stakeholder}; there can be only one."
                    }
                )
        values = {
            "strength": strength,
            "target_strength": target_strength,
            "is_primary": is_primary,
            "notes": notes,
        }
        if existing is None:
            return Relationship.objects.create(stakeholder=stakeholder, user=user, **values)
        for field, value in values.items():
            setattr(existing, field, value)
        save_versioned(
            existing,
            existing.version if expected_version is None else expected_version,
            list(values),
        )
    return existing


def relationship_make_primary(*, actor: User, relationship: Relationship) -> Relationship:
    """Hand primary ownership of the stakeholder to this relationship's firm person."""
    with audited_write(actor):
        Relationship.objects.filter(
            stakeholder_id=relationship.stakeholder_id, is_primary=True
        ).exclude(pk=relationship.pk).update(is_primary=False)
        relationship.is_primary = True
        relationship.save(update_fields=["is_primary"])
    return relationship


def relationship_remove(*, actor: User, relationship: Relationship) -> None:
    with audited_write(actor):
        relationship.delete()


def interaction_log(
    *,
    actor: User,
    client: Client,
    date: datetime.date | None,
    summary: str,
    firm_attendees: Iterable[User],
    stakeholders: Iterable[Stakeholder] = (),
    kind: str = InteractionKind.MEETING,
    sentiment: int = 0,
    follow_up: str = "",
    external_ref: str = "",
) -> Interaction:
    """Record a touchpoint. It needs at least one firm attendee and cannot be in the future."""
    attendees = list(firm_attendees)
    people = list(stakeholders)
    errors: dict[str, str] = {}
    if not attendees:
        errors["firm_attendees"] = "Name at least one firm person who took part."
    elif any(not user.is_active for user in attendees):
        errors["firm_attendees"] = "Firm attendees must be active firm people."
    if date is None:
        errors["date"] = "Enter the date of the interaction."
    elif date > timezone.localdate():
        errors["date"] = (
            "An interaction cannot be dated in the future; plan it as an action instead."
        )
    if any(person.client_id != client.pk for person in people):
        errors["stakeholders"] = "Stakeholders met must belong to this client."
    _check_range(errors, "sentiment", sentiment, -2, 2, "Sentiment")
    interaction = Interaction(
        client=client,
        date=date,
        kind=kind,
        summary=(summary or "").strip(),
        sentiment=sentiment,
        follow_up=follow_up or "",
        external_ref=external_ref or "",
        created_by=actor,
    )
    try:
        interaction.full_clean(exclude=["client", "created_by"], validate_constraints=False)
    except ValidationError as error:
        for field, texts in error.message_dict.items():
            errors.setdefault(field, texts[0])
    if errors:
        raise ValidationError(errors)
    with audited_write(actor):
        interaction.save()
        interaction.firm_attendees.set(attendees)
        interaction.stakeholders.set(people)
    return interaction


def _merge_relationships(keep: Stakeholder, duplicate: Stakeholder) -> None:
    kept = {
        rel.user_id: rel
        for rel in Relationship.objects.select_for_update().filter(stakeholder=keep)
    }
    keep_has_primary = any(rel.is_primary for rel in kept.values())
    for rel in (
        Relationship.objects.select_for_update().filter(stakeholder=duplicate).order_by("pk")
    ):
        mine = kept.get(rel.user_id)
        if mine is None:
            rel.stakeholder = keep
            rel.is_primary = rel.is_primary and not keep_has_primary
            keep_has_primary = keep_has_primary or rel.is_primary
            rel.version += 1
            rel.save(update_fields=["stakeholder", "is_primary", "version"])
            continue
        mine.strength = max(mine.strength, rel.strength)
        mine.target_strength = max(
            filter(None, [mine.target_strength, rel.target_strength]), default=None
        )
        if rel.is_primary and not keep_has_primary:
            mine.is_primary = keep_has_primary = True
        mine.notes = "\n".join(filter(None, [mine.notes, rel.notes]))
        mine.version += 1
        rel.delete()
        mine.save(update_fields=["strength", "target_strength", "is_primary", "notes", "version"])


def stakeholder_merge(*, actor: User, keep: Stakeholder, duplicate: Stakeholder) -> Stakeholder:
    """Fold `duplicate` into `keep`: every interaction and relationship ends up on `keep`."""
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": "Choose a different stakeholder to merge."})
    if keep.client_id != duplicate.client_id:
        raise ValidationError({"duplicate": "Only stakeholders of the same client can be merged."})
    through = Interaction.stakeholders.through
    with audited_write(actor):
        already = through.objects.filter(stakeholder=keep).values("interaction_id")
        through.objects.filter(stakeholder=duplicate).exclude(interaction_id__in=already).update(
            stakeholder=keep
        )
        through.objects.filter(stakeholder=duplicate).delete()
        _merge_relationships(keep, duplicate)
        parents = dict(
            Stakeholder.objects.filter(client_id=keep.client_id).values_list("id", "reports_to_id")
        )
        if _is_below(parents, keep.pk, duplicate.pk):
            # keep sat under the duplicate: it takes the duplicate's place in the chart.
            keep.reports_to_id = parents.get(duplicate.pk)
        Stakeholder.objects.filter(reports_to=duplicate).exclude(pk=keep.pk).update(reports_to=keep)
        for field in ["job_title", "department", "email", "phone", "notes", "external_id"]:
            if not getattr(keep, field) and getattr(duplicate, field):
                setattr(keep, field, getattr(duplicate, field))
        if duplicate.notes and duplicate.notes not in keep.notes:
            keep.notes = f"{keep.notes}\n{duplicate.notes}".strip()
        duplicate.delete()
        keep.version += 1
        keep.save()
    return keep


def _is_below(parents: dict[int, int | None], node: int, ancestor: int) -> bool:
    seen: set[int] = set()
    current = parents.get(node)
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def import_job_start(*, actor: User, kind: str, upload) -> ImportJob:
    """Keep the uploaded file and queue its dry run."""
    job = ImportJob(kind=kind, created_by=actor, original_name=upload.name[:255], queued_at=timezone.now())
    job.file.save(upload.name, upload, save=False)
    with audited_write(actor):
        job.save()
        transaction.on_commit(lambda: _queue(job.pk))
    return job


def import_job_run(*, actor: User, job: ImportJob, mode: str) -> ImportJob:
    """Queue the real import of a checked file, all-or-nothing or only its valid rows."""
    if job.status != ImportStatus.PREVIEWED:
        raise ValidationError({"mode": "This file is not waiting to be imported."})
    if job.error_rows and mode != ImportMode.VALID_ONLY:
        raise ValidationError({"mode": "Some rows have errors: fix the file, or choose to import only the "
                                       "valid rows."})
    with audited_write(actor):
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.IMPORT_QUEUED, mode=mode, queued_at=timezone.now())
        if not updated:
            raise ValidationError({"mode": "This file is already being imported."})
        transaction.on_commit(lambda: _queue(job.pk))
    job.refresh_from_db()
    return job


def _queue(job_id: int) -> bool:
    from stakeholders.tasks import run_import_job

    return send_task(run_import_job, job_id)


WAITING_STATUSES = (ImportStatus.PREVIEW_QUEUED, ImportStatus.IMPORT_QUEUED)
RUN_STATUS = {ImportStatus.PREVIEW_QUEUED: ImportStatus.PREVIEWING, ImportStatus.IMPORT_QUEUED: ImportStatus.IMPORTING}


def _stalled() -> Q:
    """Checking or importing since before the stale threshold: the run that took it up was lost."""
    return Q(status__in=RUNNING_STATUSES, running_since__lt=timezone.now() - import_stale_after())


def _with_running_since(jobs: QuerySet[ImportJob]) -> QuerySet[ImportJob]:
    return jobs.alias(running_since=Coalesce("claimed_at", "queued_at", "created_at"))


def import_job_claim(job_id: int) -> ImportJob | None:
    """Take a queued job up for its check or import, under its row lock, so that a second run does
    nothing. Returns the job, now checking or importing, or None when there is nothing to take.

    A job still checking or importing past the stale threshold lost its run (its worker was killed,
    or its machine went away): it is taken over and done again from the start. That is safe: a check
    writes nothing but the job's own outcome, and an import commits its rows together with the job's
    "done", so a lost run left nothing behind. A step whose runs were lost IMPORT_MAX_RUNS times is
    given up instead, in case the file itself is what stops them.
    """
    jobs = _with_running_since(ImportJob.objects.select_for_update(of=("self",)).select_related("created_by"))
    with transaction.atomic():
        job = jobs.filter(Q(status__in=WAITING_STATUSES) | _stalled(), pk=job_id).first()
        if job is None:
            return None
        if job.status in RUNNING_STATUSES:
            logger.warning("Import job %s: its run (taken up at %s) was lost; %s", job.pk, job.running_since,
                           "giving up" if job.runs >= IMPORT_MAX_RUNS else "taking it over")
            if job.runs >= IMPORT_MAX_RUNS:
                step = "check" if job.status == ImportStatus.PREVIEWING else "import"
                job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
                job.message = (f"The {step} was started {job.runs} times and each time stopped before it "
                               "finished, so it was given up; nothing was written. Try a smaller file, or ask "
                               "an administrator.")
                job.save(update_fields=["status", "message", "finished_at"])
                return None
            job.runs += 1
        else:
            job.status, job.runs = RUN_STATUS[job.status], 1
        job.claimed_at = timezone.now()
        job.save(update_fields=["status", "claimed_at", "runs"])
    if job.runs > 1:
        from stakeholders.importing import progress_key

        cache.delete(progress_key(job.pk))  # the lost run's progress
    return job


def import_job_stale_in(job_id: int) -> float | None:
    """Seconds until the run that has the job counts as lost; None when no run has it."""
    job = ImportJob.objects.filter(pk=job_id, status__in=RUNNING_STATUSES).first()
    if job is None:
        return None
    return max(0.0, (job.running_since + import_stale_after() - timezone.now()).total_seconds())


def import_job_fail(job: ImportJob) -> None:
    """Mark failed a job whose run stopped on an unexpected error, unless another run took it over."""
    ImportJob.objects.filter(pk=job.pk, status=job.status, claimed_at=job.claimed_at).update(
        status=ImportStatus.FAILED, finished_at=timezone.now(),
        message="The import stopped on an unexpected error; nothing was written.")


def import_jobs_requeue_waiting(*, older_than_seconds: int = 120) -> int:
    """Send again the jobs still waiting after a while (e.g. queued while the broker was down), and
    the ones still checking or importing past the stale threshold (their run was lost).

    A job that was delivered after all is claimed by its first run; the later ones find it
    claimed and do nothing, so a file is never checked or imported twice. A lost run is taken over
    by the run its new message gets.
    """
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    waiting = Q(status__in=WAITING_STATUSES) & (
        Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True, created_at__lt=cutoff))
    jobs = _with_running_since(ImportJob.objects)
    resend = jobs.filter(waiting | _stalled()).order_by("pk").values_list("pk", flat=True)
    return sum(_queue(pk) for pk in resend)
