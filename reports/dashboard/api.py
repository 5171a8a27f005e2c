"""REST API of the dashboards: the rows and figures the pages show, under the same access rule."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import OVERVIEW_REFUSED, may_see_firm_overview, require
from reports.dashboard import home, pages, services, whitespace
from reports.dashboard.params import SORT_LABELS
from reports.dashboard.serializers import (
    ChartsSerializer,
    DashboardPageSerializer,
    HomeSerializer,
    OverviewSerializer,
    PortfolioRowSerializer,
    WhitespaceSerializer,
)
from reports.models import SavedView

VIEW_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=text)
    for name, text in [
        ("q", "Search client name, sector or CRP"),
        ("pg", "Practice group id (of the CRP)"),
        ("office", "Office id (of the CRP)"),
        ("crp", "CRP user id"),
        ("tier", "Tier id"),
        ("band", "green, amber, red or insufficient"),
        ("sector", "Sector"),
        (
            "attention",
            "any, red, falling, no_contact, overdue_actions, overdue_review, coverage_gaps",
        ),
        ("mine", "1: only clients whose team I am on"),
        ("sort", f"One of {', '.join(SORT_LABELS)}; '-' for descending"),
        ("page", "Page number"),
        ("size", "Rows per page, at most 200"),
    ]
]


class DashboardViewSet(viewsets.ViewSet):
    """The portfolio dashboard's rows and figures, filtered exactly like the page's URL."""

    @extend_schema(parameters=VIEW_PARAMETERS, responses=DashboardPageSerializer)
    def list(self, request):
        params, _ = pages.read_params(request.user, request.query_params)
        table = pages.table_page(request.user, params)
        return Response(
            {
                "count": table.total,
                "page": table.number,
                "pages": table.num_pages,
                "notices": params.notices,
                "query": params.query(),
                "results": PortfolioRowSerializer([row.client for row in table.rows], many=True).data,
            }
        )

    @extend_schema(parameters=VIEW_PARAMETERS, responses=ChartsSerializer)
    @action(detail=False)
    def charts(self, request):
        params, _ = pages.read_params(request.user, request.query_params)
        return Response(ChartsSerializer(pages.chart_figures(request.user, params)).data)

    @extend_schema(parameters=VIEW_PARAMETERS, responses=WhitespaceSerializer)
    @action(detail=False)
    def whitespace(self, request):
        params, _ = pages.read_params(request.user, request.query_params)
        return Response(WhitespaceSerializer(whitespace.whitespace_map(request.user, params)).data)

    @extend_schema(responses=OverviewSerializer)
    @action(detail=False)
    def overview(self, request):
        require(may_see_firm_overview(request.user), OVERVIEW_REFUSED)
        return Response(OverviewSerializer(pages.cached_overview(request.user)).data)

    @extend_schema(responses=HomeSerializer)
    @action(detail=False)
    def home(self, request):
        return Response(HomeSerializer(home.partner_summary(request.user)).data)


class SavedViewSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedView
        fields = ["id", "name", "page", "query", "created_at"]
        read_only_fields = ["page", "created_at"]


class SavedViewViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own saved dashboard views."""

    serializer_class = SavedViewSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SavedView.objects.none()
        return SavedView.objects.filter(user=self.request.user).order_by("name")

    def perform_create(self, serializer):
        serializer.instance = services.saved_view_save(
            actor=self.request.user,
            name=serializer.validated_data["name"],
            query=serializer.validated_data.get("query", ""),
        )

    def perform_destroy(self, instance):
        services.saved_view_delete(actor=self.request.user, view=instance)


routes = [
    ("dashboard", DashboardViewSet, "dashboard"),
    ("saved-views", SavedViewViewSet, "saved-view"),
]
