"""REST API routes of this app, registered by config.urls."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Loaded on first use rather than with the package: the ViewSets read planning.entities, which
    # reads this package's serializers.
    if name == "routes":
        from planning.api.views import ROUTES

        return ROUTES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
