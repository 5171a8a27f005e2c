"""Reads of client listening. Every read of client data goes through the access rule first, so a
confidential client's responses, incidents and their counts exist only inside its wall."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.access import visible_rows
from accounts.models import Client, User
from listening.models import (
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    FollowUp,
    Incident,
    Invitation,
    InvitationStatus,
    Programme,
    ProgrammeRun,
    Response,
    Severity,
    Survey,
)

CLIENT_PAGE_RESPONSES = 10


# An NPS is shown only over at least this many NPS answers (fewer: no figure, not a misleading one).
NPS_MIN_ANSWERS = 1


def rounded_nps(exact: float | Decimal | None) -> int | None:
    """An NPS as shown, from the exact 100 × (promoters − detractors) / answers: the one rounding."""
    return None if exact is None else round(float(exact))


@dataclass(frozen=True)
class NpsFigures:
    """Promoters, passives and detractors of a set of responses, and the NPS they make (−100…100)."""

    promoters: int
    passives: int
    detractors: int
    invited: int = 0

    @property
    def answered(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> int | None:
        if self.answered < NPS_MIN_ANSWERS:
            return None
        return rounded_nps(100 * (self.promoters - self.detractors) / self.answered)

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.answered / self.invited) if self.invited else None


_NPS_Q = {
    "promoters": Q(response__nps__gte=NPS_PROMOTER_MIN),
    "passives": Q(response__nps__gt=NPS_DETRACTOR_MAX, response__nps__lt=NPS_PROMOTER_MIN),
    "detractors": Q(response__nps__lte=NPS_DETRACTOR_MAX),
}


def nps_counts() -> dict[str, Any]:
    """The aggregate arguments that split NPS answers into the three groups: the one home of the bands."""
    return {
        "promoters": Count("pk", filter=Q(nps__gte=NPS_PROMOTER_MIN)),
        "passives": Count("pk", filter=Q(nps__gt=NPS_DETRACTOR_MAX, nps__lt=NPS_PROMOTER_MIN)),
        "detractors": Count("pk", filter=Q(nps__lte=NPS_DETRACTOR_MAX)),
    }


def visible_responses(user: User) -> QuerySet[Response]:
    return visible_rows(user, Response.objects.all())


def client_listening(*, client: Client, user: User) -> dict[str, Any]:
    """The client page's listening section: latest responses with who and when, NPS, open follow-ups
    and incidents. `client` has already been checked visible to `user`."""
    responses = list(
        Response.objects.filter(client=client)
        .select_related("stakeholder", "survey")
        .select_related("follow_up")
        .order_by("-submitted_at")[:CLIENT_PAGE_RESPONSES]
    )
    # One query for both: every answered invitation was sent, so answers and invitations share rows.
    figures = Invitation.objects.filter(client=client).aggregate(
        invited=Count("pk", filter=Q(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])),
        **{
            name: Count("response", filter=Q(response__nps__isnull=False) & condition)
            for name, condition in _NPS_Q.items()
        },
    )
    follow_ups = list(
        FollowUp.objects.filter(client=client, closed_at__isnull=True)
        .select_related("action__owner", "response")
        .order_by("action__due_date")
    )
    incidents = list(
        Incident.objects.filter(client=client)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=timezone.localdate() - datetime.timedelta(days=90)))
        .select_related("owner", "root_cause", "service_line")
        .order_by("resolved_on", "-occurred_on")[:20]
    )
    return {
        "responses": responses,
        "nps": NpsFigures(**figures),
        "open_follow_ups": follow_ups,
        "incidents": incidents,
    }


def stakeholder_responses(*, stakeholder_id: int) -> list[Response]:
    return list(Response.objects.filter(stakeholder_id=stakeholder_id).select_related("survey"))


def survey_recipients(*, survey: Survey, user: User) -> QuerySet[Invitation]:
    """The survey's recipients `user` may see: a confidential client's rows only inside its wall."""
    return (
        visible_rows(user, survey.invitations.all())
        .select_related("client", "stakeholder", "response")
        .order_by("client__name", "pk")
    )


def survey_figures(*, survey: Survey, user: User) -> dict[str, int]:
    rows = visible_rows(user, survey.invitations.all()).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])),
        answered=Count("pk", filter=Q(status=InvitationStatus.ANSWERED)),
        queued=Count("pk", filter=Q(status=InvitationStatus.QUEUED)),
        left_out=Count("pk", filter=Q(status__in=[InvitationStatus.BOUNCED, InvitationStatus.SUPPRESSED])),
    )
    return rows


def surveys_with_figures(user: User) -> list[tuple[Survey, dict[str, Any]]]:
    """Every survey with the counts of the recipients `user` may see (one query for the counts)."""
    surveys = list(Survey.objects.order_by("-created_at")[:200])
    counts = (
        visible_rows(user, Invitation.objects.filter(survey__in=surveys))
        .values("survey_id")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(status=InvitationStatus.ANSWERED)),
        )
        .order_by()
    )
    by_survey: dict[int, dict[str, Any]] = {row["survey_id"]: dict(row) for row in counts}
    return [(s, by_survey.get(s.pk, {"total": 0, "answered": 0})) for s in surveys]


def open_follow_ups_for(user: User) -> QuerySet[FollowUp]:
    """The follow-ups `user` owns and has not closed (the CRP's home)."""
    return (
        visible_rows(user, FollowUp.objects.filter(closed_at__isnull=True, action__owner=user))
        .select_related("client", "action", "response")
        .order_by("action__due_date")
    )


def open_critical_incident_counts(as_of: datetime.date, client_ids: Any) -> dict[str, dict[int, float]]:
    """The health measure: critical incidents and complaints open at the end of `as_of` (one query)."""
    from health.measures import for_clients

    rows = (
        for_clients(Incident.objects.all(), client_ids)
        .filter(severity=Severity.CRITICAL, occurred_on__lte=as_of)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of))
        .values_list("client_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {"open_incidents": {client_id: float(n) for client_id, n in rows}}


def digest_line(user: User) -> dict[str, int]:
    """The CRP's weekly digest line: survey follow-ups they owe, and critical incidents or complaints
    open on the clients they lead (read through the wall like every other line of the digest)."""
    from accounts.models import Assignment, AssignmentRole

    led = Assignment.objects.filter(user=user, role=AssignmentRole.CRP, end_date__isnull=True).values("client_id")
    return {
        "follow_ups": open_follow_ups_for(user).count(),
        "open_critical": visible_rows(
            user, Incident.objects.filter(client_id__in=led, severity=Severity.CRITICAL, resolved_on__isnull=True)
        ).count(),
    }


@dataclass(frozen=True)
class ProgrammeRow:
    """A programme with what it did among the clients the reader may see."""

    programme: Programme
    fired: int  # surveys it started (one per client review)
    last_fired: datetime.datetime | None
    sent: int  # emails that went out
    answered: int
    schedule: str = ""  # "Every 6 months to decision-makers of Growth clients"
    next_due: datetime.date | None = None


def programmes_with_figures(user: User) -> list[ProgrammeRow]:
    """Every programme with how often it fired, when it last did and how many emails went out, counted
    over the clients `user` may see (a walled client's runs count only inside its wall). Four queries."""
    programmes = list(Programme.objects.order_by("-active", "name").prefetch_related("tiers"))
    today = timezone.localdate()
    runs = {
        row["programme_id"]: row
        for row in visible_rows(user, ProgrammeRun.objects.all())
        .values("programme_id")
        .annotate(fired=Count("pk"), last_fired=Max("created_at"))
        .order_by()
    }
    emails = {
        row["survey__programme_id"]: row
        for row in visible_rows(user, Invitation.objects.filter(survey__programme__isnull=False))
        .values("survey__programme_id")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            answered=Count("pk", filter=Q(status=InvitationStatus.ANSWERED)),
        )
        .order_by()
    }
    rows = []
    none: dict[str, Any] = {}
    for programme in programmes:
        run, email = runs.get(programme.pk, none), emails.get(programme.pk, none)
        rows.append(
            ProgrammeRow(
                programme=programme,
                fired=run.get("fired", 0),
                last_fired=run.get("last_fired"),
                sent=email.get("sent", 0),
                answered=email.get("answered", 0),
                schedule=programme.schedule_text([tier.name for tier in programme.tiers.all()]),
                next_due=programme.next_due(today) if programme.active else None,
            )
        )
    return rows
