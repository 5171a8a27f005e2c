"""REST API for scorecards, measurements, scores and recompute jobs: thin over services
and the access rule."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import (
    SCORECARD_REFUSED,
    get_visible_client,
    may_edit_scorecard,
    may_see_firm_overview,
    require,
    visible,
    visible_clients,
)
from accounts.filters import AccessFilterSet
from core.parsers import FormParser, JSONParser, MultiPartParser
from health.measures import setting_target
from health.models import HealthScore, Measure, Measurement, RecomputeJob, Scorecard
from health.selectors import JobProgress, jobs_progress_for, latest_scores
from health.services.measurements import measurement_enter, measurements_import
from health.services.scorecards import MeasureInput, scorecard_publish


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["key", "name", "description", "source", "weight", "floor", "target", "unit"]
        read_only_fields = ["source"]
        extra_kwargs = {"key": {"validators": []}}

    def to_representation(self, instance: Measure) -> dict:
        data = super().to_representation(instance)
        held_by_setting = setting_target(instance.key)
        if held_by_setting is not None:
            data["target"] = self.fields["target"].to_representation(held_by_setting)
        return data


class ScorecardSerializer(serializers.ModelSerializer):
    measures = MeasureSerializer(many=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "version",
            "is_current",
            "green_threshold",
            "amber_threshold",
            "min_coverage",
            "note",
            "created_at",
            "measures",
        ]
        read_only_fields = ["version", "is_current", "created_at"]
        extra_kwargs = {
            # A new version states its band lines: the model's defaults are not a choice anyone made.
            "green_threshold": {"required": True},
            "amber_threshold": {"required": True},
            "min_coverage": {
                "help_text": "Minimum data coverage (0–1): below this share of the weight with data, "
                "the band is insufficient data."
            },
        }

    def validate_measures(self, measures: list) -> list:
        if not measures:
            raise serializers.ValidationError("A scorecard needs at least one measure.")
        return measures


class PublishedScorecardSerializer(ScorecardSerializer):
    recompute_job = serializers.IntegerField(read_only=True, help_text="The background rescoring job")

    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "recompute_job"]


class ScorecardViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Scorecard versions. POST publishes a new version (admins only) and rescores everyone."""

    serializer_class = ScorecardSerializer
    pagination_class = None

    def get_queryset(self):
        return Scorecard.objects.prefetch_related("measures").order_by("-version")

    @extend_schema(request=ScorecardSerializer, responses={201: PublishedScorecardSerializer})
    def create(self, request, *args, **kwargs):
        require(may_edit_scorecard(request.user), SCORECARD_REFUSED)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scorecard, job = scorecard_publish(
            actor=request.user,
            green_threshold=data["green_threshold"],
            amber_threshold=data["amber_threshold"],
            min_coverage=data.get("min_coverage", Scorecard._meta.get_field("min_coverage").default),
            note=data.get("note", ""),
            measures_in=[
                MeasureInput(
                    key=m["key"],
                    name=m["name"],
                    weight=m["weight"],
                    floor=m["floor"],
                    target=m["target"],
                    description=m.get("description", ""),
                    unit=m.get("unit", ""),
                )
                for m in data["measures"]
            ],
        )
        body = ScorecardSerializer(self.get_queryset().get(pk=scorecard.pk)).data
        body["recompute_job"] = job.pk
        return Response(body, status=status.HTTP_201_CREATED)


