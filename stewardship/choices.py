"""The vocabularies of CRP stewardship, in the seeds' words: signals, decisions, readiness, personas."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from planning.choices import Persona


class SignalKind(models.TextChoices):
    ROTATION_DUE = "rotation_due", "Rotation review due (long tenure)"
    NO_SUCCESSOR = "no_successor", "No successor"
    OVERLOADED = "overloaded", "Overloaded partner"
    TOO_MANY_GROWTH = "too_many_growth", "Too many Growth clients"
    FALLING_ACTIVITY = "falling_activity", "Falling activity (disengagement)"


CLIENT_SIGNALS = (SignalKind.ROTATION_DUE, SignalKind.NO_SUCCESSOR)


class Decision(models.TextChoices):
    """The seeds' alternatives to a change, and the change itself."""

    SPECIALIST_SUPPORT = "specialist_support", "Keep, with specialist support"
    COACHING = "coaching", "Coaching or a development plan"
    REDISTRIBUTE = "redistribute", "Redistribute part of the portfolio"
    LIGHTER_MODEL = "lighter_model", "A lighter engagement model"
    ROTATING_TEAM = "rotating_team", "A rotating team"
    TRANSITION = "transition", "Transition to a new CRP"


class Readiness(models.TextChoices):
    READY_NOW = "ready_now", "Ready now"
    WITHIN_2_YEARS = "within_2_years", "Ready within 2 years"
    NOT_YET = "not_yet", "Not yet ready"


class ProposalStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    MOVED = "moved", "Moved"
    DECLINED = "declined", "Declined"


@dataclass(frozen=True)
class PersonaGuide:
    intent: str
    application: str
    actions: tuple[str, ...]


# The seed's table (strategic intent, typical application), with the actions that follow from it.
PERSONA_GUIDE: dict[str, PersonaGuide] = {
    Persona.LUMINARY: PersonaGuide(
        "Brand positioning and advocacy",
        "Key accounts requiring high-level firm commitment",
        ("Bring senior firm leaders to the client's board agenda", "Advocate the client's needs in resourcing"),
    ),
    Persona.PEDESTAL_SELLER: PersonaGuide(
        "Breadth of service expansion",
        "Cross-selling into new departments",
        ("Introduce a specialist colleague each quarter", "Map the departments the firm does not yet serve"),
    ),
    Persona.STRATEGIC_ACCOUNT_LEADER: PersonaGuide(
        "Team leadership and alignment",
        "Accounts served by several practice groups",
        ("Hold a cross-practice team meeting before each QBR", "Agree one account strategy with the team"),
    ),
    Persona.PLANNER: PersonaGuide(
        "Consistent value delivery",
        "Long-term institutional accounts",
        ("Keep short, medium and long-term objectives current", "Review the plan's actions monthly"),
    ),
    Persona.FRONT_DOOR: PersonaGuide(
        "Experience friction reduction",
        "“Care and maintain” high-profit accounts",
        ("Route every service issue to its fixer within a day", "Check satisfaction after each matter"),
    ),
    Persona.RAINMAKER: PersonaGuide(
        "Direct revenue growth",
        "High-growth sectors and new account acquisition",
        ("Track the client's capital expenditure cycle", "Qualify two new opportunities a quarter"),
    ),
    Persona.CO_CREATOR: PersonaGuide(
        "Deep technical integration",
        "Digital transformation and complex consulting",
        ("Run a joint workshop on the client's value drivers", "Propose one bespoke solution a year"),
    ),
    Persona.INTRAPRENEUR: PersonaGuide(
        "Service innovation",
        "Saturated markets requiring differentiation",
        ("Propose a new pricing or delivery model", "Pilot one innovation with the client"),
    ),
    Persona.ELDER: PersonaGuide(
        "Executive influence",
        "C-Suite and Board-level relationship management",
        ("Meet the board sponsor each quarter", "Open doors for the SAM and the team"),
    ),
    Persona.CHOREOGRAPHER: PersonaGuide(
        "Holistic ecosystem management",
        "The standard for complex, global accounts",
        ("Coordinate the firm's offices and practices on one calendar", "Broker value exchanges across borders"),
    ),
}

# Personas whose intent is growth: the ones a Growth client's plan should call for, and the strengths
# that make a partner able to lead a Growth client (the capacity check).
GROWTH_PERSONAS = frozenset(
    {
        Persona.RAINMAKER,
        Persona.CHOREOGRAPHER,
        Persona.STRATEGIC_ACCOUNT_LEADER,
        Persona.CO_CREATOR,
        Persona.PEDESTAL_SELLER,
        Persona.LUMINARY,
    }
)
# Personas whose intent is to care and maintain: a mismatch for a Growth client.
MAINTAIN_PERSONAS = frozenset({Persona.FRONT_DOOR})
