"""Demo client listening: a sent feedback survey at one of the demo partner's clients, answered by a
promoter, a passive and a detractor (whose follow-up waits on the partner's home), and one open
critical incident."""

from __future__ import annotations

import datetime

from django.db.models import Case, When
from django.utils import timezone

from accounts.demo import DOMAIN
from accounts.models import AssignmentRole, Client, ClientStatus, User
from core.demo_registry import DemoContext, register_seeder
from listening import links
from listening.models import Incident, Invitation, InvitationStatus, Severity, Survey, SurveyStatus
from listening.services.incidents import incident_create
from listening.services.responses import response_record
from listening.services.surveys import survey_create, survey_invite
from stakeholders.models import BuyingRole, Stakeholder, StakeholderStatus

SURVEY_NAME = "Client feedback – spring review"
INCIDENT_TITLE = "Completion documents sent to the wrong counterparty"
ANSWERS = [
    {"nps": "10", "csat": "5", "comment": "The team anticipated the regulator's questions before we had to ask."},
    {"nps": "8", "csat": "4", "comment": "Good work; invoices could be clearer about who did what."},
    {"nps": "4", "csat": "2", "comment": "We learnt about the delay from the other side, not from you."},
]


def _demo_client(partner: User) -> tuple[Client, list[Stakeholder]] | None:
    """The first open, non-confidential client the demo partner is CRP for with three people to ask."""
    clients = Client.objects.filter(
        confidential=False,
        status=ClientStatus.ACTIVE,
        assignments__user=partner,
        assignments__role=AssignmentRole.CRP,
        assignments__end_date__isnull=True,
    ).order_by("pk")
    for client in clients:
        people = list(
            Stakeholder.objects.filter(client=client, status=StakeholderStatus.ACTIVE)
            .exclude(email="")
            .order_by(Case(When(buying_role=BuyingRole.DECISION_MAKER, then=0), default=1), "pk")[:5]
        )
        if len(people) >= len(ANSWERS):
            return client, people
    return None


@register_seeder(order=48, name="client feedback survey and a critical incident")
def seed(ctx: DemoContext) -> None:
    if Survey.objects.filter(name=SURVEY_NAME).exists():
        return
    bd = User.objects.filter(email=f"bd@{DOMAIN}").first()
    partner = User.objects.filter(email=f"partner@{DOMAIN}").first()
    found = _demo_client(partner) if partner else None
    if bd is None or partner is None or found is None:
        return
    client, people = found
    today = timezone.localdate()
    survey = survey_create(
        actor=bd,
        name=SURVEY_NAME,
        intro="Ten minutes of your time tells us what to keep doing and what to fix.",
        closes_on=today + datetime.timedelta(days=21),
        asks_nps=True,
        asks_csat=True,
    )
    survey_invite(actor=bd, survey=survey, stakeholders=people)
    # Sent as the emails would have been, without emailing the demo's made-up addresses.
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.OPEN)
    tokens = []
    for invitation in Invitation.objects.filter(survey=survey).order_by("pk"):
        secret, digest = links.new_secret()
        Invitation.objects.filter(pk=invitation.pk).update(
            token_digest=digest, status=InvitationStatus.SENT, sent_at=timezone.now()
        )
        tokens.append(links.respond_token(invitation.pk, secret))
    for token, answer in zip(tokens, ANSWERS, strict=False):
        response_record(token=token, data=answer)
    if not Incident.objects.filter(client=client, title=INCIDENT_TITLE).exists():
        incident_create(
            actor=partner,
            client=client,
            owner=partner,
            title=INCIDENT_TITLE,
            description="Signing copies of the share purchase agreement went to the seller's former counsel.",
            severity=Severity.CRITICAL,
            raised_by=people[0].name,
            matter_reference="M-2026-0417",
            occurred_on=today - datetime.timedelta(days=6),
            recovery_plan="Call the general counsel today; confirm the documents were deleted; review the "
            "distribution list check with the deal team.",
        )
    ctx.stdout.write(f"  survey at {client.name}: {len(people)} asked, {len(ANSWERS)} answered; one open incident")
