"""Pages of the workflow app: thin, every object fetched through the access rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import get_editable_client, is_administrator, may_edit_client, require, visible_clients
from core.forms import apply_errors
from workflow import selectors
from workflow.defaults import playbooks_install_defaults
from workflow.forms import ChannelForm, CommentForm, DocumentForm, PlaybookForm, StepFormSet, VersionForm
from workflow.models import TRIGGERS_WITH_N, Channel, Playbook, Trigger
from workflow.services import comments, documents, notify, outbound, playbooks
from workflow.subjects import subject_of, subject_of_row

# --- playbooks -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def playbook_list(request):
    if request.method == "POST":
        require(is_administrator(request.user), "Only administrators change playbooks.")
        added = playbooks_install_defaults()
        messages.success(request, f"{added} default playbook{'s' if added != 1 else ''} added.")
        return redirect("playbook-list")
    rows = Playbook.objects.prefetch_related("steps").order_by("name")
    return render(
        request,
        "workflow/playbook_list.html",
        {"playbooks": rows, "is_admin": is_administrator(request.user), "triggers": Trigger},
    )


def _playbook_or_404(pk: int) -> Playbook:
    found = Playbook.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such playbook.")
    return found


PLAYBOOK_FIELDS = ("name", "trigger", "threshold", "to_band", "description", "is_active")


@require_http_methods(["GET", "POST"])
def playbook_edit(request, pk: int | None = None):
    """Administrators define a playbook: its trigger, and its steps with owners by role and due offsets."""
    require(is_administrator(request.user), "Only administrators change playbooks.")
    playbook = _playbook_or_404(pk) if pk is not None else None
    initial_steps = [
        {"id": step.pk, "description": step.description, "owner_role": step.owner_role, "due_in_days": step.due_in_days}
        for step in (playbook.steps.all() if playbook else [])
    ]
    initial = (
        {
            name: getattr(playbook, name)
            for name in ("name", "trigger", "threshold", "to_band", "description", "is_active")
        }
        if playbook
        else None
    )
    form = PlaybookForm(request.POST or None, initial=initial)
    steps = StepFormSet(request.POST or None, initial=initial_steps, prefix="steps")
    status = 200
    if request.method == "POST":
        if form.is_valid() and steps.is_valid():
            items = [
                playbooks.StepInput(
                    id=data.get("id"),
                    description=data["description"],
                    owner_role=data["owner_role"],
                    due_in_days=data["due_in_days"],
                    delete=bool(data.get("DELETE")),
                )
                for data in steps.cleaned_data
                if data
            ]
            try:
                saved = playbooks.playbook_save(
                    actor=request.user, playbook=playbook, fields=dict(form.cleaned_data), steps=items
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Playbook {saved.name} saved.")
                return redirect(reverse("playbook-list") + f"#pb-{saved.pk}")
        status = 400
    return render(
        request,
        "workflow/playbook_form.html",
        {"playbook": playbook, "form": form, "steps": steps, "triggers_with_n": sorted(TRIGGERS_WITH_N)},
        status=status,
    )


@require_POST
def playbook_active(request, pk: int):
    require(is_administrator(request.user), "Only administrators change playbooks.")
    playbook = _playbook_or_404(pk)
    active = request.POST.get("active") == "1"
    playbooks.playbook_set_active(actor=request.user, playbook=playbook, active=active)
    messages.success(request, f"{playbook.name} {'runs again' if active else 'is paused for every client'}.")
    return redirect(reverse("playbook-list") + f"#pb-{playbook.pk}")


@require_POST
def playbook_pause(request, pk: int, playbook: int):
    client = get_editable_client(request.user, pk)
    found = _playbook_or_404(playbook)
    if request.POST.get("resume"):
        playbooks.playbook_resume(actor=request.user, playbook=found, client=client)
        messages.success(request, f"{found.name} runs again for this client.")
    else:
        playbooks.playbook_pause(actor=request.user, playbook=found, client=client)
        messages.success(request, f"{found.name} is paused for this client.")
    return redirect(client.get_absolute_url() + "#playbooks")


# --- comments --------------------------------------------------------------------------------


def _thread_context(subject, form=None) -> dict:
    return {
        "subject": subject,
        "comments": selectors.thread(subject),
        "comment_form": form or CommentForm(),
    }


@require_http_methods(["GET", "POST"])
def comment_thread(request, kind: str, pk: int):
    subject = subject_of(request.user, kind, pk, feature="comments")
    form = CommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            parent = None
            if form.cleaned_data["parent"]:
                parent = selectors.comment_for(request.user, form.cleaned_data["parent"])
            try:
                comment = comments.comment_post(
                    actor=request.user, subject=subject, body=form.cleaned_data["body"], parent=parent
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect(f"{subject.thread_url}#comment-{comment.pk}")
        status = 400
    template = "workflow/thread_page.html"
    if request.htmx:
        template = "workflow/thread_page.html#thread"
    return render(request, template, _thread_context(subject, form if status == 400 else None), status=status)


def _comment_and_subject(request, pk: int):
    comment = selectors.comment_for(request.user, pk)
    subject = subject_of_row(comment)
    if subject is None:
        raise Http404("Not found.")
    return comment, subject


@require_POST
def comment_edit(request, pk: int):
    comment, subject = _comment_and_subject(request, pk)
    try:
        comments.comment_edit(actor=request.user, comment=comment, subject=subject, body=request.POST.get("body", ""))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, "Comment updated.")
    return redirect(f"{subject.thread_url}#comment-{comment.pk}")


@require_POST
def comment_delete(request, pk: int):
    comment, subject = _comment_and_subject(request, pk)
    comments.comment_delete(actor=request.user, comment=comment)
    messages.success(request, "Comment deleted.")
    return redirect(f"{subject.thread_url}#comment-{comment.pk}")


# --- documents -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def document_upload(request, kind: str, pk: int):
    subject = subject_of(request.user, kind, pk, feature="documents")
    require(may_edit_client(request.user, subject.client), "You can view this client but not add documents to it.")
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = documents.document_create(
                    actor=request.user,
                    client=subject.client,
                    subject=subject.obj,
                    upload=data["file"],
                    title=data["title"],
                    kind=data["kind"],
                    expires_on=data["expires_on"],
                    renewal_on=data["renewal_on"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"{document.title} attached.")
                return redirect(document.get_absolute_url())
        status = 400
    return render(
        request,
        "workflow/document_upload.html",
        {"subject": subject, "form": form, "max_mb": documents.max_bytes() // (1024 * 1024)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def document_detail(request, pk: int):
    document = selectors.document_for(request.user, pk)
    may_edit = may_edit_client(request.user, document.client)
    form = VersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        require(may_edit, "You can view this document but not change it.")
        if form.is_valid():
            try:
                version = documents.version_add(actor=request.user, document=document, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Version {version.number} added.")
                return redirect(document.get_absolute_url())
        status = 400
    return render(
        request,
        "workflow/document_detail.html",
        {
            "document": document,
            "subject": subject_of_row(document),
            "versions": document.versions.select_related("uploaded_by").order_by("-number"),
            "form": form,
            "may_edit": may_edit,
        },
        status=status,
    )


@require_POST
def document_delete(request, pk: int):
    document = selectors.document_for(request.user, pk)
    require(may_edit_client(request.user, document.client), "You can view this document but not delete it.")
    client_url = document.client.get_absolute_url()
    documents.document_delete(actor=request.user, document=document)
    messages.success(request, "Document deleted.")
    return redirect(client_url + "#documents")


@require_GET
def document_download(request, pk: int):
    """Only through the access rule, only once scanned clean, always as an attachment."""
    version = selectors.version_for(request.user, pk)
    if not version.downloadable or not version.file:
        raise Http404("This file cannot be downloaded (it is waiting for its virus scan, or was refused).")
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Not found.") from exc
    response = FileResponse(handle, as_attachment=True, filename=version.filename, content_type=version.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- channels --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def channel_list(request):
    is_admin = is_administrator(request.user)
    firm = request.POST.get("scope") == "firm"
    own_form = ChannelForm(None, firm=False, prefix="own")
    firm_form = ChannelForm(None, firm=True, prefix="firm") if is_admin else None
    status = 200
    if request.method == "POST" and "daily" in request.POST:
        notify.daily_email_set(actor=request.user, daily=request.POST.get("daily") == "on")
        messages.success(request, "Your email choice is saved.")
        return redirect("channel-list")
    if request.method == "POST":
        if firm:
            require(is_admin, "Only administrators add firm channels.")
        form = ChannelForm(request.POST, firm=firm, prefix="firm" if firm else "own")
        if form.is_valid():
            try:
                channel = outbound.channel_create(actor=request.user, firm=firm, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Channel {channel.name} added.")
                return redirect("channel-detail", pk=channel.pk)
        if firm:
            firm_form = form
        else:
            own_form = form
        status = 400
    context = {
        "own": selectors.channels_of(request.user),
        "firm_channels": Channel.objects.filter(owner__isnull=True) if is_admin else [],
        "own_form": own_form,
        "firm_form": firm_form,
        "daily": notify.wants_daily(request.user),
        "weekly": request.user.weekly_digest,
    }
    return render(request, "workflow/channel_list.html", context, status=status)


def _channel_for(request, pk: int) -> Channel:
    channel = Channel.objects.filter(pk=pk).first()
    if channel is None:
        raise Http404("No such channel.")
    mine = channel.owner_id == request.user.pk
    if not mine and not (channel.owner_id is None and is_administrator(request.user)):
        raise Http404("No such channel.")
    return channel


@require_http_methods(["GET", "POST"])
def channel_detail(request, pk: int):
    channel = _channel_for(request, pk)
    if request.method == "POST":
        outbound.channel_enable(channel=channel)
        messages.success(request, f"{channel.name} is on again.")
        return redirect("channel-detail", pk=channel.pk)
    deliveries = list(channel.deliveries.all()[:100])
    # A log outlives team changes: a message about a client its reader can no longer see is not named.
    seen = set(visible_clients(request.user).values_list("pk", flat=True))
    for delivery in deliveries:
        client = (delivery.payload or {}).get("client") or {}
        hidden = client.get("id") is not None and client.get("id") not in seen
        delivery.shown_title = (
            "A message about a client you can no longer see" if hidden else delivery.payload.get("title", "")
        )
    return render(request, "workflow/channel_detail.html", {"channel": channel, "deliveries": deliveries})


@require_POST
def channel_delete(request, pk: int):
    channel = _channel_for(request, pk)
    outbound.channel_delete(channel=channel)
    messages.success(request, "Channel removed.")
    return redirect("channel-list")
