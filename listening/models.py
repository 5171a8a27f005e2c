"""Client listening: feedback surveys (NPS, CSAT, CES), their invitations and responses, the people
who asked not to be surveyed, follow-ups that close the loop, and critical incidents and complaints.

Every row that holds what a client said belongs to a client (a `client` foreign key), so the one
access rule (`accounts.access.visible_rows`) walls it off like any other client data.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Client, ServiceLine, free_text
from accounts.validators import sensible_date
from core.models import Versioned, tracked

# The bands every surface reads (client page, dashboards, pack, follow-ups): one home.
NPS_DETRACTOR_MAX = 6
NPS_PROMOTER_MIN = 9
CSAT_LOW_MAX = 2  # 1–5: "very dissatisfied" and "dissatisfied"
CES_LOW_MAX = 3  # 1–7 where 7 is "very easy": 1–3 means the client found us hard work


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months, kept within the month (31 January + 1 month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


@tracked
class Programme(models.Model):
    """A survey sent automatically: after each held client review, to that review's client attendees;
    or on a schedule, every few months, to the key people of the chosen tiers' active clients."""

    class Trigger(models.TextChoices):
        AFTER_REVIEW = "after_review", "After each client review"
        SCHEDULE = "schedule", "On a schedule"

    class Every(models.IntegerChoices):
        QUARTER = 3, "Every 3 months"
        HALF_YEAR = 6, "Every 6 months"
        YEAR = 12, "Every 12 months"

    name = models.CharField(max_length=200)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.AFTER_REVIEW)
    intro = models.TextField(max_length=2000, blank=True)
    asks_nps = models.BooleanField(default=True)
    asks_csat = models.BooleanField(default=True)
    asks_ces = models.BooleanField(default=False)
    open_days = models.PositiveSmallIntegerField(default=21, validators=[MinValueValidator(1), MaxValueValidator(180)])
    # On a schedule: every `every_months` months from `starts_on`, to the key people (board, C-suite,
    # decision-makers) of the active clients of `tiers` (no tier chosen: every tier).
    every_months = models.PositiveSmallIntegerField(null=True, blank=True, choices=Every.choices)
    starts_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    tiers = models.ManyToManyField("accounts.Tier", blank=True, related_name="+")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Who each trigger surveys, in words for the programmes page.
    RECIPIENTS = {
        Trigger.AFTER_REVIEW: "The client's attendees of the review",
        Trigger.SCHEDULE: "Decision-makers (board, C-suite, decision-makers)",
    }

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def sends_to(self) -> str:
        return self.RECIPIENTS.get(self.trigger, "")

    def clean(self) -> None:
        if self.is_scheduled:
            if not self.every_months:
                raise ValidationError({"every_months": "Choose how often a scheduled programme sends."})
            # The first period starts the day the programme is scheduled, unless BD chose a day.
            self.starts_on = self.starts_on or timezone.localdate()

    @property
    def is_scheduled(self) -> bool:
        return self.trigger == self.Trigger.SCHEDULE

    def _period_index(self, day: datetime.date) -> int | None:
        """Which period of the schedule `day` falls in (0 the first), None before the first or without
        a schedule. Periods run every `every_months` months from `starts_on`."""
        if not (self.is_scheduled and self.every_months and self.starts_on) or day < self.starts_on:
            return None
        months = (day.year - self.starts_on.year) * 12 + day.month - self.starts_on.month
        index = months // self.every_months
        # e.g. from the 31st: this month's "31st" may still be to come
        return index if self._period_start(index) <= day else index - 1

    def _period_start(self, index: int) -> datetime.date:
        assert self.starts_on is not None and self.every_months
        return add_months(self.starts_on, index * self.every_months)  # from the start, so a 31st stays one

    def period_start_on(self, day: datetime.date) -> datetime.date | None:
        """The first day of the schedule's period that `day` falls in (None before the first period, or
        for a programme without a schedule)."""
        index = self._period_index(day)
        return None if index is None else self._period_start(index)

    def next_due(self, today: datetime.date) -> datetime.date | None:
        """The day the schedule next starts a period (today, if one starts today)."""
        if not (self.is_scheduled and self.every_months and self.starts_on):
            return None
        index = self._period_index(today)
        if index is None:
            return self.starts_on
        current = self._period_start(index)
        return today if current == today else self._period_start(index + 1)

    def schedule_text(self, tier_names: list[str]) -> str:
        """ "Every 6 months to decision-makers of Growth clients", for the programmes page."""
        if not self.is_scheduled or not self.every_months:
            return ""
        whose = " or ".join(tier_names) + " clients" if tier_names else "every active key client"
        return f"Every {self.every_months} months to decision-makers of {whose}"

    @property
    def asks(self) -> list[str]:
        return [label for on, label in ((self.asks_nps, "NPS"), (self.asks_csat, "CSAT"), (self.asks_ces, "CES")) if on]


