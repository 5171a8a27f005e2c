"""Programmes: surveys sent automatically, to a client review's attendees once it is held, or on a
schedule to the key people of the key clients. The (programme, review) pair and the (programme,
client, period) triple are unique, so a review saved twice, or a task run twice, sends once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import Client, ClientStatus, Tier, User
from accounts.services import audited_write
from listening.models import Programme, ProgrammeRun, Survey, SurveyStatus
from listening.services.surveys import (
    invitations_add,
    may_send_surveys,
    no_survey_client_ids,
    suppressed_digests,
    survey_send,
    why_not_surveyed,
)
from stakeholders.models import Stakeholder, key_person_q


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


def programmes_fire_scheduled(*, today: datetime.date | None = None) -> int:
    """Fire every active scheduled programme whose period has begun: one survey per client per period,
    to the client's key people who may be surveyed (the rules of `why_not_surveyed`, as for any send).
    A client with nobody to survey gets no run, so a key person added later in the period still gets
    one. Returns how many surveys were made; a second run the same period makes none."""
    today = today or timezone.localdate()
    made = 0
    scheduled = Programme.objects.filter(active=True, trigger=Programme.Trigger.SCHEDULE).prefetch_related("tiers")
    for programme in scheduled:
        period_start = programme.period_start_on(today)
        if period_start is not None:
            made += _fire_for_period(programme, period_start, today)
    return made


def _fire_for_period(programme: Programme, period_start: datetime.date, today: datetime.date) -> int:
    clients = Client.objects.filter(status=ClientStatus.ACTIVE).order_by("pk")
    tiers = [tier.pk for tier in programme.tiers.all()]
    if tiers:
        clients = clients.filter(tier_id__in=tiers)
    # Clients this programme already surveyed since the period began (also under an earlier schedule).
    done = ProgrammeRun.objects.filter(programme=programme, client=models.OuterRef("pk")).filter(
        models.Q(period_start__gte=period_start) | models.Q(created_at__date__gte=period_start)
    )
    clients = clients.exclude(models.Exists(done))
    people: dict[int, list[Stakeholder]] = {}
    for person in Stakeholder.objects.filter(key_person_q(), client__in=clients).order_by("client_id", "pk"):
        people.setdefault(person.client_id, []).append(person)
    no_survey = no_survey_client_ids(people)
    suppressed = suppressed_digests(p.email for group in people.values() for p in group)
    made = 0
    for client in clients.filter(pk__in=list(people)):
        may = [
            p for p in people[client.pk] if not why_not_surveyed(p, no_survey_clients=no_survey, suppressed=suppressed)
        ]
        if may and programme_fire_for_client(
            programme=programme, client=client, period_start=period_start, people=may, today=today
        ):
            made += 1
    return made


def programme_fire_for_client(
    *,
    programme: Programme,
    client: Client,
    period_start: datetime.date,
    people: list[Stakeholder],
    today: datetime.date,
) -> bool:
    """One client's survey for one period, to `people` (who may be surveyed), all or nothing; False
    when it was sent already. A second worker waits on the unique run row and then finds it taken."""
    try:
        with transaction.atomic():
            run = ProgrammeRun.objects.create(programme=programme, client=client, period_start=period_start)
            survey = Survey.objects.create(
                name=f"{programme.name}: {client.name}, {period_start:%b %Y}",
                intro=programme.intro,
                asks_nps=programme.asks_nps,
                asks_csat=programme.asks_csat,
                asks_ces=programme.asks_ces,
                closes_on=today + datetime.timedelta(days=programme.open_days),
                programme=programme,
            )
            ProgrammeRun.objects.filter(pk=run.pk).update(survey=survey)
            if not invitations_add(survey=survey, stakeholders=people).invited:
                raise _NobodyToAsk
            survey_send(actor=None, survey=survey)
    except IntegrityError:
        return False  # fired for this client and period already
    except _NobodyToAsk:
        return False
    return True


class _NobodyToAsk(Exception):
    """Everyone was left out after all: undo the run, so that the client is tried again tomorrow."""


PROGRAMME_FIELDS = (
    "name",
    "trigger",
    "intro",
    "asks_nps",
    "asks_csat",
    "asks_ces",
    "open_days",
    "every_months",
    "starts_on",
    "tiers",
    "active",
)


def programme_save(*, actor: User, programme: Programme | None = None, **fields: Any) -> Programme:
    """Create a programme (`programme` None) or change one: BD, managing partners and administrators,
    the people who send surveys by hand. Bad input raises a field error and saves nothing."""
    if not may_send_surveys(actor):
        raise ValidationError("Programmes are run by business development, managing partners and administrators.")
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ValueError(f"Not programme fields: {sorted(unknown)}")
    target = Programme(created_by=actor) if programme is None else Programme.objects.get(pk=programme.pk)
    tiers: list[Tier] | None = fields.pop("tiers", None)
    for name, value in fields.items():
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    if not (target.asks_nps or target.asks_csat or target.asks_ces):
        raise ValidationError({"asks_nps": "Ask at least one of NPS, CSAT or CES."})
    if target.trigger != Programme.Trigger.SCHEDULE:
        target.every_months, target.starts_on, tiers = None, None, []
    target.full_clean(exclude=["created_by"])  # a schedule needs how often; it starts today unless set
    with audited_write(actor):
        target.save()
        if tiers is not None:
            target.tiers.set(tiers)
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
