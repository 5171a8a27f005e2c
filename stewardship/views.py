"""The stewardship pages: thin views over stewardship.selectors and stewardship.services.

The firm views and every decision are for managing partners and administrators (403 to others);
a partner's scorecard and capability profile are the partner's own, or a managing partner's or
administrator's to read: to anyone else they do not exist (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import (
    get_visible_client,
    may_govern_crps,
    may_see_partner_scorecard,
    require,
)
from accounts.crp_signals import crp_signals
from accounts.models import Assignment, AssignmentRole, User
from core.forms import apply_errors, flash_form_errors
from health.portfolio import FirmSignals, portfolio_signals
from reports.pdf.periods import Quarter
from stewardship import services
from stewardship.forms import CredentialForm, DecisionForm, NeedsForm, ProfileForm, RotationForm, SuccessionForm
from stewardship.models import CapabilityProfile, ClientNeeds, Credential, CrpSignal, ScorecardView, Succession
from stewardship.selectors import firm
from stewardship.selectors.outcomes import any_due, decision_outcome
from stewardship.selectors.rotation import rotation_calendar
from stewardship.selectors.scorecard import partner_scorecard
from stewardship.selectors.shortlist import crp_shortlist
from stewardship.selectors.signals import decision_log, open_signals, stewardship_summary

GOVERN_REFUSED = services.GOVERN_REFUSED
SIGNALS_PAGE_SIZE = 50


def _partner_for(request, pk: int) -> User:
    partner = get_object_or_404(User, pk=pk)
    if not may_see_partner_scorecard(request.user, partner):
        raise Http404("No such scorecard.")
    return partner


@require_GET
def overview(request):
    """Open CRP signals with their decisions, the decision log with outcomes, and the firm figures."""
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    today = timezone.localdate()
    services.signals_sync_if_not_today(reader=request.user, on=today)
    decisions = list(decision_log())
    # Outcomes not yet due show no figures: the firm's are read only when one is.
    figures = portfolio_signals(request.user, today=today) if any_due(decisions, today) else FirmSignals([])
    log = [(d, decision_outcome(d, figures, today)) for d in decisions]
    summary = stewardship_summary(today)
    return render(
        request,
        "stewardship/overview.html",
        {
            "signals": Paginator(open_signals(), SIGNALS_PAGE_SIZE).get_page(request.GET.get("page")),
            "open_count": summary.open,
            "undecided": summary.undecided,
            "log": log,
            "form": DecisionForm(),
            "headline": firm.firm_headline(request.user, today),
            "today": today,
        },
    )


@require_POST
def signal_decide(request, pk: int):
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    signal = get_object_or_404(CrpSignal, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = services.signal_decide(actor=request.user, signal=signal, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Recorded “{decision.get_decision_display()}” for {signal.get_kind_display()}.")
            return redirect("stewardship")
    flash_form_errors(request, form)
    return redirect("stewardship")


@require_GET
def rotation(request):
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    rows = rotation_calendar(request.user)
    return render(request, "stewardship/rotation.html", {"rows": rows, "today": timezone.localdate()})


@require_http_methods(["GET", "POST"])
def rotation_decide(request, pk: int):
    client = get_visible_client(request.user, pk)
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    row = next((r for r in rotation_calendar(request.user) if r.client_id == client.pk), None)
    initial = {"quarter": row.quarter.code if row and row.quarter else ""}
    # The incoming CRP offered first: the named successor, else the SAM (the natural successor).
    succession = Succession.objects.filter(client=client).first()
    sam = Assignment.objects.filter(client=client, role=AssignmentRole.SAM, end_date__isnull=True).first()
    if succession or sam:
        initial["incoming"] = succession.successor_id if succession else sam.user_id
    form = RotationForm(request.POST or None, client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.rotation_decide(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Rotation of {client.name}: {decision.get_status_display().lower()}.")
            return redirect("stewardship-rotation")
    shortlist = crp_shortlist(request.user, client, limit=5)
    context = {"client": client, "row": row, "form": form, "shortlist": shortlist}
    return render(request, "stewardship/rotation_decide.html", context)


@require_GET
def shortlist(request, pk: int):
    client = get_visible_client(request.user, pk)
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    found = crp_shortlist(request.user, client)
    succession = Succession.objects.filter(client=client).select_related("successor").first()
    return render(
        request,
        "stewardship/shortlist.html",
        {
            "client": client,
            "shortlist": found,
            "succession": succession,
            "form": SuccessionForm(client=client, initial={"readiness": succession.readiness} if succession else {}),
        },
    )


@require_POST
def succession_set(request, pk: int):
    client = get_visible_client(request.user, pk)
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    form = SuccessionForm(request.POST, client=client)
    if form.is_valid():
        try:
            found = services.succession_set(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{found.successor} is the named successor on {client.name}.")
            return redirect("stewardship-shortlist", pk=client.pk)
    flash_form_errors(request, form)
    return redirect("stewardship-shortlist", pk=client.pk)


@require_http_methods(["GET", "POST"])
def needs_edit(request, pk: int):
    client = get_visible_client(request.user, pk)
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    needs = ClientNeeds.objects.filter(client=client).first()
    initial = (
        {
            "languages": needs.languages,
            "required_credentials": needs.required_credentials,
            "competitors": list(needs.competitors.all()),
        }
        if needs
        else {}
    )
    form = NeedsForm(request.POST or None, client=client, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.needs_save(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"CRP needs of {client.name} saved.")
            return redirect("stewardship-shortlist", pk=client.pk)
    return render(request, "stewardship/needs_form.html", {"client": client, "form": form})


@require_GET
def succession(request):
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    return render(request, "stewardship/succession.html", {"view": firm.succession_view(request.user)})


@require_GET
def capacity(request):
    require(may_govern_crps(request.user), GOVERN_REFUSED)
    today = timezone.localdate()
    partners = crp_signals(request.user, on=today)
    return render(
        request,
        "stewardship/capacity.html",
        {
            "capacity": firm.capacity_check(request.user, today, partners=partners),
            "mix": firm.persona_mix(partners),
        },
    )


@require_GET
def scorecard(request, pk: int):
    partner = _partner_for(request, pk)
    today = timezone.localdate()
    quarter = Quarter.read(request.GET.get("quarter", "")) or Quarter.containing(today)
    if quarter.start > today:
        quarter = Quarter.containing(today)
    card = partner_scorecard(request.user, partner, quarter, today)
    services.scorecard_view_record(viewer=request.user, partner=partner, quarter=quarter)
    views = ScorecardView.objects.filter(partner=partner).select_related("viewer")[:10]
    return render(
        request,
        "stewardship/scorecard.html",
        {
            "partner": partner,
            "card": card,
            "quarter": quarter,
            "previous": quarter.previous,
            "next": quarter.next if quarter.next.start <= today else None,
            "views": views,
        },
    )


@require_http_methods(["GET", "POST"])
def profile(request, pk: int):
    partner = _partner_for(request, pk)
    found = CapabilityProfile.objects.filter(user=partner).prefetch_related("service_lines").first()
    initial = (
        {
            "sectors": found.sectors,
            "languages": found.languages,
            "jurisdictions": found.jurisdictions,
            "service_lines": list(found.service_lines.all()),
            "persona_strengths": found.persona_strengths,
        }
        if found
        else {}
    )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(actor=request.user, partner=partner, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Capability profile saved.")
            return redirect("stewardship-profile", pk=partner.pk)
    return render(
        request,
        "stewardship/profile.html",
        {
            "partner": partner,
            "form": form,
            "credential_form": CredentialForm(),
            "credentials": Credential.objects.filter(user=partner),
            "today": timezone.localdate(),
        },
    )


@require_POST
def credential_add(request, pk: int):
    partner = _partner_for(request, pk)
    form = CredentialForm(request.POST)
    if form.is_valid():
        try:
            services.credential_add(actor=request.user, partner=partner, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Credential added.")
            return redirect("stewardship-profile", pk=partner.pk)
    flash_form_errors(request, form)
    return redirect("stewardship-profile", pk=partner.pk)


@require_POST
def credential_remove(request, pk: int):
    credential = get_object_or_404(Credential.objects.select_related("user"), pk=pk)
    partner = _partner_for(request, credential.user_id)
    services.credential_remove(actor=request.user, credential=credential)
    messages.success(request, "Credential removed.")
    return redirect("stewardship-profile", pk=partner.pk)
