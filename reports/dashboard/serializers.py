"""The shapes the dashboard API answers with: one serializer per response, so the OpenAPI schema names every field.

Amounts held as Decimal are answered as JSON numbers, hence FloatField; shares and changes are rounded to
one decimal place, as the pages show them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import ReturnList

from accounts.crp_signals import CrpSignals, crp_figures
from listening.selectors import rounded_nps
from reports.dashboard.aggregates import FeeMatrix
from reports.dashboard.overview import BandShare, CrpFlag
from reports.dashboard.selectors import attention_reasons, days_since
from reports.dashboard.whitespace import Penetration, WhitespaceMap


def _one_place(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class PortfolioRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    sector = serializers.CharField()
    tier = serializers.CharField(source="tier_name")
    crp_id = serializers.IntegerField(allow_null=True)
    crp_name = serializers.CharField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    nps = serializers.SerializerMethodField(
        help_text="The client's NPS (−100 to 100) over its answers of the last twelve months; null without any."
    )
    trend = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    coverage = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        allow_null=True,
        help_text="Data coverage (0–1): the share of the health scorecard's weight whose measures had data.",
    )
    fees_last_fy = serializers.DecimalField(max_digits=16, decimal_places=2)
    fee_change = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    pipeline = serializers.DecimalField(max_digits=16, decimal_places=2)
    next_review = serializers.DateField(allow_null=True)
    overdue_actions = serializers.IntegerField()
    coverage_gaps = serializers.IntegerField()
    last_contact = serializers.DateField(allow_null=True)
    days_since_contact = serializers.SerializerMethodField()
    attention = serializers.SerializerMethodField()

    def get_nps(self, obj) -> int | None:
        return rounded_nps(obj.nps)

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


class CrpFiguresSerializer(serializers.Serializer):
    """One CRP's load and the signals that say a rotation or a successor is due."""

    # The shape of accounts.crp_signals.crp_figures, which every API and export gives.

    user = serializers.IntegerField()
    name = serializers.CharField()
    clients = serializers.IntegerField(help_text="Clients the partner leads as CRP")
    growth_clients = serializers.IntegerField(help_text="Of those, clients in the Growth population")
    workload = serializers.FloatField()
    overloaded = serializers.BooleanField()
    too_many_growth = serializers.BooleanField()
    rotation_due = serializers.ListField(child=serializers.IntegerField(), help_text="Client ids due for rotation")
    without_successor = serializers.ListField(
        child=serializers.IntegerField(), help_text="Client ids with no SAM named as successor"
    )
    flags = serializers.ListField(child=serializers.CharField(), help_text="The signals, in words")

    def to_representation(self, instance: CrpSignals | CrpFlag) -> dict[str, Any]:
        figures = instance.figures if isinstance(instance, CrpFlag) else crp_figures(instance)
        return super().to_representation(figures)


class ChartBandSerializer(serializers.Serializer):
    band = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.SerializerMethodField(help_text="Percent of the clients shown")

    def get_share(self, obj) -> float:
        return round(obj.share, 1)


class MonthAverageSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="e.g. Jan 2026")
    average = serializers.FloatField(allow_null=True, help_text="Null for a month without scores")


class ServiceLineFeesSerializer(serializers.Serializer):
    service_line = serializers.CharField()
    amounts = serializers.ListField(child=serializers.FloatField(), help_text="One amount per year of `years`")


class FeeMatrixSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    rows = serializers.SerializerMethodField()
    totals = serializers.ListField(child=serializers.FloatField(), help_text="One total per year of `years`")

    @extend_schema_field(ServiceLineFeesSerializer(many=True))
    def get_rows(self, obj: FeeMatrix) -> ReturnList:
        rows = [{"service_line": line, "amounts": amounts} for line, amounts in obj.rows]
        return ServiceLineFeesSerializer(rows, many=True).data


class MoverSerializer(serializers.Serializer):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    trend = serializers.FloatField(help_text="Points gained (or lost) over the trend window")


