"""Every model of an app in the Django admin: the ones without an admin of their own, read-only.

Their edits go through the app's pages and services, which keep the version checks, the audit
history and the invariants (one current CRP, one scorecard in force…) that a bare admin form would skip.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db import models

LIST_COLUMNS = 6
SEARCHABLE = ("name", "title", "description", "summary", "email", "panel_name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _columns(model: type[models.Model]) -> list[str]:
    fields = [
        field
        for field in model._meta.concrete_fields
        if not isinstance(field, models.TextField | models.JSONField | models.BinaryField)
    ]
    return [field.name for field in fields][:LIST_COLUMNS]


def read_only_admin_for(model: type[models.Model]) -> type[ReadOnlyAdmin]:
    columns = _columns(model)
    related = [name for name in columns if model._meta.get_field(name).is_relation]
    searchable = [name for name in SEARCHABLE if name in {f.name for f in model._meta.concrete_fields}]
    return type(
        f"{model.__name__}ReadOnlyAdmin",
        (ReadOnlyAdmin,),
        {
            "list_display": columns,
            "list_select_related": related,
            "search_fields": searchable,
            "show_full_result_count": False,
        },
    )


def register_remaining_models(app_label: str) -> None:
    """Register, read-only, each model of `app_label` that has no admin yet (audit events included)."""
    for model in apps.get_app_config(app_label).get_models():
        if not admin.site.is_registered(model):
            admin.site.register(model, read_only_admin_for(model))
