"""Plan pages, My actions and the iCalendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import (
    CRP_REFUSED,
    TEAM_REFUSED,
    get_editable_client,
    get_visible_client,
    may_hand_over_crp,
    may_plan_transition,
    require,
)
from core.concurrency import StaleVersionError
from core.forms import apply_errors, render_deferred_form
from core.htmx import wants_partial
from planning import calendar, selectors, services
from planning.entities import SECTIONS
from planning.forms import CrpHandoverForm, PlanCreateForm, PlanForm
from planning.views.inline import PAGE, get_plan


@require_GET
def plan_detail(request, pk: int):
    plan = get_plan(request, pk)
    return render(request, PAGE, {"plan": plan, "page": selectors.plan_page(plan=plan), "kinds": SECTIONS})


@require_GET
def client_plans(request, pk: int):
    """The client's current plan (or its latest one), else the client page to start one."""
    client = get_visible_client(request.user, pk)
    plans = list(selectors.plans_of_client(user=request.user, client=client))
    plan = next((p for p in plans if p.status == "active"), plans[0] if plans else None)
    return redirect(plan if plan else client)


@require_POST
def plan_create(request, pk: int):
    client = get_editable_client(request.user, pk)
    form = PlanCreateForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field.replace('_', ' ').capitalize()}: {' '.join(errors)}")
        return redirect(client)
    try:
        if form.cleaned_data["from_last_year"]:
            plan = services.plan_start_from_last_year(actor=request.user, client=client, year=form.cleaned_data["year"])
        else:
            plan = services.plan_create(actor=request.user, client=client, year=form.cleaned_data["year"])
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(client)
    messages.success(request, f"Draft plan for {plan.year} started.")
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def plan_summary(request, pk: int, mode: str = "show"):
    """The plan's headline section, shown or edited in place."""
    plan = get_plan(request, pk, for_edit=mode == "edit")
    context = {"plan": plan}
    if mode == "show":
        return render(request, f"{PAGE}#summary", context)
    form = PlanForm(request.POST or None, instance=plan, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                expected_version=form.cleaned_data.get("version") or 0,
                **form.changes(),
            )
        except StaleVersionError as stale:
            context["conflict"] = stale
            context["conflict_by"] = selectors.last_change(stale.current)
            data = request.POST.copy()
            data["version"] = stale.current.version
            form = PlanForm(data, instance=stale.current, plan=plan)
            form.is_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Plan saved.")
                return redirect(plan)
            return render(request, f"{PAGE}#summary", {"plan": get_plan(request, pk)})
    context["form"] = form
    if wants_partial(request):
        return render(request, f"{PAGE}#summary-form", context)
    return render(
        request,
        "planning/item_form_page.html",
        {**context, "summary": True},
        status=409 if context.get("conflict") else 200,
    )


@require_POST
def plan_status(request, pk: int, change: str):
    plan = get_plan(request, pk, for_edit=True)
    service = {"activate": services.plan_activate, "archive": services.plan_archive}.get(change)
    if service is None:
        raise Http404("No such change.")
    try:
        version = int(request.POST.get("version", "0") or 0)
        service(actor=request.user, plan=plan, expected_version=version)
    except StaleVersionError:
        messages.error(request, "Someone else changed this plan since you opened it; check it and try again.")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, f"Plan {plan.year} {'activated' if change == 'activate' else 'archived'}.")
    return redirect(plan)


@require_POST
def transition_finish(request, pk: int, item: int, change: str):
    """Complete (hand the CRP role over) or cancel a transition; both reload the plan."""
    plan = get_plan(request, pk, for_edit=True)
    transition = SECTIONS["transition"].rows(plan).filter(pk=item).first()
    if transition is None or change not in {"complete", "cancel"}:
        raise Http404("No such transition.")
    if change == "complete":
        require(may_hand_over_crp(request.user, plan.client), CRP_REFUSED)
    else:
        require(may_plan_transition(request.user, plan.client), TEAM_REFUSED)
    version = int(request.POST.get("version", "0") or 0)
    try:
        if change == "complete":
            services.transition_complete(actor=request.user, transition=transition, expected_version=version)
            messages.success(request, f"{transition.incoming} is now the CRP of {plan.client}.")
        else:
            services.transition_cancel(actor=request.user, transition=transition, expected_version=version)
            messages.success(request, "Transition cancelled.")
    except StaleVersionError:
        messages.error(request, "Someone else changed this transition since you opened it; check it and retry.")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(reverse("plan-detail", args=[plan.pk]) + "#transitions")


@require_http_methods(["GET", "POST"])
def crp_handover(request, pk: int):
    """The client page's quick handover, recorded as a transition completed today."""
    client = get_visible_client(request.user, pk)
    require(may_hand_over_crp(request.user, client), CRP_REFUSED)
    if request.method == "GET":
        return render_deferred_form(
            request,
            CrpHandoverForm(),
            title="Hand over the CRP role",
            intro="Recorded as a CRP transition completed on the handover date, "
            "with its reason and the client's consent.",
            action=reverse("crp-handover", args=[client.pk]),
            submit="Hand over",
            back=client,
            primary=False,
        )
    form = CrpHandoverForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for text in errors:
                messages.error(request, f"{label}: {text}" if label else text)
        return redirect(client)
    data = form.cleaned_data
    try:
        services.transition_hand_over_now(
            actor=request.user,
            client=client,
            incoming=data["new_crp"],
            reason=data["reason"],
            on_date=data["on_date"],
            consent_required=data["consent_required"],
            consent_received_on=data["consent_received_on"],
            notes=data["notes"],
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, f"{data['new_crp']} is now the CRP.")
    return redirect(client)


@require_GET
def plan_history(request, pk: int):
    plan = get_plan(request, pk)
    # The plan page loads the list in place; the link it keeps for a new tab opens a page of its own.
    template = f"{PAGE}#history" if request.htmx else "planning/plan_history.html"
    return render(request, template, {"plan": plan, "history": selectors.plan_history(plan=plan)})


MY_ACTIONS_PAGE_SIZE = 50


@require_GET
def my_actions(request):
    feed = calendar.feed_of(request.user)
    page = Paginator(selectors.my_actions(user=request.user), MY_ACTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    # One reverse for the page, not one per row: links are the plan URL plus a fixed suffix.
    plans_prefix = reverse("plan-detail", args=[0]).removesuffix("0/")
    for action in page:
        action.plan_url = f"{plans_prefix}{action.plan_id}/"
    here = reverse("my-actions") + (f"?page={page.number}" if page.number > 1 else "")
    return render(
        request,
        "planning/my_actions.html",
        {
            "actions": page,
            "here": here,
            "upcoming": selectors.my_upcoming_client_dates(user=request.user),
            "pipeline": selectors.pipeline_total(user=request.user, mine=True),
            "overdue_reviews": list(selectors.overdue_reviews(user=request.user, mine=True)[:20]),
            "feed_url": request.build_absolute_uri(reverse("calendar-feed", args=[feed.token])) if feed else None,
        },
    )


@require_POST
def calendar_regenerate(request):
    calendar.feed_regenerate(user=request.user)
    messages.success(request, "A new calendar link was made; the old one no longer works.")
    return redirect("my-actions")


@login_not_required
@require_GET
def calendar_feed(request, token: str):
    """The person's open actions as iCalendar. The secret token in the URL is the credential."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar.ical_for(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
