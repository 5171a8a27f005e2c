"""The firm-wide audit log page and its streamed export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import may_read_audit_log, require
from audit import exports
from audit.forms import AuditFilterForm
from audit.models import Kind
from audit.selectors import AuditFilter, audit_entries
from audit.services import audit_record
from core.htmx import wants_partial

PAGE_SIZE = 50
AUDIT_REFUSED = "The audit log is for administrators, managing partners and BD."
FORMATS = {"csv": ("text/csv; charset=utf-8", exports.csv_lines), "jsonl": ("application/x-ndjson", exports.json_lines)}


def _filtered(request):
    require(may_read_audit_log(request.user), AUDIT_REFUSED)
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    which = form.to_filter() if form.is_valid() else AuditFilter()
    return form, audit_entries(request.user, which)


@require_GET
def audit_log(request):
    form, entries = _filtered(request)
    if form.errors:
        entries = entries.none()
    page = Paginator(entries.select_related("client"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    if wants_partial(request):
        return render(request, "audit/audit_log.html#audit-table", context)
    return render(request, "audit/audit_log.html", context, status=400 if form.errors else 200)


@require_GET
def audit_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("No such format.")
    form, entries = _filtered(request)
    if form.errors:
        return render(request, "audit/audit_log.html", {"form": form, "page": None}, status=400)
    audit_record(
        kind=Kind.EXPORT,
        summary=f"Exported the audit log ({fmt})",
        detail={"export": "audit_log", "format": fmt, "filters": {k: v for k, v in request.GET.items()}},
    )
    content_type, writer = FORMATS[fmt]
    response = StreamingHttpResponse(writer(entries), content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.{fmt}"'
    return response
