"""Account plans: objectives, actions, opportunities, risks and client reviews."""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Client, ServiceLine, free_text
from accounts.validators import sensible_date


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class Persona(models.TextChoices):
    LUMINARY = "luminary", "Luminary"
    PEDESTAL_SELLER = "pedestal_seller", "Pedestal Seller"
    STRATEGIC_ACCOUNT_LEADER = "strategic_account_leader", "Strategic Account Leader"
    PLANNER = "planner", "Planner"
    FRONT_DOOR = "front_door", "Front-Door"
    RAINMAKER = "rainmaker", "Rainmaker"
    CO_CREATOR = "co_creator", "Co-Creator"
    INTRAPRENEUR = "intrapreneur", "Intrapreneur"
    ELDER = "elder", "Elder"
    CHOREOGRAPHER = "choreographer", "Choreographer"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AccountPlan(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    north_star = free_text("Client's business goals (North Star)")
    relationship_objectives = free_text()
    value_proposition = free_text()
    persona = models.CharField(
        "CRP engagement persona", max_length=30, choices=Persona.choices, blank=True
    )
    last_reviewed = models.DateField(null=True, blank=True, validators=[sensible_date])
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "year"],
                name="one_plan_per_client_year",
                violation_error_message="This client already has a plan for that year.",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="active"),
                name="one_active_plan_per_client",
                violation_error_message="This client already has an active plan.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} plan {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("plan-detail", args=[self.pk])


class Horizon(models.TextChoices):
    SHORT = "short", "Short (< 6 months)"
    MEDIUM = "medium", "Medium (6–18 months)"
    LONG = "long", "Long (> 18 months)"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Objective(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=300)
    horizon = models.CharField(max_length=10, choices=Horizon.choices, default=Horizon.SHORT)
    kpi = models.CharField("KPI", max_length=200, blank=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    current_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["plan", "horizon", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> float | None:
        """Share of the way from baseline to target, 0 to 1 (None without a target)."""
        if (
            self.target_value is None
            or self.current_value is None
            or self.target_value == self.baseline_value
        ):
            return None
        share = (self.current_value - self.baseline_value) / (
            self.target_value - self.baseline_value
        )
        return float(min(max(share, 0), 1))


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Action(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions"
    )
    due_date = models.DateField(validators=[sensible_date])
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    stakeholders = models.ManyToManyField(
        "stakeholders.Stakeholder", blank=True, related_name="actions"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["plan", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.description


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (Stage.IDENTIFIED, Stage.QUALIFIED, Stage.PROPOSAL)


class Origin(models.TextChoices):
    SOURCED = "sourced", "CRP-sourced"
    INFLUENCED = "influenced", "CRP-influenced"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Opportunity(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="opportunities")
    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.PROTECT, related_name="opportunities"
    )
    description = models.CharField(max_length=500)
    estimated_fees = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    probability = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(100)],
        help_text="Per cent, 0–100",
    )
    expected_close = models.DateField(null=True, blank=True, validators=[sensible_date])
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.SOURCED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_close", "id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100),
                name="opportunity_probability_range",
                violation_error_message="Probability runs from 0 to 100.",
            ),
            models.CheckConstraint(
                condition=Q(estimated_fees__gte=0),
                name="opportunity_fees_not_negative",
                violation_error_message="Estimated fees cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def weighted_value(self) -> Decimal:
        return self.estimated_fees * self.probability / 100


class RiskCategory(models.TextChoices):
    RELATIONSHIP = "relationship", "Relationship"
    COMPETITOR = "competitor", "Competitor"
    PRICING = "pricing", "Pricing"
    CYBERSECURITY = "cybersecurity", "Cybersecurity"
    AI_GOVERNANCE = "ai_governance", "AI governance"
    REGULATORY = "regulatory", "Regulatory"
    OPERATIONAL_CONTINUITY = "operational_continuity", "Operational continuity"
    THIRD_PARTY = "third_party", "Third party"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATED = "mitigated", "Mitigated"
    CLOSED = "closed", "Closed"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Risk(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=30, choices=RiskCategory.choices)
    likelihood = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mitigation = free_text()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risks",
    )
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-likelihood", "-impact", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_range",
                violation_error_message="Likelihood runs from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5),
                name="risk_impact_range",
                violation_error_message="Impact runs from 1 to 5.",
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def severity(self) -> int:
        return self.likelihood * self.impact


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ClientReview(models.Model):
    """A relationship review (QBR) with the client: planned, then held."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="reviews")
    planned_date = models.DateField(validators=[sensible_date])
    held_date = models.DateField(null=True, blank=True, validators=[sensible_date])
    firm_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="client_reviews"
    )
    client_attendees = models.ManyToManyField(
        "stakeholders.Stakeholder", blank=True, related_name="reviews"
    )
    notes = free_text()
    decisions = free_text()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-planned_date"]

    def __str__(self) -> str:
        return f"Review of {self.client} planned {self.planned_date}"


class TransitionReason(models.TextChoices):
    DISENGAGEMENT = "disengagement", "Disengagement"
    STYLE_MISMATCH = "style_mismatch", "Style mismatch"
    WORKLOAD = "workload", "Workload"
    SUCCESSION = "succession", "Succession"
    LONG_TENURE = "long_tenure", "Long tenure / stagnation"
    CLIENT_OUTGREW = "client_outgrew", "Client outgrew the partner"
    RETENTION_DECLINE = "retention_decline", "Retention decline"
    RESISTANCE_TO_CHANGE = "resistance_to_change", "Resistance to change"
    STRATEGIC_REORIENTATION = "strategic_reorientation", "Strategic reorientation"
    PARTNER_LEAVING = "partner_leaving", "Partner leaving"


class TransitionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TRANSITION_STATUSES = (TransitionStatus.PLANNED, TransitionStatus.IN_PROGRESS)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Transition(models.Model):
    """A planned handover of the CRP role from one partner to another."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="transitions")
    outgoing = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transitions_out",
    )
    incoming = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transitions_in"
    )
    reason = models.CharField(max_length=30, choices=TransitionReason.choices)
    overlap_start = models.DateField(validators=[sensible_date])
    overlap_end = models.DateField(validators=[sensible_date])
    consent_required = models.BooleanField("Client consent required", default=True)
    consent_received_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    notes = free_text()
    status = models.CharField(
        max_length=12, choices=TransitionStatus.choices, default=TransitionStatus.PLANNED
    )
    completed_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-overlap_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overlap_end__gte=models.F("overlap_start")),
                name="transition_overlap_ends_after_start",
                violation_error_message="The overlap cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"CRP handover of {self.client} to {self.incoming}"


