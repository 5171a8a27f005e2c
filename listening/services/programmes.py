"""Programmes: surveys sent automatically, e.g. to a client review's attendees once it is held.
The (programme, review) pair is unique, so a review saved twice, or a task run twice, sends once."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from listening.models import Programme, ProgrammeRun, Survey, SurveyStatus
from listening.services.surveys import invitations_add, survey_send


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
