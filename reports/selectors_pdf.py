"""Reads of stored PDF reports, always through the access rule."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import visible_clients
from accounts.models import Office, PracticeGroup, Tier, User
from reports.models import Report, ReportKind
from reports.pdf.periods import Quarter


def reports_of(
    user: User, *, kind: str = "", status: str = "", quarter: str = ""
) -> QuerySet[Report]:
    """The reports `user` asked for, newest first. Reports are personal: they hold what the
    requester may see, so nobody else gets them."""
    reports = Report.objects.filter(requested_by=user)
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
    """The user's own report, or 404; an account review also needs its client still visible."""
    try:
        report = Report.objects.get(pk=uuid.UUID(str(pk)), requested_by=user)
    except (Report.DoesNotExist, ValueError) as exc:
        raise Http404("No such report.") from exc
    client_id = report.scope.get("id")
    is_review = report.kind == ReportKind.ACCOUNT_REVIEW
    if is_review and not visible_clients(user).filter(pk=client_id).exists():
        raise Http404("No such report.")
    return report


def scope_choices(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's scope options as (group label, [(value, name)]), in a fixed number of queries."""
    crp_ids = (
        visible_clients(user)
        .filter(assignments__role="crp", assignments__end_date__isnull=True)
        .values("assignments__user_id")
    )
    crps = User.objects.filter(pk__in=crp_ids).order_by("full_name")
    clients = visible_clients(user).filter(status="active").order_by("name")
    groups = [
        ("Practice groups", "practice_group", PracticeGroup.objects.values_list("pk", "name")),
        ("Offices", "office", Office.objects.values_list("pk", "name")),
        ("Tiers", "tier", Tier.objects.values_list("pk", "name")),
        ("A CRP's clients", "crp", crps.values_list("pk", "full_name")),
        ("One client (account review)", "client", clients.values_list("pk", "name")),
    ]
    return [(label, [(f"{kind}:{pk}", name) for pk, name in rows]) for label, kind, rows in groups]
