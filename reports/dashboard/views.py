"""Dashboard pages: thin views over reports.dashboard's selectors and services. The pages that only
read (the dashboard, charts, exports, overview, partner home) read from a replica when there is one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import OVERVIEW_REFUSED, get_editable_object, may_govern_crps, may_see_firm_overview, require
from accounts.models import Notification
from accounts.services import notifications_mark_read
from audit.models import Kind
from audit.services import audit_record
from capture.selectors import review_count as capture_review_count
from config.db_router import reading_from_replica
from core.concurrency import StaleVersionError
from core.htmx import wants_partial
from health.models import Band
from listening.reporting import nps_summary
from planning.models import Action
from planning.services import action_mark_done
from reports.dashboard import exports, home, pages, services, whitespace
from reports.dashboard.params import ATTENTION_REASONS, COLUMN_LABELS, PAGE_SIZES, SORT_LABELS
from reports.models import ReportKind, SavedView
from reports.pdf.periods import last_complete_quarter
from stewardship.selectors.signals import stewardship_summary


def _notify(request, params) -> None:
    for notice in params.notices:
        messages.warning(request, notice)


@require_GET
@reading_from_replica()
def dashboard(request):
    if not request.GET and pages.default_mine(request.user):
        return redirect(f"{reverse('dashboard')}?mine=1")
    params, options = pages.read_params(request.user, request.GET)
    table = pages.table_page(request.user, params)
    columns = pages.shown_columns(request.user, params)
    context = {
        "params": params,
        "table": table,
        "columns": columns,
        "column_labels": COLUMN_LABELS,
        "view_query": params.query(page=None, cols=",".join(columns) or ","),
        "options": options,
        "sort_labels": SORT_LABELS,
        "reasons": ATTENTION_REASONS,
        "page_sizes": PAGE_SIZES,
        "notices": params.notices,
        "band_choices": Band.choices,
    }
    if wants_partial(request):
        return render(request, "reports/dashboard/dashboard.html#results", context)
    _notify(request, params)
    context["saved_views"] = pages.saved_views(request.user)
    return render(request, "reports/dashboard/dashboard.html", context)


@require_GET
@reading_from_replica()
def dashboard_charts(request):
    params, _ = pages.read_params(request.user, request.GET)
    context = {"params": params, **pages.chart_context(pages.chart_figures(request.user, params))}
    if wants_partial(request):
        return render(request, "reports/dashboard/charts.html#charts", context)
    return render(request, "reports/dashboard/charts.html", context)


@require_GET
@reading_from_replica()
def dashboard_export(request, fmt: str):
    params, _ = pages.read_params(request.user, request.GET)
    rows = pages.export_rows(request.user, params)
    columns = pages.shown_columns(request.user, params)  # the same columns as the table on screen
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(rows, columns), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(rows, columns),
            content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    response["Content-Disposition"] = f'attachment; filename="portfolio-{stamp}.{fmt}"'
    audit_record(
        kind=Kind.EXPORT,
        actor=request.user,
        summary=f"Exported the portfolio dashboard ({fmt})",
        detail={"export": "portfolio", "format": fmt, "query": request.GET.urlencode()},
    )
    return response


@require_POST
def saved_view_save(request):
    try:
        view = services.saved_view_save(
            actor=request.user,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(f"{reverse('dashboard')}?{request.POST.get('query', '')}")
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(f"{reverse('dashboard')}?{view.query}")


@require_POST
def column_preference_save(request):
    """The column chooser: remember the reader's columns, then show the view they were on."""
    query = request.POST.get("query", "")
    try:
        services.column_preference_set(actor=request.user, columns=request.POST.getlist("cols"))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(f"{reverse('dashboard')}?{pages.without_columns(query)}")


@require_POST
def saved_view_delete(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("dashboard")


@require_GET
@reading_from_replica()
def whitespace_view(request):
    params, options = pages.read_params(request.user, request.GET)
    context = {
        "params": params,
        "options": options,
        "map": whitespace.whitespace_map(request.user, params),
        "reasons": ATTENTION_REASONS,
        "notices": params.notices,
        "band_choices": Band.choices,
    }
    if wants_partial(request):
        return render(request, "reports/dashboard/whitespace.html#map", context)
    _notify(request, params)
    return render(request, "reports/dashboard/whitespace.html", context)


@require_GET
@reading_from_replica()
def overview_view(request):
    require(may_see_firm_overview(request.user), OVERVIEW_REFUSED)
    return render(
        request,
        "reports/dashboard/overview.html",
        {
            "overview": pages.cached_overview(request.user),
            "stewardship": stewardship_summary(timezone.localdate()) if may_govern_crps(request.user) else None,
            "listening": nps_summary(request.user),
            "reasons": ATTENTION_REASONS,
            "pack_query": urlencode(
                {
                    "kind": ReportKind.QUARTERLY_PACK,
                    "scope": "firm",
                    "quarter": last_complete_quarter(timezone.localdate()).code,
                }
            ),
        },
    )


@require_GET
@reading_from_replica()
def partner_home(request):
    return render(
        request,
        "reports/dashboard/partner_home.html",
        {"summary": home.partner_summary(request.user), "review_waiting": capture_review_count(request.user)},
    )


@require_POST
def action_complete(request, pk: int):
    action = get_editable_object(
        request.user, Action.objects.select_related("plan__client"), pk, client_field="plan__client"
    )
    error = ""
    try:
        action_mark_done(actor=request.user, action=action, expected_version=_int(request.POST.get("version")))
    except StaleVersionError as stale:
        action = stale.current
        error = "Someone changed this action since you loaded the page; here it is as it is now."
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if wants_partial(request):
        return render(
            request,
            "reports/dashboard/partner_home.html#action-row",
            {"action": action, "error": error, "today": timezone.localdate()},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Marked “{action.description}” done.")
    return redirect("partner-home")


@require_POST
def alert_read(request, pk: int):
    alert = get_object_or_404(Notification.objects.readable_by(request.user), pk=pk)
    notifications_mark_read(actor=request.user, notification=alert)
    if wants_partial(request):
        return HttpResponse("")
    messages.success(request, "Alert marked as read.")
    return redirect("partner-home")


@require_http_methods(["GET", "POST"])
def digest_settings(request):
    if request.method == "POST":
        services.digest_preference_set(actor=request.user, weekly_digest=request.POST.get("weekly_digest") == "on")
        messages.success(request, "Weekly digest on." if request.user.weekly_digest else "Weekly digest off.")
        return redirect("digest-settings")
    return render(request, "reports/dashboard/digest_settings.html")


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError as exc:
        raise PermissionDenied("Missing version.") from exc
