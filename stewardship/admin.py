"""Stewardship in the Django admin, read-only: decisions, proposals and profiles are made on its own pages."""

from accounts.admin_registry import register_remaining_models

register_remaining_models("stewardship")
