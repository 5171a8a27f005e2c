"""Playbooks fired by signals, comments, documents, and the channels and webhooks messages go out to."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Client
from core.models import tracked


class Trigger(models.TextChoices):
    BAND_DROP = "band_drop", "Health band drops (to the band chosen, or any drop)"
    SCORE_FALL = "score_fall", "Health score falls N points within 30 days"
    NO_CONTACT = "no_contact", "No contact with the client in N days"
    DETRACTOR = "detractor", "A detractor (NPS 0–6) at the client"
    CRITICAL_INCIDENT = "critical_incident", "An open critical incident"
    REVIEW_OVERDUE = "review_overdue", "Client review overdue"
    RETENDER = "retender", "Panel re-tender within N days"
    ROTATION_DUE = "rotation_due", "CRP rotation review due"
    NEW_CRP = "new_crp", "New CRP started"


# Triggers that read a number N (points or days) from the playbook.
TRIGGERS_WITH_N = {Trigger.SCORE_FALL, Trigger.NO_CONTACT, Trigger.RETENDER}


class OwnerRole(models.TextChoices):
    CRP = "crp", "CRP"
    SAM = "sam", "SAM (the CRP when there is none)"
    BD_LEAD = "bd_lead", "BD lead on the team (the CRP when there is none)"


@tracked
class Playbook(models.Model):
    """What to do when a signal fires for a client: a list of actions with owners by role."""

    name = models.CharField(max_length=200, unique=True)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="N: points for a fall, days for no contact or a re-tender"
    )
    to_band = models.CharField(max_length=12, blank=True, help_text="Band drops: only drops to this band (red…)")
    description = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(trigger__in=["score_fall", "no_contact", "retender"]) | Q(threshold__gt=0),
                name="playbook_threshold_for_n_triggers",
                violation_error_message="This trigger needs a number of points or days above 0.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@tracked
class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=500)
    owner_role = models.CharField(max_length=10, choices=OwnerRole.choices, default=OwnerRole.CRP)
    due_in_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        ordering = ["playbook", "position", "id"]

    def __str__(self) -> str:
        return self.description


@tracked
class PlaybookPause(models.Model):
    """A playbook switched off for one client (the team handles it another way)."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="pauses")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    paused_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["playbook", "client"], name="playbook_paused_once_per_client")]

    def __str__(self) -> str:
        return f"{self.playbook_id} paused for {self.client_id}"


class PlaybookRun(models.Model):
    """One event that fired a playbook for a client: its actions are made once, whatever repeats it."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="playbook_runs")
    dedupe_key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    detail = models.CharField(max_length=500, blank=True)
    fired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "client", "dedupe_key"], name="playbook_run_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.playbook}: {self.title}"


class RunAction(models.Model):
    """The plan action a playbook step created for one event."""

    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="run_actions")
    action = models.OneToOneField("planning.Action", on_delete=models.CASCADE, related_name="playbook_link")
    step = models.ForeignKey(PlaybookStep, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"Action {self.action_id} of run {self.run_id}"


# --- comments --------------------------------------------------------------------------------

COMMENT_MAX_LENGTH = 2000


@tracked
class Comment(models.Model):
    """A short comment on a client or one of its things; replies point at their parent."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="comments")
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


# --- documents -------------------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    ENGAGEMENT_LETTER = "engagement_letter", "Engagement letter"
    PANEL_CONTRACT = "panel_contract", "Panel contract"
    BILLING_GUIDELINES = "billing_guidelines", "Billing guidelines"
    QBR_DECK = "qbr_deck", "QBR deck"
    PLAN = "plan", "Plan document"
    OTHER = "other", "Other"


class ScanStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the virus scan"
    CLEAN = "clean", "Scanned, clean"
    INFECTED = "infected", "Refused: a virus was found"
    SKIPPED = "skipped", "Not scanned (no scanner configured)"


@tracked
class Document(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="documents")
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    expires_on = models.DateField(null=True, blank=True)
    renewal_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("document-detail", args=[self.pk])


def document_path(instance: DocumentVersion, filename: str) -> str:
    # The stored name says nothing about the client or the file: it is served only by id.
    import uuid

    return f"documents/{uuid.uuid4().hex}"


@tracked
class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=document_path, max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=10, choices=ScanStatus.choices, default=ScanStatus.PENDING)
    scan_detail = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_number_once")]

    def __str__(self) -> str:
        return f"{self.filename} v{self.number}"

    @property
    def downloadable(self) -> bool:
        return self.scan_status in (ScanStatus.CLEAN, ScanStatus.SKIPPED)


# --- channels and webhooks -------------------------------------------------------------------


class ChannelKind(models.TextChoices):
    TEAMS = "teams", "Microsoft Teams incoming webhook"
    SLACK = "slack", "Slack incoming webhook"
    WEBHOOK = "webhook", "Signed webhook (the firm's other systems)"


class Audience(models.TextChoices):
    FIRM = "firm", "Anyone at the firm may read it"
    INSIDE_WALL = "inside_wall", "Only people inside every ethical wall (managing partners, admins)"
    DIRECT = "direct", "One person's direct channel"


class Channel(models.Model):
    """Where messages go: a Teams or Slack incoming webhook, or a signed webhook to another system."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    url = models.URLField(max_length=500)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.FIRM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
        help_text="A per-user channel; empty for a firm channel",
    )
    secret = models.CharField(max_length=64, blank=True, help_text="HMAC-SHA256 key of signed webhooks")
    send_alerts = models.BooleanField(default=True)
    send_actions = models.BooleanField(default=True)
    send_mentions = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    failures = models.PositiveIntegerField(default=0, help_text="Deliveries failed in a row")
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One message to one channel, with every attempt's outcome."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "dedupe_key"], name="delivery_once_per_channel_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.channel_id} ({self.status})"


class EmailPreference(models.Model):
    """A person's choice of a daily email of what is theirs (the weekly digest has its own switch)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    daily = models.BooleanField(default=False)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Email choice of {self.user_id}"
