import pytest

from health.models import Scorecard


@pytest.fixture
def scorecard(db):
    """The default scorecard v1 that the data migration creates."""
    return Scorecard.objects.get(is_current=True)
