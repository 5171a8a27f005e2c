"""What happens when a recipient answers through their link: validated, recorded (last answer wins,
earlier ones kept), turned into health measurements, and, for a detractor or a low score, a follow-up."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from accounts.models import FREE_TEXT_MAX_LENGTH
from listening import links
from listening.models import (
    CES_LOW_MAX,
    CSAT_LOW_MAX,
    NPS_DETRACTOR_MAX,
    FollowUpReason,
    Invitation,
    InvitationStatus,
    Response,
    ResponseRevision,
    SurveyStatus,
)

# The health measures survey answers feed: {Response field: measure key}.
MEASURE_KEYS = {"nps": "client_nps", "csat": "client_csat", "ces": "client_ces"}
SURVEY_NOTE = "From client survey responses"
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


class LinkRefused(Exception):
    """The link cannot be used; `problem` names why, for the polite page."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def open_invitation(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link opens, or LinkRefused("tampered" | "expired" | "used" | "closed").

    One query: the survey, client, stakeholder and any earlier response come with it."""
    opened = links.open_respond_token(token)
    if isinstance(opened, links.LinkProblem):
        raise LinkRefused(opened.value)
    queryset = Invitation.objects.select_related("survey", "client", "stakeholder", "response")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(pk=opened.invitation_id).order_by().first()
    if invitation is None:
        raise LinkRefused("tampered")
    if invitation.token_digest != opened.secret_digest:
        raise LinkRefused("used")
    if invitation.status in (InvitationStatus.BOUNCED, InvitationStatus.SUPPRESSED) or not invitation.email:
        raise LinkRefused("used")
    survey = invitation.survey
    if survey.status != SurveyStatus.OPEN or survey.closes_on <= timezone.localdate():
        raise LinkRefused("closed")
    return invitation


@dataclass
class Answer:
    nps: int | None
    csat: int | None
    ces: int | None
    comment: str
    answers: list[str]


def _score(data: dict[str, Any], name: str, asked: bool, errors: dict[str, str]) -> int | None:
    raw = str(data.get(name) or "").strip()
    if not asked:
        return None
    low, high = SCALES[name]
    if raw == "":
        errors[name] = "Please choose a score."
        return None
    if not raw.isdigit() or not (low <= int(raw) <= high):
        errors[name] = f"Please choose a whole number from {low} to {high}."
        return None
    return int(raw)


def clean_answer(invitation: Invitation, data: dict[str, Any]) -> Answer:
    """The answer the form carried, or ValidationError naming each field that is wrong."""
    survey = invitation.survey
    errors: dict[str, str] = {}
    nps = _score(data, "nps", survey.asks_nps, errors)
    csat = _score(data, "csat", survey.asks_csat, errors)
    ces = _score(data, "ces", survey.asks_ces, errors)
    comment = str(data.get("comment") or "").strip()
    if len(comment) > FREE_TEXT_MAX_LENGTH:
        errors["comment"] = f"Please keep this under {FREE_TEXT_MAX_LENGTH:,} characters."
    answers = []
    for index, _question in enumerate(survey.questions):
        text = str(data.get(f"q{index}") or "").strip()
        if len(text) > FREE_TEXT_MAX_LENGTH:
            errors[f"q{index}"] = f"Please keep this under {FREE_TEXT_MAX_LENGTH:,} characters."
        answers.append(text)
    if errors:
        raise ValidationError(errors)
    return Answer(nps, csat, ces, comment, answers)


def response_record(*, token: str, data: dict[str, Any]) -> tuple[Response, str]:
    """Record (or change) the answer behind `token`. Returns the response and a fresh link with which
    the recipient may change it until the survey closes; the link used stops working.

    Cost of a first answer: the locked read, the response, the invitation's new secret, and two
    statements for the day's measurements (one more for a changed answer's revision and old day);
    a follow-up adds its own."""
    with transaction.atomic():
        invitation = open_invitation(token, for_update=True)
        answer = clean_answer(invitation, data)
        now = timezone.now()
        today = timezone.localdate()
        previous = getattr(invitation, "response", None) if invitation.status == InvitationStatus.ANSWERED else None
        old_day = previous.submitted_on if previous else None
        if previous is not None:
            ResponseRevision.objects.create(
                response=previous,
                client_id=previous.client_id,
                nps=previous.nps,
                csat=previous.csat,
                ces=previous.ces,
                comment=previous.comment,
                answers=previous.answers,
                submitted_at=previous.submitted_at,
            )
        response = getattr(invitation, "response", None) or Response(invitation=invitation)
        response.survey, response.client = invitation.survey, invitation.client
        response.stakeholder = invitation.stakeholder
        response.nps, response.csat, response.ces = answer.nps, answer.csat, answer.ces
        response.comment, response.answers = answer.comment, answer.answers
        response.submitted_on, response.submitted_at = today, now
        response.revisions = (previous.revisions + 1) if previous else 1
        inserted = response.pk is None
        response.save(force_insert=inserted)
        secret, digest = links.new_secret()
        Invitation.objects.filter(pk=invitation.pk).update(token_digest=digest, status=InvitationStatus.ANSWERED)
        days = {today} | ({old_day} if old_day else set())
        measurements_sync(client_id=invitation.client_id, days=days, replaced=previous is not None)
        reason = follow_up_reason(response)
        if reason:
            from listening.services.followups import follow_up_open

            follow_up_open(response=response, reason=reason, actor=None, new_response=inserted)
    return response, links.respond_token(invitation.pk, secret)


def follow_up_reason(response: Response) -> str:
    """Why this answer needs the CRP to close the loop, or "" (the one home of the rule)."""
    if response.nps is not None and response.nps <= NPS_DETRACTOR_MAX:
        return FollowUpReason.DETRACTOR
    if response.csat is not None and response.csat <= CSAT_LOW_MAX:
        return FollowUpReason.LOW_CSAT
    if response.ces is not None and response.ces <= CES_LOW_MAX:
        return FollowUpReason.LOW_CES
    return ""


def measurements_sync(*, client_id: int, days: set[datetime.date], replaced: bool = True) -> None:
    """Each day's survey answers for a client become that day's measurement of NPS, CSAT and CES (the
    mean when several people answered), so the health score reads them as of any date.

    Two statements whatever the number of days: one aggregate, one upsert. When an earlier answer was
    `replaced`, a third removes a measure no answer supports any more; a first answer cannot leave one."""
    from health.models import Measurement
    from health.services.measurements import clients_recompute_request

    rows = (
        Response.objects.filter(client_id=client_id, submitted_on__in=days)
        .values("submitted_on")
        .annotate(
            **{f"{name}_mean": Avg(name) for name in MEASURE_KEYS},
            **{f"{name}_n": Count(name) for name in MEASURE_KEYS},
        )
    )
    found: dict[datetime.date, dict[str, Any]] = {row["submitted_on"]: dict(row) for row in rows}
    upserts: list[Measurement] = []
    stale = Q()
    for day in days:
        figures: dict[str, Any] = found.get(day, {})
        for name, key in MEASURE_KEYS.items():
            mean, n = figures.get(f"{name}_mean"), figures.get(f"{name}_n")
            if mean is None:
                stale |= Q(measure_key=key, measured_on=day)
                continue
            upserts.append(
                Measurement(
                    client_id=client_id,
                    measure_key=key,
                    measured_on=day,
                    value=Decimal(str(round(float(mean), 2))),
                    note=f"{SURVEY_NOTE} ({n})",
                )
            )
    if upserts:
        Measurement.objects.bulk_create(
            upserts,
            update_conflicts=True,
            unique_fields=["client", "measure_key", "measured_on"],
            update_fields=["value", "note"],
        )
    if stale and replaced:
        Measurement.objects.filter(stale, client_id=client_id, note__startswith=SURVEY_NOTE).delete()
    clients_recompute_request(client_ids={client_id})
