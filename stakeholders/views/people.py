"""One stakeholder (details, who knows them, merge) and the firm-wide who-knows-whom pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import get_editable_object
from accounts.models import User
from core.concurrency import StaleVersionError
from core.forms import apply_errors, flash_form_errors
from core.htmx import wants_partial
from feeds.selectors import clients_worked_for
from stakeholders import selectors, services
from stakeholders.forms import MergeForm, RelationshipForm, StakeholderForm, WhoKnowsSearchForm
from stakeholders.models import Relationship, Stakeholder
from stakeholders.signals import stakeholder_detail_panels
from stakeholders.views.common import client_for, stakeholder_and_client, stakeholder_url_prefix


@require_http_methods(["GET", "POST"])
def stakeholder_create(request, pk: int):
    client = client_for(request.user, pk)
    if not client.may_edit:
        raise PermissionDenied("You can view this client but not change it.")
    form = StakeholderForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            person = services.stakeholder_create(actor=request.user, client=client, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{person} added.")
            return redirect("stakeholder-detail", pk=person.pk)
    return render(request, "stakeholders/stakeholder_form.html", {"form": form, "client": client})


def _detail_context(request, person: Stakeholder, may_edit: bool, **forms) -> dict:
    client = person.client
    people = selectors.client_stakeholders(client, include_left=True)
    me = next(p for p in people if p.pk == person.pk)
    selectors.attach_engagement([me], selectors.engagement_by_pair(client))
    return {
        "client": client,
        "person": me,
        "may_edit": may_edit,
        "detail_url": stakeholder_url_prefix(),
        "manager": next((p for p in people if p.pk == me.reports_to_id), None),
        "reports": [p for p in people if p.reports_to_id == me.pk],
        "gaps": selectors.gaps_for(me, timezone.localdate()) if me.status == "active" else [],
        "interactions": list(selectors.with_people(person.interactions.order_by("-date", "-id"))[:20]),
        "form": forms.get("form")
        or StakeholderForm(instance=person, client=client, initial={"version": person.version}),
        "relationship_form": forms.get("relationship_form") or _relationship_form(request, me, client),
        "merge_form": forms.get("merge_form") or MergeForm(keep=person),
        "conflict": forms.get("conflict"),
        "panels": [
            panel
            for _, panel in stakeholder_detail_panels.send(sender=Stakeholder, stakeholder=person, user=request.user)
            if panel
        ],
    }


def _relationship_form(request, person: Stakeholder, client) -> RelationshipForm:
    """Empty to add one; `?edit_relationship=<id>` fills it with that relationship and the version read."""
    chosen = request.GET.get("edit_relationship", "")
    rel = next((rel for rel in person.rels if str(rel.pk) == chosen), None)
    if rel is None:
        return RelationshipForm(client=client)
    return RelationshipForm(instance=rel, initial={"version": rel.version}, client=client)


@require_http_methods(["GET", "POST"])
def stakeholder_detail(request, pk: int):
    """The stakeholder, who knows them, their touchpoints; POST saves the edit form."""
    person, client = stakeholder_and_client(request.user, pk)
    forms = {}
    if request.method == "POST":
        if not client.may_edit:
            raise PermissionDenied("You can view this client but not change it.")
        form = StakeholderForm(request.POST, instance=person, client=client)
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.stakeholder_update(
                    actor=request.user,
                    stakeholder=person,
                    expected_version=form.cleaned_data["version"] or 0,
                    **changes,
                )
            except StaleVersionError as stale:
                forms["conflict"] = stale
                form.data = form.data.copy()
                form.data["version"] = stale.current.version
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Stakeholder saved.")
                return redirect("stakeholder-detail", pk=person.pk)
        person.refresh_from_db()
        forms["form"] = form
    return render(
        request, "stakeholders/stakeholder_detail.html", _detail_context(request, person, client.may_edit, **forms)
    )


@require_POST
def relationship_set(request, pk: int):
    person = get_editable_object(request.user, Stakeholder.objects.select_related("client"), pk)
    form = RelationshipForm(request.POST, client=person.client)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.relationship_set(
                actor=request.user, stakeholder=person, expected_version=form.cleaned_data["version"], **data
            )
        except StaleVersionError as stale:
            return _relationship_conflict(request, person, form, stale)
        except ValidationError as error:
            apply_errors(form, error)
            flash_form_errors(request, form)
        else:
            messages.success(request, f"Relationship of {data['user']} with {person} saved.")
    else:
        flash_form_errors(request, form)
    return redirect(reverse("stakeholder-detail", args=[person.pk]) + "#relationships")


def _relationship_conflict(request, person: Stakeholder, form: RelationshipForm, stale: StaleVersionError):
    """The stored relationship beside the user's own values, which a second save puts over it."""
    posted = request.POST.copy()
    posted["version"] = stale.current.version
    context = _detail_context(request, person, True, relationship_form=RelationshipForm(posted, client=person.client))
    context["relationship_conflict"] = stale
    context["relationship_conflict_unseen"] = form.cleaned_data["version"] is None
    return render(request, "stakeholders/stakeholder_detail.html", context, status=409)


