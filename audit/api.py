"""The audit log over the API: read-only, filtered as the page is, cut by the wall, audit entries and
record history merged newest first. Pages follow `next` (a keyset cursor), so reading deep into years
of history costs what the first page costs."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import may_read_audit_log, require
from audit.exports import row_as_dict
from audit.forms import AuditFilterForm
from audit.log import BadCursor, audit_row, log_page
from audit.selectors import audit_entries_visible_to
from audit.views import AUDIT_REFUSED, cursor_from

PAGE_SIZE = 50

AuditRowSerializer = inline_serializer(
    "AuditRow",
    {
        "id": serializers.CharField(),
        "at": serializers.DateTimeField(),
        "kind": serializers.CharField(),
        "actor": serializers.CharField(allow_blank=True),
        "subject_user": serializers.IntegerField(allow_null=True),
        "client_id": serializers.IntegerField(allow_null=True),
        "summary": serializers.CharField(allow_blank=True),
        "ip_address": serializers.CharField(allow_blank=True),
        "detail": serializers.JSONField(),
    },
)


class AuditCursorPages(BasePagination):
    """How the list is paged, for the schema: `next` (the older page, or null) and `results`. The
    list builds its pages itself from the keyset cursor (audit.log)."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {"next": {"type": "string", "format": "uri", "nullable": True}, "results": schema},
        }


FILTERS = [
    OpenApiParameter("user", OpenApiTypes.INT),
    OpenApiParameter("client", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("before", OpenApiTypes.STR, description="The cursor in the previous page's `next`."),
]


class AuditEntryViewSet(viewsets.ViewSet):
    """Filter with ?user=<id>&client=<id>&kind=<kind>&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD; kind
    `record_change` is the records' history. Follow `next` for older entries."""

    pagination_class = AuditCursorPages

    @extend_schema(operation_id="api_audit_entries_list", parameters=FILTERS, responses=AuditRowSerializer)
    def list(self, request: Request) -> Response:
        require(may_read_audit_log(request.user), AUDIT_REFUSED)
        form = AuditFilterForm(request.query_params, viewer=request.user)
        if not form.is_valid():
            raise ValidationError({field: list(texts) for field, texts in form.errors.items()})
        try:
            after = cursor_from(request.query_params.get("before"))
        except BadCursor as error:
            raise ValidationError({"before": [str(error)]}) from error
        page = log_page(request.user, form.to_filter(), after=after, size=PAGE_SIZE)
        next_url = None
        if page.next_cursor is not None:
            query = request.query_params.copy()
            query["before"] = page.next_cursor.encode()
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"next": next_url, "results": [row_as_dict(row) for row in page.rows]})

    @extend_schema(
        operation_id="api_audit_entries_retrieve",
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses=AuditRowSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """One audit entry by its number; an entry is "not found" to those without the log."""
        if not may_read_audit_log(request.user) or not (pk.isascii() and pk.isdigit() and len(pk) < 19):
            raise Http404
        entry = audit_entries_visible_to(request.user).filter(pk=int(pk)).first()
        if entry is None:
            raise Http404
        return Response(row_as_dict(audit_row(entry)))


routes = [("audit-entries", AuditEntryViewSet, "audit-entry")]
