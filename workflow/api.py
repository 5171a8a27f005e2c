"""REST API for comments and documents: thin over the services, every row through the access rule.

A subject is named by `subject_kind` and `subject_id` (a client, plan, plan action, interaction or
incident for comments; a client, plan, panel appointment or client review for documents). A subject
behind the wall is refused exactly like one that does not exist. Files download only through
`/api/documents/{id}/download/`, once scanned clean, as attachments.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from accounts.access import may_edit_client, visible
from accounts.filters import AccessFilterSet
from workflow.models import COMMENT_MAX_LENGTH, Comment, Document, DocumentKind, DocumentVersion
from workflow.services import comments, documents
from workflow.subjects import BY_MODEL, KINDS, Subject, subject_of

COMMENT_KINDS = [name for name, kind in KINDS.items() if kind.comments]
DOCUMENT_KINDS = [name for name, kind in KINDS.items() if kind.documents]


def _subject(request, kind: str, pk: int, feature: str) -> Subject:
    try:
        return subject_of(request.user, kind, pk, feature=feature)
    except Http404 as exc:
        raise ApiValidationError({"subject_id": [f"No such {KINDS[kind].label}."]}) from exc


def _api_errors(exc: DjangoValidationError) -> ApiValidationError:
    if hasattr(exc, "error_dict"):
        return ApiValidationError(
            {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        )
    return ApiValidationError({"non_field_errors": exc.messages})


def _kind_of(row) -> str:
    kind = BY_MODEL.get(row.subject_type.model_class())
    return kind.name if kind else ""


# --- comments --------------------------------------------------------------------------------


class CommentSerializer(serializers.ModelSerializer):
    subject_kind = serializers.ChoiceField(choices=COMMENT_KINDS, write_only=True)
    subject_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    subject = serializers.SerializerMethodField(help_text="The kind of thing commented on")
    parent = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, allow_null=True, required=False, source="parent_id", help_text="Reply to"
    )
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, help_text="Empty once deleted (a tombstone)")
    author = serializers.IntegerField(source="author_id", read_only=True)
    author_name = serializers.CharField(source="author.full_name", read_only=True)
    mentions = serializers.SerializerMethodField()
    deleted = serializers.BooleanField(source="is_deleted", read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "client",
            "subject_kind",
            "subject",
            "subject_id",
            "parent",
            "author",
            "author_name",
            "body",
            "mentions",
            "created_at",
            "edited_at",
            "deleted",
        ]
        read_only_fields = ["client", "created_at", "edited_at"]

    def get_subject(self, obj: Comment) -> str:
        return _kind_of(obj)

    def get_mentions(self, obj: Comment) -> list[int]:
        return [user.pk for user in obj.mentions.all()]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.is_deleted:
            data["body"] = ""
        return data


class SubjectFilter(AccessFilterSet):
    subject_kind = filters.CharFilter(method="by_kind", help_text="client, plan, action, interaction, incident…")
    subject_id = filters.NumberFilter(field_name="subject_id")

    def by_kind(self, queryset, name, value):
        kind = KINDS.get(value)
        if kind is None:
            return queryset.none()
        from django.contrib.contenttypes.models import ContentType

        return queryset.filter(subject_type=ContentType.objects.get_for_model(kind.model))


class CommentFilter(SubjectFilter):
    class Meta:
        model = Comment
        fields = ["client", "author"]


class CommentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Comments on the clients the caller may see; `@Full Name` mentions notify people inside the wall."""

    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "id"]

    def get_queryset(self):
        return visible(
            self.request.user,
            Comment.objects.select_related("author", "subject_type").prefetch_related("mentions"),
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        subject = _subject(self.request, data["subject_kind"], data["subject_id"], "comments")
        parent = None
        if data.get("parent_id"):
            parent = self.get_queryset().filter(pk=data["parent_id"]).first()
            if parent is None:
                raise ApiValidationError({"parent": ["No such comment."]})
        try:
            serializer.instance = comments.comment_post(
                actor=self.request.user, subject=subject, body=data["body"], parent=parent
            )
        except DjangoValidationError as exc:
            raise _api_errors(exc) from exc


# --- documents -------------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    downloadable = serializers.BooleanField(read_only=True)

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "filename",
            "content_type",
            "size",
            "sha256",
            "scan_status",
            "downloadable",
            "uploaded_at",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    subject_kind = serializers.ChoiceField(choices=DOCUMENT_KINDS, write_only=True)
    subject_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    subject = serializers.SerializerMethodField(help_text="The kind of thing the document is attached to")
    file = serializers.FileField(write_only=True, help_text="Checked for type, size and viruses before storing")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=DocumentKind.choices, default=DocumentKind.OTHER)
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "client",
            "subject_kind",
            "subject",
            "subject_id",
            "title",
            "kind",
            "expires_on",
            "renewal_on",
            "file",
            "versions",
            "created_at",
        ]
        read_only_fields = ["client", "created_at"]

    def get_subject(self, obj: Document) -> str:
        return _kind_of(obj)


class DocumentFilter(SubjectFilter):
    class Meta:
        model = Document
        fields = ["client", "kind"]


VERSION = OpenApiParameter(
    "version", OpenApiTypes.INT, description="A version number (the latest downloadable one by default)"
)


class DocumentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Documents of the clients the caller may see; attaching needs a place on the client's team."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    search_fields = ["title"]
    ordering_fields = ["title", "created_at", "expires_on", "renewal_on"]
    ordering = ["title", "id"]

    def get_queryset(self):
        from django.db.models import Prefetch

        return visible(
            self.request.user,
            Document.objects.select_related("subject_type").prefetch_related(
                Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
            ),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subject = _subject(request, data["subject_kind"], data["subject_id"], "documents")
        if not may_edit_client(request.user, subject.client):
            raise PermissionDenied("You can view this client but not add documents to it.")
        try:
            document = documents.document_create(
                actor=request.user,
                client=subject.client,
                subject=subject.obj,
                upload=data["file"],
                title=data.get("title", ""),
                kind=data["kind"],
                expires_on=data.get("expires_on"),
                renewal_on=data.get("renewal_on"),
            )
        except DjangoValidationError as exc:
            raise _api_errors(exc) from exc
        fresh = self.get_queryset().get(pk=document.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[VERSION],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            404: OpenApiResponse(description="No such document or version, or not scanned clean"),
        },
        description="The file as an attachment, only once its virus scan is clean.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        rows = DocumentVersion.objects.filter(document=document).order_by("-number")
        wanted = request.query_params.get("version")
        if wanted not in (None, ""):
            try:
                number = int(wanted)
            except ValueError as exc:
                raise ApiValidationError({"version": ["A whole number."]}) from exc
            rows = rows.filter(number=number)
        version = next((row for row in rows if row.downloadable and row.file), None)
        if version is None:
            raise Http404("No downloadable version.")
        try:
            handle = version.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("Not found.") from exc
        response = FileResponse(
            handle, as_attachment=True, filename=version.filename, content_type="application/octet-stream"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


routes = [
    ("comments", CommentViewSet, "comment"),
    ("documents", DocumentViewSet, "document"),
]
