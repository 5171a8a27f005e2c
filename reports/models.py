"""Generated PDF reports and users' saved dashboard views."""

import uuid

from django.conf import settings
from django.db import models


class ReportKind(models.TextChoices):
    ACCOUNT_REVIEW = "account_review", "Account review"
    QUARTERLY_PACK = "quarterly_pack", "Quarterly pack"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Report(models.Model):
    """A requested PDF. Its file is only ever served through an authorised view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    # {"type": "client"|"firm"|"practice_group"|"office"|"crp"|"tier", "id": …}
    scope = models.JSONField(default=dict)
    period_start = models.DateField()
    period_end = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    clients_included = models.PositiveIntegerField(null=True, blank=True)
    clients_left_out = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"


class SavedView(models.Model):
    """A named dashboard view (its filters, sort and search as a query string), per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    page = models.CharField(max_length=50, default="dashboard")
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "page", "name"], name="saved_view_name_unique")]

    def __str__(self) -> str:
        return self.name


class DigestDelivery(models.Model):
    """One weekly digest sent to one user: claimed before sending so a re-run never sends twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday of the week the digest covers")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="one_digest_per_user_per_week"),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user_id} in the week of {self.week}"
