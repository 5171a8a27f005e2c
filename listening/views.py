"""Pages of client listening for the firm: surveys, follow-ups, incidents, the client switch and the
overview. Thin: the access rule, one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import (
    editable_clients,
    firm_people_for,
    get_editable_client,
    get_editable_object,
    get_visible_object,
    may_see_firm_overview,
    require,
)
from core.concurrency import StaleVersionError
from core.forms import apply_errors, flash_form_errors
from listening import reporting, selectors
from listening.forms import (
    FollowUpCloseForm,
    IncidentForm,
    ProgrammeForm,
    RecipientsForm,
    ResolveForm,
    SurveyForm,
)
from listening.models import FollowUp, Incident, Programme, Response, Survey
from listening.services import followups, incidents, programmes, surveys
from stakeholders.models import Stakeholder

SURVEYS_REFUSED = "Surveys are run by business development, managing partners and administrators."


def _survey_for(request: HttpRequest, pk: int) -> Survey:
    require(surveys.may_send_surveys(request.user), SURVEYS_REFUSED)
    return get_object_or_404(Survey, pk=pk)


@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    require(surveys.may_send_surveys(request.user), SURVEYS_REFUSED)
    return render(request, "listening/survey_list.html", {"rows": selectors.surveys_with_figures(request.user)})


@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    require(surveys.may_send_surveys(request.user), SURVEYS_REFUSED)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = surveys.survey_create(
                actor=request.user,
                name=data["name"],
                intro=data["intro"],
                asks_nps=data["asks_nps"],
                asks_csat=data["asks_csat"],
                asks_ces=data["asks_ces"],
                questions=[data["question_1"], data["question_2"], data["question_3"]],
                closes_on=data["closes_on"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Survey saved as a draft: now choose its recipients.")
            return redirect("survey-detail", pk=survey.pk)
    return render(request, "listening/survey_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    return render(
        request,
        "listening/survey_detail.html",
        {
            "survey": survey,
            "figures": selectors.survey_figures(survey=survey, user=request.user),
            "recipients": selectors.survey_recipients(survey=survey, user=request.user)[:500],
            "recipients_form": RecipientsForm(clients=editable_clients(request.user).order_by("name")),
        },
    )


@require_POST
def survey_recipients(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    form = RecipientsForm(request.POST, clients=editable_clients(request.user))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("survey-detail", pk=survey.pk)
    people = list(
        Stakeholder.objects.filter(
            client__in=form.cleaned_data["clients"], buying_role__in=form.cleaned_data["buying_roles"]
        ).order_by("client_id", "pk")
    )
    try:
        report = surveys.survey_invite(actor=request.user, survey=survey, stakeholders=people)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, report.describe())
    return redirect("survey-detail", pk=survey.pk)


@require_POST
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    try:
        n = surveys.survey_send(actor=request.user, survey=survey)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, f"Sending {n} survey emails.")
    return redirect("survey-detail", pk=survey.pk)


@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey_for(request, pk)
    surveys.survey_close(actor=request.user, survey=survey)
    messages.success(request, "Survey closed: its links no longer accept answers.")
    return redirect("survey-detail", pk=survey.pk)


def _programme_for(request: HttpRequest, pk: int) -> Programme:
    require(surveys.may_send_surveys(request.user), SURVEYS_REFUSED)
    return get_object_or_404(Programme, pk=pk)


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    require(surveys.may_send_surveys(request.user), SURVEYS_REFUSED)
    return render(request, "listening/programme_list.html", {"rows": selectors.programmes_with_figures(request.user)})


@require_http_methods(["GET", "POST"])
def programme_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New programme (no `pk`) or an existing one's settings."""
    require(surveys.may_send_surveys(request.user), SURVEYS_REFUSED)
    programme = None if pk is None else _programme_for(request, pk)
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data) if programme is None else ProgrammeForm.for_programme(programme, data)
    if request.method == "POST" and form.is_valid():
        try:
            saved = programmes.programme_save(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Programme “{saved.name}” saved.")
            return redirect("programme-list")
    return render(
        request,
        "listening/programme_form.html",
        {"form": form, "programme": programme},
        status=400 if form.errors else 200,
    )


@require_POST
def programme_active(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_for(request, pk)
    active = request.POST.get("active") == "on"
    programmes.programme_set_active(actor=request.user, programme=programme, active=active)
    if active and programme.is_scheduled:
        messages.success(request, f"“{programme.name}” resumed: it sends again from the current period on.")
    elif active:
        messages.success(request, f"“{programme.name}” resumed: it sends again for reviews held from now on.")
    else:
        messages.success(request, f"“{programme.name}” paused: it sends nothing until resumed.")
    return redirect("programme-list")


@require_POST
def client_no_surveys(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_editable_client(request.user, pk)
    on = request.POST.get("no_surveys") == "on"
    surveys.client_no_surveys_set(actor=request.user, client=client, no_surveys=on)
    messages.success(request, "Nobody at this client will be surveyed." if on else "Surveys to this client allowed.")
    return redirect(client.get_absolute_url() + "#listening")


@require_POST
def response_flag(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_editable_object(request.user, Response.objects.select_related("client"), pk)
    followups.response_flag(actor=request.user, response=response)
    messages.success(request, "Flagged: the CRP has a follow-up.")
    return redirect(response.client.get_absolute_url() + "#listening")


@require_http_methods(["GET", "POST"])
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_visible_object(
        request.user, FollowUp.objects.select_related("client", "action", "response__invitation"), pk
    )
    if request.method == "POST":
        follow_up = get_editable_object(
            request.user, FollowUp.objects.select_related("client", "action", "response__invitation"), pk
        )
    form = FollowUpCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            followups.follow_up_close(
                actor=request.user,
                follow_up=follow_up,
                outcome=form.cleaned_data["outcome"],
                tell_client=form.cleaned_data["tell_client"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Loop closed.")
            return redirect(follow_up.client.get_absolute_url() + "#listening")
    return render(
        request,
        "listening/follow_up_close.html",
        {"follow_up": follow_up, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def incident_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_editable_client(request.user, pk)
    form = IncidentForm(request.POST or None, people=firm_people_for(client), initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner")
        try:
            incidents.incident_create(actor=request.user, client=client, owner=owner, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Recorded.")
            return redirect(client.get_absolute_url() + "#listening")
    return render(
        request,
        "listening/incident_form.html",
        {"form": form, "client": client},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_editable_object(request.user, Incident.objects.select_related("client"), pk)
    form = IncidentForm(request.POST or None, instance=incident, people=firm_people_for(incident.client))
    resolve_form = ResolveForm(initial={"version": incident.version})
    if request.method == "POST" and form.is_valid():
        fields = IncidentForm.Meta.fields
        changes = {name: form.cleaned_data[name] for name in fields}
        try:
            incidents.incident_update(
                actor=request.user,
                incident=Incident.objects.get(pk=incident.pk),
                expected_version=int(request.POST.get("version") or 0),
                **changes,
            )
        except StaleVersionError:
            form.add_error(None, "Someone changed this record since you opened it: reload and apply your change again.")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(incident.client.get_absolute_url() + "#listening")
    return render(
        request,
        "listening/incident_form.html",
        {"form": form, "client": incident.client, "incident": incident, "resolve_form": resolve_form},
        status=400 if form.errors else 200,
    )


@require_POST
def incident_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_editable_object(request.user, Incident.objects.select_related("client"), pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("incident-edit", pk=incident.pk)
    try:
        incidents.incident_resolve(
            actor=request.user,
            incident=incident,
            expected_version=form.cleaned_data["version"],
            root_cause=form.cleaned_data["root_cause"],
            resolved_on=form.cleaned_data["resolved_on"],
        )
    except StaleVersionError:
        messages.error(request, "Someone changed this record since you opened it: here it is as it is now.")
        return redirect("incident-edit", pk=incident.pk)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("incident-edit", pk=incident.pk)
    messages.success(request, "Resolved.")
    return redirect(incident.client.get_absolute_url() + "#listening")


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """NPS by client, practice group, CRP and firm; closed-loop rate; open incidents by age and severity."""
    if not may_see_firm_overview(request.user):
        raise PermissionDenied("The listening overview is for managing partners, BD and administrators.")
    return render(request, "listening/overview.html", reporting.overview(request.user))
