"""REST API for stakeholders, relationships and interactions: thin over services and the access rule."""

from django.db.models import Max, OuterRef, Prefetch, Subquery
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from accounts.access import editable_clients, get_editable_client, visible
from accounts.api import IF_MATCH
from accounts.api_scoping import AccessScopedModelSerializer
from accounts.filters import AccessFilterSet
from accounts.models import Client, User
from core.concurrency import StaleVersionError, VersionedViewSetMixin, etag_for
from stakeholders import services
from stakeholders.models import Interaction, Relationship, Stakeholder
from stakeholders.privacy import stakeholder_erase, stakeholder_personal_data


class _EditableClientMixin:
    """Limits writable `client` fields to the clients the caller may change (others read as unknown)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "client" in self.fields and not self.fields["client"].read_only:
            self.fields["client"].queryset = editable_clients(request.user)


class StakeholderSerializer(_EditableClientMixin, AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    attitude = serializers.IntegerField(min_value=-2, max_value=2, required=False)
    influence = serializers.IntegerField(min_value=1, max_value=5, required=False)
    reports_to = serializers.PrimaryKeyRelatedField(queryset=Stakeholder.objects.all(), allow_null=True, required=False)
    last_contacted = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "client",
            "name",
            "job_title",
            "department",
            "seniority",
            "reports_to",
            "buying_role",
            "attitude",
            "influence",
            "email",
            "phone",
            "status",
            "notes",
            "external_id",
            "last_contacted",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple) and hasattr(self.instance, "pk"):
            self.fields["client"].read_only = True
        request = self.context.get("request")
        if request is not None:
            self.fields["reports_to"].queryset = visible(request.user, Stakeholder.objects.all())


class _PersonalDetailsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.CharField(help_text="The client's name")
    name = serializers.CharField()
    job_title = serializers.CharField()
    department = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    notes = serializers.CharField()
    external_id = serializers.CharField()
    seniority = serializers.CharField()
    buying_role = serializers.CharField()
    attitude = serializers.IntegerField()
    influence = serializers.IntegerField()
    status = serializers.CharField()
    reports_to = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class _PersonalRelationshipSerializer(serializers.Serializer):
    firm_person = serializers.CharField()
    strength = serializers.IntegerField()
    target_strength = serializers.IntegerField(allow_null=True)
    primary_owner = serializers.BooleanField()
    notes = serializers.CharField()


class _PersonalInteractionSerializer(serializers.Serializer):
    date = serializers.DateField()
    type = serializers.CharField()
    source = serializers.CharField(help_text="Typed, Mailbox, Invite or Import")
    sentiment = serializers.IntegerField()
    summary = serializers.CharField()
    follow_up = serializers.CharField()
    firm_attendees = serializers.ListField(child=serializers.CharField())


class _PersonalProposalSerializer(serializers.Serializer):
    name = serializers.CharField()
    job_title = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    proposed_at = serializers.DateTimeField()


class _PersonalCaptureSerializer(serializers.Serializer):
    proposals = _PersonalProposalSerializer(many=True, help_text="Proposals in the review queue naming the person")
    captured_interactions = serializers.IntegerField(help_text="Their interactions captured, not typed")
    never_captured_again = serializers.BooleanField(help_text="Their address is on the suppression list")


class _PersonalEarlierAnswerSerializer(serializers.Serializer):
    submitted_at = serializers.DateTimeField()
    nps = serializers.IntegerField(allow_null=True)
    csat = serializers.IntegerField(allow_null=True)
    ces = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()


class _PersonalSurveyResponseSerializer(serializers.Serializer):
    survey = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    nps = serializers.IntegerField(allow_null=True)
    csat = serializers.IntegerField(allow_null=True)
    ces = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    answers = serializers.JSONField(help_text="Answers to the survey's free-text questions")
    earlier_answers = _PersonalEarlierAnswerSerializer(many=True, help_text="Answers this one replaced")


class PersonalDataSerializer(serializers.Serializer):
    """Everything held about one stakeholder."""

    # Documents what stakeholders.privacy.stakeholder_personal_data returns.

    exported_at = serializers.DateTimeField()
    stakeholder = _PersonalDetailsSerializer()
    relationships = _PersonalRelationshipSerializer(many=True)
    interactions = _PersonalInteractionSerializer(many=True)
    capture = _PersonalCaptureSerializer(required=False, help_text="What mailbox capture holds about the person")
    survey_responses = _PersonalSurveyResponseSerializer(
        many=True, required=False, help_text="The person's answers to client-listening surveys"
    )


class StakeholderFilter(AccessFilterSet):
    department = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Stakeholder
        fields = ["client", "seniority", "buying_role", "status", "department", "reports_to"]


@extend_schema_view(update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH]))
class StakeholderViewSet(
    VersionedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Client-side people of the clients the caller may see. Writes need If-Match with the last ETag."""

    serializer_class = StakeholderSerializer
    filterset_class = StakeholderFilter
    search_fields = ["name", "job_title", "department", "email"]
    ordering_fields = ["name", "influence", "attitude", "seniority", "last_contacted"]
    ordering = ["client_id", "name"]

    def get_queryset(self):
        # A correlated subquery rather than a GROUP BY over every interaction: PostgreSQL evaluates it
        # only for the page's rows (after the sort and limit), and the count does not read it at all.
        met = Interaction.stakeholders.through.objects.filter(stakeholder_id=OuterRef("pk"))
        last = met.order_by().values("stakeholder_id").annotate(last=Max("interaction__date")).values("last")
        return visible(self.request.user, Stakeholder.objects.annotate(last_contacted=Subquery(last)))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.stakeholder_create(actor=self.request.user, **data)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        stakeholder = self.get_object()
        get_editable_client(request.user, stakeholder.client_id)
        expected = self.check_if_match(stakeholder)
        serializer = self.get_serializer(stakeholder, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.stakeholder_update(
            actor=request.user, stakeholder=stakeholder, expected_version=expected, **serializer.validated_data
        )
        fresh = self.get_queryset().get(pk=stakeholder.pk)
        return Response(self.get_serializer(fresh).data, headers={"ETag": etag_for(fresh)})

    @extend_schema(responses=PersonalDataSerializer, description="Everything held about this person (audited).")
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request, pk=None):
        stakeholder = self.get_object()
        get_editable_client(request.user, stakeholder.client_id)
        return Response(stakeholder_personal_data(actor=request.user, stakeholder=stakeholder))

    @extend_schema(
        request=None,
        responses=StakeholderSerializer,
        description="Anonymise this person on request; their interactions keep counting.",
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        stakeholder = self.get_object()
        get_editable_client(request.user, stakeholder.client_id)
        stakeholder_erase(actor=request.user, stakeholder=stakeholder)
        return Response(self.get_serializer(self.get_queryset().get(pk=stakeholder.pk)).data)


class RelationshipSerializer(AccessScopedModelSerializer):
    stakeholder = serializers.PrimaryKeyRelatedField(queryset=Stakeholder.objects.none())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    client = serializers.IntegerField(source="stakeholder.client_id", read_only=True)
    strength = serializers.IntegerField(min_value=1, max_value=5)
    target_strength = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)

    class Meta:
        model = Relationship
        fields = [
            "id",
            "stakeholder",
            "client",
            "user",
            "user_name",
            "strength",
            "target_strength",
            "is_primary",
            "notes",
            "version",
        ]
        read_only_fields = ["version"]
        validators = []  # one relationship per pair: a POST for an existing pair is a 409 from the service

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["stakeholder"].queryset = Stakeholder.objects.filter(
                client__in=editable_clients(request.user).values("pk")
            )


