"""Writes to clients, teams and fees: each validates, then saves inside one transaction with audit context.

Over the ~400-line house limit: team changes, their role gates and their notifications read as one story.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.access import (
    CRP_REFUSED,
    TEAM_REFUSED,
    WALL_REFUSED,
    may_add_member,
    may_change_confidentiality,
    may_end_assignment,
    may_hand_over_crp,
    may_take_part,
    require,
    sees_behind_walls,
    visible_clients,
)
from accounts.models import (
    Assignment,
    AssignmentRole,
    Client,
    ClientStatus,
    FeeRecord,
    Notification,
    ServiceLine,
    Tier,
    User,
)
from accounts.signals import wall_changed
from core.concurrency import update_versioned
from core.errors import validation_error_from
from core.validators import require_active_person

CLIENT_FIELDS = [
    "name",
    "sector",
    "country",
    "tier",
    "status",
    "confidential",
    "notes",
    "review_cadence_days",
    "parent",
]


@contextmanager
def audited_write(actor: User | None) -> Iterator[None]:
    """One transaction whose history rows name `actor`; constraint violations become field errors."""
    try:
        with transaction.atomic(), pghistory.context(user=actor.pk if actor else None):
            yield
    except IntegrityError as exc:
        raise validation_error_from(exc) from exc


def require_firm_person(person: User | None, client: Client, field: str, *, required: bool = True) -> None:
    """Someone who takes part in a client's work (owns an action or risk, attends a meeting, knows a
    stakeholder): an active firm person who is not walled off from that client. Pages and API share it."""
    require_active_person(person, field, required=required)
    if person is not None and not may_take_part(person, client):
        raise ValidationError({field: f"{person} is walled off from this client."})


def require_firm_people(people: Iterable[User], client: Client, field: str) -> None:
    for person in people:
        require_firm_person(person, client, field)


def client_parent_check(*, client: Client, parent: Client | None) -> None:
    """Refuse a parent that is the client itself or sits below it (the database refuses it too)."""
    if parent is None or client.pk is None:
        return
    ancestor: Client | None = parent
    seen: set[int] = set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == client.pk:
            raise ValidationError({"parent": "A client cannot sit under itself or under one of its own subsidiaries."})
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    return


def client_create(
    *,
    actor: User,
    name: str,
    tier: Tier,
    crp: User,
    sector: str = "",
    country: str = "",
    status: str = ClientStatus.ACTIVE,
    confidential: bool = False,
    notes: str = "",
    service_lines: Iterable[ServiceLine] = (),
    sam: User | None = None,
    review_cadence_days: int = 91,
    start_date: datetime.date | None = None,
    parent: Client | None = None,
) -> Client:
    """Create a key account with its first CRP (and SAM): an active client always has one."""
    require(not confidential or may_change_confidentiality(actor), WALL_REFUSED)
    require_active_person(crp, "crp")
    if sam is not None and sam == crp:
        raise ValidationError({"sam": "The SAM must be someone other than the CRP."})
    client = Client(
        name=name.strip(),
        tier=tier,
        sector=sector,
        country=country,
        status=status,
        confidential=confidential,
        notes=notes,
        review_cadence_days=review_cadence_days,
        parent=parent,
    )
    client.full_clean(validate_constraints=False)
    hidden_namesakes = _check_name_free(actor, client)
    with audited_write(actor):
        client.save()
        _report_namesakes(actor, client, hidden_namesakes)
        client.service_lines.set(service_lines)
        start = start_date or timezone.localdate()
        Assignment.objects.create(client=client, user=crp, role=AssignmentRole.CRP, start_date=start)
        if sam is not None:
            require_active_person(sam, "sam")
            Assignment.objects.create(client=client, user=sam, role=AssignmentRole.SAM, start_date=start)
        _check_deferred_constraints()
    return client


def client_update(
    *,
    actor: User,
    client: Client,
    expected_version: int,
    service_lines: Iterable[ServiceLine] | None = None,
    **changes: object,
) -> Client:
    """Save changed fields if nobody else saved the client since `expected_version` was read."""
    # Compared with the stored row: a bound ModelForm has already copied its values onto `client`.
    stored_wall = Client.objects.filter(pk=client.pk).values_list("confidential", flat=True).first()
    wall_change = "confidential" in changes and bool(changes["confidential"]) != stored_wall
    hidden_namesakes: list[Client] = []

    def validate(client: Client) -> None:
        require(not wall_change or may_change_confidentiality(actor), WALL_REFUSED)
        client.full_clean(validate_constraints=False, exclude=["service_lines"])
        if "parent" in changes:
            client_parent_check(client=client, parent=client.parent)
        if "name" in changes:
            hidden_namesakes.extend(_check_name_free(actor, client))

    def then() -> None:
        _report_namesakes(actor, client, hidden_namesakes)
        if wall_change:
            _notify_wall_change(actor=actor, client=client)
            wall_changed.send(sender=Client, client=client, actor=actor)
        _check_deferred_constraints()

    return update_versioned(
        client,
        expected_version=expected_version,
        changes=changes,
        allowed=CLIENT_FIELDS,
        noun="client",
        strip=["name"],
        write=lambda: audited_write(actor),
        validate=validate,
        then=then,
        m2m=None if service_lines is None else {"service_lines": service_lines},
    )


def _notify_wall_change(*, actor: User, client: Client) -> None:
    """The current team hears when its client goes behind an ethical wall or comes out from behind one."""
    if client.confidential:
        title = f"{client} is now behind an ethical wall"
        body = f"{actor} put it behind the wall: only its team, managing partners and admins can see it."
    else:
        title = f"{client} is no longer behind an ethical wall"
        body = f"{actor} took the wall down: everyone at the firm can now see this client."
    team = User.objects.filter(assignments__client=client, assignments__end_date__isnull=True).exclude(pk=actor.pk)
    notifications_send(users=team, title=title, body=body, client=client)


@dataclass(frozen=True)
class NotificationDraft:
    user_id: int
    title: str
    body: str = ""
    url: str = ""
    client_id: int | None = None
    dedupe_key: str = ""  # when set, the user gets this notification once, however often it is raised


_NOTIFY = """
INSERT INTO accounts_notification (user_id, title, body, url, client_id, dedupe_key, created_at)
SELECT user_id, left(title, 200), body, url, client_id, dedupe_key, now()
FROM jsonb_to_recordset(%s::jsonb)
     AS r(user_id bigint, title varchar, body text, url varchar, client_id bigint,
          dedupe_key varchar)