@require_POST
def relationship_remove(request, pk: int):
    rel = get_editable_object(
        request.user, Relationship.objects.select_related("stakeholder__client", "user"), pk, "stakeholder__client"
    )
    version = request.POST.get("version", "")
    try:
        services.relationship_remove(
            actor=request.user,
            relationship=rel,
            expected_version=int(version) if version.isascii() and version.isdigit() else 0,
        )
    except StaleVersionError:
        messages.error(
            request,
            f"{rel.user}'s relationship was changed by someone else since you opened this "
            "page, so it was not removed. Look at it again, and remove it if you still mean to.",
        )
    else:
        messages.success(request, f"{rel.user}'s relationship removed.")
    return redirect(reverse("stakeholder-detail", args=[rel.stakeholder_id]) + "#relationships")


@require_POST
def relationship_make_primary(request, pk: int):
    rel = get_editable_object(
        request.user, Relationship.objects.select_related("stakeholder__client", "user"), pk, "stakeholder__client"
    )
    services.relationship_make_primary(actor=request.user, relationship=rel)
    messages.success(request, f"{rel.user} is now the primary owner.")
    return redirect(reverse("stakeholder-detail", args=[rel.stakeholder_id]) + "#relationships")


@require_POST
def stakeholder_merge(request, pk: int):
    keep = get_editable_object(request.user, Stakeholder.objects.select_related("client"), pk)
    form = MergeForm(request.POST, keep=keep)
    if form.is_valid():
        try:
            services.stakeholder_merge(actor=request.user, keep=keep, duplicate=form.cleaned_data["duplicate"])
            messages.success(request, f"Merged into {keep}: all interactions and relationships kept.")
        except ValidationError as error:
            apply_errors(form, error)
            flash_form_errors(request, form)
    else:
        flash_form_errors(request, form)
    return redirect("stakeholder-detail", pk=keep.pk)


@require_GET
def person_relationships(request, pk: int):
    """Who a firm person knows, across every client the viewer may see."""
    person = get_object_or_404(User.objects.only("id", "full_name", "job_title", "role"), pk=pk)
    rels = selectors.relationships_of_person(request.user, person)
    page = Paginator(rels, 100).get_page(request.GET.get("page"))
    worked_for = list(clients_worked_for(request.user, person)[:50])
    return render(
        request,
        "stakeholders/person_relationships.html",
        {"person": person, "page": page, "worked_for": worked_for},
    )


@require_GET
def who_knows_whom(request):
    form = WhoKnowsSearchForm(request.GET or None)
    page = None
    if form.is_valid() and any(form.cleaned_data.values()):
        data = form.cleaned_data
        results = selectors.who_we_know(
            request.user,
            client_query=data["client"].strip(),
            department=data["department"].strip(),
            seniority=data["seniority"],
            buying_role=data["buying_role"],
        )
        page = Paginator(results, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    if wants_partial(request):
        return render(request, "stakeholders/who_knows_whom.html#results", context)
    return render(request, "stakeholders/who_knows_whom.html", context)
