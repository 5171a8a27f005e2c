"""Administrators define playbooks here; everything else of the app is read-only (its pages check it)."""

from django.contrib import admin

from accounts.admin_registry import register_remaining_models
from workflow.models import Playbook, PlaybookStep


class StepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 1


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["name", "trigger", "threshold", "to_band", "is_active"]
    list_filter = ["trigger", "is_active"]
    inlines = [StepInline]


register_remaining_models("workflow")
