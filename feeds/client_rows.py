"""The clients feed: key, name, parent (any depth), tier, sector, country, and the CRP of a new client.

Clients are few (thousands), so after the staging table's set-based checks the writes go row by row
through the ORM, keeping the model's rules: a new client gets its CRP in the same transaction, a
changed client's version counts up (so an editor's stale form is told), and every change is in its
history. A field someone edited in Keyline since the feed last wrote it is kept and listed."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from accounts.models import Assignment, AssignmentRole, Client, User
from capture.models import ClientEmailDomain
from feeds.engine import Kind, Outcome, mark, mark_duplicates
from feeds.models import ClientKey, FeedStamp

CLIENT = "accounts.client"
FIELDS = ["name", "sector", "country", "tier_id"]


def _resolve(cursor: Any, actor: User) -> None:
    mark_duplicates(cursor, "Client key")
    cursor.execute(
        """UPDATE feed_stage s SET existing_id = k.client_id FROM feeds_clientkey k
           WHERE s.error IS NULL AND k.key = s.external_id"""
    )
    mark(
        cursor,
        "external_id",
        "'Client key “' || s.external_id || '” cannot be fed by you: ask a managing partner.'",
        "s.existing_id IS NOT NULL AND s.existing_id NOT IN (SELECT client_id FROM feed_allowed)",
    )
    cursor.execute(
        """UPDATE feed_stage s SET existing_id = c.id FROM accounts_client c JOIN feed_allowed a ON a.client_id = c.id
           WHERE s.error IS NULL AND s.existing_id IS NULL AND lower(c.name) = lower(s.name)"""
    )
    cursor.execute(
        """UPDATE feed_stage s SET tier_id = t.id FROM accounts_tier t
           WHERE s.error IS NULL AND s.tier IS NOT NULL AND lower(t.name) = lower(s.tier)"""
    )
    mark(cursor, "tier", "'Unknown tier “' || s.tier || '”.'", "s.tier IS NOT NULL AND s.tier_id IS NULL")
    mark(cursor, "tier", "'A new client needs its tier.'", "s.existing_id IS NULL AND s.tier_id IS NULL")
    cursor.execute(
        """UPDATE feed_stage s SET user_id = u.id FROM accounts_user u
           WHERE s.error IS NULL AND s.crp IS NOT NULL AND lower(u.email) = s.crp AND u.is_active"""
    )
    mark(
        cursor,
        "crp",
        "'No active firm person has the email “' || s.crp || '”.'",
        "s.crp IS NOT NULL AND s.user_id IS NULL",
    )
    mark(cursor, "crp", "'A new client needs its CRP''s email.'", "s.existing_id IS NULL AND s.user_id IS NULL")
    # A parent is another row of the file (by key) or a client the sender may change (by key or name).
    cursor.execute(
        """UPDATE feed_stage s SET parent_id = k.client_id FROM feeds_clientkey k
           JOIN feed_allowed a ON a.client_id = k.client_id WHERE s.error IS NULL AND k.key = s.parent"""
    )
    cursor.execute(
        """UPDATE feed_stage s SET parent_id = c.id FROM accounts_client c JOIN feed_allowed a ON a.client_id = c.id
           WHERE s.error IS NULL AND s.parent_id IS NULL AND s.parent IS NOT NULL AND lower(c.name) = lower(s.parent)"""
    )
    mark(
        cursor,
        "parent",
        "'Unknown parent “' || s.parent || '”: no client you may change, nor a row of this file, "
        "has this key or name.'",
        "s.parent IS NOT NULL AND s.parent_id IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM feed_stage o WHERE o.external_id = s.parent AND o.error IS NULL)",
    )
    _mark_cycles(cursor)


def _mark_cycles(cursor: Any) -> None:
    """Name every row whose parent would make a client its own ancestor, with the file's changes applied."""
    cursor.execute(
        "SELECT line, external_id, existing_id, parent, parent_id FROM feed_stage "
        "WHERE error IS NULL AND parent IS NOT NULL"
    )
    rows = cursor.fetchall()
    if not rows:
        return
    node_of_key = {ext: (("id", existing) if existing else ("ext", ext)) for _, ext, existing, _, _ in rows}
    parents: dict[tuple, tuple | None] = {
        ("id", pk): (("id", parent) if parent else None) for pk, parent in Client.objects.values_list("pk", "parent_id")
    }
    line_of: dict[tuple, int] = {}
    for line, ext, existing, parent_ref, parent_id in rows:
        node = ("id", existing) if existing else ("ext", ext)
        parents[node] = ("id", parent_id) if parent_id else node_of_key.get(parent_ref)
        line_of[node] = line
    bad = []
    for node, line in line_of.items():
        seen, current = {node}, parents.get(node)
        while current is not None:
            if current in seen:
                bad.append(line)
                break
            seen.add(current)
            current = parents.get(current)
    if bad:
        mark(
            cursor,
            "parent",
            "'Parent “' || s.parent || '” would make this client its own ancestor (a cycle).'",
            "s.line = ANY(%s)",
            [bad],
        )


