"""Account plans: objectives, actions, opportunities, risks and client reviews.

`EDITABLE_FIELDS` on each model: what its form, API serializer and update service accept.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.urls import reverse

from accounts.models import Client, ServiceLine, free_text
from accounts.validators import sensible_date
from core.models import Versioned, tracked
from planning.choices import (
    OPEN_STAGES,  # noqa: F401  (other apps read it from here)
    OPEN_TRANSITION_STATUSES,  # noqa: F401
    PROBABILITY_RANGE,
    RANGE_MESSAGE,
    RISK_SCALE,
    ActionStatus,
    ChecklistPhase,
    GuidelineCategory,
    Horizon,
    Origin,
    Persona,
    PlanStatus,
    RiskCategory,
    RiskStatus,
    Stage,
    TransitionReason,
    TransitionStatus,
)


@tracked
class AccountPlan(Versioned):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    north_star = free_text("Client's business goals (North Star)")
    relationship_objectives = free_text()
    value_proposition = free_text()
    persona = models.CharField("CRP engagement persona", max_length=30, choices=Persona.choices, blank=True)
    last_reviewed = models.DateField(null=True, blank=True, validators=[sensible_date])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = ["north_star", "relationship_objectives", "value_proposition", "persona", "last_reviewed"]

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


@tracked
class Objective(Versioned):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=300)
    horizon = models.CharField(max_length=10, choices=Horizon.choices, default=Horizon.SHORT)
    kpi = models.CharField("KPI", max_length=200, blank=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    current_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    EDITABLE_FIELDS = ["title", "horizon", "kpi", "baseline_value", "target_value", "current_value"]

    class Meta:
        ordering = ["plan", "horizon", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> float | None:
        """Share of the way from baseline to target, 0 to 1 (None without a target)."""
        if self.target_value is None or self.current_value is None or self.target_value == self.baseline_value:
            return None
        share = (self.current_value - self.baseline_value) / (self.target_value - self.baseline_value)
        return float(min(max(share, 0), 1))


@tracked
class Action(Versioned):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions")
    due_date = models.DateField(validators=[sensible_date])
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    stakeholders = models.ManyToManyField("stakeholders.Stakeholder", blank=True, related_name="actions")
    created_at = models.DateTimeField(auto_now_add=True)

    EDITABLE_FIELDS = ["description", "owner", "due_date", "status", "objective", "stakeholders"]

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["plan", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.description


@tracked
class Opportunity(Versioned):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="opportunities")
    service_line = models.ForeignKey(ServiceLine, on_delete=models.PROTECT, related_name="opportunities")
    description = models.CharField(max_length=500)
    estimated_fees = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    probability = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(PROBABILITY_RANGE[1])],
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
    created_at = models.DateTimeField(auto_now_add=True)

    EDITABLE_FIELDS = [
        "description",
        "service_line",
        "estimated_fees",
        "stage",
        "probability",
        "expected_close",
        "origin",
        "owner",
    ]

    class Meta:
        ordering = ["expected_close", "id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=PROBABILITY_RANGE[0], probability__lte=PROBABILITY_RANGE[1]),
                name="opportunity_probability_range",
                violation_error_message=RANGE_MESSAGE.format("Probability", *PROBABILITY_RANGE),
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
        """The row-level reading of `weighted_fees`."""
        return self.estimated_fees * self.probability / 100


def weighted_fees(through: str = "") -> ExpressionWrapper:
    """An opportunity's weighted value, estimated fees × probability ÷ 100, as a query expression
    (sum it for a weighted pipeline); `through` reaches opportunities over a relation, e.g.
    "opportunities__" from a client."""
    return ExpressionWrapper(
        F(f"{through}estimated_fees") * F(f"{through}probability") / 100,
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


@tracked
class Risk(Versioned):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=30, choices=RiskCategory.choices)
    likelihood = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(RISK_SCALE[0]), MaxValueValidator(RISK_SCALE[1])]
    )
    impact = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(RISK_SCALE[0]), MaxValueValidator(RISK_SCALE[1])]
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
    created_at = models.DateTimeField(auto_now_add=True)

    EDITABLE_FIELDS = ["title", "category", "likelihood", "impact", "mitigation", "owner", "status"]

    class Meta:
        ordering = ["-likelihood", "-impact", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=RISK_SCALE[0], likelihood__lte=RISK_SCALE[1]),
                name="risk_likelihood_range",
                violation_error_message=RANGE_MESSAGE.format("Likelihood", *RISK_SCALE),
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=RISK_SCALE[0], impact__lte=RISK_SCALE[1]),
                name="risk_impact_range",
                violation_error_message=RANGE_MESSAGE.format("Impact", *RISK_SCALE),
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def severity(self) -> int:
        return self.likelihood * self.impact


@tracked
class ClientReview(Versioned):
    """A relationship review (QBR) with the client: planned, then held."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="reviews")
    planned_date = models.DateField(validators=[sensible_date])
    held_date = models.DateField(null=True, blank=True, validators=[sensible_date])
    firm_attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="client_reviews")
    client_attendees = models.ManyToManyField("stakeholders.Stakeholder", blank=True, related_name="reviews")
    notes = free_text()
    decisions = free_text()
    # The QBR agenda and the client's rating of the relationship, once held (feeds the health score).
    agenda_performance = free_text("Agenda: our performance")
    agenda_value = free_text("Agenda: value delivered")
    agenda_roadmap = free_text("Agenda: roadmap")
    rating = models.PositiveSmallIntegerField(
        "Client's rating (1–5)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How the client rated the relationship at the review: 1 poor … 5 excellent.",
    )

    EDITABLE_FIELDS = [
        "planned_date",
        "held_date",
        "firm_attendees",
        "client_attendees",
        "agenda_performance",
        "agenda_value",
        "agenda_roadmap",
        "notes",
        "decisions",
        "rating",
    ]

    class Meta:
        ordering = ["-planned_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="review_rating_1_to_5",
                violation_error_message="The rating runs from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(held_date__isnull=False),
                name="review_rated_once_held",
                violation_error_message="A review is rated once it has been held.",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.client} planned {self.planned_date}"


