"""Plans for the shared fixtures' clients."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    ClientReviewFactory,
    ObjectiveFactory,
    OpportunityFactory,
    RiskFactory,
)


@pytest.fixture
def plan(normal_client):
    return AccountPlanFactory(client=normal_client, year=2026, status="active", north_star="Grow in Europe")


@pytest.fixture
def confidential_plan(confidential_client):
    return AccountPlanFactory(client=confidential_client, year=2026, status="active")


@pytest.fixture
def objective(plan):
    return ObjectiveFactory(plan=plan, title="Win the panel review", target_value=10, current_value=4)


@pytest.fixture
def action(plan, alice):
    return ActionFactory(plan=plan, owner=alice, description="Call the general counsel")


def fill_plan(plan, owner, size: int) -> None:
    """`size` of every kind of row on `plan`, for query-count and size tests."""
    today = timezone.localdate()
    for index in range(size):
        objective = ObjectiveFactory(plan=plan)
        ActionFactory(
            plan=plan,
            owner=owner,
            objective=objective,
            due_date=today + datetime.timedelta(days=index - size // 2),
        )
        OpportunityFactory(client=plan.client, owner=owner)
        RiskFactory(client=plan.client, owner=owner, likelihood=1 + index % 5, impact=1 + (index * 3) % 5)
        ClientReviewFactory(client=plan.client, held_date=today - datetime.timedelta(days=30 * index))
