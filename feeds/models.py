"""Matters, timekeeper time, fee lines from billing systems, exchange rates, and the feeds that bring
them in: saved column mappings per source, runs with their row report, and the values each feed
last wrote (so an edit made in Keyline since is never overwritten without saying so)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from accounts.models import Client, ServiceLine

CURRENCY_CODE = RegexValidator(r"^[A-Z]{3}$", "Give the currency as a three-letter ISO code, e.g. GBP.")


def reporting_currency() -> str:
    """The firm's reporting currency: every total converts into it."""
    return getattr(settings, "FIRM_CURRENCY", "GBP")


class FeedKind(models.TextChoices):
    CLIENTS = "clients", "Clients"
    MATTERS = "matters", "Matters"
    FEES = "fees", "Fees"
    HOURS = "hours", "Timekeeper hours"
    RATES = "rates", "Exchange rates"


class ClientKey(models.Model):
    """A client's key in a source system (3E, Aderant…): how feeds find the client again."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="source_keys")
    key = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.key


class MatterStatus(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    CLOSED = "closed", "Closed"


class Matter(models.Model):
    """A matter or engagement for a client, as the practice-management system knows it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="matters")
    number = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    service_line = models.ForeignKey(
        ServiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="matters"
    )
    responsible_partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="matters_led"
    )
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=MatterStatus.choices, default=MatterStatus.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "number"]
        indexes = [models.Index(fields=["client", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="matter_closes_after_it_opens",
                violation_error_message="A matter cannot close before it opens.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class TimeEntry(models.Model):
    """Hours a timekeeper recorded on a matter on a day (or in a period, summed by the source)."""

    external_id = models.CharField(max_length=100, unique=True)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="time_entries")
    timekeeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_entries")
    worked_on = models.DateField()
    hours = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        indexes = [models.Index(fields=["matter", "worked_on"]), models.Index(fields=["timekeeper", "worked_on"])]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="time_hours_not_negative")]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.worked_on}"


class FeeLine(models.Model):
    """Fees billed (and collected) for a client by a service line in a period, in the currency billed.

    The source of the per-year `accounts.FeeRecord` rows every page reads: a feed sums its lines
    per client × service line × financial year, converted at the rate of each line's period."""

    external_id = models.CharField(max_length=100, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="fee_lines")
    service_line = models.ForeignKey(ServiceLine, on_delete=models.PROTECT, related_name="fee_lines")
    matter = models.ForeignKey(Matter, null=True, blank=True, on_delete=models.SET_NULL, related_name="fee_lines")
    period = models.DateField(help_text="The day the fees were billed, or the last day of the billing period.")
    financial_year = models.PositiveSmallIntegerField()
    billed = models.DecimalField(max_digits=14, decimal_places=2)
    collected = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    wip = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, validators=[CURRENCY_CODE])
    rate = models.DecimalField(max_digits=18, decimal_places=8, help_text="Reporting-currency units per unit billed")
    billed_reporting = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["client", "service_line", "financial_year"])]
        constraints = [
            models.CheckConstraint(condition=Q(billed__gte=0), name="fee_line_billed_not_negative"),
            models.CheckConstraint(condition=Q(collected__gte=0), name="fee_line_collected_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.billed} {self.currency}"


class ExchangeRate(models.Model):
    """From `valid_from` on (until the next rate), one unit of `currency` is `rate` reporting-currency units."""

    currency = models.CharField(max_length=3, validators=[CURRENCY_CODE])
    valid_from = models.DateField()
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))])

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="one_rate_per_currency_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from}"


class FeedSource(models.Model):
    """A system that sends one kind of data (the monthly 3E fee export…) and how its columns map."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=FeedKind.choices)
    # {"keyline field": "the source's column header"}
    mapping = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for its column mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    CHECKED = "checked", "Checked (dry run)"
    DONE = "done", "Imported"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


class RunMode(models.TextChoices):
    ALL_OR_NOTHING = "all", "All or nothing"
    VALID_ONLY = "valid_only", "Only the valid rows"


class FeedRun(models.Model):
    """One file or API batch: checked (dry run) or imported, with its row-level report."""

    kind = models.CharField(max_length=10, choices=FeedKind.choices)
    source = models.ForeignKey(FeedSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="imports/feeds/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    dry_run = models.BooleanField(default=True)
    mode = models.CharField(max_length=12, choices=RunMode.choices, default=RunMode.ALL_OR_NOTHING)
    mapping = models.JSONField(default=dict, blank=True, help_text="{keyline field: the file's column header}")
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, field, message}], the first 2,000")
    conflicts = models.JSONField(
        default=list, blank=True, help_text="Values edited in Keyline since the last feed, kept: [{…}]"
    )
    message = models.CharField(max_length=500, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed {self.original_name or self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.RUNNING}


class FeedStamp(models.Model):
    """The value a feed last wrote into a field of a Keyline row. A different value there now means
    someone edited it in Keyline since: the next feed lists a conflict and keeps the edit."""

    model = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=40)
    value = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id", "field"], name="one_stamp_per_field"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} {self.field}"
