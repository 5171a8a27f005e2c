"""In-place editing of plan rows with htmx: show, add, edit (version-checked), delete, mark done."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import may_hand_over_crp, may_plan_transition, require
from core.concurrency import StaleVersionError
from core.forms import apply_errors
from planning import selectors, services
from planning.entities import SECTIONS, Entity
from planning.models import AccountPlan, ChecklistItem

PAGE = "planning/plan_detail.html"


def get_plan(request, pk: object, *, for_edit: bool = False) -> AccountPlan:
    """The plan through the access rule: 404 when invisible, 403 when a write is not allowed."""
    plan = selectors.plan_for_page(user=request.user, pk=pk)
    if plan is None:
        raise Http404("No such plan.")
    if for_edit and not plan.may_edit:
        raise PermissionDenied("You can view this plan but not change it.")
    # Rows build their links from this prefix: a reverse() per row and button dominated render time.
    plan.url = plan.get_absolute_url()
    # Templates call these (once, cached) only where the transitions section is drawn.
    plan.may_plan_transition = functools.cache(lambda: plan.may_edit and may_plan_transition(request.user, plan.client))
    plan.may_hand_over_crp = functools.cache(lambda: plan.may_edit and may_hand_over_crp(request.user, plan.client))
    return plan


def require_kind_change(request, kind: Entity, plan: AccountPlan) -> None:
    """Rows of some kinds (CRP transitions) have a gate of their own beyond editing the plan."""
    if kind.may_change is not None:
        require(kind.may_change(request.user, plan.client), kind.refused)


def _kind(name: str) -> Entity:
    if name not in SECTIONS:
        raise Http404("No such section.")
    return SECTIONS[name]


def _row_of(kind: Entity, plan: AccountPlan, pk: object):
    try:
        return kind.rows(plan).get(pk=int(pk))
    except (kind.model.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc


def _row_response(request, kind: Entity, plan: AccountPlan, obj) -> HttpResponse:
    html = render_to_string(f"{PAGE}#{kind.section}-row", {"obj": obj, "plan": plan, "kind": kind}, request)
    if kind.refreshes:
        page = selectors.plan_page(plan=plan)
        html += render_to_string(f"{PAGE}#{kind.refreshes}", {"page": page, "plan": plan, "oob": True}, request)
    return HttpResponse(html)


def _form_response(
    request, kind: Entity, plan: AccountPlan, form, obj=None, conflict=None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "plan": plan,
        "kind": kind,
        "obj": obj,
        "conflict": conflict,
        "conflict_by": selectors.last_change(conflict.current) if conflict else None,
    }
    if request.htmx:  # htmx swaps only 2xx answers: the form with its errors must come back as one
        return render(request, f"{PAGE}#row-form", context)
    return render(request, "planning/item_form_page.html", context, status=status)


@require_GET
def row_show(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk)
    kind_ = _kind(kind)
    return _row_response(request, kind_, plan, _row_of(kind_, plan, item))


@require_http_methods(["GET", "POST"])
def row_add(request, pk: int, kind: str):
    plan = get_plan(request, pk, for_edit=True)
    kind_ = _kind(kind)
    require_kind_change(request, kind_, plan)
    form = kind_.form(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            obj = kind_.create_on(request.user, plan, form.changes())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"The {kind_.label} was added.")
                return redirect(plan)
            return _row_response(request, kind_, plan, kind_.rows(plan).get(pk=obj.pk))
    return _form_response(request, kind_, plan, form, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def row_edit(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk, for_edit=True)
    kind_ = _kind(kind)
    require_kind_change(request, kind_, plan)
    obj = _row_of(kind_, plan, item)
    form = kind_.form(request.POST or None, instance=obj, plan=plan)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            kind_.update_row(request.user, obj, form.cleaned_data.get("version") or 0, form.changes())
        except StaleVersionError as stale:
            conflict = stale
            form = _conflict_form(kind_, plan, request.POST, stale)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"The {kind_.label} was saved.")
                return redirect(plan)
            return _row_response(request, kind_, plan, _row_of(kind_, plan, item))
    status = 409 if conflict else 422 if form.errors else 200
    return _form_response(request, kind_, plan, form, obj=obj, conflict=conflict, status=status)


def _conflict_form(kind: Entity, plan: AccountPlan, posted, stale: StaleVersionError):
    """The user's own values, ready to save again over the other person's newer version."""
    data = posted.copy()
    data["version"] = stale.current.version
    return kind.form(data, instance=stale.current, plan=plan)


@require_POST
def row_delete(request, pk: int, kind: str, item: int):
    plan = get_plan(request, pk, for_edit=True)
    kind_ = _kind(kind)
    require_kind_change(request, kind_, plan)
    if kind_.delete is None:
        raise Http404("This record cannot be deleted.")
    obj = _row_of(kind_, plan, item)
    try:
        kind_.delete_row(request.user, obj, _posted_version(request))
    except StaleVersionError as stale:
        form = kind_.form(instance=stale.current, plan=plan)
        return _form_response(request, kind_, plan, form, obj=stale.current, conflict=stale, status=409)
    if not request.htmx:
        messages.success(request, f"The {kind_.label} was deleted.")
        return redirect(plan)
    return HttpResponse("")


def _posted_version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


@require_POST
def action_done(request, pk: int, item: int):
    plan = get_plan(request, pk, for_edit=True)
    kind = SECTIONS["action"]
    action = _row_of(kind, plan, item)
    try:
        services.action_mark_done(actor=request.user, action=action, expected_version=_posted_version(request))
    except StaleVersionError as stale:
        form = kind.form(instance=stale.current, plan=plan)
        return _form_response(request, kind, plan, form, obj=stale.current, conflict=stale, status=409)
    if not request.htmx:
        messages.success(request, "Action marked done.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = plan.get_absolute_url()
        return redirect(target)
    return _row_response(request, kind, plan, _row_of(kind, plan, item))


@require_POST
def checklist_toggle(request, pk: int, item: int):
    plan = get_plan(request, pk, for_edit=True)
    kind = SECTIONS["checklist"]
    step: ChecklistItem = _row_of(kind, plan, item)
    try:
        services.checklist_item_update(
            actor=request.user,
            item=step,
            expected_version=_posted_version(request),
            done=request.POST.get("done") == "on",
        )
    except StaleVersionError as stale:
        form = kind.form(instance=stale.current, plan=plan)
        return _form_response(request, kind, plan, form, obj=stale.current, conflict=stale, status=409)
    if not request.htmx:
        return redirect(plan)
    return _row_response(request, kind, plan, _row_of(kind, plan, item))
