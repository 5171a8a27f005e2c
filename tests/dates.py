"""The firm's today, read when a test runs, never when its module is imported.

A module-level ``TODAY`` goes stale when a run crosses midnight: the code under test then
works on the new day while the test still expects the old one.
"""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


def days_from_today(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)
