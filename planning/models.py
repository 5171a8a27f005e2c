"""Account plans: objectives, actions, opportunities, risks and client reviews."""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import Client, ServiceLine


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
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    north_star = models.TextField("Client's business goals (North Star)", blank=True)
    relationship_objectives = models.TextField(blank=True)
    value_proposition = models.TextField(blank=True)
    persona = models.CharField("CRP engagement persona", max_length=30, choices=Persona.choices, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["client", "year"], name="one_plan_per_client_year",
                                    violation_error_message="This client already has a plan for that year."),
            models.UniqueConstraint(fields=["client"], condition=Q(status="active"), name="one_active_plan_per_client",
                                    violation_error_message="This client already has an active plan."),
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
        """Share of the way from baseline to target, 0–1 (None without a target)."""
        if self.target_value is None or self.current_value is None or self.target_value == self.baseline_value:
            return None
        share = (self.current_value - self.baseline_value) / (self.target_value - self.baseline_value)
        return float(min(max(share, 0), 1))


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Action(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    stakeholders = models.ManyToManyField("stakeholders.Stakeholder", blank=True, related_name="actions")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"]), models.Index(fields=["plan", "due_date"])]

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
    service_line = models.ForeignKey(ServiceLine, on_delete=models.PROTECT, related_name="opportunities")
    description = models.CharField(max_length=500)
    estimated_fees = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    probability = models.PositiveSmallIntegerField(default=10, validators=[MaxValueValidator(100)],
                                                   help_text="Per cent, 0–100")
    expected_close = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.SOURCED)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="opportunities")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_close", "id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(condition=Q(probability__gte=0, probability__lte=100),
                                   name="opportunity_probability_range",
                                   violation_error_message="Probability runs from 0 to 100."),
            models.CheckConstraint(condition=Q(estimated_fees__gte=0), name="opportunity_fees_not_negative",
                                   violation_error_message="Estimated fees cannot be negative."),
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
    likelihood = models.PositiveSmallIntegerField(default=3)
    impact = models.PositiveSmallIntegerField(default=3)
    mitigation = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="risks")
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-likelihood", "-impact", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_range",
                                   violation_error_message="Likelihood runs from 1 to 5."),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_range",
                                   violation_error_message="Impact runs from 1 to 5."),
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
    planned_date = models.DateField()
    held_date = models.DateField(null=True, blank=True)
    firm_attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="client_reviews")
    client_attendees = models.ManyToManyField("stakeholders.Stakeholder", blank=True, related_name="reviews")
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-planned_date"]

    def __str__(self) -> str:
        return f"Review of {self.client} planned {self.planned_date}"
