"""A small firm for the stewardship tests: Growth and Maintain tiers, a long-tenured CRP."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Assignment, Tier
from tests.factories import ClientFactory, UserFactory


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def growth(db) -> Tier:
    tier, _ = Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})
    tier.workload_weight = Decimal("2.00")
    tier.save()
    return tier


@pytest.fixture
def maintain(db) -> Tier:
    return Tier.objects.get_or_create(name="Maintain", defaults={"rank": 3, "workload_weight": Decimal("1.00")})[0]


def lead(client, user, since: datetime.date) -> None:
    """Make `user` the client's CRP since `since` (the factory's CRP ends the day before)."""
    current = Assignment.objects.get(client=client, role="crp", end_date__isnull=True)
    if current.user_id == user.pk:
        Assignment.objects.filter(pk=current.pk).update(start_date=since)
        return
    Assignment.objects.filter(pk=current.pk).update(start_date=since - datetime.timedelta(days=400), end_date=since)
    Assignment.objects.create(client=client, user=user, role="crp", start_date=since)


@pytest.fixture
def veteran(db):
    return UserFactory(full_name="Vera Veteran")


@pytest.fixture
def long_client(veteran, growth):
    """A Growth client led by Vera for ten years: past the rotation policy."""
    client = ClientFactory(name="Longstanding Mining plc", crp=veteran, tier=growth)
    lead(client, veteran, datetime.date(2016, 1, 1))
    return client
