"""Pages: the group roll-up, and the feed uploads with their mapping step and row report."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import FEEDS_REFUSED, get_visible_client, may_run_feeds, may_see_every_import
from core.forms import apply_errors
from feeds import groups, services
from feeds.forms import FeedUploadForm, ImportForm, MappingForm
from feeds.kinds import COLUMNS
from feeds.models import ExchangeRate, FeedRun, FeedSource, RunStatus, reporting_currency

SHOWN = 500


@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    rollup = groups.group_rollup(request.user, client)
    return render(request, "feeds/group_detail.html", {"rollup": rollup})


def _require_feeds(request: HttpRequest) -> None:
    if not may_run_feeds(request.user):
        raise PermissionDenied(FEEDS_REFUSED)


def _run_for(request: HttpRequest, pk: int) -> FeedRun:
    """A feed run is its sender's own (managing partners and admins may look at any)."""
    runs = FeedRun.objects.select_related("source")
    if not may_see_every_import(request.user):
        runs = runs.filter(created_by=request.user)
    try:
        return runs.get(pk=pk)
    except FeedRun.DoesNotExist as exc:
        raise Http404("No such feed run.") from exc


@require_http_methods(["GET", "POST"])
def feed_list(request: HttpRequest) -> HttpResponse:
    _require_feeds(request)
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.feed_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                source_name=form.cleaned_data["source"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("feed-run-detail", pk=run.pk)
    runs = FeedRun.objects.select_related("source")
    if not may_see_every_import(request.user):
        runs = runs.filter(created_by=request.user)
    return render(
        request,
        "feeds/feed_list.html",
        {
            "form": form,
            "runs": runs[:20],
            "sources": FeedSource.objects.all()[:50],
            "rates": ExchangeRate.objects.all()[:50],
            "currency": reporting_currency(),
            "columns": COLUMNS,
        },
    )


@require_http_methods(["GET", "POST"])
def feed_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)  # first: someone else's run is a 404 whoever asks
    _require_feeds(request)
    mapping_form = None
    if run.status in {RunStatus.UPLOADED, RunStatus.CHECKED, RunStatus.REFUSED} and run.file:
        mapping_form = MappingForm(
            request.POST or None, initial=run.mapping, kind=run.kind, headers=services.feed_headers(run)
        )
        if request.method == "POST" and mapping_form.is_valid():
            if run.created_by_id != request.user.pk:
                raise PermissionDenied("Only the person who sent this file can run it.")
            try:
                services.feed_map(actor=request.user, run=run, mapping=mapping_form.mapping())
            except ValidationError as error:
                apply_errors(mapping_form, error)
            else:
                return redirect("feed-run-detail", pk=run.pk)
    context = {
        "run": run,
        "mapping_form": mapping_form,
        "errors": run.errors[:SHOWN],
        "conflicts": run.conflicts[:SHOWN],
        "progress": services.run_progress(run),
        "lost": run.status == RunStatus.RUNNING and not services.run_is_alive(run),
        "currency": reporting_currency(),
    }
    template = (
        "feeds/run_detail.html#run-status" if request.htmx and request.method == "GET" else "feeds/run_detail.html"
    )
    return render(request, template, context)


@require_POST
def feed_run_import(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)  # first: someone else's run is a 404 whoever asks
    _require_feeds(request)
    if run.created_by_id != request.user.pk:
        raise PermissionDenied("Only the person who sent this file can import it.")
    form = ImportForm(request.POST)
    mode = form.cleaned_data["mode"] if form.is_valid() else ""
    try:
        services.feed_import(actor=request.user, run=run, mode=mode)
    except ValidationError as error:
        from django.contrib import messages

        messages.error(request, " ".join(error.messages))
    return redirect("feed-run-detail", pk=run.pk)


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    from django.contrib import messages

    messages.error(request, " ".join(error.messages))


@require_POST
def feed_conflict_take(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """Take the feed's value for one conflict of an imported run (the Keyline edit is replaced)."""
    run = _run_for(request, pk)  # first: someone else's run is a 404 whoever asks
    _require_feeds(request)
    try:
        services.feed_take_value(actor=request.user, run=run, index=index)
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("feed-run-detail", pk=run.pk)


@require_POST
def feed_run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again a run whose worker was lost mid-way (nothing of it was written)."""
    run = _run_for(request, pk)
    _require_feeds(request)
    try:
        services.feed_retry(actor=request.user, run=run)
    except ValidationError as error:
        _flash_errors(request, error)
    return redirect("feed-run-detail", pk=run.pk)
