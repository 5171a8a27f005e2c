from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes anyway; the admin offers none."""

    list_display = ["at", "kind", "actor_label", "summary", "client_id", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["actor_label", "summary"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
