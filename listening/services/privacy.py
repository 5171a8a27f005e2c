"""Respondents are personal data: their answers are in the stakeholder's export, and erasure removes
who said what (address, words) but keeps the anonymous scores, so the statistics hold."""

from __future__ import annotations

from typing import Any

from listening.models import Invitation, Response, ResponseRevision


def responses_export(*, stakeholder_id: int) -> list[dict[str, Any]]:
    return [
        {
            "survey": r.survey.name,
            "submitted_at": r.submitted_at.isoformat(),
            "nps": r.nps,
            "csat": r.csat,
            "ces": r.ces,
            "comment": r.comment,
            "answers": r.answers,
            "earlier_answers": [
                {
                    "submitted_at": h.submitted_at.isoformat(),
                    "nps": h.nps,
                    "csat": h.csat,
                    "ces": h.ces,
                    "comment": h.comment,
                }
                for h in r.history.all()
            ],
        }
        for r in Response.objects.filter(stakeholder_id=stakeholder_id)
        .select_related("survey")
        .prefetch_related("history")
    ]


def responses_erase(*, stakeholder_id: int) -> None:
    """Run inside the stakeholder's erasure (same transaction)."""
    responses = Response.objects.filter(stakeholder_id=stakeholder_id)
    ResponseRevision.objects.filter(response__in=responses).update(comment="", answers=[])
    responses.update(comment="", answers=[], stakeholder=None, anonymised=True)
    Invitation.objects.filter(stakeholder_id=stakeholder_id).update(email="", stakeholder=None)
