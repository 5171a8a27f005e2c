"""The stakeholder pages of one client: org chart, map, gaps, matrix, timeline, and logging a touchpoint."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.forms import apply_errors, flash_form_errors
from core.htmx import wants_partial
from core.pagination import last_page, page_number
from feeds.selectors import timekeepers_at
from stakeholders import selectors, services
from stakeholders.forms import TimelineFilterForm, log_form_for
from stakeholders.models import Stakeholder
from stakeholders.panels import panel_context
from stakeholders.views.common import client_for, stakeholder_url_prefix

INTERACTION_LOGGED = "interaction-logged"  # the htmx event a logged interaction raises on the page
TIMELINE_PAGE = 25  # as the client list: a screenful, and cheap to draw


def _people_page(request, pk: int, template: str, build) -> object:
    client = client_for(request.user, pk)
    people = selectors.client_stakeholders(client)
    context = {
        "client": client,
        "may_edit": client.may_edit,
        "people": people,
        "detail_url": stakeholder_url_prefix(),
        **build(client, people),
    }
    return render(request, template, context)


@require_GET
def org_chart(request, pk: int):
    return _people_page(
        request,
        pk,
        "stakeholders/org_chart.html",
        lambda client, people: {"chart": selectors.build_org_chart(people), "tab": "chart"},
    )


@require_GET
def stakeholder_map(request, pk: int):
    return _people_page(
        request,
        pk,
        "stakeholders/map.html",
        lambda client, people: {"grid": selectors.influence_attitude_grid(people), "tab": "map"},
    )


@require_GET
def coverage_gaps(request, pk: int):
    return _people_page(
        request,
        pk,
        "stakeholders/gaps.html",
        lambda client, people: {"gaps": selectors.coverage_gaps(people), "tab": "gaps"},
    )


@require_GET
def coverage_matrix(request, pk: int):
    def build(client, people):
        selectors.attach_engagement(people, selectors.engagement_by_pair(client))
        return {
            "matrix": selectors.coverage_matrix(people),
            "timekeepers": timekeepers_at(client),
            "tab": "matrix",
        }

    return _people_page(request, pk, "stakeholders/matrix.html", build)


@require_GET
def timeline(request, pk: int):
    client = client_for(request.user, pk)
    filter_form = TimelineFilterForm(request.GET or None)
    filters = selectors.TimelineFilters()
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = selectors.TimelineFilters(
            kind=data["kind"],
            user_id=data["person"],
            stakeholder_id=data["stakeholder"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    number = page_number(request.GET.get("page")) or 1
    interactions = selectors.timeline(client, filters)
    # One row past the page says whether there is a next page, without a COUNT over years of history;
    # only a page past the end counts, to show the last page instead.
    rows = list(interactions[(number - 1) * TIMELINE_PAGE : number * TIMELINE_PAGE + 1])
    if not rows and number > 1:
        number = last_page(interactions.count(), TIMELINE_PAGE)
        rows = list(interactions[(number - 1) * TIMELINE_PAGE : number * TIMELINE_PAGE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "client": client,
        "may_edit": client.may_edit,
        "tab": "timeline",
        "detail_url": stakeholder_url_prefix(),
        "interactions": rows[:TIMELINE_PAGE],
        "has_next": len(rows) > TIMELINE_PAGE,
        "page_number": number,
        "query": query.urlencode(),
        "filter_form": filter_form,
    }
    if wants_partial(request):
        return render(request, "stakeholders/timeline.html#timeline-list", context)
    people = list(selectors.firm_people_of(client, also=request.user))
    stakeholders = list(Stakeholder.objects.filter(client=client).only("id", "name", "status").order_by("name"))
    chosen_person, chosen_stakeholder = request.GET.get("person", ""), request.GET.get("stakeholder", "")
    context.update(
        frequency=selectors.contact_frequency(client),
        stakeholder_choices=[(s.pk, s.name, str(s.pk) == chosen_stakeholder) for s in stakeholders],
        person_choices=[(u.pk, u.full_name, str(u.pk) == chosen_person) for u in people],
        log_form=log_form_for(
            client, request.user, stakeholder_id=request.GET.get("log_for"), people=people, stakeholders=stakeholders
        )
        if client.may_edit
        else None,
    )
    return render(request, "stakeholders/timeline.html", context)


@require_POST
def interaction_log(request, pk: int):
    client = client_for(request.user, pk)
    if not client.may_edit:
        raise PermissionDenied("You can view this client but not change it.")
    form = log_form_for(client, request.user, data=request.POST)
    logged = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            logged = services.interaction_log(actor=request.user, client=client, **data)
        except ValidationError as error:
            apply_errors(form, error)
    if not request.htmx:
        if logged:
            messages.success(request, "Interaction logged.")
        else:
            flash_form_errors(request, form)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = f"{client.get_absolute_url()}#stakeholders"
        return redirect(target)
    fresh = log_form_for(client, request.user) if logged else form
    context = panel_context(client, request.user, True, fresh)
    context["logged"] = logged
    response = render(request, "stakeholders/includes/log_response.html", context)
    if logged:
        # Figures on the page that count interactions and are not sent back here (the timeline's
        # list, …) listen for this event and fetch themselves again.
        response["HX-Trigger"] = INTERACTION_LOGGED
    return response
