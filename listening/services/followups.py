"""Closing the loop: a follow-up action for the CRP (a planning action, shown on their home), CRP and
SAM told at once, closed with what was done, and the client optionally told in the firm's name."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db.models import Case, Value, When
from django.utils import timezone

from accounts.access import editable_clients
from accounts.models import FREE_TEXT_MAX_LENGTH, Assignment, AssignmentRole, Client, User
from accounts.services import NotificationDraft, audited_write, notifications_create
from listening.models import FollowUp, FollowUpReason, Response
from planning.models import AccountPlan, ActionStatus, PlanStatus
from planning.services.items import action_create, action_mark_done
from planning.services.plans import plan_create


def _plan_for(client: Client) -> AccountPlan:
    """The plan follow-ups go in: the active one, else the latest, else a new draft for this year."""
    plan = (
        AccountPlan.objects.filter(client=client)
        .annotate(is_active=Case(When(status=PlanStatus.ACTIVE, then=Value(0)), default=Value(1)))
        .order_by("is_active", "-year")  # the active plan first, then the latest year
        .first()
    )
    if plan is None:
        return plan_create(actor=None, client=client, year=timezone.localdate().year)  # type: ignore[arg-type]
    plan.client = client  # already read: the action's checks would read it again
    return plan


def _crp_and_sam(client: Client) -> list[User]:
    return [
        a.user
        for a in Assignment.objects.filter(
            client=client, end_date__isnull=True, role__in=[AssignmentRole.CRP, AssignmentRole.SAM]
        )
        .select_related("user")
        .order_by("role")
        if a.user.is_active
    ]


def _describe(response: Response, reason: str) -> str:
    scores = ", ".join(
        f"{label} {value}"
        for label, value in (("NPS", response.nps), ("CSAT", response.csat), ("CES", response.ces))
        if value is not None
    )
    label = FollowUpReason(reason).label.lower()
    return f"Survey follow-up ({label}; {scores}): talk to the respondent, then close the loop"


def follow_up_open(
    *, response: Response, reason: str, actor: User | None, new_response: bool = False
) -> FollowUp | None:
    """The follow-up for `response`, made once: an action for the CRP due in LISTENING_FOLLOW_UP_DAYS.
    `new_response`: the response was inserted in this transaction, so it cannot have one yet."""
    if not new_response:
        existing = FollowUp.objects.filter(response=response).first()
        if existing is not None:
            return existing
    client = response.client
    people = _crp_and_sam(client)
    crp = next((a for a in people), None)
    if crp is None:
        return None
    due = timezone.localdate() + datetime.timedelta(days=settings.LISTENING_FOLLOW_UP_DAYS)
    with audited_write(actor):
        action = action_create(
            actor=actor,  # type: ignore[arg-type]
            plan=_plan_for(client),
            owner=crp,
            description=_describe(response, reason),
            due_date=due,
            stakeholders=[response.stakeholder] if response.stakeholder_id else None,
        )
        follow_up = FollowUp.objects.create(response=response, client=client, action=action, reason=reason)
        notifications_create(
            drafts=[
                NotificationDraft(
                    user_id=person.pk,
                    title=f"{FollowUpReason(reason).label} at {client.name}: follow up by {due:%d %b}",
                    body="The CRP has a follow-up action: talk to the respondent, then record what was done.",
                    url=client.get_absolute_url() + "#listening",
                    client_id=client.pk,
                    dedupe_key=f"survey-follow-up:{follow_up.pk}",
                )
                for person in people
            ]
        )
    return follow_up


def response_flag(*, actor: User, response: Response) -> FollowUp | None:
    """A comment the team flags gets a follow-up too."""
    if not editable_clients(actor).filter(pk=response.client_id).exists():
        raise ValidationError({"response": "Unknown response."})
    with audited_write(actor):
        Response.objects.filter(pk=response.pk).update(flagged=True)
        return follow_up_open(response=response, reason=FollowUpReason.FLAGGED, actor=actor)


def follow_up_close(*, actor: User, follow_up: FollowUp, outcome: str, tell_client: bool = False) -> FollowUp:
    """Close the loop with what was done; the planning action is marked done with it."""
    if not editable_clients(actor).filter(pk=follow_up.client_id).exists():
        raise ValidationError({"follow_up": "Unknown follow-up."})
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": "Say what was done to close the loop."})
    if len(outcome) > FREE_TEXT_MAX_LENGTH:
        raise ValidationError({"outcome": f"Keep this under {FREE_TEXT_MAX_LENGTH:,} characters."})
    if follow_up.closed_at is not None:
        raise ValidationError({"outcome": "This follow-up is already closed."})
    email = follow_up.response.invitation.email if tell_client else ""
    if tell_client and not email:
        raise ValidationError({"tell_client": "This respondent has no email address any more."})
    with audited_write(actor):
        action = follow_up.action
        if action.status == ActionStatus.OPEN:
            action_mark_done(actor=actor, action=action, expected_version=action.version)
        follow_up.closed_at = timezone.now()
        follow_up.closed_by = actor
        follow_up.outcome = outcome
        if email:
            follow_up.client_told_at = follow_up.closed_at
        follow_up.save(update_fields=["closed_at", "closed_by", "outcome", "client_told_at"])
        if email:
            mailers.default.send_messages(
                [
                    EmailMessage(
                        subject=f"{settings.FIRM_NAME}: thank you for your feedback",
                        body=(
                            f"Thank you for telling us how we are doing for {follow_up.client.name}.\n\n"
                            f"{outcome}\n\n{actor.full_name}\n{settings.FIRM_NAME}\n"
                        ),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[email],
                        reply_to=[actor.email],
                    )
                ]
            )
    return follow_up
