"""The playbooks Keyline ships with, drawn from the key-account programme's practice."""

from __future__ import annotations

from workflow.models import OwnerRole, Playbook, PlaybookStep, Trigger

CRP, SAM, BD = OwnerRole.CRP, OwnerRole.SAM, OwnerRole.BD_LEAD

# name, trigger, N, to band, description, [(step, owner role, due in days)]
DEFAULT_PLAYBOOKS: list[tuple[str, str, int | None, str, str, list[tuple[str, str, int]]]] = [
    (
        "Red client: recovery plan",
        Trigger.BAND_DROP,
        None,
        "red",
        "The client's health dropped to red: hear the client, then agree a recovery plan within 14 days.",
        [
            ("Call the client's sponsor to hear what has gone wrong", CRP, 3),
            ("Review open matters and service issues with the team", SAM, 7),
            ("Write the recovery plan and agree it with the team", CRP, 14),
            ("Book a client review to present the recovery plan", BD, 30),
        ],
    ),
    (
        "Health fell 15 points: find out why",
        Trigger.SCORE_FALL,
        15,
        "",
        "A sharp fall within 30 days, whatever the band.",
        [("Find out why the score fell (open the health measures) and note it on the plan", CRP, 7)],
    ),
    (
        "No contact in 60 days",
        Trigger.NO_CONTACT,
        60,
        "",
        "Nobody has recorded a touchpoint with the client for two months.",
        [("Arrange a meeting or call with the client's key sponsor", CRP, 14)],
    ),
    (
        "Detractor: close the loop",
        Trigger.DETRACTOR,
        None,
        "",
        "A stakeholder scored the firm 0–6.",
        [("Call the detractor within two days", CRP, 2), ("Agree the service recovery steps", SAM, 14)],
    ),
    (
        "Critical incident: service recovery",
        Trigger.CRITICAL_INCIDENT,
        None,
        "",
        "Incidents with a disproportionate impact on the client's perception.",
        [
            ("Speak to the client about the incident", CRP, 1),
            ("Update the service recovery procedure with the team", SAM, 14),
        ],
    ),
    (
        "Client review overdue",
        Trigger.REVIEW_OVERDUE,
        None,
        "",
        "The client's review cadence has passed without a review held.",
        [("Book the client review (QBR)", BD, 14)],
    ),
    (
        "Re-tender in 90 days: bid team, client review, pricing",
        Trigger.RETENDER,
        90,
        "",
        "A panel re-tender (or a panel contract's expiry) is within 90 days.",
        [
            ("Form the bid team and name the bid lead", CRP, 7),
            ("Hold a client review before the tender opens", BD, 30),
            ("Prepare pricing from the fee history and rates", SAM, 45),
        ],
    ),
    (
        "CRP rotation review",
        Trigger.ROTATION_DUE,
        None,
        "",
        "The CRP has led the client for the rotation period.",
        [
            ("Put the CRP rotation on the managing partners' agenda", BD, 30),
            ("Name a successor candidate and plan the overlap", CRP, 60),
        ],
    ),
    (
        "New CRP: the 30/60/90 onboarding",
        Trigger.NEW_CRP,
        None,
        "",
        "A new Client Relationship Partner takes over.",
        [
            ("30 days: meet the key stakeholders and sponsors", CRP, 30),
            ("60 days: agree the plan's priorities and quick wins with the team", CRP, 60),
            ("90 days: hold the first client review as CRP", CRP, 90),
        ],
    ),
]


def playbooks_install_defaults() -> int:
    """Add the default playbooks that are missing (by name); returns how many were added."""
    added = 0
    for name, trigger, threshold, to_band, description, steps in DEFAULT_PLAYBOOKS:
        playbook, created = Playbook.objects.get_or_create(
            name=name,
            defaults={"trigger": trigger, "threshold": threshold, "to_band": to_band, "description": description},
        )
        if created:
            added += 1
            PlaybookStep.objects.bulk_create(
                PlaybookStep(playbook=playbook, position=i, description=text, owner_role=role, due_in_days=days)
                for i, (text, role, days) in enumerate(steps)
            )
    return added
