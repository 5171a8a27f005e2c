"""Reads of stored PDF reports, always through the access rule."""

from __future__ import annotations

import uuid

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from accounts.access import visible_clients
from accounts.models import Office, PracticeGroup, Tier, User
from reports.models import Report, ReportStatus
from reports.pdf.periods import Quarter


def with_availability(user: User, reports: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate `available`: whether `user` may still see every client whose data the report holds.

    Checked at read time, not when the report was made: someone taken off a confidential client's
    team, or a client put behind a wall, finds the reports holding it unavailable at once.
    """
    unavailable = Q(withdrawn_at__isnull=False)
    if not user.sees_behind_walls:
        seen = ArraySubquery(visible_clients(user).values("pk"))
        unavailable |= Q(client_ids__isnull=False) & ~Q(client_ids__contained_by=seen)
        # Packs rendered before coverage was recorded may hold anyone: only wall-seers read them.
        unavailable |= Q(client_ids__isnull=True, status=ReportStatus.DONE)
    return reports.annotate(available=ExpressionWrapper(~unavailable, output_field=BooleanField()))


def reports_of(user: User, *, kind: str = "", status: str = "", quarter: str = "") -> QuerySet[Report]:
    """The reports `user` asked for, newest first. Reports are personal: they hold what the
    requester may see, so nobody else gets them."""
    reports = with_availability(user, Report.objects.filter(requested_by=user))
    if kind:
        reports = reports.filter(kind=kind)
    if status:
        reports = reports.filter(status=status)
    if quarter:
        try:
            parsed = Quarter.parse(quarter)
        except ValueError:
            return reports.none()
        reports = reports.filter(period_end__gte=parsed.start, period_end__lte=parsed.end)
    return reports.order_by("-created_at")


def get_report(user: User, pk: object) -> Report:
    """The user's own report with its `available` flag, or 404 (someone else's or unknown)."""
    try:
        return with_availability(user, Report.objects.filter(requested_by=user)).get(pk=uuid.UUID(str(pk)))
    except (Report.DoesNotExist, ValueError) as exc:
        raise Http404("No such report.") from exc


def scope_choices(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's scope options as (group label, [(value, name)]), in a fixed number of queries."""
    crp_ids = (
        visible_clients(user)
        .filter(assignments__role="crp", assignments__end_date__isnull=True)
        .values("assignments__user_id")
    )
    crps = User.objects.filter(pk__in=crp_ids).order_by("full_name")
    clients = visible_clients(user).filter(status="active").order_by("name")
    parents = visible_clients(user).filter(members__isnull=False).distinct().order_by("name")
    groups = [
        ("Practice groups", "practice_group", PracticeGroup.objects.values_list("pk", "name")),
        ("Offices", "office", Office.objects.values_list("pk", "name")),
        ("Tiers", "tier", Tier.objects.values_list("pk", "name")),
        ("Client groups (parent and subsidiaries)", "client_group", parents.values_list("pk", "name")),
        ("A CRP's clients", "crp", crps.values_list("pk", "full_name")),
        ("One client (account review)", "client", clients.values_list("pk", "name")),
    ]
    return [(label, [(f"{kind}:{pk}", name) for pk, name in rows]) for label, kind, rows in groups]
