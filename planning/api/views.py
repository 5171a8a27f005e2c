"""Planning API: thin ViewSets over the access rule, planning.services and planning.selectors.

Every versioned write needs If-Match with the ETag of the last read: 428 without it, 412 when stale.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import (
    CRP_REFUSED,
    TEAM_REFUSED,
    get_editable_client,
    may_hand_over_crp,
    may_plan_transition,
    require,
    visible,
)
from core.concurrency import (
    PreconditionFailed,
    StaleVersionError,
    VersionedViewSetMixin,
    etag_for,
)
from planning import selectors, services
from planning.api import serializers as s
from planning.entities import ENTITIES, Entity
from planning.models import AccountPlan, Action, ClientReview, Transition

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last read of this record. Missing: 428. Stale: 412.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The record's version: send it back as If-Match on your next write.",
)
PRECONDITION_RESPONSES = {
    400: OpenApiResponse(description="Field-level validation errors; nothing saved."),
    404: OpenApiResponse(description="Not found, or not visible to you."),
    403: OpenApiResponse(description="Visible, but you may not change it."),
    412: OpenApiResponse(description="Precondition failed: the record changed since your read (stale If-Match)."),
    428: OpenApiResponse(description="Precondition required: the write had no If-Match header."),
}


def versioned_action(read: type, request: type | None = None) -> Any:
    """OpenAPI for a versioned POST action: If-Match required, ETag returned, 412/428 documented."""
    return extend_schema(parameters=[IF_MATCH, ETAG], request=request, responses={200: read, **PRECONDITION_RESPONSES})


def versioned_schema(serializer: type, read: type | None = None) -> Any:
    """OpenAPI for a versioned ViewSet: If-Match on writes, ETag on reads, 412/428 documented."""
    read = read or serializer
    write = versioned_action(read, serializer)
    return extend_schema_view(
        retrieve=extend_schema(parameters=[ETAG], responses={200: read}),
        update=write,
        partial_update=write,
        destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **PRECONDITION_RESPONSES}),
    )


class PlanningViewSet(VersionedViewSetMixin, viewsets.ModelViewSet):
    """Shared: visibility by the access rule, writes by services, If-Match on every change."""

    entity: Entity
    client_field = "client"
    update_serializer_class: type | None = None

    def get_queryset(self):
        return visible(self.request.user, self.base_queryset(), self.client_field).order_by("id")

    def base_queryset(self) -> models.QuerySet:
        return self.entity.model.objects.all()

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"} and self.update_serializer_class:
            return self.update_serializer_class
        return self.entity.serializer

    def client_id_of(self, obj: models.Model) -> int:
        *path, last = self.client_field.split("__")
        for part in path:
            obj = getattr(obj, part)
        return getattr(obj, f"{last}_id")

    def get_editable_object(self) -> models.Model:
        """The record: 404 unless visible, 403 unless its client is one you may change."""
        obj = self.get_object()
        get_editable_client(self.request.user, self.client_id_of(obj))
        return obj

    def create_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        get_editable_client(self.request.user, data["client"].pk)
        return data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.entity.create(actor=request.user, **self.create_kwargs(dict(serializer.validated_data)))
        return self.respond(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self.get_editable_object()
        expected = self.check_if_match(obj)
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k not in {"client", "plan"}}
        self.run(self.entity.update, obj, expected, changes)
        return self.respond(obj)

    def destroy(self, request, *args, **kwargs):
        obj = self.get_editable_object()
        expected = self.check_if_match(obj)
        self.run(self.entity.delete, obj, expected, {})
        return Response(status=status.HTTP_204_NO_CONTENT)

    def run(self, service: Any, obj: models.Model, expected: int, changes: dict[str, Any]) -> None:
        """Call a versioned service; losing the race after the If-Match check is a 412 too."""
        try:
            service(
                actor=self.request.user,
                **{self.entity.keyword: obj},
                expected_version=expected,
                **changes,
            )
        except StaleVersionError as stale:
            raise PreconditionFailed(f"{stale} Fetch it again and re-apply your change.") from stale

    def respond(self, obj: models.Model, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        data = self.entity.serializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": etag_for(fresh)})


@versioned_schema(s.PlanUpdateSerializer, s.PlanSerializer)
class PlanViewSet(PlanningViewSet):
    """Account plans. Activate/archive are versioned; start-from-last-year copies objectives."""

    entity = ENTITIES["plan"]
    update_serializer_class = s.PlanUpdateSerializer
    filterset_fields = ["client", "year", "status"]

    def base_queryset(self):
        return AccountPlan.objects.select_related("client")

    def destroy(self, request, *args, **kwargs):
        return Response(
            {"detail": "Plans are archived, not deleted."},
            status=status.HTTP_405_METHOD_NOT_ALLOWED,
        )

    @versioned_action(s.PlanSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._status_change(services.plan_activate)

    @versioned_action(s.PlanSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._status_change(services.plan_archive)

    def _status_change(self, service: Any) -> Response:
        plan = self.get_editable_object()
        self.run(service, plan, self.check_if_match(plan), {})
        return self.respond(plan)

    @extend_schema(request=s.PlanStartSerializer, responses={201: s.PlanSerializer})
    @action(detail=False, methods=["post"], url_path="start-from-last-year")
    def start_from_last_year(self, request):
        body = s.PlanStartSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        client = get_editable_client(request.user, body.validated_data["client"].pk)
        plan = services.plan_start_from_last_year(actor=request.user, client=client, year=body.validated_data["year"])
        return self.respond(plan, status.HTTP_201_CREATED)


class PlanRowViewSet(PlanningViewSet):
    """Rows that belong to a plan (objectives, actions): the client is the plan's."""

    client_field = "plan__client"

    def create_kwargs(self, data):
        get_editable_client(self.request.user, data["plan"].client_id)
        return data


