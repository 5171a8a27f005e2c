"""Interactions captured from the firm mailbox and calendar files: what was read, what needs a decision,
which clients are off limits, and whose addresses are never captured again."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Client
from core.models import tracked
from stakeholders.models import Interaction, Stakeholder


def normalise_address(address: str) -> str:
    return (address or "").strip().lower()


def address_hash(address: str) -> str:
    """The suppression list's key: a SHA-256 of the lower-cased address, so the list itself names nobody."""
    return hashlib.sha256(f"keyline-suppression:{normalise_address(address)}".encode()).hexdigest()


@tracked
class ClientEmailDomain(models.Model):
    """A mail domain of a client: addresses there are the client's. Several per client, edited by BD.

    Not unique across clients on purpose: a refused duplicate would tell someone outside an ethical
    wall that a confidential client uses the domain. A message whose domain two clients share is put
    to the review queue instead."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(max_length=253)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "domain"],
                name="client_email_domain_once",
                violation_error_message="This client already has this domain.",
            )
        ]
        indexes = [models.Index(fields=["domain"])]

    def __str__(self) -> str:
        return self.domain


@tracked
class CaptureExclusion(models.Model):
    """A client whose mail and meetings are never captured (some clients forbid it)."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="capture_exclusion")
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"No capture for {self.client}"


class Suppression(models.Model):
    """An address never captured again (an erased person, or one refused in the review queue), kept
    only as a hash."""

    address_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.address_hash[:12]


class Source(models.TextChoices):
    MAILBOX = "mailbox", "Mailbox"
    UPLOAD = "upload", "Upload"


class Outcome(models.TextChoices):
    CREATED = "created", "Interaction created"
    MERGED = "merged", "Added to an interaction already captured"
    UPDATED = "updated", "Meeting updated"
    WITHDRAWN = "withdrawn", "Meeting cancelled: interaction withdrawn"
    SCHEDULED = "scheduled", "Meeting ahead: recorded when it has taken place"
    REVIEW = "review", "Waiting in the review queue"
    QUARANTINED = "quarantined", "Quarantined: not from a firm address"
    SKIPPED = "skipped", "Skipped"


class CapturedMessage(models.Model):
    """One message read from the mailbox (or uploaded), by its own Message-ID: the processing log.

    Holds no body, no subject and no client-side address: the outcome, its reason, who sent it and
    which client and interaction it led to."""

    message_id = models.CharField(max_length=255, unique=True)
    key = models.CharField(max_length=255, blank=True, db_index=True, help_text="What makes it one interaction")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MAILBOX)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="captured_messages"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    snippet = models.CharField(
        max_length=300,
        blank=True,
        help_text="The start of the message, signature and quotes cut: only if the firm turns it on",
    )
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-processed_at", "-id"]
        indexes = [models.Index(fields=["-processed_at"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.message_id[:40]})"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Ahead"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class CapturedMeeting(models.Model):
    """A calendar event by its iCalendar UID: the latest version seen (SEQUENCE), and its interaction
    once the meeting has taken place. A meeting ahead is kept here until its day comes."""

    uid = models.CharField(max_length=255, unique=True)
    sequence = models.IntegerField(default=0)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    starts_on = models.DateField()
    summary = models.CharField(max_length=500)
    firm_attendee_ids = models.JSONField(default=list)
    stakeholder_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    interaction = models.OneToOneField(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="captured_meeting"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["starts_on"], condition=Q(status="scheduled"), name="meeting_due")]

    def __str__(self) -> str:
        return f"{self.summary} on {self.starts_on}"


class ReviewKind(models.TextChoices):
    PROPOSED_STAKEHOLDER = "proposed_stakeholder", "Proposed stakeholder"
    UNKNOWN_CLIENT = "unknown_client", "Unknown client"
    TWO_CLIENTS = "two_clients", "Matched more than one client"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class ReviewItem(models.Model):
    """A captured item that needs a person's decision; nothing it proposes is created silently.

    Seen by whoever may see every client it names (`client` and `candidates`): the review queue goes
    through the access rule like every other list."""

    kind = models.CharField(max_length=24, choices=ReviewKind.choices)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    candidates = models.ManyToManyField(Client, blank=True, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(CapturedMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A proposed stakeholder: who, as read from the display name and the signature.
    name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    same_as = models.ForeignKey(
        Stakeholder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="An existing stakeholder of the same name with no address on file",
    )
    # An unknown client or two clients: what the interaction would be, kept until someone decides.
    domains = models.JSONField(default=list, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "email"],
                condition=Q(status="open", kind="proposed_stakeholder"),
                name="one_open_proposal_per_address",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name or ', '.join(self.domains)}"


class MailboxState(models.Model):
    """The mailbox reader's health, one row: shown on the admin status page, read for the backoff."""

    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row")
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_batch = models.PositiveIntegerField(default=0)
    # The worker polling now and until when its claim holds unless renewed: one poll at a time.
    holder = models.CharField(max_length=100, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Mailbox: {self.failures} failures in a row" if self.failures else "Mailbox: working"

    SINGLE_PK = 1

    @classmethod
    def load(cls) -> MailboxState:
        state, _ = cls.objects.get_or_create(pk=cls.SINGLE_PK)
        return state