@tracked
class Survey(models.Model):
    """What the firm asks: an NPS question with its "why", CSAT, CES and up to three free-text questions."""

    name = models.CharField(max_length=200)
    intro = models.TextField(
        max_length=2000, blank=True, help_text="A short introduction in the firm's voice, shown above the questions."
    )
    asks_nps = models.BooleanField("Ask NPS (0–10, with why)", default=True)
    asks_csat = models.BooleanField("Ask satisfaction (CSAT 1–5)", default=False)
    asks_ces = models.BooleanField("Ask effort (CES 1–7)", default=False)
    questions = models.JSONField(default=list, blank=True, help_text="Optional free-text questions.")
    status = models.CharField(max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    closes_on = models.DateField(validators=[sensible_date])
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(asks_nps=True) | Q(asks_csat=True) | Q(asks_ces=True),
                name="survey_asks_a_score",
                violation_error_message="Ask at least one of NPS, CSAT or CES.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeRun(models.Model):
    """A programme fired for one client review, or for one client in one period of its schedule: the
    unique (programme, review) and (programme, client, period) rows are what make it fire once."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="runs")
    review = models.ForeignKey("planning.ClientReview", null=True, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(null=True)  # a scheduled run's period (its first day)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "review"], name="programme_fires_once_per_review"),
            models.UniqueConstraint(
                fields=["programme", "client", "period_start"], name="programme_fires_once_per_client_and_period"
            ),
            models.CheckConstraint(
                condition=Q(review__isnull=False, period_start__isnull=True)
                | Q(review__isnull=True, period_start__isnull=False),
                name="programme_run_is_for_a_review_or_a_period",
            ),
        ]

    def __str__(self) -> str:
        if self.review_id is None:
            return f"{self.programme} for client {self.client_id}, period from {self.period_start}"
        return f"{self.programme} for review {self.review_id}"


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    BOUNCED = "bounced", "Bounced"
    SUPPRESSED = "suppressed", "Not sent (opted out, bounced or erased)"


class Invitation(models.Model):
    """One recipient of one survey. The link's secret is stored only as a digest, and replaced once used."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="survey_invitations")
    stakeholder = models.ForeignKey(
        "stakeholders.Stakeholder", null=True, on_delete=models.SET_NULL, related_name="survey_invitations"
    )
    email = models.EmailField(blank=True)
    token_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "stakeholder"], name="one_invitation_per_survey_person"),
        ]
        indexes = [models.Index(fields=["survey", "status"])]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.survey}"


