"""Health pages: thin views over the access rule, selectors and services."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from accounts.access import (
    OVERVIEW_REFUSED,
    SCORECARD_REFUSED,
    get_visible_client,
    may_edit_scorecard,
    may_see_firm_overview,
    require,
)
from accounts.selectors import notifications_of
from core.htmx import wants_partial
from health import portfolio, selectors
from health.forms import MeasureFormSet, ScorecardForm, field_errors
from health.models import RecomputeJob, Scorecard
from health.services.measurements import entered_measure_keys, measurements_import
from health.services.recompute import current_scorecard
from health.services.recompute import what_if as what_if_score
from health.services.scorecards import measures_of, scorecard_publish


@require_GET
def what_if(request, pk: int):
    """The score and band a client would get with some raw values changed. Nothing is saved."""
    client = get_visible_client(request.user, pk)
    overrides, errors = {}, {}
    for name, raw in request.GET.items():
        if name.startswith("raw_") and raw.strip() != "":
            try:
                overrides[name.removeprefix("raw_")] = float(Decimal(raw.strip()))
            except ArithmeticError:
                errors[name.removeprefix("raw_")] = "Enter a number."
    result = what_if_score(client=client, overrides=overrides)
    return render(
        request,
        "health/client_panel.html#what-if-result",
        {"result": result, "errors": errors, "client": client},
    )


@require_GET
def notification_list(request):
    page = Paginator(notifications_of(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "health/notification_list.html", {"page": page})


@require_POST
def notifications_mark_read(request):
    account_services.notifications_mark_read(actor=request.user)
    messages.success(request, "All notifications marked as read.")
    return redirect("notification-list")


@require_GET
def portfolio_signals(request):
    require(may_see_firm_overview(request.user), "Portfolio signals are for the BD team and managing partners.")
    return render(request, "health/portfolio.html", {"signals": portfolio.portfolio_signals(request.user)})


@require_http_methods(["GET", "POST"])
def scorecard_edit(request):
    require(may_edit_scorecard(request.user), SCORECARD_REFUSED)
    scorecard = current_scorecard()
    rows = measures_of(scorecard)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form, formset = ScorecardForm(request.POST), MeasureFormSet(request.POST, prefix="measures")
        if form.is_valid() and formset.is_valid():
            try:
                new, job = scorecard_publish(actor=request.user, measures_in=formset.measures_in(), **form.cleaned_data)
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, f"Scorecard v{new.version} is now in force; every client is being rescored.")
                return redirect("health-job", pk=job.pk)
        else:
            errors = field_errors(form, formset)
    blank = MeasureFormSet(prefix="measures", initial=[{"key": m.key} for m in rows])
    return render(
        request,
        "health/scorecard_edit.html",
        {
            "scorecard": scorecard,
            "rows": rows,
            "management_form": blank.management_form,
            "errors": errors,
            "versions": Scorecard.objects.select_related("created_by")[:20],
            "history": selectors.scorecard_audit_history(),
            "jobs": RecomputeJob.objects.order_by("-created_at")[:5],
        },
    )


@require_GET
def job_progress(request, pk: int):
    require(may_see_firm_overview(request.user), OVERVIEW_REFUSED)
    job = get_object_or_404(RecomputeJob, pk=pk)
    template = "health/job.html#progress" if wants_partial(request) else "health/job.html"
    progress = selectors.jobs_progress_for(request.user, [job])[job.pk]
    return render(request, template, {"job": job, "progress": progress})


@require_http_methods(["GET", "POST"])
def measurement_import(request):
    """Upload NPS / payment-days figures by CSV; a dry run (the default) checks without saving."""
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = upload.read().decode("utf-8-sig", errors="replace") if upload else request.POST.get("csv", "")
        report = measurements_import(actor=request.user, csv_text=text, dry_run=bool(request.POST.get("dry_run")))
        if report.ok and not report.dry_run:
            messages.success(request, f"Imported {report.created} new and {report.updated} corrected figures.")
            return redirect("health-measurement-import")
    return render(
        request,
        "health/measurement_import.html",
        {"report": report, "keys": entered_measure_keys(), "csv": request.POST.get("csv", "")},
    )
