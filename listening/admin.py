from django.contrib import admin

from accounts.admin_registry import register_remaining_models
from listening.models import Programme, RootCause


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "trigger", "every_months", "starts_on", "active", "open_days"]


# The rest (surveys, invitations, responses, incidents, follow-ups) read-only: their edits go through
# the pages and services, which keep the wall, the version checks and the audit history.
register_remaining_models("listening")
