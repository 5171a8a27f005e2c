"""Report pages: list and request, progress, download, retry. Thin over services and selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_errors
from core.htmx import wants_partial
from reports.models import BEHIND_A_WALL, ReportKind, ReportStatus
from reports.pdf import selectors, services
from reports.pdf.forms import SCOPE_TYPES, ReportRequestForm, recent_quarters

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
def report_list(request):
    params = request.GET
    # ?kind=account_review&scope=client:12 pre-fills the form, so other pages can link to it.
    initial = {key: params[key] for key in ("kind", "scope", "quarter") if params.get(key)}
    form = ReportRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_request(
                actor=request.user,
                kind=data["kind"],
                scope=data["scope_dict"],
                quarter=data["quarter"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            _tell_status(request, report)
            return redirect("report-detail", pk=report.pk)
    reports = selectors.reports_of(
        request.user,
        kind=params.get("kind", ""),
        status=params.get("status", ""),
        quarter=params.get("quarter", ""),
    )
    page = Paginator(reports, PAGE_SIZE).get_page(params.get("page"))
    context = {
        "page": page,
        "params": params,
        "kinds": ReportKind.choices,
        "statuses": ReportStatus.choices,
        "quarters": recent_quarters(),
        "unavailable_reason": BEHIND_A_WALL,
    }
    if wants_partial(request) and request.method == "GET":
        return render(request, "reports/pdf/report_list.html#report-table", context)
    context |= {
        "form": form,
        "scope_types": SCOPE_TYPES,
        "choices": selectors.scope_choices(request.user),
    }
    status = 400 if form.errors else 200
    return render(request, "reports/pdf/report_list.html", context, status=status)


def _tell_status(request, report) -> None:
    """Say what has happened to the report so far, as its status says (in-process tasks finish at once)."""
    report.refresh_from_db(fields=["status"])
    if report.status == ReportStatus.DONE:
        messages.success(request, "Your report is ready to download.")
    elif report.status == ReportStatus.FAILED:
        messages.error(request, "Your report could not be made; this page says why.")
    else:
        messages.success(request, "Your report is queued. This page shows its progress.")


@require_GET
def report_detail(request, pk):
    report = selectors.get_report(request.user, pk)
    template = "reports/pdf/report_detail.html"
    if wants_partial(request):
        template += "#report-status"
    return render(request, template, {"report": report, "unavailable_reason": BEHIND_A_WALL})


@require_GET
def report_download(request, pk):
    report = services.report_for_download(actor=request.user, pk=pk)
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def report_retry(request, pk):
    report = selectors.get_report(request.user, pk)
    try:
        services.report_retry(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _tell_status(request, report)
    return redirect("report-detail", pk=report.pk)