@versioned_schema(s.ObjectiveSerializer)
class ObjectiveViewSet(PlanRowViewSet):
    entity = ENTITIES["objective"]
    filterset_fields = ["plan", "horizon"]


@versioned_schema(s.ActionSerializer)
class ActionViewSet(PlanRowViewSet):
    """Actions of the plans you can see. `?mine=true` lists your own open ones, overdue first."""

    entity = ENTITIES["action"]
    filterset_fields = ["plan", "owner", "status"]

    def base_queryset(self):
        return Action.objects.select_related("plan").prefetch_related("stakeholders")

    def get_queryset(self):
        if self.action == "list" and self.request.query_params.get("mine") in {"1", "true"}:
            return selectors.my_actions(user=self.request.user).prefetch_related("stakeholders")
        return super().get_queryset()

    @versioned_action(s.ActionSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        obj = self.get_editable_object()
        self.run(services.action_mark_done, obj, self.check_if_match(obj), {})
        return self.respond(obj)


@versioned_schema(s.OpportunitySerializer)
class OpportunityViewSet(PlanningViewSet):
    entity = ENTITIES["opportunity"]
    filterset_fields = ["client", "stage", "origin", "service_line"]

    @extend_schema(responses=s.PipelineSerializer)
    @action(detail=False, methods=["get"])
    def pipeline(self, request):
        """Open pipeline, plain and weighted (fees x probability), per visible client, in total."""
        totals = selectors.pipeline_total(user=request.user)
        clients = selectors.pipeline_by_client(user=request.user)
        return Response(s.PipelineSerializer({**totals, "clients": clients}).data)


@versioned_schema(s.RiskSerializer)
class RiskViewSet(PlanningViewSet):
    entity = ENTITIES["risk"]
    filterset_fields = ["client", "category", "status"]


@versioned_schema(s.ReviewSerializer)
class ReviewViewSet(PlanningViewSet):
    entity = ENTITIES["review"]
    filterset_fields = ["client"]

    def base_queryset(self):
        return ClientReview.objects.prefetch_related("firm_attendees", "client_attendees")

    @extend_schema(responses=s.OverdueReviewSerializer(many=True))
    @action(detail=False, methods=["get"])
    def overdue(self, request):
        """Active clients whose last held review is older than their cadence (or never held)."""
        page = self.paginate_queryset(selectors.overdue_reviews(user=request.user))
        return self.get_paginated_response(s.OverdueReviewSerializer(page, many=True).data)


@versioned_schema(s.TransitionSerializer)
class TransitionViewSet(PlanningViewSet):
    """CRP handovers. `complete` ends the old CRP and starts the new one in one transaction."""

    entity = ENTITIES["transition"]
    filterset_fields = ["client", "status"]

    def destroy(self, request, *args, **kwargs):
        return Response({"detail": "Cancel a transition instead."}, status=status.HTTP_405_METHOD_NOT_ALLOWED)

    def get_editable_object(self) -> Transition:
        """Refused before the If-Match check: completing is a managing partner's decision."""
        obj = super().get_editable_object()
        if self.action == "complete":
            require(may_hand_over_crp(self.request.user, obj.client), CRP_REFUSED)
        else:
            require(may_plan_transition(self.request.user, obj.client), TEAM_REFUSED)
        return obj

    def create_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        data = super().create_kwargs(data)
        require(may_plan_transition(self.request.user, data["client"]), TEAM_REFUSED)
        return data

    @versioned_action(s.TransitionSerializer, s.TransitionCompleteSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        obj = self.get_editable_object()
        expected = self.check_if_match(obj)
        body = s.TransitionCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.run(services.transition_complete, obj, expected, dict(body.validated_data))
        return self.respond(obj)

    @versioned_action(s.TransitionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        obj = self.get_editable_object()
        self.run(services.transition_cancel, obj, self.check_if_match(obj), {})
        return self.respond(obj)


@versioned_schema(s.PanelSerializer)
class PanelViewSet(PlanningViewSet):
    entity = ENTITIES["panel"]
    filterset_fields = ["client"]


@versioned_schema(s.GuidelineSerializer)
class GuidelineViewSet(PlanningViewSet):
    entity = ENTITIES["guideline"]
    filterset_fields = ["client", "category"]


@versioned_schema(s.ChecklistItemSerializer)
class ChecklistItemViewSet(PlanningViewSet):
    """Onboarding (30/60/90 days) and knowledge-transfer steps."""

    entity = ENTITIES["checklist_item"]
    filterset_fields = ["client", "assignment", "transition", "done"]


ROUTES = [
    ("plans", PlanViewSet, "plan"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("actions", ActionViewSet, "action"),
    ("opportunities", OpportunityViewSet, "opportunity"),
    ("risks", RiskViewSet, "risk"),
    ("reviews", ReviewViewSet, "review"),
    ("transitions", TransitionViewSet, "transition"),
    ("panels", PanelViewSet, "panel"),
    ("guidelines", GuidelineViewSet, "guideline"),
    ("checklist-items", ChecklistItemViewSet, "checklist-item"),
]
