import pytest

from health.services.recompute import current_scorecard


@pytest.fixture
def scorecard(db):
    """The default scorecard v1 (made by a data migration; remade if a transactional test emptied it)."""
    return current_scorecard()
