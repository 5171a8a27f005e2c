"""Client-health scorecards, entered measurements and the scores computed from them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Client
from accounts.validators import sensible_date
from core.models import tracked


class Band(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    INSUFFICIENT = "insufficient", "Insufficient data"


@tracked
class Scorecard(models.Model):
    """One version of the firm's health scorecard. A change makes a new version; old ones stay."""

    version = models.PositiveIntegerField(unique=True)
    is_current = models.BooleanField(default=False)
    green_threshold = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(70))
    amber_threshold = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(40))
    min_coverage = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.5"))
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_scorecard"),
            models.CheckConstraint(
                condition=Q(green_threshold__gt=models.F("amber_threshold")),
                name="green_above_amber",
                violation_error_message="The green threshold must be above the amber one.",
            ),
        ]

    def __str__(self) -> str:
        return f"Scorecard v{self.version}"


class MeasureSource(models.TextChoices):
    COMPUTED = "computed", "Computed from Keyline data"
    ENTERED = "entered", "Entered or imported"


@tracked
class Measure(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="measures")
    key = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=MeasureSource.choices, default=MeasureSource.ENTERED)
    weight = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    floor = models.DecimalField(max_digits=12, decimal_places=4, help_text="Raw value that scores 0")
    target = models.DecimalField(max_digits=12, decimal_places=4, help_text="Raw value that scores 100")
    unit = models.CharField(max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scorecard", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "key"], name="measure_key_unique_per_scorecard"),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="measure_weight_not_negative",
                violation_error_message="Weights cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(floor=models.F("target")),
                name="measure_floor_differs_from_target",
                violation_error_message="The floor and target must differ.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@tracked
class Measurement(models.Model):
    """An entered or imported raw value of a measure (NPS, payment days…) for a client on a date."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="measurements")
    measure_key = models.SlugField(max_length=50)
    value = models.DecimalField(max_digits=12, decimal_places=4)
    measured_on = models.DateField(validators=[sensible_date])
    note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "measure_key", "measured_on"], name="one_measurement_per_client_key_day"
            ),
        ]
        indexes = [models.Index(fields=["measure_key", "client", "-measured_on"])]

    def __str__(self) -> str:
        return f"{self.measure_key} = {self.value} for {self.client_id} on {self.measured_on}"


class HealthScore(models.Model):
    """A client's score on one day, with every component so it stays explainable."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="health_scores")
    as_of = models.DateField()
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    coverage = models.DecimalField(max_digits=4, decimal_places=3)
    band = models.CharField(max_length=12, choices=Band.choices)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="scores")
    # [{"key", "name", "raw", "floor", "target", "normalised", "weight", "contribution", "missing"}]
    components = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["client", "as_of"], name="one_score_per_client_per_day"),
        ]
        indexes = [
            models.Index(fields=["as_of", "band"]),
            # "Latest score per client" (dashboards, packs) reads only this index.
            models.Index(
                fields=["client", "-as_of"], include=["score", "band", "coverage"], name="score_latest_per_client"
            ),
            # A day's scores across clients (the dashboard's monthly averages) from this index only.
            models.Index(fields=["as_of"], include=["client", "score"], name="score_by_day"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.as_of}: {self.score} ({self.band})"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RecomputeJob(models.Model):
    """A recompute of every client's score: claimed by one worker, resumable batch by batch."""

    as_of = models.DateField()
    reason = models.CharField(max_length=100)
    scorecard = models.ForeignKey(Scorecard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Batches walk clients in id order and commit one by one: a restarted job resumes after this id.
    last_client_id = models.BigIntegerField(default=0)
    # The worker running the job and until when its claim holds unless renewed (a lease, not a
    # session lock: it works behind a transaction-mode pooler). A killed worker's claim runs out.
    holder = models.CharField(max_length=100, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Recompute as of {self.as_of} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class PendingRecompute(models.Model):
    """A client whose data changed and whose score is due: one row however many edits arrive."""

    # A plain id, not a foreign key: a request made while the client itself is being deleted
    # must not block the delete; the recompute skips ids that no longer exist.
    client_id = models.BigIntegerField(primary_key=True)
    requested_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Recompute client {self.client_id}"