class ChartsSerializer(serializers.Serializer):
    """The dashboard charts' figures for the filtered portfolio."""

    bands = ChartBandSerializer(many=True)
    average_score_by_month = serializers.SerializerMethodField()
    fees_by_service_line = FeeMatrixSerializer(source="fees")
    movers_up = MoverSerializer(many=True, source="up")
    movers_down = MoverSerializer(many=True, source="down")
    crp_workload = CrpFiguresSerializer(many=True, source="workload")

    @extend_schema_field(MonthAverageSerializer(many=True))
    def get_average_score_by_month(self, figures: dict[str, Any]) -> ReturnList:
        months = [{"month": month, "average": average} for month, average in figures["months"]]
        return MonthAverageSerializer(months, many=True).data


class WhitespaceServiceLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class WhitespaceCellSerializer(serializers.Serializer):
    fees = serializers.FloatField(help_text="Fees of the financial year in this service line")
    open_opportunities = serializers.IntegerField(source="opportunities")


class WhitespaceRowSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="client.pk")
    name = serializers.CharField(source="client.name")
    cells = WhitespaceCellSerializer(many=True, help_text="One cell per entry of `service_lines`")


class PenetrationSerializer(serializers.Serializer):
    service_line = serializers.IntegerField(source="line.pk")
    clients = serializers.IntegerField(help_text="Clients buying this service line")
    share = serializers.SerializerMethodField(help_text="Percent of the clients shown")
    fees = serializers.FloatField()

    def get_share(self, obj: Penetration) -> float:
        return round(obj.share, 1)


class WhitespaceSerializer(serializers.Serializer):
    """The whitespace map: fees and open opportunities per client and service line."""

    financial_year = serializers.IntegerField(source="year")
    count = serializers.IntegerField(source="total")
    page = serializers.IntegerField(source="number")
    pages = serializers.IntegerField(source="num_pages")
    service_lines = WhitespaceServiceLineSerializer(many=True, source="lines")
    rows = serializers.SerializerMethodField()
    penetration = PenetrationSerializer(many=True)

    @extend_schema_field(WhitespaceRowSerializer(many=True))
    def get_rows(self, result: WhitespaceMap) -> ReturnList:
        rows = [{"client": client, "cells": cells} for client, cells in result.rows]
        return WhitespaceRowSerializer(rows, many=True).data


class OverviewBandSerializer(serializers.Serializer):
    band = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.SerializerMethodField(help_text="Percent of the firm's clients")
    change = serializers.SerializerMethodField(help_text="Points of share gained since the quarter began")

    def get_share(self, obj: BandShare) -> float:
        return round(obj.share, 1)

    def get_change(self, obj: BandShare) -> float | None:
        return _one_place(obj.change)


class OverviewSerializer(serializers.Serializer):
    """The managing partners' firm overview."""

    clients = serializers.IntegerField(source="total")
    quarter_start = serializers.DateField()
    bands = OverviewBandSerializer(many=True)
    fees_last_fy = serializers.FloatField(source="fees_last")
    fees_previous_fy = serializers.FloatField(source="fees_prev")
    fee_growth = serializers.FloatField(allow_null=True, help_text="Percent; null without fees the year before")
    pipeline_sourced = serializers.FloatField()
    pipeline_influenced = serializers.FloatField()
    no_contact_90_days = serializers.IntegerField(source="no_contact")
    reviews_overdue = serializers.IntegerField()
    clients_with_overdue_actions = serializers.IntegerField(source="overdue_actions")
    crp_flags = CrpFiguresSerializer(many=True)


class HomeClientSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    band = serializers.CharField(allow_null=True)
    score = serializers.FloatField(allow_null=True)


class HomeActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    description = serializers.CharField()
    client = serializers.IntegerField(source="plan.client_id")
    due_date = serializers.DateField()
    version = serializers.IntegerField(help_text="Send back as expected_version when updating the action")


class HomeReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    client = serializers.IntegerField(source="client_id")
    planned_date = serializers.DateField()


class HomeAlertSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    url = serializers.CharField()


class HomeGapSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    client = serializers.IntegerField(source="client_id")


class HomeSerializer(serializers.Serializer):
    """The caller's home page: their clients and what needs doing."""

    clients = HomeClientSerializer(many=True)
    overdue_actions = HomeActionSerializer(many=True)
    upcoming_actions = HomeActionSerializer(many=True)
    reviews = HomeReviewSerializer(many=True)
    unread_alerts = HomeAlertSerializer(many=True, source="alerts")
    coverage_gaps = HomeGapSerializer(
        many=True, source="gaps", help_text="Senior or decision-making stakeholders no one at the firm knows well"
    )
