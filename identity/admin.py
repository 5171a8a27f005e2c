from django.contrib import admin, messages

from accounts.admin_registry import register_remaining_models
from identity.models import AttributeMapping, ExternalIdentity, ScimGroup, ScimToken, UserSession
from identity.services import scim_token_create


@admin.register(AttributeMapping)
class AttributeMappingAdmin(admin.ModelAdmin):
    list_display = ["claim", "value", "role", "practice_group", "office", "priority"]
    list_editable = ["priority"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "last_used_at"]
    list_filter = ["provider"]
    search_fields = ["user__email", "subject"]


@admin.register(ScimGroup)
class ScimGroupAdmin(admin.ModelAdmin):
    list_display = ["display_name", "external_id", "updated_at"]
    filter_horizontal = ["members"]


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """A token is made here and shown once, in the confirmation message."""

    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, raw = scim_token_create(name=obj.name)
        obj.pk = token.pk
        messages.warning(request, f"Copy the SCIM token now, it will not be shown again: {raw}")


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "method", "ip_address", "created_at", "last_seen_at"]
    search_fields = ["user__email"]


register_remaining_models("identity")
