"""REST API for PDF reports: request, poll, download and retry. Thin over services and selectors."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reports.models import BEHIND_A_WALL, Report, ReportKind, ReportStatus
from reports.pdf import selectors, services


class ReportSerializer(serializers.ModelSerializer):
    """A report as its requester sees it now: one they may no longer read (a client in it is
    behind a wall they are outside of) keeps its title, scope and file to itself and says why."""

    quarter = serializers.CharField(source="quarter_code", read_only=True)
    title = serializers.CharField(source="shown_title", read_only=True)
    scope = serializers.SerializerMethodField()
    available = serializers.BooleanField(read_only=True)
    unavailable_reason = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "scope",
            "quarter",
            "period_start",
            "period_end",
            "title",
            "status",
            "progress",
            "error",
            "pages",
            "clients_included",
            "scheduled",
            "created_at",
            "started_at",
            "finished_at",
            "available",
            "unavailable_reason",
            "download_url",
        ]
        read_only_fields = fields

    def get_scope(self, report: Report) -> dict:
        if report.available:
            return report.scope
        return {"type": report.scope.get("type")}

    def get_unavailable_reason(self, report: Report) -> str | None:
        return None if report.available else BEHIND_A_WALL

    def get_download_url(self, report: Report) -> str | None:
        if report.status != ReportStatus.DONE or not report.available:
            return None
        request = self.context.get("request")
        url = f"/api/reports/{report.pk}/download/"
        return request.build_absolute_uri(url) if request else url


class ScopeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["client", "firm", "practice_group", "office", "crp", "tier", "client_group"]
    )
    id = serializers.IntegerField(required=False, min_value=1)


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    scope = ScopeSerializer()
    quarter = serializers.CharField(max_length=7, help_text="YYYY-Qn, e.g. 2026-Q3")


class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own PDF reports. Create one, poll its status and progress, then download it."""

    queryset = Report.objects.none()
    serializer_class = ReportSerializer
    filterset_fields = ["kind", "status"]
    ordering = ["-created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return selectors.reports_of(self.request.user)

    def get_object(self):
        return selectors.get_report(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ReportRequestSerializer, responses={201: ReportSerializer})
    def create(self, request, *args, **kwargs):
        incoming = ReportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        report = services.report_request(
            actor=request.user,
            kind=data["kind"],
            scope=dict(data["scope"]),
            quarter=data["quarter"],
        )
        report = selectors.get_report(request.user, report.pk)
        return Response(
            ReportSerializer(report, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Unknown, not yours, or not rendered yet"),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        report = services.report_for_download(actor=request.user, pk=pk)
        response = FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.download_name,
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=None, responses={202: ReportSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        report = services.report_retry(actor=request.user, report=self.get_object())
        report = selectors.get_report(request.user, report.pk)
        return Response(
            ReportSerializer(report, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


routes = [("reports", ReportViewSet, "report")]
