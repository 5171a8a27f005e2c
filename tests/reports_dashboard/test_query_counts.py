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
    "dashboard": 13,  # the row count is its own statement, so the page stops at its 25 rows
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
        ActionFactory(plan=plan, owner=alice, due_date=timezone.localdate() - datetime.timedelta(days=2))
        OpportunityFactory(client=client)
        StakeholderFactory(client=client, seniority="board")
        InteractionFactory(client=client)
        ClientReviewFactory(client=client)


@pytest.mark.parametrize("name", list(LIMITS))
def test_page_queries_do_not_grow_with_clients(name, alice, mike, login, score, count_queries):
    http = login(mike if name == "overview" else alice)
    query = {} if name in ("overview", "partner-home") else {"mine": "0"}

    def get():
        assert http.get(reverse(name), query).status_code == 200

    build(1, alice, score)
    get()
    at_one = count_queries(get)
    build(29, alice, score)
    assert count_queries(get) == at_one <= LIMITS[name]
