"""The pages a survey recipient sees: no login, plain, fast, accessible, and polite about bad links.
A refused link records nothing. Every request counts against a per-address limit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.throttle import Limit
from listening import links
from listening.models import Invitation
from listening.services.responses import LinkRefused, open_invitation, response_record
from listening.services.surveys import invitation_opt_out

PUBLIC_REQUESTS = Limit("survey-address", settings.LISTENING_REQUESTS_PER_ADDRESS, 60)

REFUSALS = {
    "tampered": ("This link does not work", "The link may have been cut short or changed on its way to you."),
    "expired": ("This link has expired", "Survey links work for a limited time."),
    "used": (
        "This link has already been used",
        "Each link works once. If you answered, the page you saw afterwards had a link to change your answer; "
        "a reminder email also replaces the link in the first one.",
    ),
    "closed": ("This survey has closed", "Thank you all the same: we are no longer collecting answers to it."),
}


def _throttled(request: HttpRequest) -> HttpResponse | None:
    address = request.META.get("REMOTE_ADDR", "")
    if PUBLIC_REQUESTS.count(address) > PUBLIC_REQUESTS.attempts:
        response = render(request, "listening/public/refused.html", _refusal_context("throttled"), status=429)
        response["Retry-After"] = "60"
        return response
    return None


def _refusal_context(problem: str) -> dict[str, str]:
    title, detail = REFUSALS.get(problem, ("Too many requests", "Please wait a minute and try again."))
    return {"title": title, "detail": detail, "firm": settings.FIRM_NAME}


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _throttled(request)) is not None:
        return limited
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        # The answer is recorded under the invitation's row lock, which checks the link once more;
        # reading the invitation first would only double the work of the common case.
        try:
            response, new_token = response_record(token=token, data=request.POST.dict())
        except LinkRefused as refused:
            return render(request, "listening/public/refused.html", _refusal_context(refused.problem), status=410)
        except ValidationError as error:
            errors = error.message_dict
        else:
            return render(
                request,
                "listening/public/thanks.html",
                {
                    "firm": settings.FIRM_NAME,
                    "response": response,
                    "change_token": new_token,
                    "survey": response.invitation.survey,
                },
            )
    try:
        invitation = open_invitation(token)
    except LinkRefused as refused:
        return render(request, "listening/public/refused.html", _refusal_context(refused.problem), status=410)
    values = _current_values(invitation)
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in ["nps", "csat", "ces", "comment"]}
        values.update({f"q{i}": request.POST.get(f"q{i}", "") for i in range(len(invitation.survey.questions))})
    return render(
        request,
        "listening/public/respond.html",
        {
            "firm": settings.FIRM_NAME,
            "invitation": invitation,
            "survey": invitation.survey,
            "questions": [
                (f"q{i}", question, values.get(f"q{i}", "")) for i, question in enumerate(invitation.survey.questions)
            ],
            "values": values,
            "errors": errors,
            "nps_scale": range(0, 11),
            "csat_scale": [
                (1, "Very dissatisfied"),
                (2, "Dissatisfied"),
                (3, "Neutral"),
                (4, "Satisfied"),
                (5, "Very satisfied"),
            ],
            "ces_scale": range(1, 8),
            "token": token,
        },
        status=400 if errors else 200,
    )


def _current_values(invitation: Invitation) -> dict[str, str]:
    response = getattr(invitation, "response", None)
    if response is None:
        return {}
    values = {
        "nps": "" if response.nps is None else str(response.nps),
        "csat": "" if response.csat is None else str(response.csat),
        "ces": "" if response.ces is None else str(response.ces),
        "comment": response.comment,
    }
    values.update({f"q{i}": text for i, text in enumerate(response.answers)})
    return values


@login_not_required
@csrf_exempt  # RFC 8058 one-click: the mail provider POSTs without a cookie; the signed link is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if (limited := _throttled(request)) is not None:
        return limited
    invitation_id = links.open_unsubscribe_token(token)
    invitation = Invitation.objects.filter(pk=invitation_id).first() if invitation_id is not None else None
    if invitation is None:
        return render(request, "listening/public/refused.html", _refusal_context("tampered"), status=410)
    if request.method == "POST":
        invitation_opt_out(invitation=invitation)
        return render(request, "listening/public/unsubscribed.html", {"firm": settings.FIRM_NAME})
    return render(request, "listening/public/unsubscribe.html", {"firm": settings.FIRM_NAME, "token": token})
