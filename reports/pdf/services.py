"""Writes of the reports app: request, render, retry and schedule PDF reports."""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Assignment, Client, Role, User
from accounts.services import NotificationDraft, audited_write, notifications_create
from audit.models import Kind
from audit.services import audit_record
from core.queueing import send_task, send_task_on_commit
from reports.models import STALE_AFTER_RENDER_LIMITS, Report, ReportKind, ReportStatus
from reports.pdf.build import build_report, data_as_of
from reports.pdf.periods import Quarter, last_complete_quarter
from reports.pdf.render import ReportRenderError
from reports.pdf.scopes import resolve_client_scope, resolve_pack_scope

logger = logging.getLogger(__name__)
UNEXPECTED_FAILURE = "The report could not be rendered. Try again; if it fails again, tell an administrator."


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    scope: dict
    quarter: Quarter
    client_ids: list[int] | None  # known now for an account review; a pack's when it is rendered


def parse_quarter(text: str, *, today: datetime.date | None = None) -> Quarter:
    today = today or timezone.localdate()
    try:
        quarter = Quarter.parse(text)
    except ValueError as exc:
        raise ValidationError({"quarter": str(exc)}) from exc
    if quarter.start > today:
        raise ValidationError(
            {"quarter": f"{quarter} is in the future; choose {Quarter.containing(today)} or an earlier quarter."}
        )
    if quarter.year < 2000:
        raise ValidationError({"quarter": "Choose a quarter from 2000 onwards."})
    return quarter


def _validate(actor: User, kind: str, scope: dict, quarter_text: str) -> ReportRequest:
    if kind not in ReportKind.values:
        raise ValidationError({"kind": "Choose an account review or a quarterly pack."})
    quarter = parse_quarter(quarter_text)
    if kind == ReportKind.ACCOUNT_REVIEW:
        client_ids = resolve_client_scope(actor, scope).client_ids
    else:
        resolve_pack_scope(actor, scope)
        client_ids = None
    return ReportRequest(kind=kind, scope=scope, quarter=quarter, client_ids=client_ids)


def _clean_scope(scope: dict) -> dict:
    if not isinstance(scope, dict):
        return {}
    cleaned = {"type": scope.get("type")}
    if scope.get("type") != "firm":
        cleaned["id"] = scope.get("id")
    return cleaned


def _enqueue(report: Report) -> None:
    from reports.pdf.tasks import render_report

    send_task_on_commit(render_report, str(report.pk))


def reports_requeue_waiting(*, older_than_seconds: int = 120) -> int:
    """Nudge reports still queued (e.g. requested while the broker was down); rendering is idempotent."""
    from reports.pdf.tasks import render_report

    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    waiting = list(Report.objects.filter(status="queued", created_at__lt=cutoff).values_list("pk", flat=True))
    return sum(send_task(render_report, str(pk)) for pk in waiting)


def report_request(*, actor: User, kind: str, scope: dict, quarter: str, scheduled: bool = False) -> Report:
    """Check the request against the access rule, record it and queue its rendering."""
    scope = _clean_scope(scope)
    request = _validate(actor, kind, scope, quarter)
    with audited_write(actor):
        report = Report.objects.create(
            kind=request.kind,
            scope=request.scope,
            client_ids=request.client_ids,
            period_start=request.quarter.start,
            period_end=data_as_of(request.quarter),
            requested_by=actor,
            scheduled=scheduled,
        )
        _enqueue(report)
    return report


def report_retry(*, actor: User, report: Report) -> Report:
    """Queue a failed report (or one whose render was killed) again."""
    if report.requested_by_id != actor.pk:
        raise ValidationError("Only the person who asked for a report can retry it.")
    with audited_write(actor):
        retried = Report.objects.filter(
            Q(status=ReportStatus.FAILED) | Q(status=ReportStatus.RENDERING, started_at__lt=_stale_before()),
            pk=report.pk,
        ).update(status=ReportStatus.QUEUED, progress=0, error="", started_at=None, finished_at=None)
        if not retried:
            raise ValidationError("Only a failed report can be retried.")
        report.refresh_from_db()
        _enqueue(report)
    return report


