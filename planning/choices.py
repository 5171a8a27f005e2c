"""The fixed vocabularies and scales of account plans: statuses, stages, categories, ranges."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

RISK_SCALE = (1, 5)  # likelihood and impact
PROBABILITY_RANGE = (0, 100)
RANGE_MESSAGE = "{} runs from {} to {}."


def bounds(model: type[models.Model], name: str) -> dict[str, int]:
    """`min_value`/`max_value` of a numeric field: the tightest of its validators (and the column's)."""
    validators = model._meta.get_field(name).validators
    lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
    return {"min_value": max(lows), "max_value": min(highs)}


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


class Horizon(models.TextChoices):
    SHORT = "short", "Short (< 6 months)"
    MEDIUM = "medium", "Medium (6–18 months)"
    LONG = "long", "Long (> 18 months)"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


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


class ChecklistPhase(models.TextChoices):
    DAYS_30 = "30", "First 30 days"
    DAYS_60 = "60", "Days 31-60"
    DAYS_90 = "90", "Days 61-90"
    HANDOVER = "handover", "Knowledge transfer"


class GuidelineCategory(models.TextChoices):
    STAFFING = "staffing", "Staffing"
    BILLING = "billing", "Billing"
    BUDGETING = "budgeting", "Budgets and estimates"
    REPORTING = "reporting", "Reporting"
    OTHER = "other", "Other"
