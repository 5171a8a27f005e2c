"""NPS by client, practice group, CRP and firm, by quarter; the closed-loop rate and time to close;
open incidents by age and severity. Set-based: a handful of aggregate queries whatever the size.
The dashboards and the quarterly pack read these functions; every one starts from the access rule."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone

from accounts.access import visible_rows
from accounts.models import Assignment, AssignmentRole, User
from listening.models import (
    NPS_DETRACTOR_MAX,
    NPS_PROMOTER_MIN,
    FollowUp,
    Incident,
    Invitation,
    InvitationStatus,
    Response,
)
from listening.selectors import _NPS_Q, NPS_MIN_ANSWERS, NpsFigures, nps_counts

AGE_BANDS = [(0, 7, "under a week"), (7, 30, "1–4 weeks"), (30, 90, "1–3 months"), (90, None, "over 3 months")]


# A client's NPS on the dashboard: its NPS answers of the last twelve months.
CLIENT_NPS_DAYS = 365
EXACT_NPS = DecimalField(max_digits=9, decimal_places=4)


def client_nps_expression(today: datetime.date) -> Subquery:
    """The outer client's NPS over its answers of the last CLIENT_NPS_DAYS up to `today`, exact (to be
    shown through `selectors.rounded_nps`), NULL under NPS_MIN_ANSWERS answers. A correlated subquery
    on the responses' (client, submitted_on) index, so a table of clients costs no query per row. It
    reads the client's own answers only, so it shows wherever the client's row shows: inside its wall."""
    answers = Count("pk")
    net = Count("pk", filter=Q(nps__gte=NPS_PROMOTER_MIN)) - Count("pk", filter=Q(nps__lte=NPS_DETRACTOR_MAX))
    exact = (
        Response.objects.filter(
            client=OuterRef("pk"),
            nps__isnull=False,
            submitted_on__gt=today - datetime.timedelta(days=CLIENT_NPS_DAYS),
            submitted_on__lte=today,
        )
        .order_by()
        .values("client")
        .annotate(
            n=answers,
            exact=Case(
                When(
                    Q(n__gte=NPS_MIN_ANSWERS),
                    then=ExpressionWrapper(Value(Decimal(100)) * net / answers, output_field=EXACT_NPS),
                ),
                default=None,
                output_field=EXACT_NPS,
            ),
        )
        .values("exact")
    )
    return Subquery(exact, output_field=EXACT_NPS)


def _figures(row: Any, invited: int = 0) -> NpsFigures:
    return NpsFigures(row["promoters"], row["passives"], row["detractors"], invited)


def _crp(field: str) -> Subquery:
    return Subquery(
        Assignment.objects.filter(client=OuterRef("client_id"), role=AssignmentRole.CRP, end_date__isnull=True).values(
            field
        )[:1]
    )


def nps_by(user: User, *, since: datetime.date | None = None) -> dict[str, Any]:
    """{"firm": NpsFigures, "clients": [...], "practice_groups": [...], "crps": [...]} over the
    responses `user` may see (a walled client's answers count only for those inside its wall)."""
    responses = visible_rows(user, Response.objects.filter(nps__isnull=False))
    invitations = visible_rows(
        user, Invitation.objects.filter(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])
    )
    if since is not None:
        responses = responses.filter(submitted_on__gte=since)
        invitations = invitations.filter(sent_at__date__gte=since)
    firm = responses.aggregate(**nps_counts())
    invited_by_client = dict(invitations.values_list("client_id").annotate(n=Count("pk")).order_by())
    clients = [
        (
            row["client__name"],
            row["client_id"],
            _figures(row, invited_by_client.get(row["client_id"], 0)),
        )
        for row in responses.values("client_id", "client__name").annotate(**nps_counts()).order_by("client__name")
    ]
    annotated = responses.annotate(crp_name=_crp("user__full_name"), group_name=_crp("user__practice_group__name"))
    crps = [
        (row["crp_name"] or "No CRP", _figures(row))
        for row in annotated.values("crp_name").annotate(**nps_counts()).order_by("crp_name")
    ]
    groups = [
        (
            row["group_name"] or "No practice group",
            _figures(row),
        )
        for row in annotated.values("group_name").annotate(**nps_counts()).order_by("group_name")
    ]
    return {
        "firm": _figures(firm, sum(invited_by_client.values())),
        "clients": clients,
        "crps": crps,
        "practice_groups": groups,
    }


