"""Personal-data rights for stakeholders: export everything held about a person, and erase them.

Erasure anonymises the person but keeps what scores depend on (seniority, buying role, attitude,
influence, relationships and the interactions themselves), scrubs their name from interaction
text, and scrubs the personal fields from the person's own history rows. Both the export and the
erasure are recorded in the audit history (who, when), without the personal data.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.apps import apps
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone

from accounts.models import User
from accounts.services import audited_write
from audit.models import Kind
from audit.services import audit_record
from stakeholders.models import Interaction, Stakeholder
from stakeholders.signals import personal_data_collected, personal_data_erased

PERSONAL_FIELDS = ("name", "job_title", "department", "email", "phone", "notes", "external_id")
ERASED = "[erased]"


def stakeholder_personal_data(*, actor: User, stakeholder: Stakeholder) -> dict[str, Any]:
    """Everything Keyline holds about one stakeholder, as JSON-ready data; the export is audited."""
    interactions = (
        Interaction.objects.filter(stakeholders=stakeholder).prefetch_related("firm_attendees").order_by("date", "pk")
    )
    data = {
        "exported_at": timezone.now().isoformat(),
        "stakeholder": {
            "id": stakeholder.pk,
            "client": stakeholder.client.name,
            **{name: getattr(stakeholder, name) for name in PERSONAL_FIELDS},
            "seniority": stakeholder.get_seniority_display(),
            "buying_role": stakeholder.get_buying_role_display(),
            "attitude": stakeholder.attitude,
            "influence": stakeholder.influence,
            "status": stakeholder.get_status_display(),
            "reports_to": str(stakeholder.reports_to) if stakeholder.reports_to_id else None,
            "created_at": stakeholder.created_at.isoformat(),
            "updated_at": stakeholder.updated_at.isoformat(),
        },
        "relationships": [
            {
                "firm_person": r.user.full_name,
                "strength": r.strength,
                "target_strength": r.target_strength,
                "primary_owner": r.is_primary,
                "notes": r.notes,
            }
            for r in stakeholder.relationships.select_related("user").order_by("pk")
        ],
        "interactions": [
            {
                "date": i.date.isoformat(),
                "type": i.get_kind_display(),
                "source": i.get_source_display(),
                "sentiment": i.sentiment,
                "summary": i.summary,
                "follow_up": i.follow_up,
                "firm_attendees": [u.full_name for u in i.firm_attendees.all()],
            }
            for i in interactions
        ],
    }
    for _receiver, sections in personal_data_collected.send(sender=Stakeholder, stakeholder=stakeholder):
        data.update(sections or {})
    with audited_write(actor):
        pghistory.create_event(stakeholder, label="personal_data.exported")
        audit_record(
            kind=Kind.PERSONAL_DATA_EXPORT,
            actor=actor,
            client=stakeholder.client,
            summary=f"Exported the personal data of stakeholder #{stakeholder.pk}",
            detail={"stakeholder": stakeholder.pk},
        )
    return data


def stakeholder_erase(*, actor: User, stakeholder: Stakeholder) -> Stakeholder:
    """Anonymise a stakeholder on request, keeping the statistics scores depend on."""
    name, email = stakeholder.name, stakeholder.email
    anonymous = {
        "name": f"Erased stakeholder #{stakeholder.pk}",
        "job_title": "",
        "department": "",
        "email": "",
        "phone": "",
        "notes": "",
        "external_id": "",
    }
    with audited_write(actor), pghistory.context(reason="personal-data erasure"):
        for field, value in anonymous.items():
            setattr(stakeholder, field, value)
        stakeholder.version += 1
        stakeholder.save(update_fields=[*anonymous, "version", "updated_at"])
        if name:
            Interaction.objects.filter(stakeholders=stakeholder).update(
                summary=Replace("summary", Value(name), Value(ERASED)),
                follow_up=Replace("follow_up", Value(name), Value(ERASED)),
            )
        _scrub_history(stakeholder, name, anonymous)
        personal_data_erased.send(sender=Stakeholder, stakeholder=stakeholder, email=email, name=name)
        pghistory.create_event(stakeholder, label="personal_data.erased")
        # The entry names the stakeholder by number only: it must not keep what was erased.
        audit_record(
            kind=Kind.PERSONAL_DATA_ERASURE,
            actor=actor,
            client=stakeholder.client,
            summary=f"Erased the personal data of stakeholder #{stakeholder.pk}",
            detail={"stakeholder": stakeholder.pk},
        )
    return stakeholder


def _scrub_history(stakeholder: Stakeholder, name: str, anonymous: dict[str, Any]) -> None:
    """Old history rows still hold the personal fields: overwrite them too."""
    stakeholder_events = apps.get_model("stakeholders", "StakeholderEvent")
    stakeholder_events.objects.filter(pgh_obj_id=stakeholder.pk).update(**anonymous)
    if name:
        interaction_events = apps.get_model("stakeholders", "InteractionEvent")
        linked = Interaction.objects.filter(stakeholders=stakeholder).values("pk")
        interaction_events.objects.filter(pgh_obj_id__in=linked).update(
            summary=Replace("summary", Value(name), Value(ERASED)),
            follow_up=Replace("follow_up", Value(name), Value(ERASED)),
        )