ON CONFLICT (user_id, dedupe_key) WHERE NOT (dedupe_key = '') DO NOTHING
RETURNING user_id, title, body, url
"""


def notifications_create(*, drafts: Sequence[NotificationDraft]) -> list[NotificationDraft]:
    """The one way notifications are written: one statement for any number, each deduplicated
    key at most once per user even when two workers raise it at once. Returns those created."""
    if not drafts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_NOTIFY, [json.dumps([asdict(draft) for draft in drafts])])
        return [NotificationDraft(user_id, title, body, url) for user_id, title, body, url in cursor.fetchall()]


def notifications_send(
    *,
    users: Iterable[User],
    title: str,
    body: str = "",
    client: Client | None = None,
) -> list[NotificationDraft]:
    """In-app notifications to `users`, linking to `client` when given."""
    url = client.get_absolute_url() if client is not None else ""
    client_id = client.pk if client is not None else None
    return notifications_create(
        drafts=[NotificationDraft(user.pk, title[:200], body, url, client_id) for user in users]
    )


def notifications_mark_read(*, actor: User, notification: Notification | None = None) -> int:
    """Mark one of `actor`'s notifications read, or all of them when none is named."""
    if notification is not None and notification.user_id != actor.pk:
        raise ValidationError("This notification is not yours.")
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    now = timezone.now()
    marked = unread.update(read_at=now)
    if notification is not None and notification.read_at is None:
        notification.read_at = now
    return marked


def _notify_off_team(*, user: User, client: Client, title: str, body: str) -> None:
    """Tell someone they left a team. A confidential client is not named: they can no longer see it."""
    if client.confidential:
        notifications_send(users=[user], title=title.format(client="a confidential client"), body=body)
    else:
        notifications_send(users=[user], title=title.format(client=client), body=body, client=client)


def _check_name_free(actor: User, client: Client) -> list[Client]:
    return client_name_check(actor=actor, name=client.name, client_pk=client.pk)


def client_name_check(*, actor: User, name: str, client_pk: int | None = None) -> list[Client]:
    """Client names are unique among the clients `actor` may see; the answer never depends on others.

    A clash with a client behind a wall the actor is outside of is allowed (refusing it would tell them
    the hidden client exists): those namesakes are returned, for managing partners and admins to resolve."""
    namesakes = Client.objects.filter(name__iexact=name.strip())
    if client_pk:
        namesakes = namesakes.exclude(pk=client_pk)
    if visible_clients(actor).filter(pk__in=namesakes.values("pk")).exists():
        raise ValidationError({"name": "A client with this name already exists."})
    return list(namesakes)


def _report_namesakes(actor: User, client: Client, namesakes: list[Client]) -> None:
    """Tell those who see behind every wall that two clients now share a name, so they can resolve it."""
    if not namesakes:
        return
    others = ", ".join(f"#{other.pk}" for other in namesakes)
    deciders = [person for person in User.objects.active() if sees_behind_walls(person)]
    Notification.objects.bulk_create(
        [
            Notification(
                user=person,
                client=client,
                url=client.get_absolute_url(),
                title=f"Two clients share the name “{client.name}”",
                body=(
                    f"{actor} saved client #{client.pk} with the name of client {others}, which is "
                    "behind an ethical wall they are outside of. They were not told; rename one of them."
                ),
                dedupe_key=f"client-namesake:{client.pk}:{client.name.lower()}"[:200],
            )
            for person in deciders
        ],
        ignore_conflicts=True,
    )


