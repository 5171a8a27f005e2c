"""Pages run a fixed number of queries whatever the number of clients."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AccountPlanFactory,
    ActionFactory,
    ClientFactory,
    ClientReviewFactory,
    InteractionFactory,
    OpportunityFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIMITS = {
    "dashboard": 12,
    "dashboard-charts": 14,
    "whitespace": 13,
    "overview": 10,
    "partner-home": 10,
}


def build(n, alice, score):
    crps = [alice, UserFactory()]
    for i in range(n):
        client = ClientFactory(crp=crps[i % 2])
        score(client, 40 + i, "amber", days_ago=100)
        score(client, 50 + i, "amber")
        plan = AccountPlanFactory(client=client)
        ActionFactory(
            plan=plan, owner=alice, due_date=timezone.localdate() - datetime.timedelta(days=2)
        )
        OpportunityFactory(client=client)
        StakeholderFactory(client=client, seniority="board")
        InteractionFactory(client=client)
        ClientReviewFactory(client=client)


@pytest.mark.parametrize("n", [1, 30])
@pytest.mark.parametrize("name", list(LIMITS))
def test_page_queries_do_not_grow_with_clients(
    name, n, alice, mike, login, score, django_assert_max_num_queries
):
    build(n, alice, score)
    http = login(mike if name == "overview" else alice)
    with django_assert_max_num_queries(LIMITS[name]):
        response = http.get(
            reverse(name), {} if name in ("overview", "partner-home") else {"mine": "0"}
        )
    assert response.status_code == 200
