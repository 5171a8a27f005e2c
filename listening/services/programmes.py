"""Programmes: surveys sent automatically, e.g. to a client review's attendees once it is held.
The (programme, review) pair is unique, so a review saved twice, or a task run twice, sends once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audited_write
from listening.models import Programme, ProgrammeRun, Survey, SurveyStatus
from listening.services.surveys import invitations_add, may_send_surveys, survey_send


def programmes_fire_for_review(*, review_id: int) -> int:
    """Fire every active after-review programme for a held review; returns how many surveys were made."""
    from planning.models import ClientReview

    review = ClientReview.objects.select_related("client").filter(pk=review_id, held_date__isnull=False).first()
    if review is None:
        return 0
    made = 0
    for programme in Programme.objects.filter(active=True, trigger=Programme.Trigger.AFTER_REVIEW):
        try:
            with transaction.atomic():
                run = ProgrammeRun.objects.create(programme=programme, review=review, client=review.client)
        except IntegrityError:
            continue  # already fired for this review
        with transaction.atomic():
            survey = Survey.objects.create(
                name=f"{programme.name}: {review.client.name}, review of {review.held_date:%d %b %Y}",
                intro=programme.intro,
                asks_nps=programme.asks_nps,
                asks_csat=programme.asks_csat,
                asks_ces=programme.asks_ces,
                closes_on=timezone.localdate() + datetime.timedelta(days=programme.open_days),
                programme=programme,
            )
            ProgrammeRun.objects.filter(pk=run.pk).update(survey=survey)
            report = invitations_add(survey=survey, stakeholders=list(review.client_attendees.all()))
            if report.invited:
                survey_send(actor=None, survey=survey)
            else:
                Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
        made += 1
    return made


PROGRAMME_FIELDS = ("name", "trigger", "intro", "asks_nps", "asks_csat", "asks_ces", "open_days", "active")


def programme_save(*, actor: User, programme: Programme | None = None, **fields: Any) -> Programme:
    """Create a programme (`programme` None) or change one: BD, managing partners and administrators,
    the people who send surveys by hand. Bad input raises a field error and saves nothing."""
    if not may_send_surveys(actor):
        raise ValidationError("Programmes are run by business development, managing partners and administrators.")
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ValueError(f"Not programme fields: {sorted(unknown)}")
    target = Programme(created_by=actor) if programme is None else Programme.objects.get(pk=programme.pk)
    for name, value in fields.items():
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    if not (target.asks_nps or target.asks_csat or target.asks_ces):
        raise ValidationError({"asks_nps": "Ask at least one of NPS, CSAT or CES."})
    target.full_clean(exclude=["created_by"])
    with audited_write(actor):
        target.save()
    return target


def programme_set_active(*, actor: User, programme: Programme, active: bool) -> Programme:
    """Pause (`active` False) or resume a programme. A paused programme fires for no review held while
    it is paused; resuming does not go back over them."""
    if not may_send_surveys(actor):
        raise ValidationError("Programmes are run by business development, managing partners and administrators.")
    with audited_write(actor):
        Programme.objects.filter(pk=programme.pk).update(active=active)
    programme.active = active
    return programme
