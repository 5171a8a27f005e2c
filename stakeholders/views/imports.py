"""CSV import (upload → dry run → import, with progress) and streamed CSV export."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import editable_clients, may_see_every_import
from audit.models import Kind
from audit.services import audit_record
from config.db_router import streamed_from_replica
from core.forms import apply_errors, flash_form_errors
from core.htmx import wants_partial
from stakeholders import csv_format, services
from stakeholders.forms import ImportRunForm, ImportUploadForm
from stakeholders.importing import progress_key
from stakeholders.models import ImportJob, Interaction, Stakeholder
from stakeholders.views.common import client_for

SHOWN_ERRORS = 500


def _job_for(request, pk: int) -> ImportJob:
    """An import job is its uploader's own (admins and managing partners may look at any)."""
    jobs = ImportJob.objects.all()
    if not may_see_every_import(request.user):
        jobs = jobs.filter(created_by=request.user)
    try:
        return jobs.get(pk=pk)
    except ImportJob.DoesNotExist as exc:
        raise Http404("No such import.") from exc


@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not editable_clients(request.user).exists():
        raise PermissionDenied("You cannot change any client's stakeholders.")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.import_job_start(
            actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
        )
        return redirect("stakeholder-import-detail", pk=job.pk)
    recent = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(
        request,
        "stakeholders/import_upload.html",
        {
            "form": form,
            "recent": recent,
            "stakeholder_columns": csv_format.STAKEHOLDER_COLUMNS,
            "interaction_columns": csv_format.INTERACTION_COLUMNS,
        },
    )


@require_GET
def import_detail(request, pk: int):
    job = _job_for(request, pk)
    if job.is_running:
        done = cache.get(progress_key(job.pk))
        if done is not None:
            job.rows_done = done
    context = {"job": job, "errors": job.errors[:SHOWN_ERRORS], "run_form": ImportRunForm()}
    if wants_partial(request):
        return render(request, "stakeholders/import_detail.html#job-status", context)
    return render(request, "stakeholders/import_detail.html", context)


@require_POST
def import_run(request, pk: int):
    job = _job_for(request, pk)
    if job.created_by_id != request.user.pk:
        raise PermissionDenied("Only the person who uploaded the file can import it.")
    form = ImportRunForm(request.POST)
    if form.is_valid():
        try:
            services.import_job_run(actor=request.user, job=job, mode=form.cleaned_data["mode"])
        except ValidationError as error:
            apply_errors(form, error)
    flash_form_errors(request, form)
    return redirect("stakeholder-import-detail", pk=job.pk)


def _stream(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    lines = streamed_from_replica(csv_format.csv_lines(header, rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def stakeholder_export(request, pk: int):
    client = client_for(request.user, pk)
    rows = csv_format.stakeholder_rows(Stakeholder.objects.filter(client=client))
    audit_record(kind=Kind.EXPORT, actor=request.user, client=client, summary=f"Exported the stakeholders of {client}")
    return _stream(f"{slugify(client.name)}-stakeholders.csv", csv_format.STAKEHOLDER_COLUMNS, rows)


@require_GET
def interaction_export(request, pk: int):
    client = client_for(request.user, pk)
    rows = csv_format.interaction_rows(Interaction.objects.filter(client=client))
    audit_record(kind=Kind.EXPORT, actor=request.user, client=client, summary=f"Exported the interactions of {client}")
    return _stream(f"{slugify(client.name)}-interactions.csv", csv_format.INTERACTION_COLUMNS, rows)
