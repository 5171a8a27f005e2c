"""The firm-wide audit log page and its streamed export."""

from __future__ import annotations

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import may_read_audit_log, require
from audit import exports
from audit.forms import AuditFilterForm
from audit.log import BadCursor, Cursor, log_page, log_rows
from audit.models import Kind
from audit.selectors import AuditFilter
from audit.services import audit_record
from core.htmx import wants_partial

PAGE_SIZE = 50
AUDIT_REFUSED = "The audit log is for administrators, managing partners and BD."
FORMATS = {"csv": ("text/csv; charset=utf-8", exports.csv_lines), "jsonl": ("application/x-ndjson", exports.json_lines)}


def _filtered(request, params) -> tuple[AuditFilterForm, AuditFilter]:
    require(may_read_audit_log(request.user), AUDIT_REFUSED)
    form = AuditFilterForm(params or None, viewer=request.user)
    return form, (form.to_filter() if form.is_valid() else AuditFilter())


def cursor_from(token: str | None) -> Cursor | None:
    """The page asked for by its `before` link; raises BadCursor for a link that is not one."""
    return Cursor.decode(token) if token else None


@require_GET
def audit_log(request):
    form, which = _filtered(request, request.GET)
    query = request.GET.copy()
    query.pop("before", None)
    context = {"form": form, "query": query.urlencode(), "page": None, "cursor_error": ""}
    try:
        after = cursor_from(request.GET.get("before"))
    except BadCursor as error:
        context["cursor_error"] = str(error)
        return render(request, "audit/audit_log.html", context, status=400)
    if not form.errors:
        context["page"] = log_page(request.user, which, after=after, size=PAGE_SIZE)
        context["newer"] = after is not None
    if wants_partial(request):
        return render(request, "audit/audit_log.html#audit-table", context)
    return render(request, "audit/audit_log.html", context, status=400 if form.errors else 200)


@require_GET
def audit_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("No such format.")
    form, which = _filtered(request, request.GET)
    if form.errors:
        return render(request, "audit/audit_log.html", {"form": form, "page": None}, status=400)
    audit_record(
        kind=Kind.EXPORT,
        summary=f"Exported the audit log ({fmt})",
        detail={"export": "audit_log", "format": fmt, "filters": {k: v for k, v in request.GET.items()}},
    )
    content_type, writer = FORMATS[fmt]
    response = StreamingHttpResponse(writer(log_rows(request.user, which)), content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.{fmt}"'
    return response
