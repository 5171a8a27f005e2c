"""Shared fixtures: one user per role, and a normal and a confidential client.

alice is a partner on both clients' teams (CRP of the normal one, team member of the
confidential one); bob is a partner on neither; carol is BD; mike a managing partner;
ada an admin.
"""

import pytest
from django.test import Client as HttpClient
from hypothesis import HealthCheck, settings

from accounts.models import Assignment, Role
from tests.factories import PASSWORD, ClientFactory, UserFactory

# Property tests judge what the code does, not how fast a shared machine generates their examples.
settings.register_profile("keyline", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("keyline")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    """Between transactional tests Django empties every table with TRUNCATE, which the audit log refuses
    (it is append-only); the test database's own reset is the one place that may empty it."""
    import pgtrigger

    with pgtrigger.ignore("audit.AuditEntry:audit_log_is_never_truncated"):
        return (yield)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached figures must never outlive the rows behind them."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@firm.example", full_name="Alice Partner", role=Role.PARTNER)


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@firm.example", full_name="Bob Outsider", role=Role.PARTNER)


@pytest.fixture
def carol(db):
    return UserFactory(email="carol@firm.example", full_name="Carol Bd", role=Role.BD)


@pytest.fixture
def mike(db):
    return UserFactory(email="mike@firm.example", full_name="Mike Managing", role=Role.MANAGING_PARTNER)


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@firm.example", full_name="Ada Admin", role=Role.ADMIN)


@pytest.fixture
def crp_of_wall(db):
    return UserFactory(email="wallcrp@firm.example", full_name="Walter Wall", role=Role.PARTNER)


@pytest.fixture
def normal_client(alice):
    return ClientFactory(name="Harbour Energy plc", crp=alice)


@pytest.fixture
def confidential_client(alice, crp_of_wall):
    client = ClientFactory(name="Project Nightjar Holdings", confidential=True, crp=crp_of_wall)
    Assignment.objects.create(client=client, user=alice, role="team")
    return client


@pytest.fixture
def users(alice, bob, carol, mike, ada):
    return {"alice": alice, "bob": bob, "carol": carol, "mike": mike, "ada": ada}


@pytest.fixture
def login():
    """Return a logged-in test client for a user."""

    def _login(user) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        return http

    return _login


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def count_queries():
    """Number of SQL queries `action()` runs, to pin a page's count at N rows to its count at 1 row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def _count(action) -> int:
        with CaptureQueriesContext(connection) as context:
            action()
        return len(context.captured_queries)

    return _count
