"""The audit log over the API: read-only, filtered as the page is, cut by the wall."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from accounts.access import may_read_audit_log, require
from audit.forms import AuditFilterForm
from audit.models import AuditEntry
from audit.selectors import audit_entries
from audit.views import AUDIT_REFUSED


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "kind", "actor", "subject_user", "client", "summary", "detail", "ip_address"]
        read_only_fields = fields


class AuditEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Filter with ?user=<id>&client=<id>&kind=<kind>&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD."""

    serializer_class = AuditEntrySerializer
    filter_backends: list = []

    def list(self, request, *args, **kwargs):
        require(may_read_audit_log(request.user), AUDIT_REFUSED)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if not may_read_audit_log(self.request.user):
            return AuditEntry.objects.none()  # an entry is "not found" to those without the log
        form = AuditFilterForm(self.request.query_params, viewer=self.request.user)
        if not form.is_valid():
            raise ValidationError({field: list(texts) for field, texts in form.errors.items()})
        return audit_entries(self.request.user, form.to_filter())


routes = [("audit-entries", AuditEntryViewSet, "audit-entry")]
