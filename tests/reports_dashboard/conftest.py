"""Fixtures for the dashboard tests: a small scored portfolio and no chart cache between tests."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Tier
from tests.factories import ClientFactory, HealthScoreFactory, ScorecardFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_chart_cache(settings):
    settings.DASHBOARD_CHART_CACHE_SECONDS = 0
    cache.clear()


@pytest.fixture
def scorecard(db):
    return ScorecardFactory()


@pytest.fixture
def score(scorecard):
    """score(client, value, band, days_ago=0): one HealthScore row."""

    def _score(client, value, band, days_ago=0):
        return HealthScoreFactory(
            client=client,
            score=Decimal(value),
            band=band,
            scorecard=scorecard,
            as_of=timezone.localdate() - datetime.timedelta(days=days_ago),
        )

    return _score


@pytest.fixture
def portfolio(db, score):
    """Three open clients with different bands, trends and tiers, led by different CRPs."""
    develop, _ = Tier.objects.get_or_create(name="Develop", defaults={"rank": 2})
    red = ClientFactory(name="Redwood Bank plc", sector="Banking", crp=UserFactory(full_name="Rita Red"))
    amber = ClientFactory(
        name="Amberley Foods Ltd",
        sector="Retail",
        tier=develop,
        crp=UserFactory(full_name="Andy Amber"),
    )
    green = ClientFactory(name="Greenfield Energy plc", sector="Energy", crp=UserFactory(full_name="Gina Green"))
    score(red, 30, "red", days_ago=100)
    score(red, 25, "red")
    score(amber, 40, "amber", days_ago=100)
    score(amber, 55, "amber")
    score(green, 90, "green", days_ago=100)
    score(green, 80, "green")
    return {"red": red, "amber": amber, "green": green}