@tracked
class Transition(Versioned):
    """A planned handover of the CRP role from one partner to another."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="transitions")
    outgoing = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transitions_out",
    )
    incoming = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transitions_in")
    reason = models.CharField(max_length=30, choices=TransitionReason.choices)
    overlap_start = models.DateField(validators=[sensible_date])
    overlap_end = models.DateField(validators=[sensible_date])
    consent_required = models.BooleanField("Client consent required", default=True)
    consent_received_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    notes = free_text()
    status = models.CharField(max_length=12, choices=TransitionStatus.choices, default=TransitionStatus.PLANNED)
    completed_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    created_at = models.DateTimeField(auto_now_add=True)

    EDITABLE_FIELDS = [
        "incoming",
        "reason",
        "overlap_start",
        "overlap_end",
        "consent_required",
        "consent_received_on",
        "notes",
    ]

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


@tracked
class ChecklistItem(Versioned):
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

    EDITABLE_FIELDS = ["phase", "text", "due_date", "done"]

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


@tracked
class PanelAppointment(Versioned):
    """The firm's place on a client's adviser panel, with its re-tender and rate-review dates."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="panel_appointments")
    panel_name = models.CharField(max_length=200)
    appointed_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    retender_on = models.DateField("Re-tender date", null=True, blank=True, validators=[sensible_date])
    rate_review_on = models.DateField("Rate review date", null=True, blank=True, validators=[sensible_date])
    notes = free_text()

    EDITABLE_FIELDS = ["panel_name", "appointed_on", "retender_on", "rate_review_on", "notes"]

    class Meta:
        ordering = ["retender_on", "id"]

    def __str__(self) -> str:
        return self.panel_name


@tracked
class Guideline(Versioned):
    """An outside-counsel or billing obligation the client imposes on the firm."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="guidelines")
    category = models.CharField(max_length=12, choices=GuidelineCategory.choices, default=GuidelineCategory.OTHER)
    obligation = models.CharField(max_length=500)

    EDITABLE_FIELDS = ["category", "obligation"]

    class Meta:
        ordering = ["category", "id"]

    def __str__(self) -> str:
        return self.obligation


class CalendarFeed(models.Model):
    """The secret token behind a person's iCalendar feed of their open actions."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now=True, help_text="When the current token was issued")

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