class ChecklistPhase(models.TextChoices):
    DAYS_30 = "30", "First 30 days"
    DAYS_60 = "60", "Days 31-60"
    DAYS_90 = "90", "Days 61-90"
    HANDOVER = "handover", "Knowledge transfer"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ChecklistItem(models.Model):
    """One step of a new CRP's 30/60/90-day onboarding, or of a transition's knowledge transfer."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="checklist_items")
    assignment = models.ForeignKey(
        "accounts.Assignment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="onboarding_items",
    )
    transition = models.ForeignKey(
        Transition, null=True, blank=True, on_delete=models.CASCADE, related_name="checklist"
    )
    phase = models.CharField(max_length=10, choices=ChecklistPhase.choices)
    text = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True, validators=[sensible_date])
    done = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "text"],
                condition=Q(assignment__isnull=False),
                name="onboarding_item_once_per_assignment",
            ),
        ]

    def __str__(self) -> str:
        return self.text


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PanelAppointment(models.Model):
    """The firm's place on a client's adviser panel, with its re-tender and rate-review dates."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="panel_appointments")
    panel_name = models.CharField(max_length=200)
    appointed_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    retender_on = models.DateField("Re-tender date", null=True, blank=True, validators=[sensible_date])
    rate_review_on = models.DateField("Rate review date", null=True, blank=True, validators=[sensible_date])
    notes = free_text()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["retender_on", "id"]

    def __str__(self) -> str:
        return self.panel_name


class GuidelineCategory(models.TextChoices):
    STAFFING = "staffing", "Staffing"
    BILLING = "billing", "Billing"
    BUDGETING = "budgeting", "Budgets and estimates"
    REPORTING = "reporting", "Reporting"
    OTHER = "other", "Other"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Guideline(models.Model):
    """An outside-counsel or billing obligation the client imposes on the firm."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="guidelines")
    category = models.CharField(
        max_length=12, choices=GuidelineCategory.choices, default=GuidelineCategory.OTHER
    )
    obligation = models.CharField(max_length=500)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["category", "id"]

    def __str__(self) -> str:
        return self.obligation


class CalendarFeed(models.Model):
    """The secret token behind a person's iCalendar feed of their open actions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
