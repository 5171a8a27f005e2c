"""Mailbox capture's models in the Django admin, read-only: their edits go through the app's pages and services."""

from accounts.admin_registry import register_remaining_models

register_remaining_models("capture")