class RecomputeJobSerializer(serializers.ModelSerializer):
    """A job's progress counted over the clients the reader may see (see job_progress_for)."""

    total = serializers.SerializerMethodField()
    done = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()

    class Meta:
        model = RecomputeJob
        fields = [
            "id",
            "as_of",
            "reason",
            "status",
            "total",
            "done",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def _progress(self, job: RecomputeJob) -> JobProgress:
        # A list view passes every job of the page at once (one query); a detail view just its own.
        known = self.context.setdefault("progress", {})
        if job.pk not in known:
            page = getattr(self.parent, "instance", None)
            jobs = list(page) if page is not None else [job]
            known.update(jobs_progress_for(self.context["request"].user, jobs))
        return known[job.pk]

    def get_total(self, job: RecomputeJob) -> int:
        return self._progress(job).total or 0

    def get_done(self, job: RecomputeJob) -> int:
        return self._progress(job).done

    def get_percent(self, job: RecomputeJob) -> int:
        return self._progress(job).percent


class RecomputeJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Progress of background recomputes (firm-wide figures: not for partners)."""

    serializer_class = RecomputeJobSerializer

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not may_see_firm_overview(user):
            return RecomputeJob.objects.none()
        return RecomputeJob.objects.order_by("-created_at")


class MeasurementSerializer(serializers.ModelSerializer):
    """The fields check JSON types only; the service reads the measure, the number and the date,
    with the same messages as the pages."""

    client = serializers.IntegerField(source="client_id")
    measure_key = serializers.CharField()
    value = serializers.CharField(help_text='A number, e.g. 8 or "8.5"')
    measured_on = serializers.CharField(help_text="YYYY-MM-DD")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = Measurement
        fields = ["id", "client", "measure_key", "value", "measured_on", "note", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # one measurement per client, measure and day: the service corrects it in place


class MeasurementFilter(AccessFilterSet):
    client = filters.NumberFilter(field_name="client_id")

    class Meta:
        model = Measurement
        fields = ["client", "measure_key"]


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    csv = serializers.CharField(required=False, trim_whitespace=False)
    dry_run = serializers.BooleanField(default=True)


class MeasurementViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Entered measurements (NPS, payment days…) of clients the caller may see; POST enters one."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return visible(self.request.user, Measurement.objects.all()).order_by("-measured_on", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        client = get_visible_client(self.request.user, data["client_id"])
        serializer.instance = measurement_enter(
            actor=self.request.user,
            client=client,
            measure_key=data["measure_key"],
            value=data["value"],
            measured_on=data["measured_on"],
            note=data["note"] or "",
        )

    @extend_schema(
        request=ImportSerializer,
        responses=inline_serializer(
            "ImportReport",
            {
                "dry_run": serializers.BooleanField(),
                "rows": serializers.IntegerField(),
                "created": serializers.IntegerField(),
                "updated": serializers.IntegerField(),
                "errors": inline_serializer(
                    "ImportRowError",
                    {
                        "line": serializers.IntegerField(help_text="Line of the file; 1 is the header"),
                        "field": serializers.CharField(help_text="The column at fault, or 'header'"),
                        "message": serializers.CharField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request):
        """CSV columns client_id,measure_key,value,measured_on[,note].

        dry_run (default true) saves nothing;
        any bad row refuses the whole file."""
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data.get("file")
        text = (
            upload.read().decode("utf-8-sig", errors="replace") if upload else serializer.validated_data.get("csv", "")
        )
        report = measurements_import(actor=request.user, csv_text=text, dry_run=serializer.validated_data["dry_run"])
        body = {
            "dry_run": report.dry_run,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "errors": report.errors,
        }
        return Response(body, status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)


class HealthScoreSerializer(serializers.ModelSerializer):
    scorecard_version = serializers.IntegerField(source="scorecard.version", read_only=True)

    class Meta:
        model = HealthScore
        fields = [
            "id",
            "client",
            "as_of",
            "score",
            "coverage",
            "band",
            "scorecard_version",
            "computed_at",
            "components",
        ]
        extra_kwargs = {
            "coverage": {
                "help_text": "Data coverage (0–1): the share of the scorecard's weight whose measures had data."
            }
        }


class HealthScoreFilter(AccessFilterSet):
    client = filters.NumberFilter(field_name="client_id")
    since = filters.DateFilter(field_name="as_of", lookup_expr="gte")
    until = filters.DateFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = HealthScore
        fields = ["client", "band", "as_of", "since", "until"]


class HealthScoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Daily scores with their components; filter by client and dates for a client's history."""

    serializer_class = HealthScoreSerializer
    filterset_class = HealthScoreFilter
    ordering_fields = ["as_of", "score"]
    ordering = ["-as_of", "client"]

    def get_queryset(self):
        return visible(self.request.user, HealthScore.objects.select_related("scorecard"))

    @extend_schema(responses=HealthScoreSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="latest")
    def latest(self, request):
        """Each visible client's most recent score up to today (among the scores the filters keep)."""
        scores = self.filter_queryset(self.get_queryset())
        queryset = (
            latest_scores(visible_clients(request.user), among=scores).select_related("scorecard").order_by("client_id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


routes = [
    ("health/scorecards", ScorecardViewSet, "health-scorecard"),
    ("health/jobs", RecomputeJobViewSet, "health-job"),
    ("health/measurements", MeasurementViewSet, "health-measurement"),
    ("health/scores", HealthScoreViewSet, "health-score"),
]
