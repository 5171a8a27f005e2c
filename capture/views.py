"""Pages of mailbox capture: the review queues, .ics/.eml upload, the client panel's settings, and the
administrators' status page. Thin: the access rule, one service, a redirect or a render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import (
    editable_clients,
    get_editable_client,
    get_visible_client,
    is_administrator,
    may_see_firm_overview,
    visible_clients,
)
from capture import selectors
from capture.forms import CaptureSwitchForm, DomainForm, SuppressForm, UploadForm
from capture.models import ClientEmailDomain, ReviewItem
from capture.services import review
from capture.services.mailbox import capture_enabled, mailbox_poll
from capture.services.privacy import address_suppress
from capture.services.uploads import upload_capture
from core.forms import apply_errors, flash_form_errors


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_GET
def review_mine(request):
    items = list(selectors.review_queue(request.user, mine=True)[:200])
    return render(request, "capture/review.html", {"items": items, "mine": True, "choices": _choices(request, items)})


@require_GET
def review_all(request):
    if not may_see_firm_overview(request.user):
        raise PermissionDenied("The firm's review queue is for BD, managing partners and administrators.")
    items = list(selectors.review_queue(request.user, mine=False)[:200])
    return render(request, "capture/review.html", {"items": items, "mine": False, "choices": _choices(request, items)})


def _choices(request, items: list[ReviewItem]):
    """Clients an unknown-client item may be filed under: those the reader may change."""
    if not any(item.kind == "unknown_client" for item in items):
        return []
    return list(editable_clients(request.user).order_by("name").values_list("pk", "name")[:500])


def _item(request, pk: int) -> ReviewItem:
    try:
        return selectors.visible_review_items(request.user).get(pk=int(pk))
    except (ReviewItem.DoesNotExist, ValueError) as exc:
        raise Http404("No such item.") from exc


def _may_decide(request, item: ReviewItem) -> None:
    clients = [item.client] if item.client_id else list(item.candidates.all())
    editable = editable_clients(request.user)
    if clients and not editable.filter(pk__in=[c.pk for c in clients]).exists():
        raise PermissionDenied("You can see this item but not decide it.")
    if not clients and not (item.sender_id == request.user.pk or may_see_firm_overview(request.user)):
        raise PermissionDenied("You can see this item but not decide it.")


@require_POST
def item_accept(request, pk: int):
    item = _item(request, pk)
    _may_decide(request, item)
    try:
        person = review.proposal_accept(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person.name} is now a stakeholder of {item.client}.")
    return redirect(_back(request, reverse("capture-review")))


@require_POST
def item_dismiss(request, pk: int):
    item = _item(request, pk)
    _may_decide(request, item)
    try:
        review.item_dismiss(actor=request.user, item=item, never_again=request.POST.get("never_again") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Dismissed.")
    return redirect(_back(request, reverse("capture-review")))


@require_POST
def item_file(request, pk: int):
    item = _item(request, pk)
    _may_decide(request, item)
    try:
        client = get_editable_client(request.user, request.POST.get("client"))
    except Http404:
        messages.error(request, "Client: choose a client from the list.")
        return redirect(_back(request, reverse("capture-review")))
    try:
        review.item_file_under(
            actor=request.user, item=item, client=client, remember_domains=request.POST.get("remember") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Recorded as an interaction of {client.name}.")
    return redirect(_back(request, reverse("capture-review")))


@require_POST
def domain_add(request, pk: int):
    client = get_editable_client(request.user, pk)
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            review.domain_add(actor=request.user, client=client, domain=form.cleaned_data["domain"])
        except ValidationError as error:
            messages.error(request, "Mail domain: " + " ".join(error.messages))
        else:
            messages.success(request, "Mail domain added.")
    else:
        flash_form_errors(request, form)
    return redirect(reverse("client-detail", args=[client.pk]) + "#capture")


@require_POST
def domain_remove(request, pk: int):
    domain = _domain(request, pk)
    get_editable_client(request.user, domain.client_id)
    review.domain_remove(actor=request.user, domain=domain)
    messages.success(request, "Mail domain removed.")
    return redirect(reverse("client-detail", args=[domain.client_id]) + "#capture")


def _domain(request, pk: int) -> ClientEmailDomain:
    try:
        return ClientEmailDomain.objects.filter(client__in=visible_clients(request.user).values("pk")).get(pk=int(pk))
    except (ClientEmailDomain.DoesNotExist, ValueError) as exc:
        raise Http404("No such domain.") from exc


@require_POST
def capture_switch(request, pk: int):
    client = get_editable_client(request.user, pk)
    form = CaptureSwitchForm(request.POST)
    if form.is_valid():
        off = form.cleaned_data["off"]
        review.capture_switch(actor=request.user, client=client, off=off, reason=form.cleaned_data["reason"])
        messages.success(request, "Capture is off for this client." if off else "Capture is on for this client.")
    else:
        flash_form_errors(request, form)
    return redirect(reverse("client-detail", args=[client.pk]) + "#capture")


@require_http_methods(["GET", "POST"])
def upload(request):
    if not editable_clients(request.user).exists():
        raise PermissionDenied("You cannot record interactions for any client.")
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = upload_capture(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            apply_errors(form, error)
    return render(request, "capture/upload.html", {"form": form, "result": result})


@require_http_methods(["GET", "POST"])
def status(request):
    if not is_administrator(request.user):
        raise PermissionDenied("The mailbox status page is for administrators.")
    suppress_form = SuppressForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "poll":
            result = mailbox_poll(force=True)
            if result.error:
                messages.error(request, f"The mailbox could not be read: {result.error}")
            else:
                messages.success(request, f"{result.read} messages read.")
            return redirect("capture-status")
        if suppress_form.is_valid():
            address_suppress(actor=request.user, address=suppress_form.cleaned_data["address"])
            messages.success(request, "That address will never be captured.")
            return redirect("capture-status")
    context = {
        "state": selectors.mailbox_state(),
        "enabled": capture_enabled(),
        "log": list(selectors.processing_log(request.user)[:100]),
        "counts": selectors.outcome_counts(request.user),
        "suppress_form": suppress_form,
    }
    return render(request, "capture/status.html", context)


@require_GET
def client_log(request, pk: int):
    """What the mailbox did with one client's messages (for those who may see the client)."""
    client = get_visible_client(request.user, pk)
    log = list(selectors.processing_log(request.user).filter(client=client)[:100])
    return render(request, "capture/client_log.html", {"client": client, "log": log})


@require_POST
def interaction_sentiment(request, pk: int, interaction: int):
    """One click on the timeline sets a captured interaction's sentiment (capture leaves it neutral)."""
    client = get_editable_client(request.user, pk)
    try:
        changed = review.interaction_sentiment_set(
            actor=request.user, client=client, interaction_id=interaction, sentiment=request.POST.get("sentiment")
        )
    except ValidationError as error:
        if "interaction" in error.message_dict:
            raise Http404("No such interaction.") from error
        if request.htmx:
            return HttpResponse(escape(error.messages[0]), status=400)
        messages.error(request, error.messages[0])
        return redirect(_back(request, reverse("interaction-timeline", args=[client.pk])))
    if request.htmx:
        from stakeholders.selectors.interactions import with_people
        from stakeholders.views.common import stakeholder_url_prefix

        row = with_people(client.interactions.filter(pk=changed.pk)).get()
        context = {"i": row, "sentiment_controls": True, "detail_url": stakeholder_url_prefix()}
        return render(request, "stakeholders/includes/interaction_item.html", context)
    messages.success(request, "Sentiment set.")
    return redirect(_back(request, reverse("interaction-timeline", args=[client.pk])))
