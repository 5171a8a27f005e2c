"""REST API for clients, service lines, fees, assignments and users: thin over services and the access rule."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import services
from accounts.access import (
    CRP_REFUSED,
    TEAM_REFUSED,
    editable_clients,
    get_editable_client,
    may_create_client,
    may_end_assignment,
    require,
    visible,
    visible_clients,
)
from accounts.api_scoping import AccessScopedModelSerializer
from accounts.filters import AccessFilterSet
from accounts.models import Assignment, AssignmentRole, Client, FeeRecord, ServiceLine, Tier, User
from core.concurrency import VersionedViewSetMixin, etag_for

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last read of this record. Missing: 428. Stale: 412.",
)


class UserSerializer(serializers.ModelSerializer):
    practice_group = serializers.StringRelatedField()
    office = serializers.StringRelatedField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "job_title", "practice_group", "office", "is_active"]


class ServiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceLine
        fields = ["id", "name", "active"]


class ClientSerializer(AccessScopedModelSerializer):
    tier = serializers.SlugRelatedField(slug_field="name", queryset=Tier.objects.all())
    service_lines = serializers.PrimaryKeyRelatedField(many=True, queryset=ServiceLine.objects.all(), required=False)
    crp = serializers.IntegerField(
        source="crp_id", read_only=True, allow_null=True, help_text="The current Client Relationship Partner's user id"
    )
    crp_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "sector",
            "country",
            "tier",
            "status",
            "confidential",
            "service_lines",
            "notes",
            "review_cadence_days",
            "crp",
            "crp_name",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


class ClientCreateSerializer(ClientSerializer):
    crp = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), write_only=True)
    sam = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), write_only=True, required=False, allow_null=True
    )

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "sam"]


class ClientFilter(AccessFilterSet):
    tier = filters.CharFilter(field_name="tier__name", lookup_expr="iexact")
    crp = filters.NumberFilter(method="filter_crp")

    class Meta:
        model = Client
        fields = ["status", "sector", "confidential", "tier", "crp"]

    def filter_crp(self, queryset, name, value):
        return queryset.filter(assignments__user_id=value, assignments__role="crp", assignments__end_date__isnull=True)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]),
    partial_update=extend_schema(parameters=[IF_MATCH]),
)
class ClientViewSet(
    VersionedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Key clients the caller may see. Writes need If-Match with the ETag of the last read."""

    filterset_class = ClientFilter
    search_fields = ["name", "sector", "country"]
    ordering_fields = ["name", "sector", "status", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return (
            visible_clients(self.request.user)
            .select_related("tier")
            .with_current_crp()
            .prefetch_related(Prefetch("service_lines", queryset=ServiceLine.objects.only("id")))
        )

    def get_serializer_class(self):
        return ClientCreateSerializer if self.action == "create" else ClientSerializer

    def perform_create(self, serializer):
        require(may_create_client(self.request.user), "Ask the BD team to add a key client.")
        data = dict(serializer.validated_data)
        serializer.instance = services.client_create(actor=self.request.user, **data)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        client = self.get_queryset().get(pk=response.data["id"])
        response.data = ClientSerializer(client).data
        response["ETag"] = etag_for(client)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        client = self.get_object()
        get_editable_client(request.user, client.pk)
        expected = self.check_if_match(client)
        serializer = ClientSerializer(client, data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = data.pop("service_lines", None)
        services.client_update(
            actor=request.user, client=client, expected_version=expected, service_lines=lines, **data
        )
        fresh = self.get_queryset().get(pk=client.pk)
        return Response(ClientSerializer(fresh).data, headers={"ETag": etag_for(fresh)})


class ServiceLineViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ServiceLine.objects.all()
    serializer_class = ServiceLineSerializer
    filterset_fields = ["active"]
    search_fields = ["name"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Firm people (read-only)."""

    queryset = User.objects.select_related("practice_group", "office").order_by("full_name")
    serializer_class = UserSerializer
    filterset_fields = ["role", "is_active"]
    search_fields = ["full_name", "email"]


class FeeRecordSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    financial_year = serializers.IntegerField(
        min_value=1990,
        max_value=2100,
        error_messages={"invalid": "Financial year must be four digits, e.g. 2026 for FY2026."},
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = FeeRecord
        fields = ["id", "client", "service_line", "financial_year", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["client"].queryset = editable_clients(request.user)


class FeeRecordViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Fee income per client, financial year and service line. POST replaces an existing figure."""

    serializer_class = FeeRecordSerializer
    filterset_fields = ["client", "service_line", "financial_year"]
    ordering_fields = ["financial_year", "amount"]

    def get_queryset(self):
        return visible(self.request.user, FeeRecord.objects.all()).order_by("-financial_year", "id")

    def perform_create(self, serializer):
        serializer.instance = services.fee_record_set(actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance):
        get_editable_client(self.request.user, instance.client_id)
        services.fee_record_delete(actor=self.request.user, record=instance)


class AssignmentSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    user_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "client", "user", "user_name", "role", "start_date", "end_date"]
        read_only_fields = ["end_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["client"].queryset = editable_clients(request.user)


class AssignmentEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


class AssignmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Team roles with their history. Ending one is `POST …/{id}/end/`; CRPs change by handover."""

    serializer_class = AssignmentSerializer
    filterset_fields = ["client", "user", "role"]

    def get_queryset(self):
        return visible(self.request.user, Assignment.objects.select_related("user")).order_by("id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.assignment_start(actor=self.request.user, **data)

    @extend_schema(request=AssignmentEndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        require(
            may_end_assignment(request.user, assignment),
            CRP_REFUSED if assignment.role == AssignmentRole.CRP else TEAM_REFUSED,
        )
        body = AssignmentEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.assignment_end(actor=request.user, assignment=assignment, **body.validated_data)
        return Response(AssignmentSerializer(assignment, context={"request": request}).data)


routes = [
    ("clients", ClientViewSet, "client"),
    ("service-lines", ServiceLineViewSet, "service-line"),
    ("fees", FeeRecordViewSet, "fee"),
    ("assignments", AssignmentViewSet, "assignment"),
    ("users", UserViewSet, "user"),
]