def stale_after_seconds() -> int:
    return STALE_AFTER_RENDER_LIMITS * settings.REPORTS_MAX_RENDER_SECONDS


def _stale_before() -> datetime.datetime:
    """A render that started before this has been killed: its worker would have finished by now."""
    return timezone.now() - datetime.timedelta(seconds=stale_after_seconds())


def report_is_rendering(report_id: str) -> bool:
    return Report.objects.filter(pk=report_id, status=ReportStatus.RENDERING).exists()


def _claim(report_id: str) -> tuple[datetime.datetime, str] | None:
    """Take the report for rendering under its row lock, so a second run does nothing.

    Returns when this claim started and the file an earlier, killed render may have stored
    without marking the report done (its name is noted on the row before the file is written).
    """
    started = timezone.now()
    with transaction.atomic():
        claimable = Report.objects.select_for_update().filter(
            Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RENDERING, started_at__lt=_stale_before()),
            pk=report_id,
        )
        left_behind = claimable.values_list("file", flat=True).first()
        if left_behind is None:
            return None
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.RENDERING, started_at=started, progress=5, error="", file=""
        )
    return started, left_behind


def _progress(report_id: str, started: datetime.datetime, percent: int) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.RENDERING, started_at=started).update(progress=percent)


def report_render(*, report_id: str) -> Report | None:
    """Render a queued report and store its PDF. Returns None when there was nothing to do."""
    claim = _claim(report_id)
    if claim is None:
        return None
    started, left_behind = claim
    report = Report.objects.select_related("requested_by").get(pk=report_id)
    if left_behind:  # the PDF of a render killed before it could mark the report done
        report.file.storage.delete(left_behind)
    mine = Report.objects.filter(pk=report_id, status=ReportStatus.RENDERING, started_at=started)
    try:
        built = build_report(report, on_progress=lambda pct: _progress(report_id, started, pct))
    except (ReportRenderError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        mine.update(status=ReportStatus.FAILED, error=message, finished_at=timezone.now())
        return Report.objects.get(pk=report_id)
    except SoftTimeLimitExceeded:
        message = f"The report took longer than {settings.REPORTS_MAX_RENDER_SECONDS} seconds. Choose a narrower scope."
        mine.update(status=ReportStatus.FAILED, error=message, finished_at=timezone.now())
        return Report.objects.get(pk=report_id)
    except Exception:
        logger.exception("Report %s failed to render", report_id)
        mine.update(status=ReportStatus.FAILED, error=UNEXPECTED_FAILURE, finished_at=timezone.now())
        return Report.objects.get(pk=report_id)
    # A name nobody can guess; the file is only ever served through the authorised download view.
    # It is noted on the row before the file is written, so that if this worker dies before the
    # report is marked done, the render that takes over deletes the file: one stored PDF per report.
    name = f"reports/{secrets.token_urlsafe(32)}.pdf"
    if not mine.update(file=name):  # another worker took the report over meanwhile
        return Report.objects.get(pk=report_id)
    name = report.file.storage.save(name, ContentFile(built.pdf.content))
    with transaction.atomic():
        stored = mine.update(
            status=ReportStatus.DONE,
            progress=100,
            file=name,
            title=built.title,
            pages=built.pdf.pages,
            clients_included=built.clients_included,
            client_ids=built.client_ids,
            render_seconds=round(built.pdf.seconds, 2),
            file_size=len(built.pdf.content),
            finished_at=timezone.now(),
        )
        if stored:
            _notify_done(report, built.title, built.client_ids)
    if not stored:  # another worker took the report over meanwhile; its file wins
        report.file.storage.delete(name)
    return Report.objects.get(pk=report_id)


def _notify_done(report: Report, title: str, client_ids: list[int]) -> None:
    # An account review's title names its client: the link lets every list of notifications drop
    # it once the requester no longer sees that client. A pack's title names no client.
    reviewed = report.kind == ReportKind.ACCOUNT_REVIEW
    notifications_create(
        drafts=[
            NotificationDraft(
                user_id=report.requested_by_id,
                title=f"Your report is ready: {title}"[:200],
                body="Download it from the reports page.",
                url=reverse("report-detail", args=[report.pk]),
                client_id=client_ids[0] if reviewed else None,
                dedupe_key=f"report-done-{report.pk}",
            )
        ]
    )


def report_for_download(*, actor: User, pk: object) -> Report:
    """The requester's report whose file may be served now, or 404.

    The access rule is checked again at download time: a report holding a client the requester
    no longer sees is withdrawn and answered exactly as a report without a file (404), so the
    status code tells nothing; the report's own page and row say why, naming no client.
    """
    from reports.pdf.selectors import get_report

    report = get_report(actor, pk)
    if not report.available:  # type: ignore[attr-defined]  # annotated by with_availability
        report_withdraw(report=report)
        raise Http404("This report has no file.")
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404("This report has no file yet.")
    scope = report.scope or {}
    audit_record(
        kind=Kind.DOWNLOAD,
        actor=actor,
        # A one-client report is that client's entry, behind its wall; a pack names only its kind.
        client=Client.objects.filter(pk=scope["id"]).first() if scope.get("type") == "client" else None,
        summary=f"Downloaded the report “{report.download_name}”",
        detail={"report": str(report.pk), "kind": report.kind, "clients": report.clients_included},
    )
    return report


def report_withdraw(*, report: Report) -> bool:
    """Delete the file of a report whose requester no longer sees every client in it.

    A stored report never outlives the wall it was rendered behind: once withdrawn it stays so,
    even if its requester later rejoins the team (they can ask for a new one). Safe to run twice.
    """
    with transaction.atomic():
        locked = Report.objects.select_for_update().filter(pk=report.pk, withdrawn_at__isnull=True)
        name = locked.values_list("file", flat=True).first()
        if name is None:
            return False
        locked.update(withdrawn_at=timezone.now(), file="")
        if name:
            transaction.on_commit(lambda: report.file.storage.delete(name))
    return True


def reports_withdraw_unavailable() -> int:
    """Withdraw every stored report its requester may no longer read: one query per requester."""
    from reports.pdf.selectors import with_availability

    withdrawn = 0
    holders = (
        Report.objects.filter(withdrawn_at__isnull=True, status=ReportStatus.DONE)
        .exclude(file="")
        .values("requested_by")
    )
    for user in User.objects.filter(pk__in=holders).order_by("pk"):
        stale = with_availability(user, Report.objects.filter(requested_by=user))
        # `available` is annotated by with_availability, out of the plugin's sight
        for report in stale.filter(available=False, withdrawn_at__isnull=True).exclude(file=""):  # type: ignore[misc]
            withdrawn += report_withdraw(report=report)
    return withdrawn


def quarterly_packs_generate(*, quarter: Quarter | None = None) -> list[Report]:
    """Each managing partner's firm-wide pack, and the pack of the clients they lead, for a quarter.

    Safe to run twice: a pack already scheduled for that person and quarter is not made again.
    """
    quarter = quarter or last_complete_quarter(timezone.localdate())
    created = []
    partners = User.objects.filter(role=Role.MANAGING_PARTNER, is_active=True).order_by("pk")
    leads = set(
        Assignment.objects.filter(
            role="crp", end_date__isnull=True, client__status="active", user__in=partners
        ).values_list("user_id", flat=True)
    )
    for partner in partners:
        scopes = [{"type": "firm"}] + ([{"type": "crp", "id": partner.pk}] if partner.pk in leads else [])
        for scope in scopes:
            exists = Report.objects.filter(
                requested_by=partner,
                kind=ReportKind.QUARTERLY_PACK,
                scope=scope,
                period_end=quarter.end,
                scheduled=True,
            ).exists()
            if exists:
                continue
            try:
                created.append(
                    report_request(
                        actor=partner,
                        kind=ReportKind.QUARTERLY_PACK,
                        scope=scope,
                        quarter=quarter.code,
                        scheduled=True,
                    )
                )
            except ValidationError:
                logger.info("No %s pack for %s in %s: nothing to report", scope["type"], partner, quarter)
    return created