def nps_summary(user: User) -> dict[str, Any]:
    """Firm NPS with its response rate, and NPS by practice group (of the CRP), over the invitations
    `user` may see and their answers: one query, for the managing partner's overview."""
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in visible_rows(
            user, Invitation.objects.filter(status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED])
        )
        .annotate(group_name=_crp("user__practice_group__name"))
        .values("group_name")
        .annotate(invited=Count("pk"), **{name: Count("pk", filter=rule) for name, rule in _NPS_Q.items()})
        .order_by("group_name")
    ]
    firm = NpsFigures(*(sum(row[name] for row in rows) for name in ("promoters", "passives", "detractors", "invited")))
    groups = [
        (row["group_name"] or "No practice group", _figures(row, row["invited"]))
        for row in rows
        if row["promoters"] + row["passives"] + row["detractors"]
    ]
    return {"firm": firm, "practice_groups": groups}


def nps_trend(user: User, *, quarters: int = 8) -> list[tuple[str, NpsFigures]]:
    """Firm NPS per calendar quarter, oldest first."""
    rows = (
        visible_rows(user, Response.objects.filter(nps__isnull=False))
        .annotate(y=ExtractYear("submitted_on"), q=ExtractQuarter("submitted_on"))
        .values("y", "q")
        .annotate(**nps_counts())
        .order_by("-y", "-q")[:quarters]
    )
    return [(f"Q{row['q']} {row['y']}", _figures(row)) for row in reversed(list(rows))]


def closed_loop(user: User) -> dict[str, Any]:
    """How many follow-ups were closed, and how long closing took on average (days)."""
    rows = visible_rows(user, FollowUp.objects.all()).aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        mean_time=Avg(F("closed_at") - F("created_at"), filter=Q(closed_at__isnull=False)),
    )
    rate = round(100 * rows["closed"] / rows["total"]) if rows["total"] else None
    days = round(rows["mean_time"].total_seconds() / 86400, 1) if rows["mean_time"] else None
    return {"total": rows["total"], "closed": rows["closed"], "rate": rate, "mean_days": days}


def open_incidents(user: User) -> list[dict[str, Any]]:
    """Open incidents and complaints by age band and severity: [{"band", "critical", "major", "minor"}]."""
    today = timezone.localdate()
    rows = list(
        visible_rows(user, Incident.objects.filter(resolved_on__isnull=True)).values_list("severity", "occurred_on")
    )
    table = []
    for low, high, label in AGE_BANDS:
        counts: dict[str, Any] = {"band": label, "critical": 0, "major": 0, "minor": 0}
        for severity, occurred in rows:
            age = (today - occurred).days
            if age >= low and (high is None or age < high):
                counts[severity] += 1
        table.append(counts)
    return table


def overview(user: User) -> dict[str, Any]:
    return {
        "nps": nps_by(user),
        "trend": nps_trend(user),
        "loop": closed_loop(user),
        "incidents": open_incidents(user),
    }


def _nps_of(responses: Any) -> NpsFigures:
    return _figures(responses.aggregate(**nps_counts()))


def voice_of_client(*, client_ids: list[int], start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The quarterly pack's "voice of the client" for clients the reader already may see (the pack's
    own scope went through the access rule): NPS this period and the one before, CSAT and CES means,
    verbatims (lowest scores first), follow-ups closed, open critical incidents at the end."""
    responses = Response.objects.filter(client_id__in=client_ids)
    in_period = responses.filter(submitted_on__gte=start, submitted_on__lte=end)
    length = end - start
    previous = responses.filter(submitted_on__gte=start - length - datetime.timedelta(days=1), submitted_on__lt=start)
    means = in_period.aggregate(csat=Avg("csat"), ces=Avg("ces"))
    verbatims = list(
        in_period.exclude(comment="")
        .select_related("client")
        .order_by(F("nps").asc(nulls_last=True), "-submitted_at")
        .values_list("client__name", "nps", "comment")[:12]
    )
    loop = FollowUp.objects.filter(client_id__in=client_ids, created_at__date__gte=start, created_at__date__lte=end)
    loop_figures = loop.aggregate(total=Count("pk"), closed=Count("pk", filter=Q(closed_at__isnull=False)))
    open_critical = (
        Incident.objects.filter(client_id__in=client_ids, severity="critical", occurred_on__lte=end)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=end))
        .count()
    )
    return {
        "nps": _nps_of(in_period.filter(nps__isnull=False)),
        "previous_nps": _nps_of(previous.filter(nps__isnull=False)),
        "csat": round(means["csat"], 1) if means["csat"] is not None else None,
        "ces": round(means["ces"], 1) if means["ces"] is not None else None,
        "verbatims": verbatims,
        "follow_ups": loop_figures,
        "open_critical": open_critical,
    }
