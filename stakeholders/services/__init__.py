"""Writes to stakeholders, relationships and interactions: validate, then save in one audited transaction."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from accounts.models import Client, User
from accounts.services import audited_write, require_firm_people, require_firm_person
from core.concurrency import StaleVersionError, diff_fields, save_versioned, update_versioned
from stakeholders.models import (
    Interaction,
    InteractionKind,
    InteractionSource,
    Relationship,
    Stakeholder,
)
from stakeholders.org_chart import is_below, manager_chain_has_cycle
from stakeholders.services.import_jobs import (  # noqa: F401 - the import jobs' services, re-exported
    import_job_claim,
    import_job_fail,
    import_job_run,
    import_job_stale_in,
    import_job_start,
    import_jobs_requeue_waiting,
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


def _check_range(errors: dict[str, str], field: str, value: object, low: int, high: int, label: str) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors[field] = f"{label} runs from {low} to {high}."


def _check_manager(stakeholder: Stakeholder, manager: Stakeholder | None) -> None:
    """A manager must be another stakeholder of the same client, and may not sit below them."""
    if manager is None:
        return
    if manager.client_id != stakeholder.client_id:
        raise ValidationError({"reports_to": "The manager must be a stakeholder of the same client."})
    if stakeholder.pk and manager.pk == stakeholder.pk:
        raise ValidationError({"reports_to": "Nobody can report to themselves."})
    if not stakeholder.pk:
        return
    # One query for the client's whole chart: the walk below is then free.
    parents = dict(Stakeholder.objects.filter(client_id=stakeholder.client_id).values_list("id", "reports_to_id"))
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
    stakeholder = Stakeholder(client=client, name=(name or "").strip(), reports_to=reports_to, **fields)
    _validate_stakeholder(stakeholder)
    _check_manager(stakeholder, reports_to)
    with audited_write(actor):
        stakeholder.save()
    return stakeholder


def stakeholder_update(
    *, actor: User, stakeholder: Stakeholder, expected_version: int, **changes: object
) -> Stakeholder:
    """Save changed fields unless someone else saved the stakeholder since `expected_version`."""

    def validate(stakeholder: Stakeholder) -> None:
        _validate_stakeholder(stakeholder)
        if "reports_to" in changes:
            _check_manager(stakeholder, changes["reports_to"])  # type: ignore[arg-type]

    return update_versioned(
        stakeholder,
        expected_version=expected_version,
        changes=changes,
        allowed=STAKEHOLDER_FIELDS,
        noun="stakeholder",
        strip=["name"],
        write=lambda: audited_write(actor),
        validate=validate,
    )


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
    """Record how well `user` knows `stakeholder`, or change it. A stakeholder has at most one primary owner.

    Changing an existing relationship needs the version it was read at (`expected_version`): without
    one, or with an older one, StaleVersionError names what the stored relationship now says, so
    nobody overwrites a relationship they have not seen.
    """
    errors: dict[str, str] = {}
    _check_range(errors, "strength", strength, 1, 5, "Strength")
    _check_range(errors, "target_strength", target_strength, 1, 5, "Target strength")
    if errors:
        raise ValidationError(errors)
    require_firm_person(user, stakeholder.client, "user")
    values = {
        "strength": strength,
        "target_strength": target_strength,
        "is_primary": is_primary,
        "notes": notes or "",
    }
    Relationship(stakeholder=stakeholder, user=user, **values).full_clean(
        exclude=["stakeholder", "user"], validate_unique=False, validate_constraints=False
    )
    with audited_write(actor):
        existing = Relationship.objects.select_for_update().filter(stakeholder=stakeholder, user=user).first()
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
        if existing is None:
            return Relationship.objects.create(stakeholder=stakeholder, user=user, **values)
        mine = Relationship(pk=existing.pk, stakeholder=stakeholder, user=user, **values)
        if expected_version is None:
            raise StaleVersionError(existing, diff_fields(mine, existing, list(values)))
        save_versioned(mine, expected_version, list(values))
    return mine


def relationship_make_primary(*, actor: User, relationship: Relationship) -> Relationship:
    """Hand primary ownership of the stakeholder to this relationship's firm person.

    Both relationships that change (the old owner's and this one) get a new version.
    """
    with audited_write(actor):
        Relationship.objects.filter(stakeholder_id=relationship.stakeholder_id, is_primary=True).exclude(
            pk=relationship.pk
        ).update(is_primary=False, version=F("version") + 1)
        Relationship.objects.filter(pk=relationship.pk).update(is_primary=True, version=F("version") + 1)
    relationship.refresh_from_db(fields=["is_primary", "version"])
    return relationship


def relationship_remove(*, actor: User, relationship: Relationship, expected_version: int) -> None:
    """Delete the relationship unless someone changed it since `expected_version` was read."""
    with audited_write(actor):
        deleted, _ = Relationship.objects.filter(pk=relationship.pk, version=expected_version).delete()
        if not deleted:
            current = Relationship.objects.filter(pk=relationship.pk).first()
            if current is not None:
                raise StaleVersionError(current, diff_fields(relationship, current, RELATIONSHIP_FIELDS))


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
    source: str = InteractionSource.TYPED,
    capture_key: str = "",
) -> Interaction:
    """Record a touchpoint. It needs at least one firm attendee and cannot be in the future.

    Typed, imported and captured interactions (mailbox, invites) all come through here, so that
    engagement, days since contact, coverage gaps and the health recompute follow alike."""
    attendees = list(firm_attendees)
    people = list(stakeholders)
    errors: dict[str, str] = {}
    if not attendees:
        errors["firm_attendees"] = "Name at least one firm person who took part."
    else:
        try:
            require_firm_people(attendees, client, "firm_attendees")
        except ValidationError as error:
            errors.update({field: texts[0] for field, texts in error.message_dict.items()})
    if date is None:
        errors["date"] = "Enter the date of the interaction."
    elif date > timezone.localdate():
        errors["date"] = "An interaction cannot be dated in the future; plan it as an action instead."
    if any(person.client_id != client.pk for person in people):
        errors["stakeholders"] = "Stakeholders met must belong to this client."
    _check_range(errors, "sentiment", sentiment, -2, 2, "Sentiment")
    interaction = Interaction(
        client=client,
        date=date,  # type: ignore[misc]  # a missing date is already in `errors`; raised below
        kind=kind,
        summary=(summary or "").strip(),
        sentiment=sentiment,
        follow_up=follow_up or "",
        external_ref=external_ref or "",
        source=source,
        capture_key=capture_key or "",
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
    kept = {rel.user_id: rel for rel in Relationship.objects.select_for_update().filter(stakeholder=keep)}
    keep_has_primary = any(rel.is_primary for rel in kept.values())
    for rel in Relationship.objects.select_for_update().filter(stakeholder=duplicate).order_by("pk"):
        mine = kept.get(rel.user_id)
        if mine is None:
            rel.stakeholder = keep
            rel.is_primary = rel.is_primary and not keep_has_primary
            keep_has_primary = keep_has_primary or rel.is_primary
            rel.version += 1
            rel.save(update_fields=["stakeholder", "is_primary", "version"])
            continue
        mine.strength = max(mine.strength, rel.strength)
        mine.target_strength = max(filter(None, [mine.target_strength, rel.target_strength]), default=None)
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
        through.objects.filter(stakeholder=duplicate).exclude(interaction_id__in=already).update(stakeholder=keep)
        through.objects.filter(stakeholder=duplicate).delete()
        _merge_relationships(keep, duplicate)
        parents = dict(Stakeholder.objects.filter(client_id=keep.client_id).values_list("id", "reports_to_id"))
        if is_below(parents, keep.pk, duplicate.pk):
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