def assignment_start(
    *,
    actor: User,
    client: Client,
    user: User,
    role: str,
    start_date: datetime.date | None = None,
) -> Assignment:
    """Add a person to the client's team. A CRP is changed through a transition, not here."""
    require(may_add_member(actor, client, role), CRP_REFUSED if role == AssignmentRole.CRP else TEAM_REFUSED)
    require_active_person(user, "user")
    if (
        role == AssignmentRole.CRP
        and Assignment.objects.filter(client=client, role=AssignmentRole.CRP, end_date__isnull=True).exists()
    ):
        raise ValidationError({"role": "This client already has a current CRP; hand over with a transition."})
    assignment = Assignment(client=client, user=user, role=role, start_date=start_date or timezone.localdate())
    assignment.full_clean(validate_constraints=False)
    with audited_write(actor):
        assignment.save()
        if user != actor:
            notifications_send(
                users=[user],
                title=f"You have joined {client}'s team",
                body=f"{actor} added you as {assignment.get_role_display()}.",
                client=client,
            )
    return assignment


def assignment_end(*, actor: User, assignment: Assignment, end_date: datetime.date | None = None) -> Assignment:
    """End a team role; the row is kept as history."""
    refused = CRP_REFUSED if assignment.role == AssignmentRole.CRP else TEAM_REFUSED
    require(may_end_assignment(actor, assignment), refused)
    if assignment.end_date is not None:
        raise ValidationError({"end_date": "This assignment has already ended."})
    end_date = end_date or timezone.localdate()
    if end_date < assignment.start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    if assignment.role == AssignmentRole.CRP and assignment.client.status == ClientStatus.ACTIVE:
        raise ValidationError({"end_date": "An active client always needs a CRP: hand over with a transition."})
    with audited_write(actor):
        assignment.end_date = end_date
        assignment.save(update_fields=["end_date"])
        if assignment.user_id != actor.pk:
            _notify_off_team(
                user=assignment.user,
                client=assignment.client,
                title="Your role on {client}'s team has ended",
                body=f"{actor} ended your role as {assignment.get_role_display()} on {end_date:%d %b %Y}.",
            )
        _check_deferred_constraints()
    return assignment


def crp_handover(
    *,
    actor: User,
    client: Client,
    new_crp: User,
    on_date: datetime.date | None = None,
) -> Assignment:
    """End the current CRP and start `new_crp` on the same day, atomically.

    Only a completed transition calls this (planning's `transition_complete`): a CRP change is a
    managing partner's decision with its reason and consent on record.
    """
    require(may_hand_over_crp(actor, client), CRP_REFUSED)
    require_active_person(new_crp, "new_crp")
    on_date = on_date or timezone.localdate()
    with audited_write(actor):
        current = (
            Assignment.objects.select_for_update()
            .filter(client=client, role=AssignmentRole.CRP, end_date__isnull=True)
            .first()
        )
        if current and current.user_id == new_crp.pk:
            raise ValidationError({"new_crp": f"{new_crp} is already the CRP."})
        if current:
            if on_date < current.start_date:
                raise ValidationError({"on_date": "The handover cannot be before the current CRP started."})
            current.end_date = on_date
            current.save(update_fields=["end_date"])
        # The incoming CRP may have been SAM or team member: that role ends as the new one starts.
        Assignment.objects.filter(client=client, user=new_crp, end_date__isnull=True).update(end_date=on_date)
        new = Assignment.objects.create(client=client, user=new_crp, role=AssignmentRole.CRP, start_date=on_date)
        if current and current.user_id != actor.pk:
            _notify_off_team(
                user=current.user,
                client=client,
                title="You are no longer the CRP of {client}",
                body=f"{actor} handed the role to {new_crp} on {on_date:%d %b %Y}.",
            )
        if new_crp != actor:
            notifications_send(
                users=[new_crp],
                title=f"You are now the CRP of {client}",
                body=f"{actor} handed you the role from {on_date:%d %b %Y}.",
                client=client,
            )
        _check_deferred_constraints()
    return new


def fee_record_set(
    *,
    actor: User,
    client: Client,
    service_line: ServiceLine,
    financial_year: int,
    amount: Decimal,
) -> FeeRecord:
    """Create or replace the fee figure for one client, year and service line."""
    record = FeeRecord(client=client, service_line=service_line, financial_year=financial_year, amount=amount)
    record.full_clean(validate_constraints=False)
    with audited_write(actor):
        record, _ = FeeRecord.objects.update_or_create(
            client=client,
            service_line=service_line,
            financial_year=financial_year,
            defaults={"amount": amount},
        )
    return record


def fee_record_delete(*, actor: User, record: FeeRecord) -> None:
    with audited_write(actor):
        record.delete()


def _check_deferred_constraints() -> None:
    """Run the deferred 'active client has a CRP' triggers now, so the error reaches the form."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
