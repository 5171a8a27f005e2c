"""REST API of the dashboards: the rows and figures the pages show, under the same access rule."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import OVERVIEW_REFUSED, may_see_firm_overview, require
from accounts.crp_signals import crp_figures
from reports.dashboard import home, pages, services, whitespace
from reports.dashboard.params import SORT_LABELS
from reports.dashboard.selectors import attention_reasons, days_since
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


class PortfolioRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    sector = serializers.CharField()
    tier = serializers.CharField(source="tier_name")
    crp_id = serializers.IntegerField(allow_null=True)
    crp_name = serializers.CharField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    trend = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    coverage = serializers.DecimalField(max_digits=4, decimal_places=3, allow_null=True)
    fees_last_fy = serializers.DecimalField(max_digits=16, decimal_places=2)
    fee_change = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    pipeline = serializers.DecimalField(max_digits=16, decimal_places=2)
    next_review = serializers.DateField(allow_null=True)
    overdue_actions = serializers.IntegerField()
    coverage_gaps = serializers.IntegerField()
    last_contact = serializers.DateField(allow_null=True)
    days_since_contact = serializers.SerializerMethodField()
    attention = serializers.SerializerMethodField()

    def get_days_since_contact(self, obj) -> int | None:
        return days_since(obj.last_contact)

    def get_attention(self, obj) -> list[str]:
        return attention_reasons(obj)


@extend_schema_serializer(many=False)  # one page envelope, not a list of them
class DashboardPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    notices = serializers.ListField(child=serializers.CharField())
    query = serializers.CharField()
    results = PortfolioRowSerializer(many=True)


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

    @extend_schema(parameters=VIEW_PARAMETERS, responses=OpenApiTypes.OBJECT)
    @action(detail=False)
    def charts(self, request):
        params, _ = pages.read_params(request.user, request.query_params)
        figures = pages.chart_figures(request.user, params)
        return Response(
            {
                "bands": [
                    {"band": s.band, "label": s.label, "count": s.count, "share": round(s.share, 1)}
                    for s in figures["bands"]
                ],
                "average_score_by_month": [{"month": m, "average": v} for m, v in figures["months"]],
                "fees_by_service_line": {
                    "years": figures["fees"].years,
                    "rows": [{"service_line": line, "amounts": amounts} for line, amounts in figures["fees"].rows],
                    "totals": figures["fees"].totals,
                },
                "movers_up": [vars(m) for m in figures["up"]],
                "movers_down": [vars(m) for m in figures["down"]],
                "crp_workload": [crp_figures(w) for w in figures["workload"]],
            }
        )

    @extend_schema(parameters=VIEW_PARAMETERS, responses=OpenApiTypes.OBJECT)
    @action(detail=False)
    def whitespace(self, request):
        params, _ = pages.read_params(request.user, request.query_params)
        result = whitespace.whitespace_map(request.user, params)
        return Response(
            {
                "financial_year": result.year,
                "count": result.total,
                "page": result.number,
                "pages": result.num_pages,
                "service_lines": [{"id": line.pk, "name": line.name} for line in result.lines],
                "rows": [
                    {
                        "client": client.pk,
                        "name": client.name,
                        "cells": [{"fees": cell.fees, "open_opportunities": cell.opportunities} for cell in cells],
                    }
                    for client, cells in result.rows
                ],
                "penetration": [
                    {
                        "service_line": p.line.pk,
                        "clients": p.clients,
                        "share": round(p.share, 1),
                        "fees": p.fees,
                    }
                    for p in result.penetration
                ],
            }
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False)
    def overview(self, request):
        require(may_see_firm_overview(request.user), OVERVIEW_REFUSED)
        data = pages.cached_overview(request.user)
        return Response(
            {
                "clients": data.total,
                "quarter_start": data.quarter_start,
                "bands": [
                    {
                        "band": b.band,
                        "count": b.count,
                        "share": round(b.share, 1),
                        "change": None if b.change is None else round(b.change, 1),
                    }
                    for b in data.bands
                ],
                "fees_last_fy": data.fees_last,
                "fees_previous_fy": data.fees_prev,
                "fee_growth": data.fee_growth,
                "pipeline_sourced": data.pipeline_sourced,
                "pipeline_influenced": data.pipeline_influenced,
                "no_contact_90_days": data.no_contact,
                "reviews_overdue": data.reviews_overdue,
                "clients_with_overdue_actions": data.overdue_actions,
                "crp_flags": [crp_figures(f) for f in data.crp_flags],
            }
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False)
    def home(self, request):
        summary = home.partner_summary(request.user)
        return Response(
            {
                "clients": [
                    {"id": c["pk"], "name": c["name"], "band": c["band"], "score": c["score"]} for c in summary.clients
                ],
                "overdue_actions": [
                    {
                        "id": a.pk,
                        "description": a.description,
                        "client": a.plan.client_id,
                        "due_date": a.due_date,
                        "version": a.version,
                    }
                    for a in summary.overdue_actions
                ],
                "upcoming_actions": [
                    {
                        "id": a.pk,
                        "description": a.description,
                        "client": a.plan.client_id,
                        "due_date": a.due_date,
                        "version": a.version,
                    }
                    for a in summary.upcoming_actions
                ],
                "reviews": [
                    {"id": r.pk, "client": r.client_id, "planned_date": r.planned_date} for r in summary.reviews
                ],
                "unread_alerts": [{"id": n.pk, "title": n.title, "url": n.url} for n in summary.alerts],
                "coverage_gaps": [{"id": s.pk, "name": s.name, "client": s.client_id} for s in summary.gaps],
            }
        )


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
