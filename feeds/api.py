"""The bulk feed API: `POST /api/feeds/<kind>/` with up to FEEDS_API_MAX_ROWS JSON lines, one object
per row keyed by Keyline field names (see docs/feeds.md). `?dry_run=1` checks without writing;
`?mode=valid_only` imports the valid rows when some have errors (the default is all or nothing)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import FEEDS_REFUSED, may_run_feeds
from core.parsers import checked
from feeds import services
from feeds.models import FeedKind, RunMode


class JSONLinesParser(parsers.BaseParser):
    """One JSON object per line (application/x-ndjson), read line by line, at most the batch limit."""

    media_type = "application/x-ndjson"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> list[dict]:
        most = settings.FEEDS_API_MAX_ROWS
        rows: list[dict] = []
        for number, raw in enumerate(stream, 1):
            line = raw.decode("utf-8", errors="strict").strip() if isinstance(raw, bytes) else raw.strip()
            if not line:
                continue
            if len(rows) >= most:
                raise ParseError(f"A batch holds at most {most:,} rows; send the rest in another batch.")
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ParseError(f"Line {number} is not JSON ({exc.args[0]}).") from exc
            if not isinstance(row, dict):
                raise ParseError(f"Line {number} is not a JSON object.")
            rows.append(checked(row, ""))
        return rows


class JSONLParser(JSONLinesParser):
    media_type = "application/jsonl"


Report = inline_serializer(
    "FeedReport",
    {
        "status": serializers.ChoiceField(choices=["checked", "done", "refused"]),
        "rows": serializers.IntegerField(),
        "error_rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField(), help_text="[{row, field, message}]"),
        "conflicts": serializers.ListField(child=serializers.DictField(), help_text="Kept Keyline edits"),
        "message": serializers.CharField(),
    },
)


class FeedViewSet(viewsets.ViewSet):
    """Bulk feeds for scheduled jobs. Each kind is its own endpoint; rows are matched by external id."""

    # Form parsers too: session authentication reads the form for its CSRF token before the view runs,
    # so a session POST without a token is refused as such rather than as an unsupported media type.
    parser_classes = [JSONLinesParser, JSONLParser, parsers.FormParser, parsers.MultiPartParser]

    def _batch(self, request: Request, kind: str) -> Response:
        if not may_run_feeds(request.user):
            raise PermissionDenied(FEEDS_REFUSED)
        rows = request.data
        if not isinstance(rows, list):
            raise ParseError("Send JSON lines (Content-Type: application/x-ndjson), one object per row.")
        dry_run = request.query_params.get("dry_run", "") in {"1", "true", "yes"}
        mode = request.query_params.get("mode", RunMode.ALL_OR_NOTHING)
        if mode not in RunMode.values:
            raise ParseError(f"mode must be one of: {', '.join(RunMode.values)}.")
        try:
            outcome = services.feed_batch(actor=request.user, kind=kind, rows=rows, dry_run=dry_run, mode=mode)
        except DjangoValidationError as error:
            raise ParseError("; ".join(error.messages)) from error
        state = "checked" if dry_run else "refused" if outcome.refused else "done"
        body = {
            "status": state,
            "rows": outcome.rows_total,
            "error_rows": outcome.error_rows,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "errors": outcome.errors,
            "conflicts": outcome.conflicts,
            "message": outcome.message,
        }
        return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY if outcome.refused else status.HTTP_200_OK)

    @extend_schema(
        request={"application/x-ndjson": OpenApiTypes.OBJECT},
        responses={200: Report, 422: Report},
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Check only: nothing is written."),
            OpenApiParameter("mode", OpenApiTypes.STR, enum=RunMode.values, description="all (default) or valid_only"),
        ],
    )
    @action(detail=False, methods=["post"])
    def fees(self, request: Request) -> Response:
        return self._batch(request, FeedKind.FEES)

    @extend_schema(request={"application/x-ndjson": OpenApiTypes.OBJECT}, responses={200: Report, 422: Report})
    @action(detail=False, methods=["post"])
    def clients(self, request: Request) -> Response:
        return self._batch(request, FeedKind.CLIENTS)

    @extend_schema(request={"application/x-ndjson": OpenApiTypes.OBJECT}, responses={200: Report, 422: Report})
    @action(detail=False, methods=["post"])
    def matters(self, request: Request) -> Response:
        return self._batch(request, FeedKind.MATTERS)

    @extend_schema(request={"application/x-ndjson": OpenApiTypes.OBJECT}, responses={200: Report, 422: Report})
    @action(detail=False, methods=["post"])
    def hours(self, request: Request) -> Response:
        return self._batch(request, FeedKind.HOURS)

    @extend_schema(request={"application/x-ndjson": OpenApiTypes.OBJECT}, responses={200: Report, 422: Report})
    @action(detail=False, methods=["post"])
    def rates(self, request: Request) -> Response:
        return self._batch(request, FeedKind.RATES)


routes = [("feeds", FeedViewSet, "feed")]
