"""Feeds' models in the Django admin, read-only: their rows arrive by feed, through the engine."""

from accounts.admin_registry import register_remaining_models

register_remaining_models("feeds")
