"""Coverage: gap rules, the influence × attitude grid and the stakeholders × firm people matrix."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from stakeholders.models import (
    SENIOR_LEVELS,
    BuyingRole,
    Seniority,
    Stakeholder,
)
from stakeholders.selectors.people import (
    SENIOR_FIRM_ROLES,
    STALE_AFTER_DAYS,
    STRONG_STRENGTH,
    chart_order,
    today_or_local,
)

# --- Coverage gaps -------------------------------------------------------------------------------


class GapKind:
    NO_STRONG_RELATIONSHIP = "no_strong_relationship"
    NOT_CONTACTED = "not_contacted"
    SINGLE_THREADED = "single_threaded"
    SENIORITY_MISMATCH = "seniority_mismatch"
    HOSTILE_GATEKEEPER = "hostile_gatekeeper"


@dataclass(frozen=True)
class Gap:
    kind: str
    stakeholder: Stakeholder
    message: str
    action: str  # "log" (log an interaction) or "owner" (assign an owner / add a relationship)


def gaps_for(person: Stakeholder, today: datetime.date) -> list[Gap]:
    """The coverage rules for one stakeholder loaded by `client_stakeholders`."""
    gaps = []
    rels = person.rels
    if person.is_key_person:
        if not any(rel.strength >= STRONG_STRENGTH for rel in rels):
            gaps.append(
                Gap(
                    GapKind.NO_STRONG_RELATIONSHIP,
                    person,
                    "No firm relationship of strength 3 or more.",
                    "owner",
                )
            )
        if person.last_contacted is None or (today - person.last_contacted).days > STALE_AFTER_DAYS:
            when = f"{person.days_since_contact} days ago" if person.last_contacted else "never"
            gaps.append(
                Gap(
                    GapKind.NOT_CONTACTED,
                    person,
                    f"No interaction in {STALE_AFTER_DAYS} days (last contact: {when}).",
                    "log",
                )
            )
    if person.seniority in SENIOR_LEVELS and len(rels) == 1:
        gaps.append(
            Gap(
                GapKind.SINGLE_THREADED,
                person,
                f"Single-threaded: only {rels[0].user} knows them.",
                "owner",
            )
        )
    if person.seniority == Seniority.BOARD and rels and not any(rel.user.role in SENIOR_FIRM_ROLES for rel in rels):
        gaps.append(
            Gap(
                GapKind.SENIORITY_MISMATCH,
                person,
                "Board member known only by junior firm people: no partner relationship.",
                "owner",
            )
        )
    if person.buying_role in (BuyingRole.GATEKEEPER, BuyingRole.BLOCKER) and person.attitude < 0:
        gaps.append(
            Gap(
                GapKind.HOSTILE_GATEKEEPER,
                person,
                f"{person.get_buying_role_display()} with a negative attitude ({person.attitude}).",
                "owner" if not person.primary else "log",
            )
        )
    return gaps


def coverage_gaps(people: list[Stakeholder], today: datetime.date | None = None) -> list[Gap]:
    today = today_or_local(today)
    ordered = sorted(people, key=lambda p: (chart_order(p)[0], -p.influence, p.name.lower()))
    return [gap for person in ordered for gap in gaps_for(person, today)]


# --- Influence × attitude grid -------------------------------------------------------------------

ATTITUDES = [-2, -1, 0, 1, 2]
INFLUENCES = [5, 4, 3, 2, 1]


def influence_attitude_grid(people: list[Stakeholder]) -> list[dict]:
    """Rows from influence 5 down to 1, cells from attitude −2 to +2, each with its people."""
    cells: dict[tuple[int, int], list[Stakeholder]] = defaultdict(list)
    for person in people:
        cells[(person.influence, person.attitude)].append(person)
    return [
        {
            "influence": level,
            "cells": [{"attitude": att, "people": cells[(level, att)]} for att in ATTITUDES],
        }
        for level in INFLUENCES
    ]


# --- Coverage matrix -----------------------------------------------------------------------------


@dataclass
class CoverageMatrix:
    people: list[User]
    rows: list[dict[str, Any]]  # {"stakeholder", "cells": [Relationship | None], "holders": int}
    load: list[int]  # relationships per firm person, in `people` order


def coverage_matrix(people: list[Stakeholder]) -> CoverageMatrix:
    users = {rel.user_id: rel.user for person in people for rel in person.rels}
    firm = sorted(users.values(), key=lambda u: u.full_name)
    rows: list[dict[str, Any]] = []
    for person in sorted(people, key=chart_order):
        by_user = {rel.user_id: rel for rel in person.rels}
        rows.append(
            {
                "stakeholder": person,
                "cells": [by_user.get(u.pk) for u in firm],
                "holders": len(by_user),
            }
        )
    load = [sum(1 for row in rows if row["cells"][i] is not None) for i in range(len(firm))]
    return CoverageMatrix(people=firm, rows=rows, load=load)
