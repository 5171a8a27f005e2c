"""Build one report's PDF from its record: resolve the scope, gather, lay out, render."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from config.db_router import reading_from_replica
from reports.models import Report, ReportKind
from reports.pdf import readers as report_data
from reports.pdf.document import account_review_html, pack_html
from reports.pdf.periods import Quarter
from reports.pdf.render import RenderedPdf, render_pdf
from reports.pdf.scopes import ResolvedScope, resolve_client_scope, resolve_pack_scope
from stewardship.selectors.pack import pack_section


@dataclass
class BuiltReport:
    title: str
    pdf: RenderedPdf
    clients_included: int
    client_ids: list[int]


def data_as_of(quarter: Quarter, today: datetime.date | None = None) -> datetime.date:
    """The quarter's last day, or today while the quarter is still running."""
    return min(quarter.end, today or timezone.localdate())


def build_report(report: Report, on_progress: Callable[[int], None] = lambda pct: None) -> BuiltReport:
    quarter = Quarter.from_end(report.period_end)
    if report.kind == ReportKind.ACCOUNT_REVIEW:
        scope = resolve_client_scope(report.requested_by, report.scope)
    else:
        scope = resolve_pack_scope(report.requested_by, report.scope)
    on_progress(15)
    # The scope (who may see what) is read from the primary; the figures from a replica when there is
    # one, unless the requester has just written (the primary then, as their pages do).
    compose = reading_from_replica(user_id=report.requested_by_id)(_compose)
    title, html = compose(report, scope, quarter, on_progress)
    on_progress(50)
    # Layout is most of the work: move the bar from 50% to 90% as pages come out.
    expected_pages = 6 + len(scope.client_ids)
    step = max(expected_pages // 20, 1)

    furthest = [0]  # contents page numbers make WeasyPrint lay out early pages twice

    def on_page(page: int) -> None:
        if page % step == 0 and page > furthest[0]:
            furthest[0] = page
            on_progress(50 + min(40, 40 * page // expected_pages))

    pdf = render_pdf(html, on_page=on_page)
    on_progress(95)
    return BuiltReport(
        title=title,
        pdf=pdf,
        clients_included=len(scope.client_ids),
        client_ids=scope.client_ids,
    )


def _compose(
    report: Report, scope: ResolvedScope, quarter: Quarter, on_progress: Callable[[int], None]
) -> tuple[str, str]:
    """The report's title and HTML: every figure in it is read here."""
    gathered = report_data.gather(
        scope.client_ids,
        quarter,
        as_of=report.period_end,
        reader=report.requested_by,
    )
    on_progress(35)
    if report.kind == ReportKind.ACCOUNT_REVIEW:
        return account_review_html(gathered)
    stewardship = pack_section(report.requested_by, scope.client_ids, quarter.start, gathered.as_of)
    return pack_html(gathered, scope.label, stewardship=stewardship)