class Response(models.Model):
    """What a recipient answered: the last answer wins; earlier ones are kept as revisions."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="survey_responses")
    stakeholder = models.ForeignKey(
        "stakeholders.Stakeholder", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    nps = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    csat = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    ces = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    comment = free_text("Why")
    answers = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False, help_text="Flagged by the team for a follow-up")
    anonymised = models.BooleanField(default=False)
    submitted_on = models.DateField()
    submitted_at = models.DateTimeField()
    revisions = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(nps__lte=10), name="response_nps_0_10"),
            models.CheckConstraint(condition=Q(csat__gte=1, csat__lte=5) | Q(csat__isnull=True), name="response_csat"),
            models.CheckConstraint(condition=Q(ces__gte=1, ces__lte=7) | Q(ces__isnull=True), name="response_ces"),
        ]
        indexes = [models.Index(fields=["client", "-submitted_on"])]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey}"

    @property
    def nps_category(self) -> str:
        if self.nps is None:
            return ""
        if self.nps >= NPS_PROMOTER_MIN:
            return "promoter"
        return "detractor" if self.nps <= NPS_DETRACTOR_MAX else "passive"


class ResponseRevision(models.Model):
    """An earlier answer, kept when the recipient changed it."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="history")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    nps = models.PositiveSmallIntegerField(null=True)
    csat = models.PositiveSmallIntegerField(null=True)
    ces = models.PositiveSmallIntegerField(null=True)
    comment = models.TextField(blank=True)
    answers = models.JSONField(default=list)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Earlier answer to response {self.response_id}"


class Suppression(models.Model):
    """An address never to be surveyed again: opted out or bounced. Kept as a digest of the address,
    so it outlives the person's erasure without keeping their email."""

    class Reason(models.TextChoices):
        OPTED_OUT = "opted_out", "Asked not to be surveyed"
        BOUNCED = "bounced", "Email bounced"

    email_digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.email_digest[:8]}…)"


@tracked
class ClientListening(models.Model):
    """Per-client listening settings: the "no surveys" switch, honoured for ever."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="listening")
    no_surveys = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Listening settings of client {self.client_id}"


class FollowUpReason(models.TextChoices):
    DETRACTOR = "detractor", "Detractor (NPS 0–6)"
    LOW_CSAT = "low_csat", "Low satisfaction"
    LOW_CES = "low_ces", "High effort"
    FLAGGED = "flagged", "Flagged by the team"


@tracked
class FollowUp(models.Model):
    """Closing the loop on one response: a planning action for the CRP, closed with what was done."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="follow_up")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="survey_follow_ups")
    action = models.OneToOneField("planning.Action", on_delete=models.PROTECT, related_name="survey_follow_up")
    reason = models.CharField(max_length=12, choices=FollowUpReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = free_text("What was done")
    client_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["closed_at", "created_at"]
        indexes = [models.Index(fields=["client", "closed_at"])]

    def __str__(self) -> str:
        return f"Follow-up of response {self.response_id}"


class RootCause(models.Model):
    """A root-cause category the firm configures for incidents and complaints."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IncidentKind(models.TextChoices):
    INCIDENT = "incident", "Critical incident"
    COMPLAINT = "complaint", "Complaint"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


@tracked
class Incident(Versioned):
    """A critical incident or complaint, with its owner, recovery plan and (once resolved) root cause."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(max_length=10, choices=IncidentKind.choices, default=IncidentKind.INCIDENT)
    title = models.CharField(max_length=200)
    description = free_text("What happened")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    raised_by = models.CharField("Raised by (at the client)", max_length=150, blank=True)
    service_line = models.ForeignKey(ServiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    matter_reference = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_incidents")
    recovery_plan = free_text()
    occurred_on = models.DateField(validators=[sensible_date])
    acknowledged_on = models.DateField(
        "Client acknowledged recovery on", null=True, blank=True, validators=[sensible_date]
    )
    resolved_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    root_cause = models.ForeignKey(RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    EDITABLE_FIELDS = [
        "kind",
        "title",
        "description",
        "severity",
        "raised_by",
        "service_line",
        "matter_reference",
        "owner",
        "recovery_plan",
        "occurred_on",
        "acknowledged_on",
    ]

    class Meta:
        ordering = ["resolved_on", "-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(root_cause__isnull=False),
                name="resolved_incident_has_root_cause",
                violation_error_message="Give the root cause when resolving.",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("occurred_on")),
                name="incident_resolved_after_it_occurred",
                violation_error_message="It cannot be resolved before it happened.",
            ),
        ]
        indexes = [models.Index(fields=["client", "resolved_on"])]

    def __str__(self) -> str:
        return self.title
