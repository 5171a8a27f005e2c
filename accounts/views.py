"""Client pages: thin views over the access rule, selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pghistory.models import MiddlewareEvents

from accounts import selectors, services
from accounts.access import (
    CRP_REFUSED,
    START_PAGES,
    TEAM_REFUSED,
    get_editable_client,
    get_editable_object,
    get_visible_client,
    get_visible_object,
    may_change_confidentiality,
    may_create_client,
    may_edit_client,
    may_end_assignment,
    may_manage_team,
    require,
)
from accounts.forms import (
    AssignmentEndForm,
    AssignmentForm,
    ClientCreateForm,
    ClientForm,
    FeeRecordForm,
)
from accounts.models import Assignment, AssignmentRole, Client, ClientStatus, FeeRecord, Tier
from accounts.signals import client_detail_panels
from core.concurrency import StaleVersionError
from core.forms import apply_errors, flash_form_errors, render_deferred_form
from core.htmx import wants_partial
from core.widgets import ListSelect

PAGE_SIZE = 25
CLIENT_HISTORY_EVENTS = ["accounts.ClientEvent", "accounts.AssignmentEvent", "accounts.FeeRecordEvent"]


# Where each role starts its day (pages served by the reports app, found by URL name).
LANDING_PAGES = START_PAGES


@require_GET
def home(request):
    try:
        return redirect(LANDING_PAGES.get(request.user.role, "client-list"))
    except NoReverseMatch:
        return redirect("client-list")


@require_GET
def client_list(request):
    params = request.GET
    clients = selectors.client_list(
        user=request.user,
        search=params.get("q", "").strip(),
        tier=params.get("tier", ""),
        sector=params.get("sector", ""),
        crp=params.get("crp", ""),
        status=params.get("status", ""),
        mine=params.get("mine") == "1",
        sort=params.get("sort", "name"),
    )
    page = Paginator(clients, PAGE_SIZE).get_page(params.get("page"))
    context = {
        "page": page,
        "params": params,
        "sort": params.get("sort", "name"),
        "query_without_page": _query_without(params, "page"),
        "query_without_sort": _query_without(params, "sort", "page"),
    }
    if wants_partial(request):
        return render(request, "accounts/client_list.html#client-table", context)
    context.update(
        tiers=Tier.objects.all(),
        sectors=selectors.sectors_of(request.user),
        crp_filter=_crp_filter(selectors.crp_choices(request.user), params.get("crp", "")),
        statuses=ClientStatus.choices,
        can_create=may_create_client(request.user),
    )
    return render(request, "accounts/client_list.html", context)


def _crp_filter(crps, chosen: str) -> str:
    """The list's CRP filter: a thousand names and more in a large firm, so written in Python."""
    choices = [("", "Any CRP"), *((str(person.pk), person.full_name) for person in crps)]
    return ListSelect(choices=choices).render("crp", chosen)


def _query_without(params, *names: str) -> str:
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_GET
def client_detail(request, pk: int):
    client = get_visible_client(request.user, pk)
    team = list(selectors.team_of(client))
    manages_team = may_manage_team(request.user, client)
    for assignment in team:
        assignment.client = client
        assignment.may_end = assignment.is_current and may_end_assignment(
            request.user, assignment, manages_team=manages_team
        )
    panels = [panel for _, panel in client_detail_panels.send(sender=Client, client=client, user=request.user) if panel]
    # The client's own record, team and fees; plans and stakeholders keep their own history pages.
    history = (
        MiddlewareEvents.objects.across(*CLIENT_HISTORY_EVENTS)
        .references(client)
        .select_related("user")
        .order_by("-pgh_created_at")[:50]
    )
    return render(
        request,
        "accounts/client_detail.html",
        {
            "client": client,
            "may_edit": may_edit_client(request.user, client),
            "may_manage_team": manages_team,
            "current_team": [a for a in team if a.is_current],
            "past_team": [a for a in team if not a.is_current],
            "fees": selectors.fee_table(client),
            "service_lines": client.service_lines.all(),
            "history": history,
            "panels": sorted(panels, key=lambda panel: panel["order"]),
        },
    )


