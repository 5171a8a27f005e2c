"""Every write of the planning app. Each validates, then saves in one audited transaction."""

from planning.services.items import *  # noqa: F403
from planning.services.plans import *  # noqa: F403
from planning.services.transitions import *  # noqa: F403
from planning.services.base import planning_write  # noqa: F401
