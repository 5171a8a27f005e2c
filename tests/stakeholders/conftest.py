import pytest

from tests.factories import StakeholderFactory


@pytest.fixture
def ceo(normal_client):
    return StakeholderFactory(
        client=normal_client,
        name="Clara Chief",
        seniority="c_suite",
        buying_role="decision_maker",
        influence=5,
        attitude=1,
    )


@pytest.fixture
def secret_person(confidential_client):
    return StakeholderFactory(
        client=confidential_client,
        name="Sebastian Secret",
        seniority="board",
        buying_role="decision_maker",
    )
