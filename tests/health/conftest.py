import pytest

from health.services.recompute import current_scorecard


@pytest.fixture
def scorecard(db):
    """The default scorecard v1 (a data migration makes it; remade if a transactional test
    emptied the table)."""
    return current_scorecard()