def _count(cursor: Any) -> tuple[int, int, int]:
    cursor.execute(
        """SELECT count(*) FILTER (WHERE s.existing_id IS NULL),
                  count(*) FILTER (WHERE s.existing_id IS NOT NULL AND NOT same),
                  count(*) FILTER (WHERE s.existing_id IS NOT NULL AND same)
           FROM (SELECT s.existing_id, (c.name = s.name AND c.sector = COALESCE(s.sector, c.sector)
                     AND c.country = COALESCE(s.country, c.country) AND c.tier_id = COALESCE(s.tier_id, c.tier_id)
                     AND c.parent_id IS NOT DISTINCT FROM COALESCE(s.parent_id, c.parent_id)
                     AND (s.domains IS NULL OR string_to_array(s.domains, ';') <@ ARRAY(
                          SELECT d.domain FROM capture_clientemaildomain d WHERE d.client_id = c.id)::text[])
                 ) AS same
                 FROM feed_stage s LEFT JOIN accounts_client c ON c.id = s.existing_id WHERE s.error IS NULL) s"""
    )
    created, updated, unchanged = cursor.fetchone()
    return created, updated, unchanged


def _apply(cursor: Any, actor: User, outcome: Outcome) -> None:
    cursor.execute(
        """SELECT external_id, existing_id, name, sector, country, tier_id, user_id, parent, parent_id, domains
           FROM feed_stage WHERE error IS NULL ORDER BY line"""
    )
    rows = cursor.fetchall()
    by_key: dict[str, int] = {}
    today = timezone.localdate()
    existing = Client.objects.in_bulk([r[1] for r in rows if r[1]])
    stamps = {
        (s.object_id, s.field): s.value for s in FeedStamp.objects.filter(model=CLIENT, object_id__in=list(existing))
    }
    for ext, existing_id, name, sector, country, tier_id, crp_id, _parent, _parent_id, domains in rows:
        values = {"name": name, "sector": sector, "country": country, "tier_id": tier_id}
        if existing_id is None:
            client = Client.objects.create(name=name, sector=sector or "", country=country or "", tier_id=tier_id)
            Assignment.objects.create(client=client, user_id=crp_id, role=AssignmentRole.CRP, start_date=today)
            _stamp(client.pk, {k: v for k, v in values.items() if v is not None})
        else:
            client = existing[existing_id]
            _update(client, values, stamps, outcome)
        ClientKey.objects.update_or_create(key=ext, defaults={"client": client})
        for domain in (domains or "").split(";"):
            if domain:
                ClientEmailDomain.objects.get_or_create(client=client, domain=domain, defaults={"created_by": actor})
        by_key[ext] = client.pk
    # Parents last, once every row's client exists; the database checks the tree again.
    for ext, _existing_id, *_rest, parent_ref, parent_id, _domains in rows:
        target = parent_id or (by_key.get(parent_ref) if parent_ref else None)
        if target and Client.objects.filter(pk=by_key[ext]).exclude(parent_id=target).exists():
            Client.objects.filter(pk=by_key[ext]).update(parent_id=target, version=F("version") + 1)


def _update(client: Client, values: dict[str, Any], stamps: dict, outcome: Outcome) -> None:
    changes: dict[str, Any] = {}
    for field, new in values.items():
        if new is None:
            continue  # an empty cell never wipes a value
        current = getattr(client, field)
        if current == new:
            continue
        stamped = stamps.get((client.pk, field))
        edited = (stamped is None and current not in ("", None)) or (stamped is not None and stamped != str(current))
        if edited:
            outcome.conflicts.append(
                {
                    "kind": "clients",
                    "client_id": client.pk,
                    "field_name": field,
                    "client": client.name,
                    "field": field.removesuffix("_id"),
                    "keyline": str(current),
                    "feed": str(new),
                    "message": f"{field.removesuffix('_id').capitalize()} edited in Keyline since the last feed: kept.",
                }
            )
            continue
        changes[field] = new
    if changes:
        Client.objects.filter(pk=client.pk).update(**changes, version=F("version") + 1, updated_at=timezone.now())
        _stamp(client.pk, changes)


def _stamp(client_id: int, values: dict[str, Any]) -> None:
    for field, value in values.items():
        FeedStamp.objects.update_or_create(
            model=CLIENT, object_id=client_id, field=field, defaults={"value": str(value)}
        )


CLIENTS = Kind(_resolve, _count, _apply, lock="feeds-clients")