class RelationshipExists(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "relationship_exists"

    def __init__(self, current: Relationship):
        super().__init__(
            f"{current.user} already has a relationship with {current.stakeholder} (id {current.pk}). "
            f"Read it (GET /api/relationships/{current.pk}/) and change it with PATCH and If-Match set to its "
            "ETag, so that nobody's change is overwritten unseen."
        )


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]),
    partial_update=extend_schema(parameters=[IF_MATCH]),
    destroy=extend_schema(parameters=[IF_MATCH]),
    create=extend_schema(
        responses={
            201: RelationshipSerializer,
            409: OpenApiResponse(
                description="This firm person and stakeholder already have a relationship: change it "
                "with PATCH and If-Match."
            ),
        }
    ),
)
class RelationshipViewSet(
    VersionedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Who at the firm knows whom. POST records a new relationship (409 when that person and stakeholder
    already have one); PATCH/PUT/DELETE need If-Match with the ETag of the last read."""

    serializer_class = RelationshipSerializer
    filterset_fields = {
        "stakeholder": ["exact"],
        "user": ["exact"],
        "is_primary": ["exact"],
        "stakeholder__client": ["exact"],
        "strength": ["gte", "lte"],
    }
    ordering_fields = ["strength"]

    def get_queryset(self):
        return visible(
            self.request.user, Relationship.objects.select_related("user", "stakeholder__client"), "stakeholder__client"
        ).order_by("id")

    def perform_create(self, serializer):
        try:
            serializer.instance = services.relationship_set(actor=self.request.user, **serializer.validated_data)
        except StaleVersionError as existing:
            raise RelationshipExists(existing.current) from existing

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        rel = self.get_object()
        get_editable_client(request.user, rel.stakeholder.client_id)
        expected = self.check_if_match(rel)
        serializer = self.get_serializer(rel, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = {
            name: serializer.validated_data.get(name, getattr(rel, name))
            for name in ["strength", "target_strength", "is_primary", "notes"]
        }
        services.relationship_set(
            actor=request.user, stakeholder=rel.stakeholder, user=rel.user, expected_version=expected, **values
        )
        fresh = self.get_queryset().get(pk=rel.pk)
        return Response(self.get_serializer(fresh).data, headers={"ETag": etag_for(fresh)})

    def perform_destroy(self, instance):
        get_editable_client(self.request.user, instance.stakeholder.client_id)
        services.relationship_remove(
            actor=self.request.user, relationship=instance, expected_version=self.check_if_match(instance)
        )


class InteractionSerializer(_EditableClientMixin, AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none())
    sentiment = serializers.IntegerField(min_value=-2, max_value=2, required=False)
    firm_attendees = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.filter(is_active=True))
    stakeholders = serializers.PrimaryKeyRelatedField(many=True, queryset=Stakeholder.objects.none(), required=False)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "client",
            "date",
            "kind",
            "sentiment",
            "summary",
            "follow_up",
            "firm_attendees",
            "stakeholders",
            "external_ref",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["stakeholders"].child_relation.queryset = visible(request.user, Stakeholder.objects.all())


class InteractionFilter(AccessFilterSet):
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte")
    firm_attendee = filters.NumberFilter(field_name="firm_attendees")
    stakeholder = filters.NumberFilter(field_name="stakeholders")

    class Meta:
        model = Interaction
        fields = ["client", "kind", "date_after", "date_before", "firm_attendee", "stakeholder"]


class InteractionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Touchpoints with clients the caller may see. Logging one needs a firm attendee and a date not in the future."""

    serializer_class = InteractionSerializer
    filterset_class = InteractionFilter
    search_fields = ["summary", "follow_up"]
    ordering_fields = ["date", "sentiment"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        return visible(
            self.request.user,
            Interaction.objects.prefetch_related(
                Prefetch("firm_attendees", queryset=User.objects.only("id")),
                Prefetch("stakeholders", queryset=Stakeholder.objects.only("id")),
            ),
        )

    def filter_queryset(self, queryset):
        # Only the filters through the attendees and stakeholders can repeat an interaction: the
        # DISTINCT that undoes that (and sorts every interaction to do so) is for them alone.
        filtered = super().filter_queryset(queryset)
        if any(self.request.query_params.get(name) for name in ("firm_attendee", "stakeholder")):
            return filtered.distinct()
        return filtered

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.interaction_log(actor=self.request.user, **data)


routes = [
    ("stakeholders", StakeholderViewSet, "stakeholder"),
    ("relationships", RelationshipViewSet, "relationship"),
    ("interactions", InteractionViewSet, "interaction"),
]