@require_http_methods(["GET", "POST"])
def client_create(request):
    if not may_create_client(request.user):
        messages.error(request, "Ask the BD team to add a key client.")
        return redirect("client-list")
    form = ClientCreateForm(request.POST or None, may_wall=may_change_confidentiality(request.user), actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.client_create(
                actor=request.user,
                name=data["name"],
                tier=data["tier"],
                crp=data["crp"],
                sam=data["sam"],
                sector=data["sector"],
                country=data["country"],
                status=data["status"],
                confidential=data["confidential"],
                notes=data["notes"],
                service_lines=data["service_lines"],
                review_cadence_days=data["review_cadence_days"],
                parent=data["parent"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{client} added to the key-client programme.")
            return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def client_edit(request, pk: int):
    client = get_editable_client(request.user, pk)
    may_wall = may_change_confidentiality(request.user)
    form = ClientForm(
        request.POST or None,
        instance=client,
        initial={"version": client.version},
        may_wall=may_wall,
        actor=request.user,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in services.CLIENT_FIELDS}
        try:
            services.client_update(
                actor=request.user,
                client=client,
                expected_version=data["version"] or 0,
                service_lines=data["service_lines"],
                **changes,
            )
        except StaleVersionError as stale:
            conflict = stale
            form = ClientForm(
                request.POST,
                instance=stale.current,
                initial={"version": stale.current.version},
                may_wall=may_wall,
                actor=request.user,
            )
            form.data = form.data.copy()
            form.data["version"] = stale.current.version
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Client saved.")
            return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form, "client": client, "conflict": conflict})


@require_http_methods(["GET", "POST"])
def assignment_add(request, pk: int):
    client = get_visible_client(request.user, pk)
    require(may_manage_team(request.user, client), TEAM_REFUSED)
    if request.method == "GET":
        return render_deferred_form(
            request,
            AssignmentForm(),
            title="Add a team member",
            action=reverse("assignment-add", args=[client.pk]),
            submit="Add",
            back=client,
        )
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_start(actor=request.user, client=client, **form.cleaned_data)
            messages.success(request, f"{form.cleaned_data['user']} added to the team.")
        except ValidationError as error:
            apply_errors(form, error)
    flash_form_errors(request, form)
    return redirect(client)


@require_POST
def assignment_end(request, pk: int):
    assignment = get_visible_object(request.user, Assignment.objects.select_related("client", "user"), pk)
    require(
        may_end_assignment(request.user, assignment),
        CRP_REFUSED if assignment.role == AssignmentRole.CRP else TEAM_REFUSED,
    )
    form = AssignmentEndForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_end(actor=request.user, assignment=assignment, **form.cleaned_data)
            messages.success(request, f"{assignment.user}'s role ended.")
        except ValidationError as error:
            apply_errors(form, error)
    flash_form_errors(request, form)
    return redirect(assignment.client)


@require_http_methods(["GET", "POST"])
def fee_set(request, pk: int):
    client = get_editable_client(request.user, pk)
    if request.method == "GET":
        return render_deferred_form(
            request,
            FeeRecordForm(initial={"financial_year": selectors.last_complete_financial_year()}),
            title="Record a fee figure",
            action=reverse("fee-set", args=[client.pk]),
            submit="Save figure",
            back=client,
        )
    form = FeeRecordForm(request.POST)
    if form.is_valid():
        try:
            services.fee_record_set(actor=request.user, client=client, **form.cleaned_data)
            messages.success(request, "Fee figure saved.")
        except ValidationError as error:
            apply_errors(form, error)
    flash_form_errors(request, form)
    return redirect(reverse("client-detail", args=[client.pk]) + "#fees")


@require_POST
def fee_delete(request, pk: int):
    record = get_editable_object(request.user, FeeRecord.objects.select_related("client"), pk)
    services.fee_record_delete(actor=request.user, record=record)
    messages.success(request, "Fee figure deleted.")
    return redirect(reverse("client-detail", args=[record.client_id]) + "#fees")
