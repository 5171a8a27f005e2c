"""The stakeholder map and the firm's relationships as they stood on a day, for many clients at once.

A day not yet over reads the rows as they stand; a past day rebuilds them from the audit history
(`core.history`). Each read costs one query for any number of clients, plus one to find the
clients whose history starts later.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from core.history import AsOf, as_model, event_model_of, history_starts_after, is_past, states_as_of
from stakeholders.models import (
    Relationship,
    Stakeholder,
    StakeholderStatus,
    key_person_q,
)

ClientIds = Sequence[int] | None


def _client_filter(client_ids: ClientIds, field: str = "client_id") -> dict[str, list[int]]:
    return {} if client_ids is None else {f"{field}__in": list(client_ids)}


def _stakeholder_states(client_ids: ClientIds, day: datetime.date) -> QuerySet:
    """Active stakeholders at the end of `day`: event rows when the day is past, else the rows."""
    if is_past(day):
        rows = states_as_of(Stakeholder, day, **_client_filter(client_ids))
    else:
        rows = Stakeholder.objects.filter(**_client_filter(client_ids))
    return rows.filter(status=StakeholderStatus.ACTIVE)


def _relationship_states(client_ids: ClientIds, day: datetime.date) -> QuerySet:
    if not is_past(day):
        return Relationship.objects.filter(**_client_filter(client_ids, "stakeholder__client_id"))
    if client_ids is None:
        return states_as_of(Relationship, day)
    # A relationship's stakeholder never changes client: the people ever recorded for these clients.
    people = event_model_of(Stakeholder)._default_manager.filter(client_id__in=list(client_ids)).values("pgh_obj_id")
    return states_as_of(Relationship, day, stakeholder_id__in=people)


def active_stakeholders_as_of(client_ids: Sequence[int], day: datetime.date) -> AsOf[Stakeholder]:
    """Each client's active stakeholders at the end of `day`, most influential first."""
    states = _stakeholder_states(client_ids, day)
    if is_past(day):
        people = [as_model(Stakeholder, e) for e in states]
        starts = history_starts_after(Stakeholder, day, client_ids)
    else:
        people, starts = list(states), {}
    people.sort(key=lambda p: (-p.influence, p.name))
    found = AsOf[Stakeholder](day=day, history_starts=starts)
    for person in people:
        found.rows.setdefault(person.client_id, []).append(person)
    return found


def best_strengths_as_of(client_ids: Sequence[int], day: datetime.date) -> dict[int, int]:
    """{stakeholder id: strongest firm relationship with them at the end of `day`}; people nobody at
    the firm knew are left out."""
    rows = _relationship_states(client_ids, day).values_list("stakeholder_id").annotate(best=Max("strength")).order_by()
    return dict(rows)


def senior_coverage_as_of(
    client_ids: ClientIds, day: datetime.date, *, min_strength: int
) -> dict[int, tuple[int, int]]:
    """{client id: (board, C-suite and decision-makers mapped, those of them someone at the firm
    knows at `min_strength` or more)} at the end of `day` (None: every client); clients with none
    mapped are left out."""
    people = _stakeholder_states(client_ids, day).filter(key_person_q())
    person = "pgh_obj_id" if is_past(day) else "pk"
    strong = _relationship_states(client_ids, day).filter(stakeholder_id=OuterRef(person), strength__gte=min_strength)
    rows = (
        people.values_list("client_id")
        .annotate(
            mapped=Count(person, distinct=True),
            covered=Count(person, filter=Q(Exists(strong)), distinct=True),
        )
        .order_by()
    )
    return {client_id: (mapped, covered) for client_id, mapped, covered in rows}
