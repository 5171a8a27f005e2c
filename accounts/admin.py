from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from accounts.admin_registry import register_remaining_models
from accounts.models import (
    Assignment,
    Client,
    FeeRecord,
    Office,
    PracticeGroup,
    ServiceLine,
    Tier,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "role", "practice_group", "office", "is_active"]
    list_filter = ["role", "practice_group", "office", "is_active"]
    search_fields = ["full_name", "email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "role", "practice_group", "office"]}),
        ("Access", {"fields": ["is_active", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "role", "password1", "password2"]})]


class AssignmentInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.status != "active":
            return
        current_crps = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == "crp"
            and not form.cleaned_data.get("end_date")
        ]
        if len(current_crps) != 1:
            raise ValidationError("An active client needs exactly one current CRP (a CRP row with no end date).")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    formset = AssignmentInlineFormSet
    extra = 1
    autocomplete_fields = ["user"]
    can_delete = False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "sector", "status", "confidential"]
    list_filter = ["tier", "status", "confidential", "sector"]
    search_fields = ["name"]
    filter_horizontal = ["service_lines"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["client", "user", "role", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["client__name", "user__full_name"]
    autocomplete_fields = ["client", "user"]

    def has_delete_permission(self, request, obj=None):
        return False  # history: assignments are ended, never deleted


@admin.register(FeeRecord)
class FeeRecordAdmin(admin.ModelAdmin):
    list_display = ["client", "financial_year", "service_line", "amount"]
    list_filter = ["financial_year", "service_line"]
    search_fields = ["client__name"]
    autocomplete_fields = ["client"]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "rank", "workload_weight", "description"]


@admin.register(ServiceLine)
class ServiceLineAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
    search_fields = ["name"]


admin.site.register(PracticeGroup, search_fields=["name"])
admin.site.register(Office, search_fields=["name"])

register_remaining_models("accounts")
